"""Keras 3 layer knowledge: each layer class's parameter formula, MACs and diagram kind.

Each formula reads only the layer's config and the shapes it was called with
(never its weights: a formula derived from the weights would explain nothing),
and names the input channels, which is what people get wrong. Wrappers
(Bidirectional, TimeDistributed, SpectralNormalization, RNN with a cell) reuse
the parts of the layer they wrap (:meth:`.toolkit.Knowledge.parts_of`), so a
project's own formula for the wrapped class counts there too.

MACs are per sample and follow the papers' convention: a layer's MACs are the
multiply–accumulates of its weights (convolutions, dense, recurrent cells per
step × steps, attention); pooling counts one accumulate per window element;
normalization counts zero, as in torchvision's table and the papers; layers
that only move, mask, merge or activate values count zero. A class without a
MAC rule here has unknown MACs. A size that is unknown (``None`` image size)
makes a layer's MACs unknown with the reason, never a guess.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

from ..report import Layer, Shape, Term
from .expr import Expr, NotApplicable, product, term
from .registry import Unknown
from .toolkit import (
    Knowledge,
    Parts,
    call_input,
    call_inputs,
    call_output,
    dim,
    elements,
    first_input_shape,
    kernel_window,
    no_macs,
    per_group,
    sym,
    times,
)

FRAMEWORK = "keras"
knowledge = Knowledge(FRAMEWORK)

#: Diagram kinds by words in the class name (custom layers too): the first match wins.
KIND_WORDS = (
    ("input", ("InputLayer",)),
    ("attention", ("Attention",)),
    ("recurrent", ("LSTM", "GRU", "RNN", "Bidirectional")),
    ("conv", ("Conv",)),
    ("norm", ("Normalization",)),
    ("pool", ("Pooling",)),
    ("merge", ("Concatenate", "Add", "Multiply", "Average", "Maximum", "Minimum", "Subtract")),
    ("dense", ("Dense", "Embedding")),
)


def _channel_axis(config: dict[str, Any], offset: int = 0) -> int:
    return 1 + offset if config.get("data_format") == "channels_first" else -1


def plus_bias(expression: Expr, config: dict[str, Any]) -> Expr:
    """``x + 1`` when the layer has a bias: one more weight per output."""
    return expression + 1 if config.get("use_bias", True) else expression


def with_bias_term(
    terms: list[Term], config: dict[str, Any], shape: Sequence[int]
) -> tuple[Term, ...]:
    if config.get("use_bias", True):
        terms.append(term("bias", shape))
    return tuple(terms)


def _kernel_size(layer: Layer, name: str = "kernel") -> int:
    """Elements of the layer's weight called ``name`` (0 when it has none)."""
    for weight in layer.weights:
        if weight.name.split("/")[-1] == name:
            return weight.size
    return 0


def _positions(layer: Layer, shape: Shape) -> int:
    """Spatial positions of a conv output/input, channels_first or channels_last."""
    channels_first = layer.config.get("data_format") == "channels_first"
    dims = shape[2:] if channels_first else shape[1:-1]
    if any(size is None for size in dims):
        raise Unknown(f"spatial size of {shape} is unknown; give :input-shape:")
    return math.prod(dims)


knowledge.define(
    *("InputLayer", "Identity", "Masking", "ActivityRegularization", "Flatten"),
    *("Reshape", "Permute", "RepeatVector", "Activation", "ReLU", "LeakyReLU", "ELU", "Softmax"),
    *("Dropout", "AlphaDropout", "GaussianDropout", "GaussianNoise"),
    *(
        f"{kind}{n}D"
        for kind in ("SpatialDropout", "Cropping", "ZeroPadding", "UpSampling")
        for n in (1, 2, 3)
    ),
    *("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate"),
    *("Rescaling", "Resizing", "CenterCrop", "CategoryEncoding", "Hashing", "HashedCrossing"),
    *("StringLookup", "IntegerLookup", "TextVectorization", "Discretization"),
    macs=no_macs,
)
# A model's own variable (a learned output scale) enters the graph like an input.
knowledge.define("Variable", macs=no_macs, kind="input")


# Dense, einsum and embeddings -----------------------------------------------------------


def dense_macs(layer: Layer, call: int) -> int:
    """The kernel, once per position the dense layer is applied at."""
    output = call_output(layer, call)
    return _kernel_size(layer) * elements(output, "output") // output[-1]


