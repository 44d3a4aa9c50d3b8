"""Keras 2 (``tf_keras``) layer knowledge: each layer class's formula, MACs and diagram kind.

Keras 2 and Keras 3 share most layer classes, with the same weights and the
config keys the formulas read, so every Keras 3 rule holds here too and is
taken over as it is (:mod:`.keras3`). What differs is written below:

- ``DepthwiseConv1D``/``DepthwiseConv2D`` call their kernel ``depthwise_kernel``;
- ``LocallyConnected1D``/``LocallyConnected2D`` (Keras 2 only): a convolution
  with its own weights at every output position, stored three ways
  (``implementation`` 1, 2 or 3);
- ``SyncBatchNormalization`` (Keras 2's experimental name) is a batch norm;
- ``RandomFourierFeatures`` (Keras 2 only): a fixed random projection and its
  learned scale.

MACs follow the Keras 3 convention (:mod:`.keras3`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

from ..report import Formula, Layer
from . import keras3
from .expr import NotApplicable, make_formula, product, term
from .registry import MacsFunction, Unknown, define, elements, rules

FRAMEWORK = "tf_keras"

KIND_WORDS = tuple(
    (kind, (*words, "LocallyConnected") if kind == "conv" else words)
    for kind, words in keras3.KIND_WORDS
)

# Every Keras 3 rule holds for the Keras 2 class of the same name, unless replaced below.
for _name, _rule in rules(keras3.FRAMEWORK).items():
    define(FRAMEWORK, _name, formula=_rule.formula, macs=_rule.macs, kind=_rule.kind)

define(
    FRAMEWORK,
    *("ThresholdedReLU", "RandomFlip", "RandomCrop", "RandomRotation", "RandomZoom"),
    *("RandomTranslation", "RandomContrast", "RandomBrightness", "RandomHeight", "RandomWidth"),
    macs=keras3.no_macs,
)


def _formula(
    *class_names: str, macs: MacsFunction | None = None
) -> Callable[[keras3.PartsFunction], keras3.PartsFunction]:
    """Register a parts function as these classes' Keras 2 formula (and MACs)."""

    def decorate(function: keras3.PartsFunction) -> keras3.PartsFunction:
        def as_formula(layer: Layer) -> Formula:
            return make_formula(*function(layer))

        define(FRAMEWORK, *class_names, formula=as_formula, macs=macs)
        return function

    return decorate


@_formula("DepthwiseConv1D", "DepthwiseConv2D")
def depthwise_conv(layer: Layer) -> keras3.Parts:
    """Keras 3's depthwise formula; the kernel's name is ``depthwise_kernel`` in Keras 2."""
    parts = keras3.depthwise_conv(layer)
    terms = tuple(
        dataclasses.replace(t, name="depthwise_kernel") if t.name == "kernel" else t
        for t in parts.terms
    )
    return parts._replace(terms=terms)


@_formula("SyncBatchNormalization", macs=keras3.normalization_macs)
def sync_batch_normalization(layer: Layer) -> keras3.Parts:
    return keras3.batch_normalization(layer)


def _locally_connected_sizes(layer: Layer) -> tuple[list[int], list[int], int]:
    """Input positions, output positions (per spatial axis) and input channels."""
    if layer.config.get("data_format") == "channels_first":
        raise NotApplicable("channels_first LocallyConnected layers are explained by their weights")
    if not layer.input_shapes or not layer.output_shapes:
        raise NotApplicable("the layer was never called, so its positions are unknown")
    given, made = layer.input_shapes[0][0], layer.output_shapes[0][0]
    if any(dim is None for dim in (*given[1:], *made[1:])):
        raise NotApplicable(f"the positions of {given} → {made} are not all known")
    return [int(d) for d in given[1:-1]], [int(d) for d in made[1:-1]], int(given[-1])


def locally_connected_macs(layer: Layer, call: int) -> int:
    """A window of every input channel per output position and filter, as a convolution."""
    _, positions, c_in = _locally_connected_sizes(layer)
    window = math.prod(int(size) for size in layer.config["kernel_size"])
    return math.prod(positions) * window * c_in * int(layer.config["filters"])


@_formula("LocallyConnected1D", "LocallyConnected2D", macs=locally_connected_macs)
def locally_connected(layer: Layer) -> keras3.Parts:
    """``p·(k_h·k_w·c_in + 1)·f``: a convolution's weights at each of the ``p`` output positions.

    ``implementation=2`` stores the kernel as a dense masked matrix from every
    input value to every output value, ``(n_in + 1)·p·f`` with ``n_in`` the
    input's values; ``implementation=3`` stores only the window's values, flat.
    """
    config = layer.config
    spatial_in, spatial_out, channels = _locally_connected_sizes(layer)
    sizes, window = keras3._window(config)
    c_in = keras3._sym("c_in", channels)
    p = keras3._sym("p", math.prod(spatial_out))
    filters = keras3._sym("f", config["filters"])
    implementation = int(config.get("implementation") or 1)
    if implementation == 2:
        n_in = keras3._sym("n_in", math.prod(spatial_in) * channels)
        expression = keras3._bias(n_in, config) * p * filters
        kernel = (*spatial_in, channels, *spatial_out, filters.value)
    else:
        expression = p * keras3._bias(window * c_in, config) * filters
        per_position = math.prod(sizes) * channels
        kernel = (
            (p.value * per_position * filters.value,)
            if implementation == 3
            else (p.value, per_position, filters.value)
        )
    terms = keras3._with_bias_terms([term("kernel", kernel)], config, (*spatial_out, filters.value))
    return keras3.Parts("locally_connected", expression, terms)


def random_fourier_features_macs(layer: Layer, call: int) -> int:
    """The projection of the input onto ``output_dim`` features."""
    inputs = layer.input_shapes[call] if call < len(layer.input_shapes) else ()
    if not inputs:
        raise Unknown("the layer was never called")
    return elements(inputs[0], "input") * int(layer.config["output_dim"])


@_formula("RandomFourierFeatures", macs=random_fourier_features_macs)
def random_fourier_features(layer: Layer) -> keras3.Parts:
    """A fixed random kernel ``n_in·d`` and bias ``d``, and one learned scale (the layer is
    frozen by default: then none of them is trained)."""
    n_in = keras3._sym("n_in", keras3._dim(keras3._input_shape(layer), -1))
    d = keras3._sym("d", layer.config["output_dim"])
    terms = (
        term("kernel_scale", (1,)),
        term("unscaled_kernel", (n_in.value, d.value), trainable=False),
        term("bias", (d.value,), trainable=False),
    )
    return keras3.Parts("random_fourier_features", product([n_in, d]) + d + 1, terms)
