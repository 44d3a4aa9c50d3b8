"""The bookkeeping of a traced Keras model, shared by the Keras 3 and Keras 2 adapters.

Both Keras generations describe a model the same way once it is built: a tree
of layers, each layer's calls with the identity and shape of the tensors it
took and gave, and variables with a shape, a dtype and a trainable flag. This
module turns that into a ModelReport. It imports no framework: what differs
between the two (flattening nested tensors, copying one, naming a dtype or a
variable) comes in as a :class:`Kit` of small functions.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import BuildError
from ..report import Edge, Layer, ModelReport, Shape, TensorInfo, Totals, Weight, itemsize

_CALL_ORDER = itertools.count()


@dataclass(frozen=True)
class Kit:
    """What an adapter tells this module about its framework."""

    framework: str
    version: str
    #: A nested structure of tensors (and other values) → a flat list.
    flatten: Callable[[Any], list]
    #: ``map_structure(function, structure)``: the same structure, each leaf mapped.
    map_structure: Callable[[Callable[[Any], Any], Any], Any]
    #: A new tensor with the same value (a layer that returns its input gets one).
    copy: Callable[[Any], Any]
    #: A tensor's or variable's dtype → its plain name, ``float32``.
    dtype_name: Callable[[Any], str]
    #: A variable's name including its layers' names (``lstm/lstm_cell/kernel``).
    variable_path: Callable[[Any], str]
    #: The variables of a layer (or model) that count as trainable.
    trainable_variables: Callable[[Any], Sequence[Any]]


@dataclass
class CallRecord:
    input_ids: list[int]
    input_shapes: list[Shape]
    output_ids: list[int]
    output_shapes: list[Shape]
    output_dtypes: list[str]
    #: Order of the calls across the whole model, to replay them as they happened.
    seq: int = field(default_factory=_CALL_ORDER.__next__)


@dataclass
class Node:
    """A layer as it sits in the model tree, with what the trace saw of it."""

    layer: Any
    path: str
    depth: int
    parent: Node | None
    is_container: bool
    children: list[Node] = field(default_factory=list)
    calls: list[CallRecord] = field(default_factory=list)


@dataclass
class Trace:
    root: Node
    inputs: list[TensorInfo]
    outputs: list[TensorInfo]
    #: Layer path → paths of the layers (or names of model inputs) that fed it.
    inbound: dict[str, list[str]]


def call_record(inputs: Sequence[Any], outputs: Sequence[Any], kit: Kit) -> CallRecord:
    return CallRecord(
        input_ids=[id(t) for t in inputs],
        input_shapes=[shape_of(t.shape) for t in inputs],
        output_ids=[id(t) for t in outputs],
        output_shapes=[shape_of(t.shape) for t in outputs],
        output_dtypes=[kit.dtype_name(t.dtype) for t in outputs],
    )


def grow_tree(node: Node, is_container: Callable[[Any], bool]) -> None:
    """Children of a model are its layers; plain layers are leaves whatever they hold."""
    seen: dict[str, int] = defaultdict(int)
    for layer in node.layer.layers:
        name = layer.name
        seen[name] += 1
        if seen[name] > 1:
            name = f"{name}_{seen[name]}"
        path = name if node.parent is None else f"{node.path}/{name}"
        child = Node(
            layer=layer,
            path=path,
            depth=node.depth + 1,
            parent=node,
            is_container=is_container(layer),
        )
        node.children.append(child)
        if child.is_container:
            grow_tree(child, is_container)


def walk(node: Node) -> Iterator[Node]:
    yield node
    for child in node.children:
        yield from walk(child)


@contextlib.contextmanager
def recording(nodes: list[Node], kit: Kit) -> Iterator[None]:
    """Wrap each layer's ``call`` on the instance so one trace records every call."""
    wrapped = []
    for node in nodes:
        layer = node.layer
        if "call" in vars(layer):
            continue  # already wrapped through another path (a layer in two places)
        original = layer.call

        def recorder(*args: Any, _original: Any = original, _node: Node = node, **kwargs: Any):
            result = _original(*args, **kwargs)
            inputs = [t for t in kit.flatten((args, kwargs)) if hasattr(t, "shape")]
            result = _fresh_outputs(result, {id(t) for t in inputs}, kit)
            outputs = [t for t in kit.flatten(result) if hasattr(t, "shape")]
            _node.calls.append(call_record(inputs, outputs, kit))
            return result

        object.__setattr__(layer, "call", recorder)
        wrapped.append(layer)
    try:
        yield
    finally:
        for layer in wrapped:
            object.__delattr__(layer, "call")
        for node in nodes:
            _share_calls(node, nodes)


