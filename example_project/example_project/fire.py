"""A 3D FireModule (squeeze 1×1×1, then two expand branches joined by Concatenate).

With ``n_hidden=32`` on a one-channel volume it has 32,624 parameters (144 of
them the batch norms' moving statistics). :class:`FireModuleWithSlip` feeds the
second expand branch from the first expand branch instead of from the squeeze:
its 5×5×5 convolution then sees 32 input channels instead of 8, and the model
has 128,624 parameters, 96,000 more.

The subclassed models are not built by their constructors: give them an input
shape, ``model.build((None, 128, 128, 50, 1))``, as the user did.
"""

from __future__ import annotations

import keras
from keras import layers

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
) -> keras.Model:
    """The functional FireModule: both expand branches read the squeeze output."""
    inputs = keras.Input(input_shape, name="volume")
    squeeze = _conv_bn(inputs, n_hidden // 4, 1, relu=True, prefix=f"{name}_squeeze_1")
    expand_1 = _conv_bn(squeeze, n_hidden, 1, relu=False, prefix=f"{name}_expand_1")
    expand_2 = _conv_bn(squeeze, n_hidden, 5, relu=False, prefix=f"{name}_expand_2")
    joined = layers.Concatenate(name=f"{name}_concatenate")([expand_1, expand_2])
    outputs = layers.ReLU(max_value=6, name=f"{name}_relu")(joined)
    return keras.Model(inputs, outputs, name="fire_module")


@keras.saving.register_keras_serializable(package="example_project")
class ConvBlock(keras.Model):
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
        self.filters = filters
        self.kernel_size = kernel_size
        self.strides = strides
        self.padding = padding
        self.activation = activation
        self.conv = layers.Conv3D(filters, kernel_size, strides=strides, padding=padding)
        self.batch_norm = layers.BatchNormalization()
        self.relu = layers.ReLU(max_value=6)

    def build(self, input_shape) -> None:
        self.conv.build(input_shape)
        self.batch_norm.build(self.conv.compute_output_shape(input_shape))

    def compute_output_shape(self, input_shape):
        return self.conv.compute_output_shape(input_shape)

    def call(self, inputs):
        x = self.batch_norm(self.conv(inputs))
        return self.relu(x) if self.activation else x

    def get_config(self) -> dict:
        return {
            "name": self.name,
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "activation": self.activation,
        }


class _SubclassedFire(keras.Model):
    """The subclassed FireModule's layers; subclasses decide what feeds ``expand_2``."""

    def __init__(self, n_hidden: int = 32, **kwargs):
        super().__init__(**kwargs)
        self.n_hidden = n_hidden
        self.squeeze_1 = ConvBlock(n_hidden // 4, (1, 1, 1), padding="same")
        self.expand_1 = ConvBlock(n_hidden, (1, 1, 1), padding="same", activation=False)
        self.expand_2 = ConvBlock(n_hidden, (5, 5, 5), padding="same", activation=False)
        self.concat = layers.Concatenate()
        self.relu = layers.ReLU(max_value=6)

    def build(self, input_shape) -> None:
        # Keras 3 marks a subclassed model built without creating any weight unless
        # build() does it: run call() once on a symbolic input so that each block is
        # built from what really feeds it (for the slip, expand_1's 32 channels).
        self.call(keras.KerasTensor(input_shape))

    def get_config(self) -> dict:
        return {"name": self.name, "n_hidden": self.n_hidden}


@keras.saving.register_keras_serializable(package="example_project")
class FireModuleWithSlip(_SubclassedFire):
    """The user's version: ``expand_2`` is fed from ``expand_1`` (32 channels), a slip."""

    def call(self, inputs):
        squeezed = self.squeeze_1(inputs)
        first = self.expand_1(squeezed)
        second = self.expand_2(first)
        return self.relu(self.concat([first, second]))


@keras.saving.register_keras_serializable(package="example_project")
class FireModule(_SubclassedFire):
    """The corrected subclassed version: both branches read the squeeze output."""

    def call(self, inputs):
        squeezed = self.squeeze_1(inputs)
        first = self.expand_1(squeezed)
        second = self.expand_2(squeezed)
        return self.relu(self.concat([first, second]))
