"""Small real Keras 2 (``tf_keras``) builders for the tf_keras tests, good and bad."""

from __future__ import annotations

import os
import time

import tf_keras
from tf_keras import layers


def dense_chain(units: int = 8, depth: int = 2) -> tf_keras.Model:
    inputs = tf_keras.Input((16,), name="features")
    x = inputs
    for index in range(depth):
        x = layers.Dense(units, name=f"dense_{index}")(x)
    return tf_keras.Model(inputs, x, name="dense_chain")


def dense_stack(width: int = 16_384, depth: int = 10) -> tf_keras.Model:
    """``depth`` Dense layers of ``width`` units: 2,684,518,400 parameters by default."""
    inputs = tf_keras.Input((width,))
    x = inputs
    for _ in range(depth):
        x = layers.Dense(width)(x)
    return tf_keras.Model(inputs, x, name="dense_stack")


def reads_weight_values() -> tf_keras.Model:
    """Reads a kernel as numbers: a shape-only graph has none, so it is run again eagerly."""
    model = dense_chain()
    if not model.layers[1].kernel.numpy().any():
        raise ValueError("the kernel is all zeros")
    return model


def sets_weights() -> tf_keras.Model:
    """Sets weights as a checkpoint would (this opens a session on a TF1-style graph)."""
    model = dense_chain()
    model.set_weights([w * 0 + 1 for w in model.get_weights()])
    return model


class Unbuilt(tf_keras.Model):
    """A subclassed model that is only built when called: it needs an input shape."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(4)
        self.out = layers.Dense(2)

    def call(self, inputs):
        return self.out(self.hidden(inputs))


class SharedTwice(tf_keras.Model):
    """One Dense called at two places of ``call``; Keras 2's summary says ``multiple``."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.project = layers.Dense(8, name="project")
        self.mix = layers.Dense(8, name="mix")
        self.add = layers.Add(name="add")

    def call(self, inputs):
        first = self.project(inputs)
        second = self.project(self.mix(first))
        return self.add([first, second])


def built_shared_twice() -> tf_keras.Model:
    model = SharedTwice(name="shared_twice")
    model.build((None, 8))
    return model


def nested_functional() -> tf_keras.Model:
    """A Sequential inside a functional model inside a functional model."""
    block = tf_keras.Sequential(
        [tf_keras.Input((6,)), layers.Dense(5, name="inner_dense"), layers.ReLU()], name="block"
    )
    middle_input = tf_keras.Input((6,))
    middle = tf_keras.Model(middle_input, layers.Dense(3, name="head")(block(middle_input)))
    inputs = tf_keras.Input((6,), name="features")
    return tf_keras.Model(inputs, middle(inputs), name="outer")


def frozen_layer() -> tf_keras.Model:
    """A layer set not trainable: Keras 2 keeps its variables ``trainable`` but counts them not."""
    model = dense_chain()
    model.get_layer("dense_0").trainable = False
    return model


def mismatched_shapes() -> tf_keras.Model:
    inputs = tf_keras.Input((4,))
    return tf_keras.Model(inputs, layers.Add()([inputs, layers.Dense(3)(inputs)]))


