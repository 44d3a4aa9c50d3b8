"""Keras 2 (``tf_keras``) adapter: build a model (shape-only when possible), describe it.

Keras 2 has no ``StatelessScope``. Its shape-only build runs the builder inside
a TF1-style graph (``with tf.Graph().as_default():``): variables made there are
ops in the graph, and no memory is allocated for them until a session
initialises them, which never happens. A builder that needs real values (it
reads a weight, loads a checkpoint, runs the model on data) either fails there
or opens a session on the graph; either way it is run again normally, eagerly,
and the report says ``full``.

Output shapes come from one symbolic trace, as in the Keras 3 adapter: every
layer's ``call`` is wrapped and records the shapes it saw, so subclassed
models get real shapes instead of Keras 2's ``multiple``, and a layer called
several times records each call. The bookkeeping is shared with the Keras 3
adapter (:mod:`.keras_tracing`); this module only knows how ``tf_keras`` builds and
calls a model.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402 - after the log level, which TensorFlow reads on import
import tf_keras  # noqa: E402
from tensorflow.python.autograph.core import ag_ctx  # noqa: E402
from tensorflow.python.util import deprecation  # noqa: E402
from tf_keras.src import backend as tf_keras_backend  # noqa: E402
from tf_keras.src.engine import training  # noqa: E402
from tf_keras.src.engine.functional import Functional  # noqa: E402
from tf_keras.src.mixed_precision import policy as mixed_precision_policy  # noqa: E402

from ..errors import BuildError, not_a_model_error, user_traceback  # noqa: E402
from ..formulas import rule_of  # noqa: E402
from ..report import ModelReport, Shape, TensorInfo  # noqa: E402
from . import keras_tracing  # noqa: E402
from .build_modes import shape_only_or_full  # noqa: E402
from .keras_tracing import Node, Trace  # noqa: E402

_KIT = keras_tracing.Kit(
    framework="tf_keras",
    version=tf_keras.__version__,
    flatten=tf.nest.flatten,
    map_structure=tf.nest.map_structure,
    copy=tf.identity,
    dtype_name=lambda dtype: tf.as_dtype(dtype).name,
    variable_path=lambda variable: re.sub(r":\d+$", "", variable.name),
    trainable_variables=lambda layer: layer.trainable_weights,
)


def build_report(make_model: Callable[[], Any], request: Any) -> ModelReport:
    """Build the model with ``make_model`` as ``request`` asks (a BuildRequest) and inspect it."""
    started = time.perf_counter()
    target_text = str(request.target)
    input_shapes = request.input_shapes
    input_dtype = getattr(request, "input_dtype", None)

    def build_shape_only() -> tuple[Any, Trace] | None:
        tf_keras.backend.clear_session()
        graph = tf.Graph()
        try:
            with graph.as_default(), deprecation.silence(), _inference(), _build_shapes_kept():
                model = _as_model(make_model(), target_text)
                trace = _trace(model, input_shapes, input_dtype, graph)
            return None if _read_values(graph) else (model, trace)
        finally:
            _close_session(graph)

    def build_full() -> tuple[Any, Trace]:
        tf_keras.backend.clear_session()
        model = _as_model(make_model(), target_text)
        return model, _trace(model, input_shapes, input_dtype, None)

    (model, trace), build_mode = shape_only_or_full(
        request.shape_only, build_shape_only, build_full
    )
    seconds = time.perf_counter() - started
    return keras_tracing.report(model, trace, target_text, build_mode, seconds, _KIT)


def configuration() -> dict[str, Any]:
    """Keras 2's global settings that a builder may change; :func:`configure` puts them back."""
    backend = tf_keras.backend
    return {
        "image_data_format": backend.image_data_format(),
        "floatx": backend.floatx(),
        "epsilon": backend.epsilon(),
        # None while no policy was set: layers then follow floatx, and must go on doing so
        "policy": getattr(mixed_precision_policy._global_policy, "name", None),
    }


def configure(settings: dict[str, Any]) -> None:
    tf_keras.backend.set_image_data_format(settings["image_data_format"])
    tf_keras.backend.set_floatx(settings["floatx"])
    tf_keras.backend.set_epsilon(settings["epsilon"])
    tf_keras.mixed_precision.set_global_policy(settings["policy"])


