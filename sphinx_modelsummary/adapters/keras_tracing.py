"""The trace of a Keras model, shared by the Keras 3 and Keras 2 adapters.

Both Keras generations describe a model the same way once it is built: a tree
of layers, each layer's calls with the identity and shape of the tensors it
took and gave, and variables with a shape, a dtype and a trainable flag. This
module records the calls, works out which layer fed which, and writes the
layers down as the framework-neutral :class:`~.tree.ModelTree` that
:mod:`.tree` turns into a ModelReport. It imports no framework: what differs
between the two (flattening nested tensors, copying one, naming a dtype or a
variable) comes in as a :class:`Kit` of small functions.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import itertools
import linecache
import operator
import os
import re
import types
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import BuildError, is_user_file
from ..report import ModelReport, Shape, TensorInfo, Weight
from .tree import HeldTensor, ModelTree, Row, is_plain, model_report, plain

_CALL_ORDER = itertools.count()

#: Errors with which JAX and TensorFlow refuse to turn a symbolic tensor into a Python value.
_VALUE_ERRORS = (
    "TracerBoolConversionError",
    "TracerIntegerConversionError",
    "ConcretizationTypeError",
    "OperatorNotAllowedInGraphError",
)


def asks_for_a_value(error: BaseException) -> bool:
    """The error of a symbolic tensor turned into a Python value (``if``, ``int()``)."""
    if type(error).__name__ in _VALUE_ERRORS:
        return True
    return isinstance(error, TypeError) and "not 'SymbolicTensor'" in str(error)


def value_dependent_error(frames: Iterable[tuple[types.FrameType, int]]) -> BuildError:
    """The error for a model whose ``call`` decides on the value of a tensor, naming the
    layer and the line (the innermost frame of the user's code among ``frames``, outermost
    first).

    A summary is built from shapes, without data, so a branch on a tensor's value (``if
    ops.sum(x) > 0``) cannot be known: one backend would refuse, another would follow the
    branch of its made-up inputs, and the page would show a count the model does not have
    on real data. It is an error, on every backend, at the directive's line.
    """
    user = [(frame, line) for frame, line in frames if is_user_file(frame.f_code.co_filename)]
    where, layer = "", "the model"
    if user:
        frame, line = user[-1]
        owner = frame.f_locals.get("self")
        method = f"{type(owner).__name__}.{frame.f_code.co_name}()" if owner is not None else ""
        if method:
            layer = f"layer {getattr(owner, 'name', '?')!r} ({method})"
        filename = frame.f_code.co_filename
        code = linecache.getline(filename, line).strip()
        where = f" at {os.path.basename(filename)}:{line}" + (f" ({code!r})" if code else "")
    return BuildError(
        "builder",
        f"{layer} decides on the value of a tensor{where}: which of its layers run (or how "
        "often), and so which weights exist, then depend on the data, and a summary is built "
        "from shapes "
        "without data, so it cannot know the branch real data would take. Let the branch "
        "depend on what is known before data arrives (a constructor argument, a shape), so "
        "that one count is true for every input.",
    )


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
    #: A layer's class and its base classes that are layers, nearest first.
    class_names: Callable[[Any], list[str]] = lambda layer: [type(layer).__name__]
    #: The layer's ``get_config()`` (a graph op's may be empty).
    config: Callable[[Any], dict[str, Any]] = lambda layer: layer.get_config()
    #: The functional graph a model runs (its own, or a Sequential's inner one), else None:
    #: the graph may convert the tensors it is given, and those conversions are followed.
    graph_of: Callable[[Any], Any] = lambda layer: None


@dataclass
class CallRecord:
    input_ids: list[int]
    input_shapes: list[Shape]
    output_ids: list[int]
    output_shapes: list[Shape]
    output_dtypes: list[str]
    #: Order of the calls across the whole model, to replay them as they happened.
    seq: int = field(default_factory=_CALL_ORDER.__next__)
    #: A functional model's inputs as its graph received them (JAX and torch convert the
    #: call's tensors first): their ids stand for the call's input ids, in order.
    graph_inputs: list[Any] = field(default_factory=list)
    #: The tensors themselves, kept until the report is made: an id is only unique while
    #: its tensor lives (torch frees intermediate tensors at once).
    tensors: list[Any] = field(default_factory=list, repr=False)


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
    #: Tensors a functional model's graph started from, during the call being recorded.
    graph_inputs: list[Any] = field(default_factory=list)


@dataclass
class Trace:
    root: Node
    inputs: list[TensorInfo]
    outputs: list[TensorInfo]
    #: Layer path → the layers (or model inputs) that fed it, with the call that made each
    #: tensor (None for a model input).
    inbound: dict[str, list[Producer]]


#: Who made a tensor: a layer's path and which of its calls (None for a model input).
Producer = tuple[str, "int | None"]


def call_record(inputs: Sequence[Any], outputs: Sequence[Any], kit: Kit) -> CallRecord:
    return CallRecord(
        input_ids=[id(t) for t in inputs],
        input_shapes=[shape_of(t.shape) for t in inputs],
        output_ids=[id(t) for t in outputs],
        output_shapes=[shape_of(t.shape) for t in outputs],
        output_dtypes=[kit.dtype_name(t.dtype) for t in outputs],
        tensors=[*inputs, *outputs],
    )


def layer_tree(
    model: Any, is_container: Callable[[Any], bool], sublayers: Callable[[Any], list[Any]]
) -> Node:
    """The model as the root of its tree of layers (the root itself is no row)."""
    root = Node(layer=model, path="", depth=-1, parent=None, is_container=True)
    _grow_tree(root, is_container, sublayers)
    return root


def is_flat(root: Node) -> bool:
    """No nested model or composite layer below the root: a functional model's own graph
    then records every call, and need not be traced."""
    return not any(child.is_container for child in root.children)


def _grow_tree(
    node: Node, is_container: Callable[[Any], bool], sublayers: Callable[[Any], list[Any]]
) -> None:
    """Children of a container are what ``sublayers`` gives (a model's layers; a Keras 3
    functional graph's operations; a composite layer's tracked layers)."""
    seen: dict[str, int] = defaultdict(int)
    for layer in sublayers(node.layer):
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
            _grow_tree(child, is_container, sublayers)


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
        object.__setattr__(layer, "call", _recorder(layer.call, node, kit))
        wrapped.append(layer)
        graph = kit.graph_of(layer)
        if graph is not None and "_standardize_inputs" not in vars(graph):
            standardize = _graph_inputs_recorder(graph._standardize_inputs, node, kit)
            object.__setattr__(graph, "_standardize_inputs", standardize)
            wrapped.append(graph)
    try:
        yield
    finally:
        for layer in wrapped:
            for name in ("call", "_standardize_inputs"):
                if name in vars(layer):
                    object.__delattr__(layer, name)
        for node in nodes:
            _share_calls(node, nodes)


def _recorder(original: Callable[..., Any], node: Node, kit: Kit) -> Callable[..., Any]:
    """``original`` that also records its call; it keeps the name and signature of the
    user's ``call``, so an error inside reads as the user's layer, not as this wrapper."""
    try:
        signature: inspect.Signature | None = inspect.signature(original)
    except (TypeError, ValueError):
        signature = None

    @functools.wraps(original)
    def call(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        arguments = _arguments(signature, args, kwargs)
        inputs = [t for t in kit.flatten(list(arguments.values())) if _is_tensor(t)]
        # Masks connect layers but are not data: formulas read the data inputs' shapes.
        data = [
            t
            for name, value in arguments.items()
            if "mask" not in name
            for t in kit.flatten(value)
            if _is_tensor(t)
        ]
        result = _fresh_outputs(result, {id(t) for t in inputs}, kit)
        outputs = [t for t in kit.flatten(result) if _is_tensor(t)]
        record = call_record(inputs, outputs, kit)
        record.input_shapes = [shape_of(t.shape) for t in data]
        record.graph_inputs, node.graph_inputs = node.graph_inputs, []
        node.calls.append(record)
        return result

    return call


def _graph_inputs_recorder(original: Callable[..., Any], node: Node, kit: Kit) -> Callable:
    @functools.wraps(original)
    def standardize(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        node.graph_inputs = [t for t in kit.flatten(result) if _is_tensor(t)]
        return result

    return standardize


def _arguments(
    signature: inspect.Signature | None, args: tuple, kwargs: dict[str, Any]
) -> dict[str, Any]:
    """The call's arguments by parameter name, in the order the signature declares them."""
    if signature is not None:
        try:
            return dict(signature.bind(*args, **kwargs).arguments)
        except TypeError:
            pass
    return {**{f"arg_{i}": value for i, value in enumerate(args)}, **kwargs}