def _fresh_outputs(result: Any, input_ids: set[int], kit: Kit) -> Any:
    """A layer that hands an input on unchanged (Dropout at inference) gets a copy to return,
    so the tensor's identity says which of the two a later layer really consumed."""
    return kit.map_structure(lambda t: kit.copy(t) if id(t) in input_ids else t, result)


def _share_calls(node: Node, nodes: list[Node]) -> None:
    """A layer object placed in two containers was wrapped once; both rows get its calls."""
    if node.calls:
        return
    for other in nodes:
        if other is not node and other.layer is node.layer and other.calls:
            node.calls = other.calls
            return


def shape_of(shape: Any) -> Shape:
    return tuple(None if dim is None else int(dim) for dim in shape)


def read_graph(
    model: Any, nodes: list[Node], kit: Kit, tensors: Callable[[Any], tuple[list, list]]
) -> None:
    """Calls as Keras recorded them when a functional model was built (no tracing needed).

    ``tensors(graph_node)`` gives a Keras graph node's input and output tensors.
    """
    in_graph = {id(node) for level in model._nodes_by_depth.values() for node in level}
    nodes[0].calls.append(call_record(model.inputs, model.outputs, kit))
    for node in nodes[1:]:
        if is_input_layer(node.layer):
            continue
        for graph_node in node.layer._inbound_nodes:
            if id(graph_node) in in_graph:
                node.calls.append(call_record(*tensors(graph_node), kit))


def model_inputs(model: Any) -> list[Any]:
    """A functional model's input tensors; none for a subclassed one."""
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        return []
    return list(inputs or [])


def resolve_inputs(
    model: Any,
    given: Sequence[Shape] | None,
    own: list[Shape],
    names: list[str | None],
    dtypes: list[Any],
    declared: Callable[[], list[Shape] | None],
    input_dtype: str | None = None,
) -> tuple[list[Shape], list[Any], list[str]]:
    """Shapes, dtypes and names of the inputs to trace with: the ``given`` shapes, else the
    model's ``own`` (a functional model's inputs), else those ``declared`` to ``build()``."""
    if given:
        shapes = [shape_of(shape) for shape in given]
        if own and len(shapes) != len(own):
            raise BuildError(
                "input-shape",
                f"the model has {len(own)} inputs but {len(shapes)} input shapes "
                "were given; give one shape per input, as a list",
            )
    elif own:
        shapes = [shape_of(shape) for shape in own]
    else:
        found = declared()
        if found is None:
            raise BuildError(
                "input-shape",
                f"model {model.name!r} ({type(model).__name__}) is not built and declares no "
                "input shape; give one with :input-shape: (for example "
                "':input-shape: (None, 128, 128, 3)', or a list of shapes for several inputs)",
            )
        shapes = [shape_of(shape) for shape in found]
    if input_dtype:
        dtypes = [input_dtype] * len(shapes)
    elif len(dtypes) != len(shapes):
        dtypes = ["float32"] * len(shapes)
    if len(names) != len(shapes) or not all(names):
        names = ["input"] if len(shapes) == 1 else [f"input_{i + 1}" for i in range(len(shapes))]
    return shapes, dtypes, [str(name) for name in names]


def finish_trace(root: Node, inputs: list[TensorInfo], model_name: str) -> Trace:
    """Connections and outputs of a model whose calls have been recorded."""
    if not root.calls:
        raise BuildError("builder", f"model {model_name!r} was never called during the trace")
    ids_to_input = dict(zip(root.calls[0].input_ids, (info.name for info in inputs)))
    inbound, producers = _connections(list(walk(root)), ids_to_input)
    outputs = root.calls[0]
    output_infos = [
        TensorInfo(name=producers.get((None, tensor_id), "output"), shape=shape, dtype=dtype)
        for tensor_id, shape, dtype in zip(
            outputs.output_ids, outputs.output_shapes, outputs.output_dtypes
        )
    ]
    return Trace(root=root, inputs=inputs, outputs=output_infos, inbound=inbound)