@contextlib.contextmanager
def _inference() -> Any:
    """Learning phase 0 in the graph: layers that act differently in training (batch norm,
    dropout) then build one branch, not a ``cond`` of both, which halves the build time."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "`tf.keras.backend.learning_phase_scope`")
        scope = tf_keras.backend.learning_phase_scope(0)
        scope.__enter__()
    try:
        yield
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scope.__exit__(None, None, None)


@contextlib.contextmanager
def _build_shapes_kept() -> Any:
    """Keras 2 forgets the shape given to a subclassed model's ``build()`` in a graph
    (its graph-mode base class does not keep it); keep it, as it does when eager."""
    original = training.Model.build

    @functools.wraps(original)  # keeps the marks Keras reads on it
    def build(self: Any, input_shape: Any) -> None:
        original(self, input_shape)
        if getattr(self, "_build_input_shape", None) is None:
            object.__setattr__(self, "_build_input_shape", input_shape)

    training.Model.build = build
    try:
        yield
    finally:
        training.Model.build = original


def _read_values(graph: tf.Graph) -> bool:
    """Whether the builder opened a session on the graph: it read or set real values."""
    session = getattr(tf_keras_backend._SESSION, "session", None)
    return session is not None and session.graph is graph


def _close_session(graph: tf.Graph) -> None:
    """Free whatever a session on the shape-only graph allocated."""
    if _read_values(graph):
        tf_keras_backend._SESSION.session.close()
        tf_keras_backend._SESSION.session = None


def _as_model(result: Any, target_text: str) -> Any:
    if isinstance(result, tf_keras.Model):
        return result
    hint = ""
    if type(result).__module__.split(".")[0] == "keras":
        hint = (
            " (a Keras 3 model: the target's module was taken for a Keras 2 one; "
            "import keras, not tf_keras or tf.keras with TF_USE_LEGACY_KERAS, in it)"
        )
    raise not_a_model_error(target_text, result, "tf_keras.Model", hint)


def _trace(
    model: Any, input_shapes: Sequence[Shape] | None, input_dtype: str | None, graph: Any
) -> Trace:
    """Every layer call with its shapes: read from a functional model's own graph when it
    has one and no other input shape is asked for, else by calling the model symbolically
    (on placeholders of the shape-only graph, or inside a ``tf.function`` trace)."""
    root = keras_tracing.layer_tree(model, _is_container, _sublayers)
    shapes, dtypes, names = _input_specs(model, input_shapes, input_dtype)
    nodes = list(keras_tracing.walk(root))
    graph_has_every_call = isinstance(model, Functional) and keras_tracing.is_flat(root)
    if not input_shapes and not input_dtype and graph_has_every_call:
        _read_graph(model, nodes)
    else:
        _run_symbolically(model, nodes, shapes, dtypes, graph)
    inputs = [
        TensorInfo(name=name, shape=shape, dtype=dtype)
        for name, shape, dtype in zip(names, shapes, dtypes)
    ]
    return keras_tracing.finish_trace(root, inputs, model.name)


def _sublayers(layer: Any) -> list[Any]:
    """A model's layers, else a composite layer's tracked sublayers."""
    if isinstance(layer, tf_keras.Model):
        return list(layer.layers)
    return list(layer._flatten_layers(include_self=False, recursive=False))


def _is_container(layer: Any) -> bool:
    """A model, or a layer holding sublayers that no formula explains as one piece (an
    LSTM holds its cell): opened as the Keras 3 adapter opens it."""
    if isinstance(layer, tf_keras.Model):
        return True
    if not _sublayers(layer):
        return False
    return not any(
        rule_of(cls.__name__, "tf_keras").formula is not None
        for cls in type(layer).__mro__
        if issubclass(cls, tf_keras.layers.Layer) and cls is not tf_keras.layers.Layer
    )


def _read_graph(model: Any, nodes: list[Node]) -> None:
    """Calls as Keras recorded them when the functional model was built (no tracing needed)."""
    keras_tracing.read_graph(
        model, nodes, _KIT, lambda node: (node.keras_inputs, tf.nest.flatten(node.outputs))
    )


def _run_symbolically(
    model: Any, nodes: list[Node], shapes: list[Shape], dtypes: list[str], graph: Any
) -> None:
    """Call the model on symbolic inputs, without AutoGraph: AutoGraph would turn an ``if``
    on a tensor's value into a ``tf.cond`` that builds the layers of both branches, a count
    the model has on no real input; without it such an ``if`` is an error that says so, as
    on every Keras 3 backend."""
    try:
        with ag_ctx.ControlStatusCtx(status=ag_ctx.Status.DISABLED):
            _call_symbolically(model, nodes, shapes, dtypes, graph)
    except BuildError:
        raise
    except Exception as error:  # noqa: BLE001 - the user's model failed on these inputs
        if keras_tracing.asks_for_a_value(error):
            frames = traceback.walk_tb(error.__traceback__)
            raise keras_tracing.value_dependent_error(frames) from None
        described = keras_tracing.describe(shapes)
        raise BuildError(
            "builder", f"calling the model on {described} failed:\n{user_traceback(error)}"
        ) from error


def _call_symbolically(
    model: Any, nodes: list[Node], shapes: list[Shape], dtypes: list[str], graph: Any
) -> None:
    if graph is not None:
        placeholders = [
            tf.compat.v1.placeholder(dtype, shape) for shape, dtype in zip(shapes, dtypes)
        ]
        arguments = placeholders[0] if len(placeholders) == 1 else placeholders
        if not all(node.layer.built for node in nodes):
            model(arguments)  # builds the sublayers before any call is recorded
        with keras_tracing.recording(nodes, _KIT):
            model(arguments)
    else:
        specs = [tf.TensorSpec(shape, dtype) for shape, dtype in zip(shapes, dtypes)]
        signature = specs[0] if len(specs) == 1 else specs
        if not all(node.layer.built for node in nodes):
            tf.function(model.__call__, autograph=False).get_concrete_function(signature)
        with keras_tracing.recording(nodes, _KIT):
            tf.function(model.__call__, autograph=False).get_concrete_function(signature)


def _input_specs(
    model: Any, input_shapes: Sequence[Shape] | None, input_dtype: str | None
) -> tuple[list[Shape], list[str], list[str]]:
    """Shapes, dtypes and names of the inputs for the trace: the given ones, else the model's."""
    tensors = keras_tracing.model_inputs(model)
    return keras_tracing.resolve_inputs(
        model,
        input_shapes,
        [tensor.shape for tensor in tensors],
        [_input_name(tensor) for tensor in tensors],
        [tf.as_dtype(tensor.dtype).name for tensor in tensors],
        lambda: _declared_build_shapes(model),
        input_dtype,
    )