def _is_tensor(value: Any) -> bool:
    return hasattr(value, "shape") and hasattr(value, "dtype")


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
    return tuple(_size_of(dim) for dim in shape)


def _size_of(dim: Any) -> int | None:
    """A dimension as an int, or None when it is open (None, or JAX's symbolic dimension)."""
    if dim is None:
        return None
    try:
        return operator.index(getattr(dim, "value", dim) if not isinstance(dim, int) else dim)
    except Exception:  # noqa: BLE001 - a symbolic size refuses to become a number
        return None


def read_graph(
    model: Any, nodes: list[Node], kit: Kit, tensors: Callable[[Any], tuple[list, list]]
) -> None:
    """Calls as Keras recorded them when a functional model was built (no tracing needed).

    ``tensors(graph_node)`` gives a Keras graph node's input and output tensors.
    """
    depth = {id(node): d for d, level in model._nodes_by_depth.items() for node in level}
    nodes[0].calls.append(call_record(model.inputs, model.outputs, kit))
    found = []
    for node in nodes[1:]:
        if is_input_layer(node.layer):
            continue
        for graph_node in node.layer._inbound_nodes:
            if id(graph_node) in depth:
                found.append((-depth[id(graph_node)], len(found), node, graph_node))
    # in the order Keras runs them (deepest first), so a layer called again on a later
    # layer's output has that layer as the source of its second call
    for *_, node, graph_node in sorted(found, key=lambda item: item[:2]):
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
        TensorInfo(
            name=producers.get((None, tensor_id), ("output", None))[0], shape=shape, dtype=dtype
        )
        for tensor_id, shape, dtype in zip(
            outputs.output_ids, outputs.output_shapes, outputs.output_dtypes
        )
    ]
    return Trace(root=root, inputs=inputs, outputs=output_infos, inbound=inbound)


