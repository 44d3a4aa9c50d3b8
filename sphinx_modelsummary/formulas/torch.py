"""PyTorch layer knowledge: each ``torch.nn`` module's parameter formula, MACs and diagram kind.

Formulas read the module's configuration (``in_features``, ``kernel_size``,
``num_layers``, ...) as the adapter recorded it, never its weights, and are
checked against the real parameters like every formula. Buffers (batch-norm
running statistics) are not parameters, so no formula counts them.

MACs follow torchvision's table and the papers: multiply–accumulates of
convolutions, linear layers, recurrent cells and attention (its projections
and its two matrix products); pooling counts one accumulate per window
element, as for Keras; normalisation, activations and other element-wise work
count zero. A PyTorch module is traced with the input shape
the page gives, batch included, so the counts are for that input: give a batch
of 1 for the per-sample figures torchvision publishes.
"""

from __future__ import annotations

import math
from typing import Any

from ..report import Layer, Term
from .expr import Expr, NotApplicable, product, term
from .toolkit import (
    Knowledge,
    Parts,
    call_input,
    call_inputs,
    call_output,
    first_input_shape,
    kernel_window,
    no_macs,
    numel,
    per_group,
    sym,
    times,
)

FRAMEWORK = "torch"
knowledge = Knowledge(FRAMEWORK)

#: Diagram kinds by words in the class name (custom modules too): the first match wins.
KIND_WORDS = (
    ("attention", ("Attention",)),
    ("recurrent", ("LSTM", "GRU", "RNN")),
    ("conv", ("Conv",)),
    ("norm", ("Norm",)),
    ("pool", ("Pool",)),
    ("dense", ("Linear", "Embedding")),
)


def _config(layer: Layer, key: str) -> Any:
    try:
        return layer.config[key]
    except KeyError:
        raise NotApplicable(f"the module's config has no {key!r}") from None


def _has(layer: Layer, name: str) -> bool:
    """Whether the module holds the parameter ``name`` (``bias=False`` leaves it None)."""
    return bool(layer.config.get(f"has_{name}", False))


def _with_bias(expression: Expr, layer: Layer, terms: list[Term], shape: tuple[int, ...]) -> Expr:
    if _has(layer, "bias"):
        terms.append(term("bias", shape))
        return expression + 1
    return expression


def _weight_size(layer: Layer, name: str) -> int:
    return sum(w.size for w in layer.weights if w.name == name)


_ACTIVATIONS = (
    *("ReLU", "ReLU6", "LeakyReLU", "RReLU", "ELU", "CELU", "SELU", "GELU", "SiLU", "Mish"),
    *("Sigmoid", "Tanh", "Hardtanh", "Hardswish", "Hardsigmoid", "Hardshrink", "Softshrink"),
    *("Softplus", "Softsign", "Tanhshrink", "LogSigmoid", "Threshold", "GLU"),
    *("Softmax", "Softmin", "LogSoftmax", "Softmax2d"),
)
_POOLING = tuple(
    f"{prefix}{kind}Pool{n}d"
    for prefix in ("", "Adaptive")
    for kind in ("Max", "Avg")
    for n in (1, 2, 3)
) + ("LPPool1d", "LPPool2d", "LPPool3d", "FractionalMaxPool2d", "FractionalMaxPool3d")
_SHAPING = (
    *("Identity", "Flatten", "Unflatten", "Dropout", "Dropout1d", "Dropout2d", "Dropout3d"),
    *("AlphaDropout", "FeatureAlphaDropout", "Upsample", "UpsamplingNearest2d"),
    *("UpsamplingBilinear2d", "PixelShuffle", "PixelUnshuffle", "ChannelShuffle"),
    *("Fold", "Unfold", "CosineSimilarity", "PairwiseDistance"),
    *(
        f"{kind}Pad{n}d"
        for kind in ("Zero", "Constant", "Reflection", "Replication", "Circular")
        for n in (1, 2, 3)
    ),
    *(f"MaxUnpool{n}d" for n in (1, 2, 3)),
    "LocalResponseNorm",
    "CrossMapLRN2d",
    # torchvision's building blocks that only reshape, drop or scale
    *("Permute", "StochasticDepth", "FrozenBatchNorm2d"),
)
knowledge.define(*_ACTIVATIONS, *_SHAPING, macs=no_macs)
# A container's own parameter or buffer (a ViT's class token) enters the graph like an input.
knowledge.define("Parameter", "Buffer", macs=no_macs, kind="input")