@knowledge.formula("Dense", macs=dense_macs)
def dense(layer: Layer) -> Parts:
    config = layer.config
    n_in = sym("n_in", dim(first_input_shape(layer), -1))
    units = sym("units", config["units"])
    terms = with_bias_term([term("kernel", (n_in.value, units.value))], config, (units.value,))
    return _with_lora(Parts("dense", plus_bias(n_in, config) * units, terms), config, [n_in], units)


def _with_lora(
    parts: Parts,
    config: dict[str, Any],
    kernel_in: list[Expr],
    kernel_out: Expr,
    prefix: str = "lora_kernel",
) -> Parts:
    """LoRA freezes the first term (the kernel) and adds two trainable low-rank factors."""
    rank = config.get("lora_rank")
    if not rank:
        return parts
    r = sym("r", rank)
    fan_in = product(kernel_in)
    frozen = dataclasses.replace(parts.terms[0], trainable=False)
    terms = (
        frozen,
        *parts.terms[1:],
        term(f"{prefix}_a", (*[factor.value for factor in kernel_in], rank)),
        term(f"{prefix}_b", (rank, kernel_out.value)),
    )
    return Parts(parts.name, parts.expression + (fan_in + kernel_out) * r, terms)


def einsum_macs(layer: Layer, call: int) -> int:
    """Each output element sums over the contracted dimensions of the kernel."""
    output = call_output(layer, call)
    kernel_shape = next((w.shape for w in layer.weights if w.name.endswith("kernel")), ())
    kernel = math.prod(kernel_shape) if kernel_shape else 0
    shared = 1
    for dim_k, dim_o in zip(reversed(kernel_shape), reversed(output)):
        if dim_k != dim_o:
            break
        shared *= dim_k
    return elements(output, "output") * (kernel // shared)


@knowledge.formula("EinsumDense", macs=einsum_macs)
def einsum_dense(layer: Layer) -> Parts:
    """Kernel dimensions are the letters of the kernel's subscripts in the equation."""
    config = layer.config
    equation = config["equation"].replace(" ", "")
    operands, output_spec = equation.split("->")
    input_spec, kernel_spec = operands.split(",")
    sizes = _letter_sizes(input_spec, first_input_shape(layer))
    sizes.update(
        (k, v)
        for k, v in _letter_sizes(output_spec, layer.output_shapes[0][0]).items()
        if k not in sizes
    )
    letters = [sym(letter, sizes[letter]) for letter in kernel_spec]
    bias_axes = config.get("bias_axes") or ""
    expression = product(letters)
    terms = [term("kernel", [sizes[letter] for letter in kernel_spec])]
    if bias_axes:
        expression = expression + product(sym(letter, sizes[letter]) for letter in bias_axes)
        terms.append(term("bias", [sizes[letter] for letter in bias_axes]))
    parts = Parts(f"einsum {equation}", expression, tuple(terms))
    return _with_lora(parts, config, letters[:-1], letters[-1])


def _letter_sizes(spec: str, shape: Shape) -> dict[str, int]:
    """Size of each subscript letter; with ``...`` the letters align to the right."""
    if "..." in spec:
        head, tail = spec.split("...")
        pairs = list(zip(head, shape)) + list(zip(tail, shape[len(shape) - len(tail) :]))
    else:
        if len(spec) != len(shape):
            raise ValueError(f"subscripts {spec!r} do not fit shape {shape}")
        pairs = list(zip(spec, shape))
    return {letter: int(size) for letter, size in pairs if size is not None}


@knowledge.formula("Embedding", "ReversibleEmbedding", macs=no_macs)
def embedding(layer: Layer) -> Parts:
    config = layer.config
    vocabulary = sym("input_dim", config["input_dim"])
    width = sym("output_dim", config["output_dim"])
    expression = vocabulary * width
    terms = [term("embeddings", (vocabulary.value, width.value))]
    name = "embedding"
    if "tie_weights" in config and config["tie_weights"]:
        name = "tied_embedding"  # the output projection reuses the embeddings, transposed
    if config.get("tie_weights", True) is False:
        expression = 2 * expression
        terms.append(term("reverse_embeddings", (width.value, vocabulary.value)))
    parts = Parts(name, expression, tuple(terms))
    return _with_lora(parts, config, [vocabulary], width, prefix="lora_embeddings")


@knowledge.formula("PReLU", macs=no_macs)
def prelu(layer: Layer) -> Parts:
    """One slope per input element, except along the shared axes."""
    shape = first_input_shape(layer)
    shared = {
        axis if axis >= 0 else axis + len(shape) for axis in layer.config.get("shared_axes") or ()
    }
    alpha = [1 if axis in shared else dim(shape, axis) for axis in range(1, len(shape))]
    expression = product(
        sym(f"d_{axis}", size) for axis, size in enumerate(alpha, start=1) if axis not in shared
    )
    return Parts("prelu", expression, (term("alpha", alpha),))


# Convolutions ----------------------------------------------------------------------------


def config_window(config: dict[str, Any]) -> tuple[list[int], Expr]:
    """The kernel sizes of the config and their window ``k_h·k_w``."""
    sizes = [int(size) for size in config["kernel_size"]]
    return sizes, kernel_window(sizes)


def _window_and_channels(layer: Layer) -> tuple[list[int], Expr, Expr]:
    """Kernel sizes, the window ``k_h·k_w`` and the input channels ``c_in``."""
    sizes, window = config_window(layer.config)
    c_in = sym("c_in", dim(first_input_shape(layer), _channel_axis(layer.config)))
    return sizes, window, c_in


def conv_macs(layer: Layer, call: int) -> int:
    """The kernels (depthwise and pointwise ones too), once per output position."""
    kernels = sum(w.size for w in layer.weights if w.name.split("/")[-1].endswith("kernel"))
    return kernels * _positions(layer, call_output(layer, call))


@knowledge.formula("Conv1D", "Conv2D", "Conv3D", macs=conv_macs)
def conv(layer: Layer) -> Parts:
    """``(k_h·k_w·c_in + 1)·f``; with groups each filter sees ``c_in/g`` channels."""
    config = layer.config
    sizes, window, c_in = _window_and_channels(layer)
    filters = sym("f", config["filters"])
    groups = int(config.get("groups") or 1)
    per_filter = per_group(c_in, groups)
    expression = plus_bias(window * per_filter, config) * filters
    terms = [term("kernel", (*sizes, per_filter.value, filters.value))]
    return Parts("conv", expression, with_bias_term(terms, config, (filters.value,)))


def conv_transpose_macs(layer: Layer, call: int) -> int:
    """The kernel, once per input position."""
    return _kernel_size(layer) * _positions(layer, call_input(layer, call))


@knowledge.formula(
    "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", macs=conv_transpose_macs
)
def conv_transpose(layer: Layer) -> Parts:
    """The same count as a convolution; the kernel stores filters before channels."""
    config = layer.config
    sizes, window, c_in = _window_and_channels(layer)
    filters = sym("f", config["filters"])
    expression = plus_bias(window * c_in, config) * filters
    terms = [term("kernel", (*sizes, filters.value, c_in.value))]
    return Parts("conv_transpose", expression, with_bias_term(terms, config, (filters.value,)))


def _depthwise(layer: Layer) -> tuple[list[int], Expr, Expr, Expr, int]:
    """Kernel sizes, the window, ``c_in``, the depthwise outputs ``c_in·m`` (``c_in`` when the
    depth multiplier ``m`` is 1) and ``m``."""
    sizes, window, c_in = _window_and_channels(layer)
    multiplier = int(layer.config.get("depth_multiplier") or 1)
    outputs = c_in * sym("m", multiplier) if multiplier > 1 else c_in
    return sizes, window, c_in, outputs, multiplier


@knowledge.formula("DepthwiseConv1D", "DepthwiseConv2D", macs=conv_macs)
def depthwise_conv(layer: Layer) -> Parts:
    """One window per input channel (times the depth multiplier ``m``)."""
    sizes, window, c_in, outputs, m = _depthwise(layer)
    expression = plus_bias(window, layer.config) * outputs
    terms = [term("kernel", (*sizes, c_in.value, m))]
    return Parts(
        "depthwise_conv", expression, with_bias_term(terms, layer.config, (outputs.value,))
    )


@knowledge.formula("SeparableConv1D", "SeparableConv2D", macs=conv_macs)
def separable_conv(layer: Layer) -> Parts:
    """A depthwise window per channel, then a 1×1 convolution to ``f`` filters."""
    sizes, window, c_in, depth, m = _depthwise(layer)
    filters = sym("f", layer.config["filters"])
    expression = window * depth + plus_bias(depth, layer.config) * filters
    terms = [
        term("depthwise_kernel", (*sizes, c_in.value, m)),
        term("pointwise_kernel", (*[1] * len(sizes), depth.value, filters.value)),
    ]
    return Parts(
        "separable_conv", expression, with_bias_term(terms, layer.config, (filters.value,))
    )


# Pooling --------------------------------------------------------------------------------


def pooling_macs(layer: Layer, call: int) -> int:
    """One accumulate per window element (global pooling: per input element)."""
    if "Global" in layer.class_name:
        return elements(call_input(layer, call), "input")
    window = math.prod(layer.config.get("pool_size") or [1])
    return window * elements(call_output(layer, call), "output")


knowledge.define(
    *(
        f"{prefix}{kind}Pooling{n}D"
        for prefix in ("", "Global", "Adaptive")
        for kind in ("Average", "Max")
        for n in (1, 2, 3)
    ),
    macs=pooling_macs,
)


# Normalization ----------------------------------------------------------------------------


knowledge.define("UnitNormalization", macs=no_macs)


def _axes(config: dict[str, Any], shape: Shape) -> list[int]:
    axis = config.get("axis", -1)
    axes = axis if isinstance(axis, list) else [axis]
    return sorted(a if a >= 0 else a + len(shape) for a in axes)


def _feature(shape: Shape, axes: list[int]) -> Expr:
    """``c`` for one normalised axis, ``d_1·d_2`` for several."""
    if len(axes) == 1:
        return sym("c", dim(shape, axes[0]))
    return product(sym(f"d_{axis}", dim(shape, axis)) for axis in axes)


@knowledge.formula("BatchNormalization", macs=no_macs)
def batch_normalization(layer: Layer) -> Parts:
    """γ and β (trainable, if scale/center) and the moving mean and variance (not trainable)."""
    config = layer.config
    shape = first_input_shape(layer)
    c = _feature(shape, _axes(config, shape))
    names = [("gamma", True)] if config.get("scale", True) else []
    names += [("beta", True)] if config.get("center", True) else []
    names += [("moving_mean", False), ("moving_variance", False)]
    if config.get("renorm"):
        names += [("moving_stddev", False), ("renorm_mean", False), ("renorm_stddev", False)]
    terms = tuple(term(name, (c.value,), trainable) for name, trainable in names)
    return Parts("batch_norm", times(len(names), c), terms)


@knowledge.formula("LayerNormalization", macs=no_macs)
def layer_normalization(layer: Layer) -> Parts:
    """γ (scale, or RMS scaling) and β (center, not with RMS scaling) over the axes."""
    config = layer.config
    shape = first_input_shape(layer)
    axes = _axes(config, shape)
    feature = _feature(shape, axes)
    rms = bool(config.get("rms_scaling"))
    names = ["gamma"] if config.get("scale", True) or rms else []
    names += ["beta"] if config.get("center", True) and not rms else []
    dims = [dim(shape, axis) for axis in axes]
    return Parts("layer_norm", times(len(names), feature), tuple(term(n, dims) for n in names))


@knowledge.formula("GroupNormalization", macs=no_macs)
def group_normalization(layer: Layer) -> Parts:
    """γ and β per channel, whatever the number of groups."""
    config = layer.config
    c = sym("c", dim(first_input_shape(layer), int(config.get("axis", -1))))
    names = ["gamma"] if config.get("scale", True) else []
    names += ["beta"] if config.get("center", True) else []
    return Parts("group_norm", times(len(names), c), tuple(term(n, (c.value,)) for n in names))


@knowledge.formula("RMSNormalization", macs=no_macs)
def rms_normalization(layer: Layer) -> Parts:
    """One scale per feature of the normalised axes."""
    shape = first_input_shape(layer)
    axes = _axes(layer.config, shape)
    return Parts("rms_norm", _feature(shape, axes), (term("scale", [dim(shape, a) for a in axes]),))


@knowledge.formula("Normalization", macs=no_macs)
def normalization(layer: Layer) -> Parts:
    """Mean and variance per kept feature plus a sample count, none of them trainable."""
    shape = first_input_shape(layer)
    axes = _axes(layer.config, shape) if layer.config.get("axis") is not None else []
    dims = [dim(shape, axis) for axis in axes]
    feature = _feature(shape, axes) if axes else sym("c", 1)
    terms = (
        term("mean", dims, trainable=False),
        term("variance", dims, trainable=False),
        term("count", (), trainable=False),
    )
    return Parts("normalization", 2 * feature + 1, terms)


@knowledge.formula("LayerScale", macs=no_macs)
def layer_scale(layer: Layer) -> Parts:
    """ConvNeXt's learned per-channel scale."""
    c = sym("c", layer.config["projection_dim"])
    return Parts("layer_scale", c, (term("gamma", (c.value,)),))


# Recurrent layers ------------------------------------------------------------------------

_GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}
_RECURRENT_NAMES = {"SimpleRNN": "simple_rnn", "LSTM": "lstm", "GRU": "gru"}


