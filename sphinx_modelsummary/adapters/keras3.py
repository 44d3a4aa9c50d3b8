"""Keras 3 adapter: build a model (shape-only when possible) and describe it as a ModelReport.

Output shapes come from one symbolic trace of the whole model: every layer's
``call`` is wrapped for the duration of the trace and records the shapes it
saw, so subclassed models get real shapes instead of ``multiple``, and a layer
called several times records each call. Which layer fed which comes from the
identity of the traced tensors.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import keras
from keras.src import backend as keras_backend
from keras.src.models.functional import Functional

from ..errors import BuildError, user_traceback
from ..report import Edge, Layer, ModelReport, Shape, TensorInfo, Totals, Weight, itemsize
from ..request import BuildRequest

_CALL_ORDER = itertools.count()


@dataclass
class _CallRecord:
    input_ids: list[int]
    input_shapes: list[Shape]
    output_ids: list[int]
    output_shapes: list[Shape]
    output_dtypes: list[str]
    #: Order of the calls across the whole model, to replay them as they happened.
    seq: int = field(default_factory=_CALL_ORDER.__next__)


@dataclass
class _Node:
    """A layer as it sits in the model tree, with what the trace saw of it."""

    layer: Any
    path: str
    depth: int
    parent: _Node | None
    is_container: bool
    children: list[_Node] = field(default_factory=list)
    calls: list[_CallRecord] = field(default_factory=list)


def build_report(
    make_model: Callable[[], Any], request: BuildRequest, read_graph: bool = True
) -> ModelReport:
    """Build the model with ``make_model`` and inspect it.

    In shape-only mode the builder runs inside ``keras.StatelessScope`` with
    variable initialisation deferred, so no weight memory is allocated; a
    builder that needs real values fails there and is run again normally.
    """
    target_text, input_shapes = str(request.target), request.input_shapes
    shape_only = request.shape_only
    started = time.perf_counter()
    build_mode = "full"
    model = None
    if shape_only:
        keras.backend.clear_session()
        try:
            with keras.StatelessScope(initialize_variables=False):
                model = _as_model(make_model(), target_text)
                trace = _trace(model, input_shapes, read_graph)
            build_mode = "shape-only"
        except BuildError as error:
            if error.kind != "builder":
                raise
            model = None
    if model is None:
        keras.backend.clear_session()
        model = _as_model(make_model(), target_text)
        trace = _trace(model, input_shapes, read_graph)
    return _report(model, trace, target_text, build_mode, time.perf_counter() - started)


def configuration() -> dict[str, Any]:
    """Keras's global settings that a builder may change; :func:`configure` puts them back."""
    return {
        "image_data_format": keras.config.image_data_format(),
        "floatx": keras.config.floatx(),
        "epsilon": keras.config.epsilon(),
        "dtype_policy": keras.config.dtype_policy().name,
    }


def configure(settings: dict[str, Any]) -> None:
    keras.config.set_image_data_format(settings["image_data_format"])
    keras.config.set_floatx(settings["floatx"])
    keras.config.set_epsilon(settings["epsilon"])
    keras.config.set_dtype_policy(settings["dtype_policy"])


def _as_model(result: Any, target_text: str) -> Any:
    if isinstance(result, keras.Model):
        return result
    kind = type(result)
    raise BuildError(
        "not-a-model",
        f"target {target_text!r} gave a {kind.__module__}.{kind.__qualname__}, not a model; "
        "the target must name a keras.Model, a class of one, or a function that returns one",
    )


@dataclass
class _Trace:
    root: _Node
    inputs: list[TensorInfo]
    outputs: list[TensorInfo]
    #: Layer path → paths of the layers (or names of model inputs) that fed it.
    inbound: dict[str, list[str]]


