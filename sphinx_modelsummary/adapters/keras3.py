"""Keras 3 adapter: build a model (shape-only when possible) and describe it as a ModelReport.

Output shapes come from one symbolic trace of the whole model: every layer's
``call`` is wrapped for the duration of the trace and records the shapes it
saw, so subclassed models get real shapes instead of ``multiple``, and a layer
called several times records each call. Which layer fed which comes from the
identity of the traced tensors.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import re
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import keras
from keras.src import backend as keras_backend
from keras.src.models.functional import Functional
from keras.src.utils import module_utils

from ..errors import BuildError, is_user_file, not_a_model_error, user_traceback
from ..formulas import rule_of
from ..formulas.keras3 import OWN_WEIGHTS_ONLY
from ..report import ModelReport, Shape, TensorInfo
from ..request import BuildRequest
from . import keras_tracing
from .build_modes import shape_only_or_full
from .keras_tracing import CallRecord, Node, Trace, shape_of


def _class_names(layer: Any) -> list[str]:
    """The layer's class and its base classes up to (not including) Layer, nearest first."""
    if isinstance(layer, keras.Model):
        return [type(layer).__name__]
    return [
        cls.__name__
        for cls in type(layer).__mro__
        if issubclass(cls, keras.layers.Layer) and cls not in (keras.layers.Layer, keras.Model)
    ] or [type(layer).__name__]


def _config(layer: Any) -> dict[str, Any]:
    if not isinstance(layer, keras.layers.Layer):
        return {}  # a graph op (GetItem): no weights, nothing a formula needs
    with _without_tensorflow_probe():
        return layer.get_config()


def _graph_of(layer: Any) -> Any:
    """The functional graph a model runs: its own, or the one a Sequential keeps inside."""
    if isinstance(layer, Functional):
        return layer
    graph = getattr(layer, "_functional", None) if isinstance(layer, keras.Sequential) else None
    return graph if isinstance(graph, Functional) else None