def recurrent_macs(layer: Layer, call: int) -> int:
    """The kernels once per time step (a Bidirectional's weights hold both directions)."""
    inputs = call_inputs(layer, call)
    steps = inputs[0][1] if inputs and len(inputs[0]) > 2 else None
    if steps is None:
        raise Unknown("the number of time steps is unknown; give :input-shape:")
    return steps * sum(w.size for w in layer.weights if not w.name.endswith("bias"))


knowledge.define("SimpleRNN", "LSTM", "GRU", macs=recurrent_macs)


@knowledge.formula("SimpleRNN", "LSTM", "GRU", "SimpleRNNCell", "LSTMCell", "GRUCell")
def recurrent(layer: Layer) -> Parts:
    """``gates·(n_in + units + 1)·units``: input kernel, recurrent kernel and bias per gate.

    A GRU with ``reset_after`` keeps two biases per gate, hence ``+ 2``.
    """
    kind = layer.class_name.removesuffix("Cell")
    gates = _GATES[kind]
    config = layer.config
    n_in = sym("n_in", dim(first_input_shape(layer), -1))
    units = sym("units", config["units"])
    two_biases = kind == "GRU" and config.get("reset_after", True)
    inner = n_in + units
    if config.get("use_bias", True):
        inner = inner + (2 if two_biases else 1)
    expression = times(gates, inner) * units
    width = gates * units.value
    terms = [term("kernel", (n_in.value, width)), term("recurrent_kernel", (units.value, width))]
    bias = (2, width) if two_biases else (width,)
    return Parts(_RECURRENT_NAMES[kind], expression, with_bias_term(terms, config, bias))


