"""Keras 3 adapter: build a model (shape-only when possible) and describe it as a ModelReport.

Output shapes come from one symbolic trace of the whole model: every layer's
``call`` is wrapped for the duration of the trace and records the shapes it
saw, so subclassed models get real shapes instead of ``multiple``, and a layer
called several times records each call. Which layer fed which comes from the
identity of the traced tensors.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import keras
from keras.src import backend as keras_backend
from keras.src.models.functional import Functional
from keras.src.utils import module_utils

from ..errors import BuildError, user_traceback
from ..report import ModelReport, Shape, TensorInfo
from ..request import BuildRequest
from . import tracing
from .tracing import Node, Trace, shape_of

_KIT = tracing.Kit(
    framework="keras",
    version=keras.__version__,
    flatten=keras.tree.flatten,
    map_structure=keras.tree.map_structure,
    copy=keras.ops.copy,
    dtype_name=keras.backend.standardize_dtype,
    variable_path=lambda variable: getattr(variable, "path", None) or variable.name,
    trainable_variables=lambda layer: layer.trainable_weights,
)


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
    seconds = time.perf_counter() - started
    return tracing.report(model, trace, target_text, build_mode, seconds, _KIT)


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


def _trace(model: Any, input_shapes: Sequence[Shape] | None, read_graph: bool = True) -> Trace:
    """Every layer call with its shapes: read from a functional model's own graph when it
    has one and no other input shape is asked for, else by running the model symbolically."""
    root = Node(layer=model, path="", depth=-1, parent=None, is_container=True)
    tracing.grow_tree(root, lambda layer: isinstance(layer, keras.Model))
    specs, input_names = _input_specs(model, input_shapes)
    nodes = list(tracing.walk(root))
    if read_graph and not input_shapes and _is_flat_functional(model, root):
        _read_graph(model, nodes)
    else:
        _run_symbolically(model, nodes, specs)
    inputs = [
        TensorInfo(name=name, shape=shape_of(spec.shape), dtype=str(spec.dtype))
        for name, spec in zip(input_names, specs)
    ]
    return tracing.finish_trace(root, inputs, model.name)


def _is_flat_functional(model: Any, root: Node) -> bool:
    return isinstance(model, Functional) and not any(c.is_container for c in root.children)


def _read_graph(model: Any, nodes: list[Node]) -> None:
    """Calls as Keras recorded them when the functional model was built (no tracing needed)."""
    tracing.read_graph(model, nodes, _KIT, lambda node: (node.input_tensors, node.output_tensors))


def _run_symbolically(model: Any, nodes: list[Node], specs: list[Any]) -> None:
    arguments = _call_arguments(specs)
    try:
        if not all(node.layer.built for node in nodes):
            # Building creates the sublayers' weights and traces some calls twice;
            # do it before recording so every recorded call is a real one.
            keras_backend.compute_output_spec(model.call, *arguments)
        with tracing.recording(nodes, _KIT):
            keras_backend.compute_output_spec(model.call, *arguments)
    except BuildError:
        raise
    except Exception as error:  # noqa: BLE001 - the user's model failed on these inputs
        raise BuildError(
            "builder", f"calling the model on {_describe(specs)} failed:\n{user_traceback(error)}"
        ) from error


def _input_specs(model: Any, input_shapes: Sequence[Shape] | None) -> tuple[list[Any], list[str]]:
    """Symbolic inputs for the trace: the given shapes, else the model's own."""
    tensors = tracing.model_inputs(model)
    shapes, dtypes, names = tracing.resolve_inputs(
        model,
        input_shapes,
        [tensor.shape for tensor in tensors],
        [_input_name(tensor) for tensor in tensors],
        [getattr(tensor, "dtype", "float32") for tensor in tensors],
        lambda: _declared_build_shapes(model),
    )
    specs = [keras.KerasTensor(shape, dtype=dtype) for shape, dtype in zip(shapes, dtypes)]
    return specs, names


def _input_name(tensor: Any) -> str | None:
    """The name of the InputLayer that made a functional model's input tensor."""
    history = getattr(tensor, "_keras_history", None)
    operation = getattr(history, "operation", None)
    return getattr(operation, "name", None) or getattr(tensor, "name", None)


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


def _describe(specs: list[Any]) -> str:
    return tracing.describe([spec.shape for spec in specs])