class FailsOnCall(tf_keras.Model):
    """Its ``call`` adds tensors of different widths: the trace fails on the given shape."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(3)

    def call(self, inputs):
        return self.dense(inputs) + inputs


def hangs() -> tf_keras.Model:
    time.sleep(3600)
    return dense_chain()


def segfaults() -> tf_keras.Model:
    os.kill(os.getpid(), 11)
    return dense_chain()


def every_weighted_layer() -> tf_keras.Model:
    """One of each weighted Keras 2 layer class (and wrapper), channels last."""
    image = tf_keras.Input((12, 10, 3), name="image")
    volume = tf_keras.Input((6, 6, 6, 2), name="volume")
    sequence = tf_keras.Input((7, 5), name="sequence")
    tokens = tf_keras.Input((7,), dtype="int32", name="tokens")
    frames = tf_keras.Input((4, 8, 8, 2), name="frames")
    x = layers.Conv2D(8, 3, padding="same")(image)
    x = layers.Conv2D(8, 3, groups=2, use_bias=False)(x)
    x = layers.BatchNormalization(renorm=True)(x)
    x = layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same")(x)
    x = layers.SeparableConv2D(6, 3, depth_multiplier=2)(x)
    x = layers.Conv2DTranspose(4, 3)(x)
    x = layers.LayerNormalization()(x)
    x = layers.GroupNormalization(2)(x)
    x = layers.LocallyConnected2D(3, 3)(x)
    x = layers.LocallyConnected2D(2, 2, implementation=2)(x)
    x = layers.LocallyConnected2D(2, 2, implementation=3, use_bias=False)(x)
    x = layers.PReLU(shared_axes=[1, 2])(x)
    x = layers.Flatten()(x)
    x = layers.experimental.SyncBatchNormalization()(x)
    x = layers.Normalization()(x)
    image_features = layers.Dense(8)(x)

    v = layers.Conv3D(4, 3)(volume)
    v = layers.Conv3DTranspose(3, 2)(v)
    v = layers.Reshape((5 * 5 * 5, 3))(v)
    v = layers.Conv1D(4, 3)(v)
    v = layers.DepthwiseConv1D(3)(v)
    v = layers.SeparableConv1D(4, 3)(v)
    v = layers.Conv1DTranspose(4, 3)(v)
    v = layers.LocallyConnected1D(2, 3)(v)
    v = layers.LocallyConnected1D(2, 3, implementation=2)(v)
    volume_features = layers.GlobalAveragePooling1D()(v)

    s = layers.SimpleRNN(6, return_sequences=True)(sequence)
    s = layers.LSTM(6, return_sequences=True)(s)
    s = layers.GRU(6, return_sequences=True)(s)
    s = layers.GRU(6, reset_after=False, return_sequences=True)(s)
    s = layers.Bidirectional(layers.LSTM(4, return_sequences=True))(s)
    s = layers.RNN(layers.GRUCell(5), return_sequences=True)(s)
    s = layers.TimeDistributed(layers.Dense(6))(s)
    attended = layers.MultiHeadAttention(2, 4)(s, s)
    attended = layers.MultiHeadAttention(2, 3, value_dim=5, use_bias=False)(attended, s)
    scored = layers.Attention(use_scale=True, score_mode="concat")([attended, s])
    scored = layers.AdditiveAttention()([scored, s])
    e = layers.Embedding(50, 6)(tokens)
    e = layers.EinsumDense("abc,cd->abd", output_shape=(7, 6), bias_axes="d")(e)
    sequence_features = layers.Flatten()(layers.Concatenate()([scored, e]))

    f = layers.ConvLSTM2D(3, 3, return_sequences=True)(frames)
    f = layers.TimeDistributed(layers.Conv2D(2, 3))(f)
    f = layers.ConvLSTM1D(2, 2)(layers.Reshape((4, 4 * 4, 2))(f))
    frame_features = layers.experimental.RandomFourierFeatures(5)(layers.Flatten()(f))

    joined = layers.Concatenate()(
        [image_features, volume_features, sequence_features, frame_features]
    )
    return tf_keras.Model([image, volume, sequence, tokens, frames], joined, name="zoo")


#: A model object made when the module is imported (a target may name one).
MODEL_OBJECT = dense_chain(units=4)


def sets_channels_first() -> tf_keras.Model:
    """Changes Keras 2's global image data format and float type, as some projects do."""
    tf_keras.backend.set_image_data_format("channels_first")
    tf_keras.backend.set_floatx("float16")
    return dense_chain()


class ScaledOutput(tf_keras.Model):
    """A model holding weights of its own, made in ``build`` as Keras 2 code does."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.project = layers.Dense(4)

    def build(self, input_shape):
        self.scale = self.add_weight("scale", shape=(4,), initializer="ones")
        self.shift = self.add_weight("shift", shape=(4,), initializer="zeros", trainable=False)
        super().build(input_shape)

    def call(self, inputs):
        return self.project(inputs) * self.scale + self.shift