def _trace(model: Any, input_shapes: Sequence[Shape] | None, read_graph: bool = True) -> _Trace:
    """Every layer call with its shapes: read from a functional model's own graph when it
    has one and no other input shape is asked for, else by running the model symbolically."""
    root = _Node(layer=model, path="", depth=-1, parent=None, is_container=True)
    _grow_tree(root)
    specs, input_names = _input_specs(model, input_shapes)
    nodes = list(_walk(root))
    if read_graph and not input_shapes and _is_flat_functional(model, root):
        _read_graph(model, nodes)
    else:
        _run_symbolically(model, nodes, specs)
    inputs = [
        TensorInfo(name=name, shape=_shape(spec.shape), dtype=str(spec.dtype))
        for name, spec in zip(input_names, specs)
    ]
    ids_to_input = dict(zip(root.calls[0].input_ids, input_names)) if root.calls else {}
    inbound, producers = _connections(nodes, ids_to_input)
    if not root.calls:
        raise BuildError("builder", f"model {model.name!r} was never called during the trace")
    outputs = root.calls[0]
    output_infos = [
        TensorInfo(name=producers.get((None, tensor_id), "output"), shape=shape, dtype=dtype)
        for tensor_id, shape, dtype in zip(
            outputs.output_ids, outputs.output_shapes, outputs.output_dtypes
        )
    ]
    return _Trace(root=root, inputs=inputs, outputs=output_infos, inbound=inbound)


def _is_flat_functional(model: Any, root: _Node) -> bool:
    return isinstance(model, Functional) and not any(c.is_container for c in root.children)


def _read_graph(model: Any, nodes: list[_Node]) -> None:
    """Calls as Keras recorded them when the functional model was built (no tracing needed)."""
    in_graph = {id(node) for level in model._nodes_by_depth.values() for node in level}
    nodes[0].calls.append(_call_record(model.inputs, model.outputs))
    for node in nodes[1:]:
        if _is_input_layer(node.layer):
            continue
        for graph_node in node.layer._inbound_nodes:
            if id(graph_node) in in_graph:
                record = _call_record(graph_node.input_tensors, graph_node.output_tensors)
                node.calls.append(record)


def _call_record(inputs: Sequence[Any], outputs: Sequence[Any]) -> _CallRecord:
    return _CallRecord(
        input_ids=[id(t) for t in inputs],
        input_shapes=[_shape(t.shape) for t in inputs],
        output_ids=[id(t) for t in outputs],
        output_shapes=[_shape(t.shape) for t in outputs],
        output_dtypes=[keras.backend.standardize_dtype(t.dtype) for t in outputs],
    )


def _run_symbolically(model: Any, nodes: list[_Node], specs: list[Any]) -> None:
    arguments = _call_arguments(specs)
    try:
        if not all(node.layer.built for node in nodes):
            # Building creates the sublayers' weights and traces some calls twice;
            # do it before recording so every recorded call is a real one.
            keras_backend.compute_output_spec(model.call, *arguments)
        with _recording(nodes):
            keras_backend.compute_output_spec(model.call, *arguments)
    except BuildError:
        raise
    except Exception as error:  # noqa: BLE001 - the user's model failed on these inputs
        raise BuildError(
            "builder", f"calling the model on {_describe(specs)} failed:\n{user_traceback(error)}"
        ) from error


def _grow_tree(node: _Node) -> None:
    """Children of a model are its layers; plain layers are leaves whatever they hold."""
    seen: dict[str, int] = defaultdict(int)
    for layer in node.layer.layers:
        name = layer.name
        seen[name] += 1
        if seen[name] > 1:
            name = f"{name}_{seen[name]}"
        path = name if node.parent is None else f"{node.path}/{name}"
        child = _Node(
            layer=layer,
            path=path,
            depth=node.depth + 1,
            parent=node,
            is_container=isinstance(layer, keras.Model),
        )
        node.children.append(child)
        if child.is_container:
            _grow_tree(child)


def _walk(node: _Node) -> Iterator[_Node]:
    yield node
    for child in node.children:
        yield from _walk(child)