@knowledge.formula("RNN", macs=recurrent_macs)
def rnn(layer: Layer) -> Parts:
    """An RNN layer counts what its cell holds."""
    return _inner_parts(layer, layer.config["cell"])


@knowledge.formula("ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D")
def conv_lstm(layer: Layer) -> Parts:
    """Four gates, each a convolution of the input (``c_in``) and of the state (``f``)."""
    config = layer.config
    sizes, window = config_window(config)
    c_in = sym("c_in", dim(first_input_shape(layer), _channel_axis(config, offset=1)))
    filters = sym("f", config["filters"])
    expression = 4 * plus_bias(window * (c_in + filters), config) * filters
    width = 4 * filters.value
    terms = [
        term("kernel", (*sizes, c_in.value, width)),
        term("recurrent_kernel", (*sizes, filters.value, width)),
    ]
    return Parts("conv_lstm", expression, with_bias_term(terms, config, (width,)))


# Wrappers --------------------------------------------------------------------------------


def _inner_parts(
    layer: Layer,
    inner: dict[str, Any],
    input_shapes: tuple[tuple[Shape, ...], ...] | None = None,
) -> Parts:
    """The parts of the layer a wrapper holds, called with the wrapper's (or given) shapes."""
    wrapped = dataclasses.replace(
        layer,
        class_name=inner["class_name"],
        config=inner["config"],
        input_shapes=input_shapes if input_shapes is not None else layer.input_shapes,
        weights=(),
    )
    return knowledge.parts_of(wrapped)