def _connections(
    nodes: list[Node], ids_to_input: dict[int, str]
) -> tuple[dict[str, list[Producer]], dict[tuple[str | None, int], Producer]]:
    """Who fed whom, call by call: the calls replayed in the order they happened.

    Producers are keyed by (parent path, tensor id): a nested model returns the
    tensor its last layer made, so one tensor has a producer at several levels,
    and each consumer looks among its own siblings first. Replaying in order
    matters because a layer may hand its input on unchanged (Dropout,
    GaussianNoise at inference): the same tensor then has a new producer for
    the layers called after it, but not for those called before.
    """
    producers: dict[tuple[str | None, int], Producer] = {}
    for tensor_id, name in ids_to_input.items():
        producers[(None, tensor_id)] = (name, None)
    for node in nodes:  # a functional model's InputLayer rows stand for its inputs
        if is_input_layer(node.layer) and node.parent is not None:
            for tensor_id, name in ids_to_input.items():
                if name == node.layer.name:
                    producers[(node.parent.path or None, tensor_id)] = (node.path, None)
    calls = sorted(
        (
            (call.seq, node, index, call)
            for node in nodes
            if node.parent
            for index, call in enumerate(node.calls)
        ),
        key=lambda item: item[0],
    )
    aliases = {
        id(tensor): original
        for node in nodes
        for call in node.calls
        for tensor, original in zip(call.graph_inputs, call.input_ids)
        if id(tensor) != original
    }
    inbound: dict[str, list[Producer]] = defaultdict(list)
    for _, node, index, call in calls:
        for tensor_id in (_resolve(aliases, i) for i in call.input_ids):
            source = _source(node, tensor_id, producers)
            if source is not None and source not in inbound[node.path]:
                inbound[node.path].append(source)
        for tensor_id in call.output_ids:
            producers[(node.parent.path or None, tensor_id)] = (node.path, index)
    return inbound, producers


def _resolve(aliases: dict[int, int], tensor_id: int) -> int:
    """The tensor a converted one came from, through every conversion (a Sequential inside a
    functional model converts what the outer graph already converted)."""
    seen = set()
    while tensor_id in aliases and tensor_id not in seen:
        seen.add(tensor_id)
        tensor_id = aliases[tensor_id]
    return tensor_id


def _source(
    node: Node, tensor_id: int, producers: dict[tuple[str | None, int], Producer]
) -> Producer | None:
    """The producer among the layer's siblings, else among its ancestors' siblings."""
    ancestor: Node | None = node
    while ancestor is not None and ancestor.parent is not None:
        source = producers.get((ancestor.parent.path or None, tensor_id))
        if source is not None and source[0] != node.path:
            return source
        ancestor = ancestor.parent
    return None


def is_input_layer(layer: Any) -> bool:
    return type(layer).__name__ == "InputLayer"


# The model tree ---------------------------------------------------------------------------


def report(
    model: Any, trace: Trace, target_text: str, build_mode: str, seconds: float, kit: Kit
) -> ModelReport:
    return model_report(model_tree(model, trace, kit), target_text, build_mode, seconds)