def _input_specs(model: Any, input_shapes: Sequence[Shape] | None) -> tuple[list[Any], list[str]]:
    """Symbolic inputs for the trace: the given shapes, else the model's own."""
    model_inputs = _model_inputs(model)
    names = [_input_name(tensor) for tensor in model_inputs]
    dtypes = [getattr(tensor, "dtype", "float32") for tensor in model_inputs]
    if input_shapes:
        shapes = [tuple(shape) for shape in input_shapes]
        if model_inputs and len(shapes) != len(model_inputs):
            raise BuildError(
                "input-shape",
                f"the model has {len(model_inputs)} inputs but {len(shapes)} input shapes "
                "were given; give one shape per input, as a list",
            )
    elif model_inputs:
        shapes = [tuple(tensor.shape) for tensor in model_inputs]
    else:
        shapes = _declared_build_shapes(model)
        if shapes is None:
            raise BuildError(
                "input-shape",
                f"model {model.name!r} ({type(model).__name__}) is not built and declares no "
                "input shape; give one with :input-shape: (for example "
                "':input-shape: (None, 128, 128, 3)', or a list of shapes for several inputs)",
            )
    if len(dtypes) != len(shapes):
        dtypes = ["float32"] * len(shapes)
    if len(names) != len(shapes) or not all(names):
        names = ["input"] if len(shapes) == 1 else [f"input_{i + 1}" for i in range(len(shapes))]
    specs = [keras.KerasTensor(shape, dtype=dtype) for shape, dtype in zip(shapes, dtypes)]
    return specs, names


def _input_name(tensor: Any) -> str | None:
    """The name of the InputLayer that made a functional model's input tensor."""
    history = getattr(tensor, "_keras_history", None)
    operation = getattr(history, "operation", None)
    return getattr(operation, "name", None) or getattr(tensor, "name", None)


def _model_inputs(model: Any) -> list[Any]:
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        return []
    return list(inputs or [])


def _declared_build_shapes(model: Any) -> list[Shape] | None:
    """Shapes the user passed to ``model.build(...)``, if they called it."""
    shapes = getattr(model, "_build_shapes_dict", None)
    if not shapes:
        return None
    values = list(shapes.values())
    if (
        len(values) == 1
        and isinstance(values[0], list)
        and values[0]
        and isinstance(values[0][0], (tuple, list))
    ):
        values = values[0]
    return [tuple(shape) for shape in values]


def _call_arguments(specs: list[Any]) -> list[Any]:
    return [specs[0]] if len(specs) == 1 else [specs]


@contextlib.contextmanager
def _recording(nodes: list[_Node]) -> Iterator[None]:
    """Wrap each layer's ``call`` on the instance so one trace records every call."""
    wrapped = []
    for node in nodes:
        layer = node.layer
        if "call" in vars(layer):
            continue  # already wrapped through another path (a layer in two places)
        original = layer.call

        def recorder(*args: Any, _original: Any = original, _node: _Node = node, **kwargs: Any):
            result = _original(*args, **kwargs)
            inputs = [t for t in keras.tree.flatten((args, kwargs)) if hasattr(t, "shape")]
            result = _fresh_outputs(result, {id(t) for t in inputs})
            outputs = [t for t in keras.tree.flatten(result) if hasattr(t, "shape")]
            _node.calls.append(_call_record(inputs, outputs))
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


def _fresh_outputs(result: Any, input_ids: set[int]) -> Any:
    """A layer that hands an input on unchanged (Dropout at inference) gets a copy to return,
    so the tensor's identity says which of the two a later layer really consumed."""
    return keras.tree.map_structure(
        lambda t: keras.ops.copy(t) if id(t) in input_ids else t, result
    )


def _share_calls(node: _Node, nodes: list[_Node]) -> None:
    """A layer object placed in two containers was wrapped once; both rows get its calls."""
    if node.calls:
        return
    for other in nodes:
        if other is not node and other.layer is node.layer and other.calls:
            node.calls = other.calls
            return


def _shape(shape: Any) -> Shape:
    return tuple(None if dim is None else int(dim) for dim in shape)