def pooling_macs(layer: Layer, call: int) -> int:
    """As for Keras: one accumulate per window element (adaptive pooling: per input element)."""
    if layer.class_name.startswith("Adaptive"):
        return numel(call_input(layer, call), "input")
    window = layer.config.get("kernel_size") or 1
    dims = int(layer.class_name[-2])  # MaxPool2d: a window over 2 dimensions
    size = math.prod(window) if isinstance(window, list) else int(window) ** dims
    return size * numel(call_output(layer, call), "output")


knowledge.define(*_POOLING, macs=pooling_macs, kind="pool")


# Linear layers and embeddings ------------------------------------------------------------


def linear_macs(layer: Layer, call: int) -> int:
    """The weight matrix once per position it is applied at."""
    output = call_output(layer, call)
    return _weight_size(layer, "weight") * (numel(output, "output") // max(1, output[-1]))


@knowledge.formula("Linear", "NonDynamicallyQuantizableLinear", "LazyLinear", macs=linear_macs)
def linear(layer: Layer) -> Parts:
    """``(n_in + 1)·n_out``: a weight per input and output, and a bias per output."""
    n_in = sym("n_in", _config(layer, "in_features"))
    n_out = sym("n_out", _config(layer, "out_features"))
    terms = [term("weight", (n_out.value, n_in.value))]
    return Parts("linear", _with_bias(n_in, layer, terms, (n_out.value,)) * n_out, tuple(terms))


@knowledge.formula("Bilinear", macs=linear_macs, kind="dense")
def bilinear(layer: Layer) -> Parts:
    """``(n_1·n_2 + 1)·n_out``: one n_1×n_2 matrix per output."""
    n_1 = sym("n_1", _config(layer, "in1_features"))
    n_2 = sym("n_2", _config(layer, "in2_features"))
    n_out = sym("n_out", _config(layer, "out_features"))
    terms = [term("weight", (n_out.value, n_1.value, n_2.value))]
    return Parts(
        "bilinear", _with_bias(n_1 * n_2, layer, terms, (n_out.value,)) * n_out, tuple(terms)
    )


@knowledge.formula("Embedding", "EmbeddingBag", macs=no_macs)
def embedding(layer: Layer) -> Parts:
    """A vector of ``d`` numbers for each of the ``n`` entries."""
    n = sym("n", _config(layer, "num_embeddings"))
    d = sym("d", _config(layer, "embedding_dim"))
    return Parts("embedding", n * d, (term("weight", (n.value, d.value)),))


@knowledge.formula("PReLU", macs=no_macs)
def prelu(layer: Layer) -> Parts:
    """One slope, or one per channel."""
    a = sym("a", _config(layer, "num_parameters"))
    return Parts("prelu", a, (term("weight", (a.value,)),))


# Convolutions ---------------------------------------------------------------------------


def conv_macs(layer: Layer, call: int) -> int:
    """The weights of one output channel, once per output element."""
    output = call_output(layer, call)
    channels = int(layer.config.get("out_channels") or output[1])
    return _weight_size(layer, "weight") // channels * numel(output, "output")


def conv_transpose_macs(layer: Layer, call: int) -> int:
    """Each input element is multiplied by the weights of one input channel."""
    source = call_input(layer, call)
    channels = int(layer.config.get("in_channels") or source[1])
    return _weight_size(layer, "weight") // channels * numel(source, "input")


_CONVS = tuple(f"{lazy}Conv{n}d" for lazy in ("", "Lazy") for n in (1, 2, 3))
_CONV_TRANSPOSES = tuple(f"{lazy}ConvTranspose{n}d" for lazy in ("", "Lazy") for n in (1, 2, 3))


def _channels(layer: Layer) -> tuple[list[int], Expr, Expr, Expr, int]:
    """Kernel sizes, the window ``k_h·k_w``, ``c_in``, ``c_out`` and the groups."""
    sizes = [int(size) for size in _config(layer, "kernel_size")]
    c_in = sym("c_in", _config(layer, "in_channels"))
    c_out = sym("c_out", _config(layer, "out_channels"))
    return sizes, kernel_window(sizes), c_in, c_out, int(layer.config.get("groups") or 1)


@knowledge.formula(*_CONVS, macs=conv_macs)
def conv(layer: Layer) -> Parts:
    """``(c_in/g·k_h·k_w + 1)·c_out``: each output channel sees ``c_in/g`` input channels."""
    sizes, window, c_in, c_out, groups = _channels(layer)
    per_output = per_group(c_in, groups)
    terms = [term("weight", (c_out.value, per_output.value, *sizes))]
    expression = _with_bias(per_output * window, layer, terms, (c_out.value,)) * c_out
    return Parts("conv", expression, tuple(terms))


@knowledge.formula(*_CONV_TRANSPOSES, macs=conv_transpose_macs)
def conv_transpose(layer: Layer) -> Parts:
    """``c_in·(c_out/g)·k_h·k_w + c_out``: the weight is stored input channels first."""
    sizes, window, c_in, c_out, groups = _channels(layer)
    per_input = per_group(c_out, groups)
    terms = [term("weight", (c_in.value, per_input.value, *sizes))]
    expression = c_in * per_input * window
    if _has(layer, "bias"):
        terms.append(term("bias", (c_out.value,)))
        expression = expression + c_out
    return Parts("conv_transpose", expression, tuple(terms))


# Normalisation ---------------------------------------------------------------------------

_BATCH_NORMS = (
    *(f"{lazy}BatchNorm{n}d" for lazy in ("", "Lazy") for n in (1, 2, 3)),
    "SyncBatchNorm",
)
_INSTANCE_NORMS = tuple(f"{lazy}InstanceNorm{n}d" for lazy in ("", "Lazy") for n in (1, 2, 3))


def _scale_and_shift(name: str, c: Expr, shape: tuple[int, ...], shift: bool) -> Parts:
    terms = [term("weight", shape)]
    if shift:
        terms.append(term("bias", shape))
    return Parts(name, (2 * c if shift else c), tuple(terms))


@knowledge.formula(*_BATCH_NORMS, *_INSTANCE_NORMS, macs=no_macs, kind="norm")
def channel_norm(layer: Layer) -> Parts:
    """γ and β per channel when affine; the running mean and variance are buffers."""
    c = sym("c", _config(layer, "num_features"))
    name = "instance_norm" if "Instance" in layer.class_name else "batch_norm"
    return _scale_and_shift(name, c, (c.value,), _has(layer, "bias"))


def _normalized(layer: Layer) -> tuple[Expr, tuple[int, ...]]:
    dims = tuple(int(d) for d in _config(layer, "normalized_shape"))
    if len(dims) == 1:
        return sym("d", dims[0]), dims
    return product(sym(f"d_{i + 1}", d) for i, d in enumerate(dims)), dims


@knowledge.formula("LayerNorm", "LayerNorm2d", macs=no_macs, kind="norm")
def layer_norm(layer: Layer) -> Parts:
    """γ and β (unless ``bias=False``) over the normalised shape."""
    d, dims = _normalized(layer)
    return _scale_and_shift("layer_norm", d, dims, _has(layer, "bias"))


@knowledge.formula("RMSNorm", macs=no_macs, kind="norm")
def rms_norm(layer: Layer) -> Parts:
    """One scale per element of the normalised shape."""
    d, dims = _normalized(layer)
    return Parts("rms_norm", d, (term("weight", dims),))


@knowledge.formula("GroupNorm", macs=no_macs, kind="norm")
def group_norm(layer: Layer) -> Parts:
    """γ and β per channel, whatever the number of groups."""
    c = sym("c", _config(layer, "num_channels"))
    return _scale_and_shift("group_norm", c, (c.value,), _has(layer, "bias"))


# Recurrent layers ------------------------------------------------------------------------

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}
_CELL_GATES = {"RNNCell": 1, "LSTMCell": 4, "GRUCell": 3}


