"""Small real Keras models, one per family of layers, for the formula tests.

Each builder puts several configurations of its layers side by side (bias off,
groups, depth multiplier, reset_after, center=False, ...) under fixed names,
so one shape-only build per family serves every test of that family.
"""

from __future__ import annotations

import keras
from keras import layers


def dense_family() -> keras.Model:
    flat = keras.Input((10,), name="flat")
    sequence = keras.Input((4, 10), name="sequence")
    outputs = [
        layers.Dense(7, name="dense")(flat),
        layers.Dense(7, use_bias=False, name="dense_no_bias")(flat),
        layers.Dense(5, name="dense_on_sequence")(sequence),
        layers.EinsumDense("ab,bc->ac", output_shape=5, bias_axes="c", name="einsum")(flat),
        layers.EinsumDense("abc,cd->abd", output_shape=(4, 6), name="einsum_no_bias")(sequence),
        layers.EinsumDense(
            "...b,bcd->...cd", output_shape=(3, 2), bias_axes="cd", name="einsum_ellipsis"
        )(sequence),
        layers.Dense(4, lora_rank=2, name="dense_lora")(flat),
        layers.EinsumDense(
            "ab,bc->ac", output_shape=5, bias_axes="c", lora_rank=3, name="einsum_lora"
        )(flat),
        layers.PReLU(name="prelu")(sequence),
        layers.PReLU(shared_axes=[1], name="prelu_shared")(sequence),
    ]
    tokens = keras.Input((6,), dtype="int32", name="tokens")
    outputs.append(layers.Embedding(100, 8, name="embedding")(tokens))
    outputs.append(layers.Embedding(10, 4, lora_rank=2, name="embedding_lora")(tokens))
    reversible = layers.ReversibleEmbedding(50, 4, tie_weights=False, name="reversible")
    outputs.append(reversible(tokens))
    return keras.Model([flat, sequence, tokens], outputs, name="dense_family")


def conv_family() -> keras.Model:
    image = keras.Input((32, 32, 3), name="image")
    wide = keras.Input((16, 16, 64), name="wide")
    signal = keras.Input((50, 6), name="signal")
    volume = keras.Input((8, 8, 8, 32), name="volume")
    channels_first = keras.Input((3, 20, 20), name="channels_first")
    c5 = keras.Input((7, 7, 2048), name="c5")
    outputs = [
        layers.Conv2D(16, 3, name="conv")(image),
        layers.Conv2D(256, 1, name="pointwise")(c5),
        layers.Conv2D(16, 3, use_bias=False, name="conv_no_bias")(image),
        layers.Conv2D(32, 3, groups=4, name="conv_groups")(wide),
        layers.Conv2D(8, 3, data_format="channels_first", name="conv_first")(channels_first),
        layers.Conv1D(12, 5, name="conv1d")(signal),
        layers.Conv1D(12, 3, groups=2, use_bias=False, name="conv1d_groups")(signal),
        layers.Conv3D(32, 5, name="conv3d")(volume),
        layers.Conv1DTranspose(4, 3, name="conv1d_transpose")(signal),
        layers.Conv2DTranspose(8, (3, 2), name="conv2d_transpose")(image),
        layers.Conv3DTranspose(2, 3, use_bias=False, name="conv3d_transpose")(volume),
        layers.DepthwiseConv2D(3, name="depthwise")(image),
        layers.DepthwiseConv2D(3, depth_multiplier=2, use_bias=False, name="depthwise_m2")(wide),
        layers.DepthwiseConv1D(5, depth_multiplier=3, name="depthwise1d")(signal),
        layers.SeparableConv2D(24, 3, name="separable")(image),
        layers.SeparableConv2D(10, 3, depth_multiplier=2, use_bias=False, name="separable_m2")(
            wide
        ),
        layers.SeparableConv1D(9, 3, name="separable1d")(signal),
    ]
    inputs = [image, wide, signal, volume, channels_first, c5]
    return keras.Model(inputs, outputs, name="conv_family")


def norm_family() -> keras.Model:
    image = keras.Input((6, 6, 12), name="image")
    sequence = keras.Input((5, 20), name="sequence")
    outputs = [
        layers.BatchNormalization(name="batch_norm")(image),
        layers.BatchNormalization(center=False, name="batch_norm_no_center")(image),
        layers.BatchNormalization(scale=False, center=False, name="batch_norm_bare")(image),
        layers.BatchNormalization(axis=1, name="batch_norm_axis1")(image),
        layers.BatchNormalization(renorm=True, name="batch_renorm")(image),
        layers.LayerNormalization(name="layer_norm")(sequence),
        layers.LayerNormalization(axis=[1, 2], scale=False, name="layer_norm_axes")(sequence),
        layers.LayerNormalization(rms_scaling=True, name="layer_norm_rms")(sequence),
        layers.GroupNormalization(groups=4, name="group_norm")(image),
        layers.GroupNormalization(groups=3, center=False, name="group_norm_no_center")(image),
        layers.RMSNormalization(name="rms_norm")(sequence),
        layers.UnitNormalization(name="unit_norm")(sequence),
        layers.Normalization(name="normalization")(image),
        layers.Normalization(axis=(1, 3), name="normalization_axes")(image),
        layers.SpectralNormalization(layers.Dense(9), name="spectral_dense")(sequence),
        layers.SpectralNormalization(layers.Conv2D(5, 3), name="spectral_conv")(image),
    ]
    return keras.Model([image, sequence], outputs, name="norm_family")