def model_tree(model: Any, trace: Trace, kit: Kit) -> ModelTree:
    """The traced layers as rows, then the variables the model holds itself."""
    rows: dict[int, Row] = {}
    for node in walk(trace.root):
        if node.parent is not None:
            rows[id(node)] = _row(node, rows.get(id(node.parent)), trace, kit)
    taken = {row.path for row in rows.values()}
    own = [_variable_row(tensor, taken) for tensor in _held_tensors(trace.root, kit)]
    unique = {id(variable): variable for variable in model.weights}
    return ModelTree(
        name=model.name,
        class_name=type(model).__name__,
        framework=kit.framework,
        framework_version=kit.version,
        inputs=trace.inputs,
        outputs=trace.outputs,
        rows=[*rows.values(), *own],
        tensors=_held(list(unique.values()), model, kit),
    )


def _row(node: Node, parent: Row | None, trace: Trace, kit: Kit) -> Row:
    producers = trace.inbound.get(node.path, [])
    standing = None
    if is_input_layer(node.layer) and not node.calls:
        shapes = tuple((info.shape,) for info in trace.inputs if info.name == node.layer.name)
        standing = shapes or ((shape_of(node.layer.output.shape),),)
    return Row(
        path=node.path,
        name=node.layer.name,
        class_name=type(node.layer).__name__,
        depth=node.depth,
        parent=parent,
        calls=node.calls,
        tensors=_held_tensors(node, kit),
        config=_config(node.layer, kit),
        is_container=node.is_container,
        base_classes=tuple(kit.class_names(node.layer)[1:]),
        inbound=list(dict.fromkeys(path for path, _ in producers)),
        feeds=[(path, index) for path, index in producers if index is not None],
        standing_shapes=standing,
    )


def _variable_row(tensor: HeldTensor, taken: set[str]) -> Row:
    """A variable the model holds itself (``self.add_weight`` in a subclassed model) is a row,
    as PyTorch's own parameters are, so the rows add up to the totals."""
    path = tensor.weight.name
    while path in taken:
        path += "_"
    taken.add(path)
    return Row(
        path=path,
        name=tensor.weight.name,
        class_name="Variable",
        depth=0,
        parent=None,
        tensors=[tensor],
        config={"shape": list(tensor.weight.shape)},
        standing_shapes=((tensor.weight.shape,),),
    )


def _own_variables(node: Node) -> list[Any]:
    """A leaf's variables; a container's own variables, not those of its sublayers."""
    variables = list(getattr(node.layer, "weights", ()))
    if not node.is_container:
        return variables
    inside = {id(v) for child in node.children for v in getattr(child.layer, "weights", ())}
    return [v for v in variables if id(v) not in inside]


def _held_tensors(node: Node, kit: Kit) -> list[HeldTensor]:
    variables = _own_variables(node)
    return _held(variables, node.layer, kit) if variables else []


def _held(variables: list[Any], layer: Any, kit: Kit) -> list[HeldTensor]:
    """``layer``'s ``variables``, named below the layer, trainable as the layer says."""
    trainable = {id(variable) for variable in kit.trainable_variables(layer)}
    return [
        HeldTensor(
            key=id(variable),
            weight=Weight(
                name=_weight_name(kit.variable_path(variable), layer.name),
                shape=shape_of(variable.shape),
                dtype=kit.dtype_name(variable.dtype),
                trainable=id(variable) in trainable,
            ),
        )
        for variable in variables
    ]


def _weight_name(path: str, layer_name: str) -> str:
    """The variable's path below its layer: ``kernel``, ``forward_lstm/lstm_cell/bias``."""
    prefix = f"{layer_name}/"
    index = path.rfind(prefix)
    return path[index + len(prefix) :] if index >= 0 else path.rsplit("/", 1)[-1]


_CONFIG_SKIP = re.compile(r"initializer|regularizer|constraint|^dtype$|^trainable$|^name$")


def _config(layer: Any, kit: Kit) -> dict[str, Any]:
    """The JSON-safe part of ``get_config()``: what formulas and renderers read."""
    try:
        config = kit.config(layer)
    except Exception:  # noqa: BLE001 - subclassed models often cannot serialise themselves
        return {}
    return _json_safe(config)


def _json_safe(config: dict[str, Any]) -> dict[str, Any]:
    """The plain values, and the config of each serialised object (``{"class_name",
    "config"}``), without initializers, regularizers and constraints."""
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
        if is_plain(value):
            clean[key] = plain(value)
    return clean


def describe(shapes: Sequence[Shape]) -> str:
    return ", ".join(str(tuple(shape)) for shape in shapes)