def recurrent_macs(layer: Layer, call: int) -> int:
    """Every weight matrix once per time step and sequence (biases are additions)."""
    source = call_input(layer, call)
    width = int(layer.config.get("input_size") or source[-1])
    steps = numel(source, "input") // max(1, width)
    return steps * sum(w.size for w in layer.weights if w.name.startswith("weight"))


@knowledge.formula("RNN", "LSTM", "GRU", macs=recurrent_macs, kind="recurrent")
def recurrent(layer: Layer) -> Parts:
    """Per layer and direction: ``G·h·(n_in + h_out + 2)``, G gates of ``h`` units.

    Each gate has an input and a recurrent weight and PyTorch's two bias
    vectors (``bias_ih`` and ``bias_hh``). Layers after the first read the
    ``D·h_out`` outputs of the one below (``D`` directions); with ``proj_size``
    the output is projected to ``h_out = p`` by a further ``p×h`` matrix.
    """
    config = layer.config
    gates = _GATES[str(_config(layer, "mode"))]
    hidden = int(_config(layer, "hidden_size"))
    projected = int(config.get("proj_size") or 0)
    layers = int(config.get("num_layers") or 1)
    directions = 2 if config.get("bidirectional") else 1
    bias = bool(config.get("bias", True))
    h = sym("h", hidden)
    out_width = projected or hidden
    h_out = sym("p", projected) if projected else h
    gate_rows = times(gates, h)
    n_in = sym("n_in", _config(layer, "input_size"))
    d = sym("D", directions)
    below = times(d, h_out)

    def one(inputs: Expr) -> Expr:
        inner = inputs + h_out + 2 if bias else inputs + h_out
        cell = gate_rows * inner
        return cell + h_out * h if projected else cell

    expression = times(d, one(n_in))
    if layers > 1:
        expression = expression + times(d, times(sym("(L - 1)", layers - 1), one(below)))
    terms = []
    for index in range(layers):
        width_in = int(n_in.value) if index == 0 else directions * out_width
        for suffix in ("", "_reverse")[:directions]:
            terms.append(term(f"weight_ih_l{index}{suffix}", (gates * hidden, width_in)))
            terms.append(term(f"weight_hh_l{index}{suffix}", (gates * hidden, out_width)))
            if bias:
                terms.append(term(f"bias_ih_l{index}{suffix}", (gates * hidden,)))
                terms.append(term(f"bias_hh_l{index}{suffix}", (gates * hidden,)))
            if projected:
                terms.append(term(f"weight_hr_l{index}{suffix}", (projected, hidden)))
    name = {1: "rnn", 3: "gru", 4: "lstm"}[gates]
    return Parts(name, expression, tuple(terms))