def rnn_family() -> keras.Model:
    sequence = keras.Input((7, 10), name="sequence")
    frames = keras.Input((3, 12, 12, 4), name="frames")
    signals = keras.Input((3, 20, 6), name="signals")
    volumes = keras.Input((2, 6, 6, 6, 2), name="volumes")
    outputs = [
        layers.SimpleRNN(16, name="simple_rnn")(sequence),
        layers.SimpleRNN(16, use_bias=False, name="simple_rnn_no_bias")(sequence),
        layers.LSTM(32, name="lstm")(sequence),
        layers.LSTM(8, use_bias=False, name="lstm_no_bias")(sequence),
        layers.GRU(12, name="gru")(sequence),
        layers.GRU(12, reset_after=False, name="gru_v1")(sequence),
        layers.RNN(layers.LSTMCell(6), name="rnn_lstm_cell")(sequence),
        layers.ConvLSTM1D(5, 3, name="conv_lstm1d")(signals),
        layers.ConvLSTM2D(8, 3, name="conv_lstm2d")(frames),
        layers.ConvLSTM3D(3, 2, use_bias=False, name="conv_lstm3d")(volumes),
        layers.Bidirectional(layers.LSTM(16), name="bidirectional")(sequence),
        layers.Bidirectional(
            layers.GRU(4),
            backward_layer=layers.GRU(6, go_backwards=True),
            name="bidirectional_mixed",
        )(sequence),
        layers.TimeDistributed(layers.Dense(3), name="time_dense")(sequence),
        layers.TimeDistributed(layers.Conv2D(7, 3), name="time_conv")(frames),
    ]
    return keras.Model([sequence, frames, signals, volumes], outputs, name="rnn_family")


def attention_family() -> keras.Model:
    query = keras.Input((5, 16), name="query")
    value = keras.Input((9, 12), name="value")
    key = keras.Input((9, 10), name="key")
    memory = keras.Input((9, 16), name="memory")
    outputs = [
        layers.MultiHeadAttention(num_heads=4, key_dim=8, name="mha")(query, value),
        layers.MultiHeadAttention(
            num_heads=2, key_dim=3, value_dim=5, output_shape=7, use_bias=False, name="mha_odd"
        )(query, value, key),
        layers.MultiHeadAttention(num_heads=2, key_dim=4, use_gate=True, name="mha_gate")(
            query, value
        ),
        layers.GroupQueryAttention(
            head_dim=2,
            num_query_heads=2,
            num_key_value_heads=1,
            use_gate=True,
            use_bias=False,
            name="gqa_gate",
        )(query, memory),
        layers.GroupQueryAttention(
            head_dim=4, num_query_heads=4, num_key_value_heads=2, name="gqa"
        )(query, memory),
        layers.Attention(use_scale=True, name="attention")([query, query]),
        layers.Attention(score_mode="concat", name="attention_concat")([query, query]),
        layers.AdditiveAttention(name="additive")([query, query]),
    ]
    return keras.Model([query, value, key, memory], outputs, name="attention_family")


class Scale(layers.Layer):
    """A user's own layer with one weight per channel: no built-in formula knows it."""

    def build(self, input_shape: tuple) -> None:
        self.scale = self.add_weight(shape=(input_shape[-1],), name="scale")
        self.offset = self.add_weight(shape=(input_shape[-1],), name="offset", trainable=False)

    def call(self, inputs: keras.KerasTensor) -> keras.KerasTensor:
        return inputs * self.scale + self.offset

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape


def custom_family() -> keras.Model:
    inputs = keras.Input((4, 6), name="features")
    return keras.Model(inputs, Scale(name="scale")(inputs), name="custom_family")


class WithSpareLayer(keras.Model):
    """A subclassed model holding a built Dense that its call never uses."""

    def __init__(self) -> None:
        super().__init__(name="with_spare")
        self.used = layers.Dense(2, name="used")
        self.spare = layers.Dense(3, name="spare")
        self.spare.build((None, 4))

    def call(self, inputs: keras.KerasTensor) -> keras.KerasTensor:
        return self.used(inputs)


def wrapped_custom_family() -> keras.Model:
    """Wrappers around a user's layer and around a whole model."""
    inputs = keras.Input((4, 6), name="features")
    inner_model = keras.Sequential([layers.Dense(2, name="inner_dense")], name="inner_model")
    outputs = [
        layers.TimeDistributed(Scale(name="inner_scale"), name="time_scale")(inputs),
        layers.TimeDistributed(inner_model, name="time_model")(inputs),
    ]
    return keras.Model(inputs, outputs, name="wrapped_custom_family")