_KIT = keras_tracing.Kit(
    framework="keras",
    version=keras.__version__,
    flatten=keras.tree.flatten,
    map_structure=keras.tree.map_structure,
    copy=keras.ops.copy,
    dtype_name=keras.backend.standardize_dtype,
    variable_path=lambda variable: getattr(variable, "path", None) or variable.name,
    trainable_variables=lambda layer: layer.trainable_weights,
    class_names=_class_names,
    config=_config,
    graph_of=_graph_of,
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
    started = time.perf_counter()

    def build(scope: contextlib.AbstractContextManager) -> tuple[Any, Trace]:
        _fresh_session()
        with scope:
            model = _as_model(make_model(), target_text)
            return model, _trace(model, input_shapes, read_graph)

    (model, trace), build_mode = shape_only_or_full(
        request.shape_only,
        lambda: build(keras.StatelessScope(initialize_variables=False)),
        lambda: build(contextlib.nullcontext()),
    )
    seconds = time.perf_counter() - started
    return keras_tracing.report(model, trace, target_text, build_mode, seconds, _KIT)


def _fresh_session() -> None:
    """Keras's global state cleared, so auto names start again for each target (pages are
    deterministic). Without the full garbage collection Keras adds (``free_memory``, where
    Keras has it): in a process holding TensorFlow that took 0.3 s a model; Python's own
    collector still frees the old model."""
    if "free_memory" in inspect.signature(keras.backend.clear_session).parameters:
        keras.backend.clear_session(free_memory=False)
    else:
        keras.backend.clear_session()


def configuration() -> dict[str, Any]:
    """Keras's global settings that a builder may change, and those of its backend (JAX's
    configuration, PyTorch's process-wide state); :func:`configure` puts them back."""
    return {
        "image_data_format": keras.config.image_data_format(),
        "floatx": keras.config.floatx(),
        "epsilon": keras.config.epsilon(),
        "dtype_policy": keras.config.dtype_policy().name,
        "backend": _backend_configuration(),
    }


def configure(settings: dict[str, Any]) -> None:
    keras.config.set_image_data_format(settings["image_data_format"])
    keras.config.set_floatx(settings["floatx"])
    keras.config.set_epsilon(settings["epsilon"])
    keras.config.set_dtype_policy(settings["dtype_policy"])
    _configure_backend(settings["backend"])


def _backend_configuration() -> Any:
    """The process-wide state of Keras's backend. TensorFlow keeps none that changes a count
    or a shape under Keras 3 (Keras sets every dtype itself), so it has nothing here."""
    backend = keras.backend.backend()
    if backend == "torch":
        from . import torch as torch_adapter

        return torch_adapter.configuration()
    if backend == "jax":
        import jax

        return dict(jax.config.values)
    return None


def _configure_backend(settings: Any) -> None:
    backend = keras.backend.backend()
    if backend == "torch":
        from . import torch as torch_adapter

        torch_adapter.configure(settings)
    elif backend == "jax":
        import jax

        for name, value in settings.items():
            if jax.config.values.get(name) != value:
                jax.config.update(name, value)


def _as_model(result: Any, target_text: str) -> Any:
    if isinstance(result, keras.Model):
        return result
    raise not_a_model_error(target_text, result, "keras.Model")


def _trace(model: Any, input_shapes: Sequence[Shape] | None, read_graph: bool = True) -> Trace:
    """Every layer call with its shapes: read from a functional model's own graph when it
    has one and no other input shape is asked for, else by running the model symbolically."""
    root = keras_tracing.layer_tree(model, _is_container, _sublayers)
    specs, input_names = _input_specs(model, input_shapes)
    nodes = list(keras_tracing.walk(root))
    graph_has_every_call = isinstance(model, Functional) and keras_tracing.is_flat(root)
    if read_graph and not input_shapes and graph_has_every_call:
        _read_graph(model, nodes)
    else:
        _run_symbolically(model, nodes, specs)
    inputs = [
        TensorInfo(name=name, shape=shape_of(spec.shape), dtype=str(spec.dtype))
        for name, spec in zip(input_names, specs)
    ]
    return keras_tracing.finish_trace(root, inputs, model.name)


def _sublayers(layer: Any) -> list[Any]:
    """A functional model's operations in graph order (ops included), else tracked sublayers."""
    if isinstance(layer, Functional):
        return list(layer.operations)
    if isinstance(layer, keras.Model):
        return list(layer.layers)
    return list(layer._flatten_layers(include_self=False, recursive=False))


def _is_container(layer: Any) -> bool:
    if isinstance(layer, keras.Model):
        return True
    if not isinstance(layer, keras.layers.Layer) or not _sublayers(layer):
        return False
    return not knows_as_one(_class_names(layer))


def knows_as_one(class_names: Sequence[str]) -> bool:
    """Whether the layer knowledge explains a layer of these classes as one piece."""
    return any(
        rule_of(name, "keras").formula is not None and name not in OWN_WEIGHTS_ONLY
        for name in class_names
    )


def _read_graph(model: Any, nodes: list[Node]) -> None:
    """Calls as Keras recorded them when the functional model was built (no tracing needed)."""
    keras_tracing.read_graph(
        model, nodes, _KIT, lambda node: (node.input_tensors, node.output_tensors)
    )


#: Sizes an open (None) dimension takes in a concrete trace, tried pair by pair: a
#: dimension whose size differs between the two traces of a pair is reported as open.
#: Powers of two keep halving and doubling models (U-Nets) consistent; the smaller pairs
#: serve models that cap a length (position embeddings of 24 positions).
_CONCRETE_SIZES = ((64, 128), (8, 16))


def _run_symbolically(model: Any, nodes: list[Node], specs: list[Any]) -> None:
    """Trace the model once on symbolic inputs; where the backend cannot trace with open
    dimensions (torch fills them in itself; JAX refuses some comparisons), trace twice
    with concrete sizes instead and report the dimensions that changed as open."""
    open_dims = any(dim is None for spec in specs for dim in spec.shape)
    backend = keras.backend.backend()
    try:
        if open_dims and backend == "torch":
            _trace_concretely(model, nodes, specs)
            return
        try:
            _trace_once(model, nodes, _call_arguments(model, specs))
        except Exception as error:
            if not (open_dims and backend == "jax"):
                raise
            try:
                _trace_concretely(model, nodes, specs)
            except (_SizeDependent, BuildError):
                raise
            except Exception:
                if type(error).__name__ == "InconclusiveDimensionOperation":
                    raise  # the concrete trace's error says what is wrong in the model
                raise error from None  # the same error, with the shapes the user gave
    except BuildError:
        raise
    except _SizeDependent as error:
        raise BuildError(
            "builder",
            f"calling the model on {_describe(specs)} works for one size of the dimensions "
            "left open (None) but not for another: the model depends on their size; give "
            f"them with :input-shape:\n{_plain(user_traceback(error.cause))}",
        ) from error.cause
    except Exception as error:  # noqa: BLE001 - the user's model failed on these inputs
        if keras_tracing.asks_for_a_value(error):
            frames = traceback.walk_tb(error.__traceback__)
            raise keras_tracing.value_dependent_error(frames) from None
        raise BuildError(
            "builder",
            f"calling the model on {_describe(specs)} failed:\n{_plain(user_traceback(error))}",
        ) from error


def _trace_once(model: Any, nodes: list[Node], arguments: list[Any]) -> None:
    with _values_refused():
        if not all(getattr(node.layer, "built", True) for node in nodes):
            # Building creates the sublayers' weights and traces some calls twice;
            # do it before recording so every recorded call is a real one.
            keras_backend.compute_output_spec(model.call, *arguments)
        with keras_tracing.recording(nodes, _KIT):
            keras_backend.compute_output_spec(model.call, *arguments)


@contextlib.contextmanager
def _values_refused() -> Iterator[None]:
    """On the torch backend, a tensor turned into a Python value during the trace is an
    error, as JAX and TensorFlow make it: Keras would otherwise trace again on tensors of
    ones and follow their branch silently."""
    if keras.backend.backend() != "torch":
        yield
        return
    import torch
    from torch.overrides import TorchFunctionMode

    torch_dir = os.path.dirname(torch.__file__) + os.sep

    found: list[BuildError] = []

    class Refuse(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
            if getattr(func, "__name__", "") in _TO_PYTHON:
                frames = _stack()
                if _asked_by_user(frames, torch_dir):
                    found.append(keras_tracing.value_dependent_error(frames))
                    raise found[-1]
            return func(*args, **(kwargs or {}))

    try:
        with Refuse():
            yield
    except Exception:
        if found:
            raise found[0] from None
        raise


def _stack() -> list[tuple[Any, int]]:
    """The frames calling this one, outermost first, with their current lines."""
    frames = []
    frame = sys._getframe(1)
    while frame is not None:
        frames.append((frame, frame.f_lineno))
        frame = frame.f_back
    return frames[::-1]


def _asked_by_user(frames: list[tuple[Any, int]], torch_dir: str) -> bool:
    """The user's own code asked for the value (Keras formatting an error does too)."""
    for frame, _ in reversed(frames[:-1]):  # the last one is the mode's own
        if not frame.f_code.co_filename.startswith(torch_dir):
            return is_user_file(frame.f_code.co_filename)
    return False


#: Tensor methods that give a Python value, which a trace without data cannot have.
_TO_PYTHON = frozenset({"__bool__", "item", "__int__", "__float__", "__index__", "tolist"})


def _trace_concretely(model: Any, nodes: list[Node], specs: list[Any]) -> None:
    """Two traces with the open dimensions filled in; the first error if no pair works."""
    first_error: Exception | None = None
    for first, second in _CONCRETE_SIZES:
        try:
            _clear_calls(nodes)
            _trace_once(model, nodes, _call_arguments(model, _filled(specs, first)))
            calls = [node.calls for node in nodes]
            _clear_calls(nodes)
            try:
                _trace_once(model, nodes, _call_arguments(model, _filled(specs, second)))
            except Exception as error:  # noqa: BLE001 - worked at one size, not another
                raise _SizeDependent(error) from error
            _merge_calls(nodes, calls)
            return
        except (_SizeDependent, BuildError):
            raise
        except Exception as error:  # noqa: BLE001 - try the next sizes, report the first
            first_error = first_error or error
    _clear_calls(nodes)
    assert first_error is not None
    raise first_error


class _SizeDependent(Exception):
    """The model traced at one size of an open dimension and failed at another."""

    def __init__(self, cause: Exception):
        super().__init__(str(cause))
        self.cause = cause


def _filled(specs: list[Any], size: int) -> list[Any]:
    return [
        keras.KerasTensor(tuple(size if dim is None else dim for dim in spec.shape), spec.dtype)
        for spec in specs
    ]


def _clear_calls(nodes: list[Node]) -> None:
    for node in nodes:
        node.calls = []


def _merge_calls(nodes: list[Node], first_calls: list[list[CallRecord]]) -> None:
    """The first trace's calls (their tensors connect the layers), with every dimension
    that differs between the two traces open (None)."""
    for node, first in zip(nodes, first_calls):
        second = node.calls
        if len(first) != len(second):
            raise BuildError(
                "builder",
                f"layer {node.layer.name!r} runs {len(first)} times for one input size and "
                f"{len(second)} times for another; give every dimension with :input-shape:",
            )
        for a, b in zip(first, second):
            a.input_shapes = _open_where_different(a.input_shapes, b.input_shapes)
            a.output_shapes = _open_where_different(a.output_shapes, b.output_shapes)
        node.calls = first


def _open_where_different(first: list[Shape], second: list[Shape]) -> list[Shape]:
    return [
        tuple(x if x == y else None for x, y in zip(a, b)) if len(a) == len(b) else a
        for a, b in zip(first, second)
    ]


def _input_specs(model: Any, input_shapes: Sequence[Shape] | None) -> tuple[list[Any], list[str]]:
    """Symbolic inputs for the trace: the given shapes, else the model's own."""
    tensors = keras_tracing.model_inputs(model)
    shapes, dtypes, names = keras_tracing.resolve_inputs(
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


def _call_arguments(model: Any, specs: list[Any]) -> list[Any]:
    """The symbolic inputs in the structure the model takes (a functional model's dict)."""
    structure = getattr(model, "_inputs_struct", None)
    if isinstance(model, Functional) and structure is not None:
        if len(keras.tree.flatten(structure)) == len(specs):
            return [keras.tree.pack_sequence_as(structure, specs)]
    return [specs[0]] if len(specs) == 1 else [specs]


@contextlib.contextmanager
def _without_tensorflow_probe() -> Iterator[None]:
    """Keras's serialisation asks whether TensorFlow is available by importing it (4 s,
    and a process holding torch must not load it). On another backend, with TensorFlow
    not loaded, no value can be a TensorFlow object: say it is unavailable meanwhile."""
    probe = module_utils.tensorflow
    if keras.backend.backend() == "tensorflow" or "tensorflow" in sys.modules:
        yield
        return
    saved = probe._available
    probe._available = False
    try:
        yield
    finally:
        probe._available = saved


def _plain(text: str) -> str:
    """Keras's error text without its terminal colour codes (they reach web pages)."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _describe(specs: list[Any]) -> str:
    return keras_tracing.describe([spec.shape for spec in specs])