def _connections(
    nodes: list[Node], ids_to_input: dict[int, str]
) -> tuple[dict[str, list[str]], dict[tuple[str | None, int], str]]:
    """Who fed whom: the calls replayed in the order they happened.

    Producers are keyed by (parent path, tensor id): a nested model returns the
    tensor its last layer made, so one tensor has a producer at several levels,
    and each consumer looks among its own siblings first. Replaying in order
    matters because a layer may hand its input on unchanged (Dropout,
    GaussianNoise at inference): the same tensor then has a new producer for
    the layers called after it, but not for those called before.
    """
    producers: dict[tuple[str | None, int], str] = {}
    for tensor_id, name in ids_to_input.items():
        producers[(None, tensor_id)] = name
    for node in nodes:  # a functional model's InputLayer rows stand for its inputs
        if is_input_layer(node.layer) and node.parent is not None:
            for tensor_id, name in ids_to_input.items():
                if name == node.layer.name:
                    producers[(node.parent.path or None, tensor_id)] = node.path
    calls = sorted(
        ((call.seq, node, call) for node in nodes if node.parent for call in node.calls),
        key=lambda item: item[0],
    )
    inbound: dict[str, list[str]] = defaultdict(list)
    for _, node, call in calls:
        for tensor_id in call.input_ids:
            source = _source(node, tensor_id, producers)
            if source is not None and source not in inbound[node.path]:
                inbound[node.path].append(source)
        for tensor_id in call.output_ids:
            producers[(node.parent.path or None, tensor_id)] = node.path
    return inbound, producers


def _source(node: Node, tensor_id: int, producers: dict[tuple[str | None, int], str]) -> str | None:
    """The producer among the layer's siblings, else among its ancestors' siblings."""
    ancestor: Node | None = node
    while ancestor is not None and ancestor.parent is not None:
        source = producers.get((ancestor.parent.path or None, tensor_id))
        if source is not None and source != node.path:
            return source
        ancestor = ancestor.parent
    return None


def is_input_layer(layer: Any) -> bool:
    return type(layer).__name__ == "InputLayer"


# The report ------------------------------------------------------------------------------


def report(
    model: Any, trace: Trace, target_text: str, build_mode: str, seconds: float, kit: Kit
) -> ModelReport:
    nodes = [node for node in walk(trace.root) if node.parent is not None]
    owners: dict[int, str] = {}
    layers: list[Layer] = []
    edges: list[Edge] = []
    for node in nodes:
        inbound = trace.inbound.get(node.path, [])
        for source in inbound:
            edges.append(Edge(source=source, target=node.path))
        weights = () if node.is_container else _weights(node, owners, kit)
        layers.append(_layer(node, inbound, weights, trace.inputs))
    layers = _with_container_counts(layers)
    return ModelReport(
        target=target_text,
        name=model.name,
        class_name=type(model).__name__,
        framework=kit.framework,
        framework_version=kit.version,
        build_mode=build_mode,
        build_seconds=round(seconds, 3),
        inputs=tuple(trace.inputs),
        outputs=tuple(trace.outputs),
        layers=tuple(layers),
        edges=tuple(edges),
        totals=_totals(model, kit),
    )


def _weights(node: Node, owners: dict[int, str], kit: Kit) -> tuple[Weight, ...]:
    trainable = {id(variable) for variable in kit.trainable_variables(node.layer)}
    weights = []
    for variable in node.layer.weights:
        key = id(variable)
        shared_with = owners.get(key)
        if shared_with is None:
            owners[key] = node.path
        weights.append(
            Weight(
                name=_weight_name(kit.variable_path(variable), node.layer.name),
                shape=shape_of(variable.shape),
                dtype=kit.dtype_name(variable.dtype),
                trainable=key in trainable,
                shared_with=shared_with,
            )
        )
    return tuple(weights)


def _weight_name(path: str, layer_name: str) -> str:
    """The variable's path below its layer: ``kernel``, ``forward_lstm/lstm_cell/bias``."""
    prefix = f"{layer_name}/"
    index = path.rfind(prefix)
    return path[index + len(prefix) :] if index >= 0 else path.rsplit("/", 1)[-1]


