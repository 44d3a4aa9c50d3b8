"""The FireModule of :mod:`example_project.fire`, written for Keras 2 (``tf_keras``).

The story's own code: ``tf.keras`` before TensorFlow 2.16, which is the
``tf_keras`` package today. The functional FireModule has 32,624 parameters
(144 of them the batch norms' moving statistics); :class:`FireModuleWithSlip`
feeds the second expand branch from the first and has 128,624, 96,000 more.
Keras 2's own ``summary()`` shows ``multiple`` for the subclassed models'
output shapes; build them with ``model.build((None, 128, 128, 50, 1))``.
"""

from __future__ import annotations

import tf_keras
from tf_keras import layers

FIRE_INPUT_SHAPE = (128, 128, 50, 1)


def _conv_bn(inputs, filters: int, kernel: int, relu: bool, prefix: str):
    """Conv3D → BatchNormalization (→ ReLU capped at 6), named after the block."""
    x = layers.Conv3D(filters, kernel, padding="same", name=f"{prefix}_conv")(inputs)
    x = layers.BatchNormalization(name=f"{prefix}_batch_norm")(x)
    if relu:
        x = layers.ReLU(max_value=6, name=f"{prefix}_relu")(x)
    return x


def fire_module_functional(
    n_hidden: int = 32, input_shape: tuple = FIRE_INPUT_SHAPE, name: str = "fire"
) -> tf_keras.Model:
    """The functional FireModule: both expand branches read the squeeze output."""
    inputs = tf_keras.Input(input_shape, name="volume")
    squeeze = _conv_bn(inputs, n_hidden // 4, 1, relu=True, prefix=f"{name}_squeeze_1")
    expand_1 = _conv_bn(squeeze, n_hidden, 1, relu=False, prefix=f"{name}_expand_1")
    expand_2 = _conv_bn(squeeze, n_hidden, 5, relu=False, prefix=f"{name}_expand_2")
    joined = layers.Concatenate(name=f"{name}_concatenate")([expand_1, expand_2])
    outputs = layers.ReLU(max_value=6, name=f"{name}_relu")(joined)
    return tf_keras.Model(inputs, outputs, name="fire_module")


class ConvBlock(tf_keras.Model):
    """Conv3D, BatchNormalization and an optional ReLU(6), as one nested model."""

    def __init__(
        self,
        filters: int,
        kernel_size,
        strides=(1, 1, 1),
        padding: str = "valid",
        activation: bool = True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.activation = activation
        self.conv = layers.Conv3D(filters, kernel_size, strides=strides, padding=padding)
        self.batch_norm = layers.BatchNormalization()
        self.relu = layers.ReLU(max_value=6)

    def call(self, inputs):
        x = self.batch_norm(self.conv(inputs))
        return self.relu(x) if self.activation else x


class _SubclassedFire(tf_keras.Model):
    """The subclassed FireModule's layers; subclasses decide what feeds ``expand_2``."""

    def __init__(self, n_hidden: int = 32, **kwargs):
        super().__init__(**kwargs)
        self.n_hidden = n_hidden
        self.squeeze_1 = ConvBlock(n_hidden // 4, (1, 1, 1), padding="same")
        self.expand_1 = ConvBlock(n_hidden, (1, 1, 1), padding="same", activation=False)
        self.expand_2 = ConvBlock(n_hidden, (5, 5, 5), padding="same", activation=False)
        self.concat = layers.Concatenate()
        self.relu = layers.ReLU(max_value=6)


class FireModuleWithSlip(_SubclassedFire):
    """The user's version: ``expand_2`` is fed from ``expand_1`` (32 channels), a slip."""

    def call(self, inputs):
        squeezed = self.squeeze_1(inputs)
        first = self.expand_1(squeezed)
        second = self.expand_2(first)
        return self.relu(self.concat([first, second]))


class FireModule(_SubclassedFire):
    """The corrected subclassed version: both branches read the squeeze output."""

    def call(self, inputs):
        squeezed = self.squeeze_1(inputs)
        first = self.expand_1(squeezed)
        second = self.expand_2(squeezed)
        return self.relu(self.concat([first, second]))


def built_fire_module_with_slip() -> tf_keras.Model:
    """The slip as the user ran it: built on ``(None, 128, 128, 50, 1)``."""
    model = FireModuleWithSlip()
    model.build((None, *FIRE_INPUT_SHAPE))
    return model
