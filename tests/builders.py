"""Small real builders for the core tests: good ones, and every way a builder goes wrong."""

from __future__ import annotations

import keras
from keras import layers


def dense_chain(units: int = 8, depth: int = 2) -> keras.Model:
    inputs = keras.Input((16,), name="features")
    x = inputs
    for index in range(depth):
        x = layers.Dense(units, name=f"dense_{index}")(x)
    return keras.Model(inputs, x, name="dense_chain")


def huge_dense() -> keras.Model:
    """2,500,050,000 parameters: only a shape-only build can summarise it here."""
    inputs = keras.Input((50_000,))
    return keras.Model(inputs, layers.Dense(50_000)(inputs), name="huge")


def reads_weight_values() -> keras.Model:
    """Needs real variable values, so it cannot run in the shape-only scope."""
    model = dense_chain()
    total = float(keras.ops.sum(model.layers[1].kernel))
    if total != total:  # NaN: values are not there
        raise ValueError("weights are not initialised")
    return model


def tied_embeddings() -> keras.Model:
    """One embedding matrix used twice: its parameters must count once."""
    embedding = layers.Embedding(100, 8, name="shared_embedding")
    first = keras.Input((5,), dtype="int32", name="first")
    second = keras.Input((5,), dtype="int32", name="second")
    joined = layers.Concatenate(name="joined")([embedding(first), embedding(second)])
    return keras.Model([first, second], joined, name="tied")


class Unbuilt(keras.Model):
    """A subclassed model that is only built when called: it needs an input shape."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(4)
        self.out = layers.Dense(2)

    def call(self, inputs):
        return self.out(self.hidden(inputs))


def raising_builder() -> keras.Model:
    return _helper_that_fails(3)


def _helper_that_fails(width: int) -> keras.Model:
    raise RuntimeError(f"width {width} is not supported by this block")


def not_a_model() -> dict:
    return {"layers": 3}


def mismatched_shapes() -> keras.Model:
    inputs = keras.Input((4,))
    return keras.Model(inputs, layers.Add()([inputs, layers.Dense(3)(inputs)]))


NOT_A_MODEL_OBJECT = None


def refuses_stateless_scope() -> keras.Model:
    """Stands for a builder that needs real values (loads weights, runs data)."""
    from keras.src.backend.common.stateless_scope import in_stateless_scope

    if in_stateless_scope():
        raise RuntimeError("this builder needs real weights")
    return dense_chain()


def hangs() -> keras.Model:
    import time

    time.sleep(3600)
    return dense_chain()


def exits_the_process() -> keras.Model:
    import os

    os._exit(3)


def calls_sys_exit() -> keras.Model:
    import sys

    sys.exit(2)


def segfaults() -> keras.Model:
    import ctypes

    ctypes.string_at(0)
    return dense_chain()


def chatty() -> keras.Model:
    """Prints to standard output, which must not confuse the worker's answers."""
    print('{"ok": false, "kind": "fake", "message": "printed by the user"}')
    return dense_chain()


def cost_zoo() -> keras.Model:
    """One layer of every kind the MAC counts know, at sizes easy to count by hand."""
    image = keras.Input((8, 8, 3), name="image")
    x = layers.Conv2D(4, 3, padding="same", name="conv")(image)  # 8·8 · 3·3·3·4
    x = layers.DepthwiseConv2D(3, padding="same", name="depthwise")(x)  # 8·8 · 3·3·4
    x = layers.SeparableConv2D(6, 3, padding="same", name="separable")(x)  # 8·8·(36 + 24)
    x = layers.BatchNormalization(name="norm")(x)  # 8·8·6
    x = layers.MaxPooling2D(2, name="pool")(x)  # 4·4·6 · 2·2
    x = layers.Conv2DTranspose(2, 3, strides=2, padding="same", name="transpose")(x)  # 4·4·3·3·6·2
    x = layers.GlobalAveragePooling2D(name="global_pool")(x)  # 8·8·2
    sequence = keras.Input((5, 3), name="sequence")
    y = layers.LSTM(4, return_sequences=True, name="lstm")(sequence)  # 5 · 4·(3 + 4)·4
    y = layers.GRU(2, return_sequences=True, name="gru")(y)  # 5 · 3·(4 + 2)·2
    y = layers.MultiHeadAttention(num_heads=2, key_dim=3, name="attention")(y, y)
    y = layers.EinsumDense("abc,cd->abd", output_shape=(5, 7), name="einsum")(y)  # 5·2·7
    y = layers.Flatten(name="flatten")(y)
    joined = layers.Concatenate(name="joined")([x, y])
    return keras.Model([image, sequence], layers.Dense(3, name="dense")(joined), name="zoo")


def mixed_precision() -> keras.Model:
    """A float16 layer after a float32 one: sizes must follow each weight's own dtype."""
    inputs = keras.Input((8,))
    hidden = layers.Dense(4, name="wide")(inputs)  # 36 float32
    return keras.Model(inputs, layers.Dense(2, dtype="float16", name="half")(hidden))  # 10 float16


class ScaledOutput(keras.Model):
    """A model holding a weight of its own beside its layers (a learned output scale)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.project = layers.Dense(4)
        self.scale = self.add_weight(shape=(4,), initializer="ones", name="scale")
        self.shift = self.add_weight(shape=(4,), initializer="zeros", trainable=False, name="shift")

    def call(self, inputs):
        return self.project(inputs) * self.scale + self.shift


class TiedOutput(layers.Layer):
    """Projects back to the vocabulary with the embedding's own matrix (weight tying): one
    variable, a weight of two layers, not a shared layer; it must count once."""

    def __init__(self, matrix: keras.Variable, **kwargs):
        super().__init__(**kwargs)
        self.tied = matrix

    def build(self, input_shape):
        self.bias = self.add_weight(shape=(self.tied.shape[0],), name="bias")

    def call(self, inputs):
        return keras.ops.matmul(inputs, keras.ops.transpose(self.tied)) + self.bias


def tied_output_projection() -> keras.Model:
    """A language-model head tied to its embedding: 100·8 embedding, Dense(8) 8·8 + 8, and
    the head's own 100 biases."""
    tokens = keras.Input((5,), dtype="int32", name="tokens")
    embedding = layers.Embedding(100, 8, name="embedding")
    hidden = layers.Dense(8, name="hidden")(embedding(tokens))
    head = TiedOutput(embedding.embeddings, name="tied_head")
    return keras.Model(tokens, head(hidden), name="tied_head")


def two_layers_reused_in_a_loop() -> keras.Model:
    """Two layers each called twice on a chain, so each call is a box of its own."""
    first, second = layers.Dense(4, name="first"), layers.Dense(4, name="second")
    inputs = keras.Input((4,), name="features")
    x = layers.Dense(4, name="middle")(second(first(inputs)))
    x = layers.Dense(4, name="other")(first(x))
    return keras.Model(inputs, second(x), name="reused_twice")