@knowledge.formula("RNNCell", "LSTMCell", "GRUCell", macs=recurrent_macs, kind="recurrent")
def recurrent_cell(layer: Layer) -> Parts:
    """``G·h·(n_in + h + 2)`` for one step: the input and recurrent weights, two biases."""
    gates = _CELL_GATES[layer.class_name]
    n_in = sym("n_in", _config(layer, "input_size"))
    h = sym("h", _config(layer, "hidden_size"))
    bias = bool(layer.config.get("bias", True))
    rows = gates * h.value
    terms = [term("weight_ih", (rows, n_in.value)), term("weight_hh", (rows, h.value))]
    if bias:
        terms += [term("bias_ih", (rows,)), term("bias_hh", (rows,))]
    inner = n_in + h + 2 if bias else n_in + h
    return Parts(layer.class_name.lower(), times(gates, h) * inner, tuple(terms))


# Attention -------------------------------------------------------------------------------


def attention_macs(layer: Layer, call: int) -> int:
    """Projections of query, key and value, the scores, the weighted sum, the output."""
    query = call_input(layer, call)
    inputs = call_inputs(layer, call)
    key = inputs[1] if len(inputs) > 1 else query
    e = int(_config(layer, "embed_dim"))
    kdim = int(layer.config.get("kdim") or e)
    vdim = int(layer.config.get("vdim") or e)
    query_rows = numel(query, "query") // e
    key_rows = numel(key, "key") // kdim
    batch_first = bool(layer.config.get("batch_first"))
    batch = 1 if len(query) < 3 else int(query[0] if batch_first else query[1])
    query_steps, key_steps = query_rows // batch, key_rows // batch
    projections = query_rows * e * e + key_rows * (kdim + vdim) * e + query_rows * e * e
    return projections + 2 * batch * query_steps * key_steps * e