def _layer(
    node: Node, inbound: list[str], weights: tuple[Weight, ...], inputs: list[TensorInfo]
) -> Layer:
    calls = node.calls
    if is_input_layer(node.layer) and not calls:
        shapes = tuple((info.shape,) for info in inputs if info.name == node.layer.name)
        output_shapes = shapes or ((shape_of(node.layer.output.shape),),)
        input_shapes: tuple = ()
    else:
        per_parent = _calls_per_parent_call(node)
        output_shapes = tuple(tuple(c.output_shapes) for c in calls[:per_parent])
        input_shapes = tuple(tuple(c.input_shapes) for c in calls[:per_parent])
    counted = [w for w in weights if w.shared_with is None]
    trainable = sum(w.size for w in counted if w.trainable)
    non_trainable = sum(w.size for w in counted if not w.trainable)
    return Layer(
        path=node.path,
        name=node.layer.name,
        class_name=type(node.layer).__name__,
        depth=node.depth,
        parent=node.parent.path or None if node.parent else None,
        output_shapes=output_shapes,
        input_shapes=input_shapes,
        inbound=tuple(inbound),
        calls=len(output_shapes),
        weights=weights,
        params=trainable + non_trainable,
        trainable=trainable,
        non_trainable=non_trainable,
        config=_config(node.layer),
        is_container=node.is_container,
    )


def _calls_per_parent_call(node: Node) -> int:
    """A layer inside a block called six times runs six times but is called once per block."""
    parent_calls = len(node.parent.calls) if node.parent and node.parent.parent else 1
    return max(1, len(node.calls) // max(1, parent_calls))


def _with_container_counts(layers: list[Layer]) -> list[Layer]:
    """A nested model's row shows the sum of its rows below (deepest first)."""
    by_path = {layer.path: layer for layer in layers}
    for layer in sorted(layers, key=lambda item: -item.depth):
        if not layer.is_container:
            continue
        children = [by_path[c.path] for c in layers if c.parent == layer.path]
        by_path[layer.path] = Layer(
            **{
                **{f: getattr(layer, f) for f in layer.__dataclass_fields__},
                "params": sum(c.params for c in children),
                "trainable": sum(c.trainable for c in children),
                "non_trainable": sum(c.non_trainable for c in children),
            }
        )
    return [by_path[layer.path] for layer in layers]


def _totals(model: Any, kit: Kit) -> Totals:
    """Each variable once, however many layers hold it (as ``count_params()`` counts)."""
    variables = {id(v): v for v in model.weights}
    trainable_ids = {id(v) for v in kit.trainable_variables(model)}
    by_dtype: dict[str, int] = defaultdict(int)
    trainable = non_trainable = 0
    for key, variable in variables.items():
        count = size(variable.shape)
        dtype = kit.dtype_name(variable.dtype)
        by_dtype[dtype] += count * itemsize(dtype)
        if key in trainable_ids:
            trainable += count
        else:
            non_trainable += count
    return Totals(
        params=trainable + non_trainable,
        trainable=trainable,
        non_trainable=non_trainable,
        bytes=sum(by_dtype.values()),
        bytes_by_dtype=dict(sorted(by_dtype.items())),
    )


def size(shape: Any) -> int:
    count = 1
    for dim in shape:
        count *= int(dim)
    return count


_CONFIG_SKIP = re.compile(r"initializer|regularizer|constraint|^dtype$|^trainable$|^name$")


def _config(layer: Any) -> dict[str, Any]:
    """The JSON-safe part of ``get_config()``: what formulas and renderers read."""
    try:
        config = layer.get_config()
    except Exception:  # noqa: BLE001 - subclassed models often cannot serialise themselves
        return {}
    return _json_safe(config)


def _json_safe(config: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in config.items():
        if _CONFIG_SKIP.search(key):
            continue
        if isinstance(value, dict) and "class_name" in value and "config" in value:
            if isinstance(value["config"], dict):
                clean[key] = {
                    "class_name": value["class_name"],
                    "config": _json_safe(value["config"]),
                }
            continue
        if _is_plain(value):
            clean[key] = _plain(value)
    return clean


def _plain(value: Any) -> Any:
    """Lists and tuples (and Keras 2's tracked ``ListWrapper``) as plain lists."""
    return [_plain(item) for item in value] if isinstance(value, (list, tuple)) else value


def _is_plain(value: Any) -> bool:
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_is_plain(item) for item in value)
    return False


def describe(shapes: Sequence[Shape]) -> str:
    return ", ".join(str(tuple(shape)) for shape in shapes)