@knowledge.formula("Bidirectional", macs=recurrent_macs)
def bidirectional(layer: Layer) -> Parts:
    """A forward and a backward copy: ``2·(...)`` when both have the same shape."""
    forward = _inner_parts(layer, layer.config["layer"])
    backward = _inner_parts(layer, layer.config.get("backward_layer") or layer.config["layer"])
    if forward.expression.numbers == backward.expression.numbers:
        expression = 2 * forward.expression
    else:
        expression = forward.expression + backward.expression
    terms = _prefixed("forward", forward.terms) + _prefixed("backward", backward.terms)
    return Parts(f"bidirectional {forward.name}", expression, terms)


@knowledge.formula("TimeDistributed")
def time_distributed(layer: Layer) -> Parts:
    """The wrapped layer, applied to every time step with the same weights."""
    per_step = tuple(tuple((shape[0], *shape[2:]) for shape in call) for call in layer.input_shapes)
    steps = tuple(tuple((shape[0], *shape[2:]) for shape in call) for call in layer.output_shapes)
    inner = _inner_parts(
        dataclasses.replace(layer, output_shapes=steps), layer.config["layer"], per_step
    )
    return Parts(f"time_distributed {inner.name}", inner.expression, inner.terms)


@knowledge.formula("SpectralNormalization", macs=no_macs)
def spectral_normalization(layer: Layer) -> Parts:
    """The wrapped layer plus the power-iteration vector ``u`` (one value per kernel column)."""
    inner = _inner_parts(layer, layer.config["layer"])
    kernel = next(t for t in inner.terms if t.name == "kernel")
    columns = sym("f_out", kernel.shape[-1])
    terms = (*inner.terms, term("vector_u", (1, columns.value), trainable=False))
    return Parts(f"spectral_norm {inner.name}", inner.expression + columns, terms)