@knowledge.formula("MultiheadAttention", macs=attention_macs, kind="attention")
def multihead_attention(layer: Layer) -> Parts:
    """Query, key and value projections (packed as ``in_proj`` when all are ``E`` wide),
    their biases, and the output projection ``(E + 1)·E``."""
    config = layer.config
    e = sym("E", _config(layer, "embed_dim"))
    kdim = int(config.get("kdim") or e.value)
    vdim = int(config.get("vdim") or e.value)
    bias = _has(layer, "in_proj_bias")
    terms: list[Term] = []
    if config.get("qkv_same_embed_dim", kdim == e.value and vdim == e.value):
        terms.append(term("in_proj_weight", (3 * e.value, e.value)))
        projections = 3 * e * e
    else:
        d_k, d_v = sym("d_k", kdim), sym("d_v", vdim)
        terms += [
            term("q_proj_weight", (e.value, e.value)),
            term("k_proj_weight", (e.value, kdim)),
            term("v_proj_weight", (e.value, vdim)),
        ]
        projections = (e + d_k + d_v) * e
    expression = projections + 3 * e if bias else projections
    if bias:
        terms.append(term("in_proj_bias", (3 * e.value,)))
    if _has(layer, "bias_k"):
        terms += [term("bias_k", (1, 1, e.value)), term("bias_v", (1, 1, e.value))]
        expression = expression + 2 * e
    terms.append(term("out_proj.weight", (e.value, e.value)))
    output = e * e
    if bias:
        terms.append(term("out_proj.bias", (e.value,)))
        output = (e + 1) * e
    return Parts("multihead_attention", expression + output, tuple(terms))


def window_attention_macs(layer: Layer, call: int) -> int:
    """torchvision's Swin attention: qkv and output projections, and per window the scores
    and weighted sum over its ``w_h·w_w`` tokens (the image padded to whole windows)."""
    source = call_input(layer, call)
    window = [int(size) for size in _config(layer, "window_size")]
    height = math.ceil(int(source[-3]) / window[0]) * window[0]
    width = math.ceil(int(source[-2]) / window[1]) * window[1]
    channels = int(source[-1])
    tokens = int(source[0]) * height * width
    projections = _weight_size(layer, "qkv.weight") + _weight_size(layer, "proj.weight")
    return tokens * projections + 2 * tokens * math.prod(window) * channels


knowledge.define("ShiftedWindowAttentionV2", macs=window_attention_macs, kind="attention")


@knowledge.formula("ShiftedWindowAttention", macs=window_attention_macs, kind="attention")
def shifted_window_attention(layer: Layer) -> Parts:
    """torchvision's Swin attention: qkv ``3·(c + 1)·c``, output ``(c + 1)·c``, and a
    relative position bias per head for each of the ``(2w_h − 1)·(2w_w − 1)`` offsets."""
    c = sym("c", int(first_input_shape(layer)[-1]))
    heads = sym("h", _config(layer, "num_heads"))
    w_h, w_w = (int(size) for size in _config(layer, "window_size"))
    offsets = sym("(2·w_h - 1)", 2 * w_h - 1) * sym("(2·w_w - 1)", 2 * w_w - 1)
    table = ((2 * w_h - 1) * (2 * w_w - 1), heads.value)
    terms = (
        term("relative_position_bias_table", table),
        term("qkv.weight", (3 * c.value, c.value)),
        term("qkv.bias", (3 * c.value,)),
        term("proj.weight", (c.value, c.value)),
        term("proj.bias", (c.value,)),
    )
    expression = offsets * heads + 3 * (c + 1) * c + (c + 1) * c
    return Parts("shifted_window_attention", expression, terms)