def _connections(
    nodes: list[_Node], ids_to_input: dict[int, str]
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
        if _is_input_layer(node.layer) and node.parent is not None:
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


def _source(
    node: _Node, tensor_id: int, producers: dict[tuple[str | None, int], str]
) -> str | None:
    """The producer among the layer's siblings, else among its ancestors' siblings."""
    ancestor: _Node | None = node
    while ancestor is not None and ancestor.parent is not None:
        source = producers.get((ancestor.parent.path or None, tensor_id))
        if source is not None and source != node.path:
            return source
        ancestor = ancestor.parent
    return None


def _is_input_layer(layer: Any) -> bool:
    return type(layer).__name__ == "InputLayer"


def _report(
    model: Any, trace: _Trace, target_text: str, build_mode: str, seconds: float
) -> ModelReport:
    nodes = [node for node in _walk(trace.root) if node.parent is not None]
    owners: dict[int, str] = {}
    layers: list[Layer] = []
    edges: list[Edge] = []
    for node in nodes:
        inbound = trace.inbound.get(node.path, [])
        for source in inbound:
            edges.append(Edge(source=source, target=node.path))
        weights = () if node.is_container else _weights(node, owners)
        layers.append(_layer(node, inbound, weights, trace.inputs))
    layers = _with_container_counts(layers)
    return ModelReport(
        target=target_text,
        name=model.name,
        class_name=type(model).__name__,
        framework="keras",
        framework_version=keras.__version__,
        build_mode=build_mode,
        build_seconds=round(seconds, 3),
        inputs=tuple(trace.inputs),
        outputs=tuple(trace.outputs),
        layers=tuple(layers),
        edges=tuple(edges),
        totals=_totals(model),
    )


def _weights(node: _Node, owners: dict[int, str]) -> tuple[Weight, ...]:
    weights = []
    for variable in node.layer.weights:
        key = id(variable)
        shared_with = owners.get(key)
        if shared_with is None:
            owners[key] = node.path
        weights.append(
            Weight(
                name=_weight_name(variable, node.layer),
                shape=_shape(variable.shape),
                dtype=str(variable.dtype),
                trainable=bool(variable.trainable),
                shared_with=shared_with,
            )
        )
    return tuple(weights)


def _weight_name(variable: Any, layer: Any) -> str:
    """The variable's path below its layer: ``kernel``, ``forward_lstm/lstm_cell/bias``."""
    path = getattr(variable, "path", None) or variable.name
    prefix = f"{layer.name}/"
    index = path.rfind(prefix)
    return path[index + len(prefix) :] if index >= 0 else variable.name


def _layer(
    node: _Node, inbound: list[str], weights: tuple[Weight, ...], inputs: list[TensorInfo]
) -> Layer:
    calls = node.calls
    if _is_input_layer(node.layer) and not calls:
        shapes = tuple((info.shape,) for info in inputs if info.name == node.layer.name)
        output_shapes = shapes or ((_shape(node.layer.output.shape),),)
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


def _calls_per_parent_call(node: _Node) -> int:
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


def _totals(model: Any) -> Totals:
    by_dtype: dict[str, int] = defaultdict(int)
    for variable in model.weights:
        by_dtype[str(variable.dtype)] += _size(variable.shape) * itemsize(str(variable.dtype))
    trainable = sum(_size(v.shape) for v in model.trainable_weights)
    non_trainable = sum(_size(v.shape) for v in model.non_trainable_weights)
    return Totals(
        params=trainable + non_trainable,
        trainable=trainable,
        non_trainable=non_trainable,
        bytes=sum(by_dtype.values()),
        bytes_by_dtype=dict(sorted(by_dtype.items())),
    )


def _size(shape: Any) -> int:
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
            clean[key] = list(value) if isinstance(value, tuple) else value
    return clean


def _is_plain(value: Any) -> bool:
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_is_plain(item) for item in value)
    return False


def _describe(specs: list[Any]) -> str:
    return ", ".join(str(tuple(spec.shape)) for spec in specs)