def _prefixed(prefix: str, terms: tuple[Term, ...]) -> tuple[Term, ...]:
    return tuple(dataclasses.replace(t, name=f"{prefix}/{t.name}") for t in terms)


# Attention -------------------------------------------------------------------------------


def _attention_inputs(layer: Layer) -> tuple[Expr, Expr, Expr]:
    """Feature sizes of query, key and value; key defaults to value (call order q, v, k)."""
    shapes = layer.input_shapes[0] if layer.input_shapes else ()
    if len(shapes) < 2:
        raise NotApplicable("attention needs the query and value shapes of its first call")
    d_q = sym("d_q", dim(shapes[0], -1))
    d_v = sym("d_v", dim(shapes[1], -1))
    d_k = sym("d_k", dim(shapes[2], -1)) if len(shapes) > 2 else sym("d_k", d_v.value)
    return d_q, d_k, d_v


def _projection(name: str, source: Expr, heads: Expr, width: Expr, bias: bool) -> Parts:
    """An EinsumDense projecting ``source`` features onto ``heads`` × ``width``."""
    terms = [term(f"{name}/kernel", (source.value, heads.value, width.value))]
    if bias:
        terms.append(term(f"{name}/bias", (heads.value, width.value)))
    expression = ((source + 1) if bias else source) * heads * width
    return Parts(name, expression, tuple(terms))


def _attention(
    layer: Layer,
    heads_q: Expr,
    heads_kv: Expr,
    key_width: Expr,
    value_width: Expr,
    out_dims: list[int],
    name: str,
) -> Parts:
    config = layer.config
    bias = bool(config.get("use_bias", True))
    d_q, d_k, d_v = _attention_inputs(layer)
    parts = [
        _projection("query", d_q, heads_q, key_width, bias),
        _projection("key", d_k, heads_kv, key_width, bias),
        _projection("value", d_v, heads_kv, value_width, bias),
    ]
    if config.get("use_gate"):
        parts.append(_projection("gate", d_q, heads_q, value_width, bias))
    d_out = sym("d_out", product(out_dims).value) if out_dims != [d_q.value] else d_q
    output = heads_q * value_width
    terms = [term("attention_output/kernel", (heads_q.value, value_width.value, *out_dims))]
    if bias:
        output = output + 1
        terms.append(term("attention_output/bias", out_dims))
    expression = parts[0].expression
    for part in parts[1:]:
        expression = expression + part.expression
    all_terms = tuple(t for part in parts for t in part.terms) + tuple(terms)
    return Parts(name, expression + output * d_out, all_terms)


