"""Models built from composite layers: blocks that are plain ``keras.layers.Layer``s holding
sublayers, the same blocks as ``keras.Model``s, and small keras-hub backbones (no weights,
nothing downloaded: each is built from its constructor)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import keras
from keras import layers

#: What the blocks are made of in Keras 3.
KIT = SimpleNamespace(Model=keras.Model, layers=layers, relu=keras.ops.relu)


def _conv_block(base: type, kit: Any) -> type:
    """``kit`` holds ``layers`` and ``relu``: Keras 3's here, Keras 2's for the twin."""

    class ConvBlock(base):  # type: ignore[misc, valid-type]
        """Conv → BatchNorm → ReLU, with a 1×1 projection of the input added back."""

        def __init__(self, filters: int, **kwargs):
            super().__init__(**kwargs)
            self.conv = kit.layers.Conv2D(filters, 3, padding="same", name="conv")
            self.norm = kit.layers.BatchNormalization(name="norm")
            self.project = kit.layers.Conv2D(filters, 1, name="project")

        def call(self, inputs):
            return kit.relu(self.norm(self.conv(inputs))) + self.project(inputs)

    return ConvBlock


def block_net(base: type, kit: Any = KIT) -> Any:
    block = _conv_block(base, kit)

    class BlockNet(kit.Model):
        """Two blocks, a shared block called twice, and a head."""

        def __init__(self, **kwargs):
            super().__init__(name="block_net", **kwargs)
            self.first = block(8, name="first")
            self.second = block(16, name="second")
            self.shared = block(16, name="shared")
            self.pool = kit.layers.GlobalAveragePooling2D(name="pool")
            self.head = kit.layers.Dense(10, name="head")

        def call(self, inputs):
            x = self.second(self.first(inputs))
            x = self.shared(self.shared(x))
            return self.head(self.pool(x))

    model = BlockNet()
    model.build((None, 32, 32, 3))
    return model


def layer_blocks() -> keras.Model:
    """Blocks subclassing keras.layers.Layer."""
    return block_net(layers.Layer)


def model_blocks() -> keras.Model:
    """The same blocks subclassing keras.Model."""
    return block_net(keras.Model)


def functional_of_layer_blocks() -> keras.Model:
    """A functional model calling one composite layer twice (two inputs)."""
    block = _conv_block(layers.Layer, KIT)(4, name="block")
    left = keras.Input((16, 16, 3), name="left")
    right = keras.Input((16, 16, 3), name="right")
    joined = layers.Concatenate(name="join")([block(left), block(right)])
    return keras.Model([left, right], layers.Flatten(name="flat")(joined), name="two_calls")


# keras-hub backbones, small configs --------------------------------------------------------


#: Small configs of each backbone's constructor: two blocks, width 16.
_SMALL = {
    "BertBackbone": dict(num_heads=2, intermediate_dim=32, max_sequence_length=24),
    "GPT2Backbone": dict(num_heads=2, intermediate_dim=32, max_sequence_length=24),
    "LlamaBackbone": dict(num_query_heads=4, num_key_value_heads=2, intermediate_dim=32),
    "GemmaBackbone": dict(
        num_query_heads=2, num_key_value_heads=1, intermediate_dim=32, head_dim=8
    ),
}


def _backbone(name: str, **config):
    import keras_hub

    return getattr(keras_hub.models, name)(num_layers=2, hidden_dim=16, **config)


def _text_backbone(name: str):
    return _backbone(name, vocabulary_size=100, **_SMALL[name])


def bert():
    return _text_backbone("BertBackbone")


def gpt2():
    return _text_backbone("GPT2Backbone")


def llama():
    return _text_backbone("LlamaBackbone")


def gemma():
    return _text_backbone("GemmaBackbone")


def vit():
    return _backbone("ViTBackbone", image_shape=(32, 32, 3), patch_size=8, num_heads=2, mlp_dim=32)


class ScaledDense(layers.Dense):
    """A Dense with one more weight of its own: Dense's formula no longer gives its count."""

    def build(self, input_shape):
        super().build(input_shape)
        self.gain = self.add_weight(shape=(self.units,), name="gain")

    def call(self, inputs):
        return super().call(inputs) * self.gain


class PlainDense(layers.Dense):
    """A Dense under another name: Dense's formula gives its count."""


def dense_subclasses() -> keras.Model:
    inputs = keras.Input((6,), name="features")
    x = PlainDense(4, name="plain")(inputs)
    return keras.Model(inputs, ScaledDense(3, name="scaled")(x), name="dense_subclasses")


class ManyWeights(layers.Layer):
    """A layer of its own with 24 weights: no formula knows it, so the fallback is long."""

    def build(self, input_shape):
        for index in range(24):
            self.add_weight(shape=(input_shape[-1], 16), name=f"w_{index}")

    def call(self, inputs):
        return inputs


def many_weights() -> keras.Model:
    inputs = keras.Input((16,), name="features")
    return keras.Model(inputs, ManyWeights(name="many")(inputs), name="many_weights")


def huge_dense_stack() -> keras.Model:
    """Ten Dense(16384) layers: 2,684,518,400 parameters, 10.7 GB as float32."""
    inputs = keras.Input((16_384,), name="features")
    x = inputs
    for index in range(10):
        x = layers.Dense(16_384, name=f"dense_{index}")(x)
    return keras.Model(inputs, x, name="huge_dense_stack")


class Picky(layers.Layer):
    """A user's layer that refuses inputs without 8 features."""

    def call(self, inputs):
        if inputs.shape[-1] != 8:
            raise ValueError(f"Picky needs 8 features, got {inputs.shape[-1]}")
        return inputs


class PickyModel(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(name="picky_model", **kwargs)
        self.dense = layers.Dense(4, name="dense")
        self.picky = Picky(name="picky")

    def call(self, inputs):
        return self.picky(self.dense(inputs))


class FlattenDense(keras.Model):
    """Weights that depend on the image size: it cannot be summarised with the size open."""

    def __init__(self, **kwargs):
        super().__init__(name="flatten_dense", **kwargs)
        self.flatten = layers.Flatten(name="flatten")
        self.dense = layers.Dense(2, name="dense")

    def call(self, inputs):
        return self.dense(self.flatten(inputs))


class ScaledBlock(layers.Layer):
    """A block with a weight of its own (a learned scale) beside its sublayer."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.inner = layers.Dense(4, name="inner")

    def build(self, input_shape):
        self.inner.build(input_shape)
        self.scale = self.add_weight(shape=(4,), initializer="ones", name="scale")

    def call(self, inputs):
        return self.inner(inputs) * self.scale


def scaled_block() -> keras.Model:
    inputs = keras.Input((3,), name="features")
    return keras.Model(inputs, ScaledBlock(name="block")(inputs), name="scaled")


def plain_block() -> keras.Model:
    inputs = keras.Input((3,), name="features")
    return keras.Model(inputs, layers.Dense(4, name="inner")(inputs), name="plain")