def _input_name(tensor: Any) -> str | None:
    """The name of the InputLayer that made a functional model's input tensor."""
    history = getattr(tensor, "_keras_history", None)
    return getattr(getattr(history, "layer", None), "name", None)


def _declared_build_shapes(model: Any) -> list[Shape] | None:
    """Shapes the user passed to ``model.build(...)``, or the model was first called with."""
    shapes = getattr(model, "_build_input_shape", None)
    if shapes is None:
        try:
            specs = model._get_save_spec(dynamic_batch=True)
        except (AttributeError, ValueError):
            specs = None
        if specs is None:
            return None
        shapes = tf.nest.map_structure(lambda spec: spec.shape, specs)
    if isinstance(shapes, dict):
        shapes = list(shapes.values())
    if _is_one_shape(shapes):
        return [_as_tuple(shapes)]
    if isinstance(shapes, (list, tuple)) and all(_is_one_shape(shape) for shape in shapes):
        return [_as_tuple(shape) for shape in shapes]
    return None


def _is_one_shape(value: Any) -> bool:
    if isinstance(value, tf.TensorShape):
        return True
    return isinstance(value, (list, tuple)) and all(
        dim is None or isinstance(dim, int) for dim in value
    )


def _as_tuple(shape: Any) -> Shape:
    if isinstance(shape, tf.TensorShape):
        return tuple(shape.as_list())
    return tuple(shape)