def attention_macs(layer: Layer, call: int) -> int:
    """Projections of query, key and value, the scores, the weighted sum, the output."""
    inputs = call_inputs(layer, call)
    if len(inputs) < 2 or any(d is None for shape in inputs[:2] for d in shape[1:-1]):
        raise Unknown("sequence lengths are unknown; give :input-shape:")
    query_steps = math.prod(inputs[0][1:-1])
    key_steps = math.prod(inputs[1][1:-1])
    config = layer.config
    heads = config.get("num_heads") or config.get("num_query_heads") or 1
    key_dim = config.get("key_dim") or config.get("head_dim") or 1
    value_dim = config.get("value_dim") or key_dim
    projections = 0
    for weight in layer.weights:
        if weight.name.endswith("kernel"):
            steps = query_steps if "query" in weight.name or "output" in weight.name else key_steps
            projections += weight.size * steps
    scores = heads * query_steps * key_steps * (key_dim + value_dim)
    return projections + scores


@knowledge.formula("MultiHeadAttention", macs=attention_macs)
def multi_head_attention(layer: Layer) -> Parts:
    """Query, key and value projections onto ``h`` heads, and the output projection."""
    config = layer.config
    heads = sym("h", config["num_heads"])
    key_dim = sym("k", config["key_dim"])
    value_dim = sym("v", config.get("value_dim") or config["key_dim"])
    out = config.get("output_shape")
    d_q = dim(first_input_shape(layer), -1)
    out_dims = [d_q] if out is None else ([int(out)] if isinstance(out, int) else list(out))
    return _attention(layer, heads, heads, key_dim, value_dim, out_dims, "multi_head_attention")


@knowledge.formula("GroupedQueryAttention", "GroupQueryAttention", macs=attention_macs)
def grouped_query_attention(layer: Layer) -> Parts:
    """``h_q`` query heads share ``h_kv`` key/value heads of width ``k``."""
    config = layer.config
    heads_q = sym("h_q", config["num_query_heads"])
    heads_kv = sym("h_kv", config["num_key_value_heads"])
    width = sym("k", config["head_dim"])
    d_q = dim(first_input_shape(layer), -1)
    return _attention(layer, heads_q, heads_kv, width, width, [d_q], "grouped_query_attention")


@knowledge.formula("Attention")
def attention(layer: Layer) -> Parts:
    """Dot-product attention learns at most two scalars: a scale and a concat-score weight."""
    names = ["scale"] if layer.config.get("use_scale") else []
    names += ["concat_score_weight"] if layer.config.get("score_mode") == "concat" else []
    if not names:
        raise ValueError("this Attention layer has no weights to explain")
    expression = sym(names[0], 1)
    for name in names[1:]:
        expression = expression + sym(name, 1)
    return Parts("attention", expression, tuple(term(n, ()) for n in names))


@knowledge.formula("AdditiveAttention")
def additive_attention(layer: Layer) -> Parts:
    """One learned scale per query feature."""
    d = sym("d_q", dim(first_input_shape(layer), -1))
    return Parts("additive_attention", d, (term("scale", (d.value,)),))


# Transformer building blocks of keras-hub -----------------------------------------------

#: Composite layers whose formula explains only the weights they hold themselves (ViT's
#: class token): they still open up, and their sublayers have formulas of their own.
OWN_WEIGHTS_ONLY = frozenset({"ViTPatchingAndEmbedding"})


@knowledge.formula("PositionEmbedding", macs=no_macs)
def position_embedding(layer: Layer) -> Parts:
    """A learned vector per position: ``sequence_length·d``, ``d`` the input's features."""
    length = sym("sequence_length", layer.config["sequence_length"])
    width = sym("d", dim(first_input_shape(layer), -1))
    return Parts(
        "position_embedding", length * width, (term("embeddings", (length.value, width.value)),)
    )


@knowledge.formula(
    "LlamaLayerNorm",
    "MistralLayerNormalization",
    "MixtralLayerNormalization",
    "GptOssLayerNormalization",
    "T5LayerNorm",
    macs=no_macs,
)
def rms_scale(layer: Layer) -> Parts:
    """RMS normalisation with one learned scale per feature of the last axis, no shift."""
    c = sym("c", dim(first_input_shape(layer), -1))
    return Parts("rms_norm", c, (term("scale", (c.value,)),))


@knowledge.formula("ViTPatchingAndEmbedding")
def vit_class_token(layer: Layer) -> Parts:
    """The learned class token of width ``d`` (the patch convolution and the position
    embedding are rows of their own)."""
    if not layer.config.get("use_class_token", True):
        raise NotApplicable("no class token")
    width = sym("d", layer.config["hidden_dim"])
    return Parts("class_token", width, (term("class_token", (1, 1, width.value)),))
