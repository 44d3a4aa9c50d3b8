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

from ..report import Layer
from . import keras3
from .expr import NotApplicable, product, term
from .toolkit import Knowledge, Parts, call_input, dim, elements, first_input_shape, no_macs, sym

FRAMEWORK = "tf_keras"
knowledge = Knowledge(FRAMEWORK)

KIND_WORDS = tuple(
    (kind, (*words, "LocallyConnected") if kind == "conv" else words)
    for kind, words in keras3.KIND_WORDS
)

# Every Keras 3 rule holds for the Keras 2 class of the same name, unless replaced below.
knowledge.take_over(keras3.knowledge)

knowledge.define(
    *("ThresholdedReLU", "RandomFlip", "RandomCrop", "RandomRotation", "RandomZoom"),
    *("RandomTranslation", "RandomContrast", "RandomBrightness", "RandomHeight", "RandomWidth"),
    macs=no_macs,
)


@knowledge.formula("DepthwiseConv1D", "DepthwiseConv2D")
def depthwise_conv(layer: Layer) -> Parts:
    """Keras 3's depthwise formula; the kernel's name is ``depthwise_kernel`` in Keras 2."""
    parts = keras3.depthwise_conv(layer)
    terms = tuple(
        dataclasses.replace(t, name="depthwise_kernel") if t.name == "kernel" else t
        for t in parts.terms
    )
    return parts._replace(terms=terms)


@knowledge.formula("SyncBatchNormalization", macs=no_macs)
def sync_batch_normalization(layer: Layer) -> Parts:
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


@knowledge.formula("LocallyConnected1D", "LocallyConnected2D", macs=locally_connected_macs)
def locally_connected(layer: Layer) -> Parts:
    """``p·(k_h·k_w·c_in + 1)·f``: a convolution's weights at each of the ``p`` output positions.

    ``implementation=2`` stores the kernel as a dense masked matrix from every
    input value to every output value, ``(n_in + 1)·p·f`` with ``n_in`` the
    input's values; ``implementation=3`` stores only the window's values, flat.
    """
    config = layer.config
    spatial_in, spatial_out, channels = _locally_connected_sizes(layer)
    sizes, window = keras3.config_window(config)
    c_in = sym("c_in", channels)
    p = sym("p", math.prod(spatial_out))
    filters = sym("f", config["filters"])
    implementation = int(config.get("implementation") or 1)
    if implementation == 2:
        n_in = sym("n_in", math.prod(spatial_in) * channels)
        expression = keras3.plus_bias(n_in, config) * p * filters
        kernel = (*spatial_in, channels, *spatial_out, filters.value)
    else:
        expression = p * keras3.plus_bias(window * c_in, config) * filters
        per_position = math.prod(sizes) * channels
        kernel = (
            (p.value * per_position * filters.value,)
            if implementation == 3
            else (p.value, per_position, filters.value)
        )
    terms = keras3.with_bias_term([term("kernel", kernel)], config, (*spatial_out, filters.value))
    return Parts("locally_connected", expression, terms)


def random_fourier_features_macs(layer: Layer, call: int) -> int:
    """The projection of the input onto ``output_dim`` features."""
    return elements(call_input(layer, call), "input") * int(layer.config["output_dim"])


@knowledge.formula("RandomFourierFeatures", macs=random_fourier_features_macs)
def random_fourier_features(layer: Layer) -> Parts:
    """A fixed random kernel ``n_in·d`` and bias ``d``, and one learned scale (the layer is
    frozen by default: then none of them is trained)."""
    n_in = sym("n_in", dim(first_input_shape(layer), -1))
    d = sym("d", layer.config["output_dim"])
    terms = (
        term("kernel_scale", (1,)),
        term("unscaled_kernel", (n_in.value, d.value), trainable=False),
        term("bias", (d.value,), trainable=False),
    )
    return Parts("random_fourier_features", product([n_in, d]) + d + 1, terms)
