"""Flax layer knowledge: formula, MACs and diagram kind of ``nnx`` and ``linen`` layers.

NNX layers know their input size (``in_features``); a linen layer learns it
from its input, so its formula reads the last axis of the shape it was called
with. Batch statistics are not parameters, so no formula counts them. MACs are
counted as for PyTorch, for the input shape the page gives, batch included.
"""

from __future__ import annotations

import math
from typing import Any

from ..report import Layer, Term
from .expr import Expr, NotApplicable, term
from .toolkit import (
    Knowledge,
    Parts,
    call_input,
    call_output,
    dim,
    first_input_shape,
    kernel_window,
    no_macs,
    numel,
    per_group,
    sym,
)

FRAMEWORK = "flax"
knowledge = Knowledge(FRAMEWORK)

#: Diagram kinds by words in the class name (a project's own modules too): the first match wins.
KIND_WORDS = (
    ("attention", ("Attention",)),
    ("recurrent", ("LSTM", "GRU", "RNN")),
    ("conv", ("Conv",)),
    ("norm", ("Norm",)),
    ("dense", ("Linear", "Dense", "Embed")),
)
#: A container's own variable enters the graph like an input.
knowledge.define("Param", "BatchStat", macs=no_macs, kind="input")
knowledge.define("Dropout", macs=no_macs)


def _config(layer: Layer, *keys: str) -> Any:
    """The first of ``keys`` the config has (NNX and linen name some sizes differently)."""
    for key in keys:
        if key in layer.config:
            return layer.config[key]
    raise NotApplicable(f"the module's config has none of {', '.join(keys)}")


def _features_in(layer: Layer, key: str) -> int:
    """The input size: NNX's config value, else (linen) the input's last axis."""
    if key in layer.config:
        return int(layer.config[key])
    return dim(first_input_shape(layer), -1)


def _with_bias(expression: Expr, layer: Layer, terms: list[Term], features: int) -> Expr:
    if layer.config.get("use_bias", True):
        terms.append(term("bias", (features,)))
        return expression + 1
    return expression


def _kernel_size(layer: Layer) -> int:
    return sum(w.size for w in layer.weights if w.name == "kernel")


def dense_macs(layer: Layer, call: int) -> int:
    """The kernel once per position it is applied at (the output's features are its last
    axes: several for a DenseGeneral)."""
    features = math.prod(_sizes(_config(layer, "out_features", "features")))
    return _kernel_size(layer) * (numel(call_output(layer, call), "output") // max(1, features))


@knowledge.formula("Linear", "Dense", macs=dense_macs, kind="dense")
def dense(layer: Layer) -> Parts:
    """``(n_in + 1)·n_out``: a kernel entry per input and output, a bias per output."""
    n_in = sym("n_in", _features_in(layer, "in_features"))
    n_out = sym("n_out", _config(layer, "out_features", "features"))
    terms = [term("kernel", (n_in.value, n_out.value))]
    return Parts("dense", _with_bias(n_in, layer, terms, n_out.value) * n_out, tuple(terms))


@knowledge.formula("Embed", macs=no_macs, kind="dense")
def embed(layer: Layer) -> Parts:
    """A vector of ``d`` numbers for each of the ``n`` entries."""
    n = sym("n", _config(layer, "num_embeddings"))
    d = sym("d", _config(layer, "features"))
    return Parts("embedding", n * d, (term("embedding", (n.value, d.value)),))


def conv_macs(layer: Layer, call: int) -> int:
    """The weights of one output channel, once per output element (channels last)."""
    output = call_output(layer, call)
    return _kernel_size(layer) // max(1, int(output[-1])) * numel(output, "output")


def conv_transpose_macs(layer: Layer, call: int) -> int:
    """Each input element is multiplied by the weights of one input channel."""
    source = call_input(layer, call)
    return _kernel_size(layer) // max(1, int(source[-1])) * numel(source, "input")


@knowledge.formula("LinearGeneral", "DenseGeneral", macs=dense_macs, kind="dense")
def dense_general(layer: Layer) -> Parts:
    """``(n_in + 1)·n_out`` over several axes: ``n_in`` and ``n_out`` are products of sizes
    (attention's projections: ``n_out`` is heads × head size)."""
    inputs = _sizes(layer.config.get("in_features")) or _input_axes(layer)
    outputs = _sizes(_config(layer, "out_features", "features"))
    n_in = sym("n_in", math.prod(inputs))
    n_out = sym("n_out", math.prod(outputs))
    terms = [term("kernel", (*inputs, *outputs))]
    if layer.config.get("use_bias", True):
        terms.append(term("bias", outputs))
        n_in = n_in + 1
    return Parts("dense", n_in * n_out, tuple(terms))


def _sizes(value: Any) -> tuple[int, ...]:
    """A size or a list of sizes as a tuple (none for None)."""
    if value is None:
        return ()
    return tuple(int(size) for size in value) if isinstance(value, list) else (int(value),)


def _input_axes(layer: Layer) -> tuple[int, ...]:
    """The sizes of the input axes a linen DenseGeneral contracts (``axis``: the last)."""
    shape = first_input_shape(layer)
    return tuple(dim(shape, int(axis)) for axis in _sizes(layer.config.get("axis", -1)))


knowledge.define("ConvTranspose", macs=conv_transpose_macs)


@knowledge.formula("Conv", "ConvTranspose", kind="conv")
def conv(layer: Layer) -> Parts:
    """``(c_in/g·k_h·k_w + 1)·c_out``: each output channel sees ``c_in/g`` input channels."""
    sizes = [int(size) for size in _config(layer, "kernel_size")]
    c_in = sym("c_in", _features_in(layer, "in_features"))
    c_out = sym("c_out", _config(layer, "out_features", "features"))
    groups = int(layer.config.get("feature_group_count") or 1)
    per_output = per_group(c_in, groups)
    terms = [term("kernel", (*sizes, per_output.value, c_out.value))]
    expression = _with_bias(kernel_window(sizes) * per_output, layer, terms, c_out.value)
    return Parts("conv", expression * c_out, tuple(terms))


@knowledge.formula("LayerNorm", "BatchNorm", "GroupNorm", "RMSNorm", macs=no_macs, kind="norm")
def normalization(layer: Layer) -> Parts:
    """A scale and a bias per feature (RMSNorm: a scale only); batch statistics are state."""
    features = sym("c", _features_in(layer, "num_features"))
    terms = []
    count = 0
    names = ("scale",) if layer.class_name == "RMSNorm" else ("scale", "bias")
    for name in names:
        if layer.config.get(f"use_{name}", True):
            terms.append(term(name, (features.value,)))
            count += 1
    if not terms:
        raise NotApplicable("the layer has neither scale nor bias")
    expression = 2 * features if count == 2 else features
    return Parts(layer.class_name.lower(), expression, tuple(terms))
