"""The FireModule of :mod:`example_project.fire`, as the story wrote it for Keras 2.

The user's own code, for ``tf.keras`` before TensorFlow 2.16 (the ``tf_keras``
package today): ``conv_block`` and ``fire`` functions on tensors, and the same
blocks as subclassed models. The functional FireModule has 32,624 parameters
(144 of them the batch norms' moving statistics); :class:`FireModuleWithSlip`
feeds the second expand branch from the first and has 128,624, 96,000 more.
Keras 2's ``summary()`` shows ``multiple`` for every output shape of the
subclassed models; build them with ``model.build((None, 128, 128, 50, 1))``.
"""

from __future__ import annotations

import tensorflow as tf
import tf_keras
from tf_keras.layers import BatchNormalization, Concatenate, Conv3D, Input, ReLU

FIRE_INPUT_SHAPE = (128, 128, 50, 1)


def conv_block(
    inputs, filters, kernel_size, strides=(1, 1, 1), padding="valid", activation=True, block_name=""
):
    with tf.name_scope(block_name):
        conv = Conv3D(
            filters=filters,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            name=f"{block_name}_conv",
        )(inputs)
        batch_norm = BatchNormalization(name=f"{block_name}_batch_norm")(conv)
        if not activation:
            return batch_norm
        return ReLU(max_value=6, name=f"{block_name}_relu")(batch_norm)


def fire(inputs, n_hidden, block_name):
    with tf.name_scope(block_name):
        f1_sq_1 = conv_block(
            inputs, n_hidden // 4, (1, 1, 1), padding="same", block_name=f"{block_name}_squeeze_1"
        )
        f1_e_1 = conv_block(
            f1_sq_1, n_hidden, (1, 1, 1), padding="same", activation=False,
            block_name=f"{block_name}_expand_1",
        )  # fmt: skip
        f1_e_2 = conv_block(
            f1_sq_1, n_hidden, (5, 5, 5), padding="same", activation=False,
            block_name=f"{block_name}_expand_2",
        )  # fmt: skip
        concat_output = Concatenate(name=f"{block_name}_concatenate")([f1_e_1, f1_e_2])
        return ReLU(max_value=6, name=f"{block_name}_relu")(concat_output)


def fire_module_functional(n_hidden: int = 32, name: str = "fire") -> tf_keras.Model:
    """The functional FireModule: both expand branches read the squeeze output."""
    inputs = Input(shape=FIRE_INPUT_SHAPE, name="volume")
    return tf_keras.Model(inputs=inputs, outputs=fire(inputs, n_hidden, name), name="fire_module")


class ConvBlock(tf_keras.Model):
    """Conv3D → BatchNormalization (→ ReLU(6)) as one nested model."""

    def __init__(
        self, filters, kernel_size, strides=(1, 1, 1), padding="valid", activation=True, **kwargs
    ):
        super().__init__(**kwargs)
        self.activation = activation
        self.conv_1 = Conv3D(filters, kernel_size, strides=strides, padding=padding)
        self.batch_norm_1 = BatchNormalization()
        self.relu_1 = ReLU(max_value=6)

    def call(self, inputs):
        batch_norm = self.batch_norm_1(self.conv_1(inputs))
        return self.relu_1(batch_norm) if self.activation else batch_norm


class FireModuleWithSlip(tf_keras.Model):
    """The user's subclassed FireModule: ``expand_2`` reads ``expand_1`` (32 channels)."""

    def __init__(self, n_hidden: int = 32, **kwargs):
        super().__init__(**kwargs)
        self.n_hidden = n_hidden
        self.squeeze_1 = ConvBlock(n_hidden // 4, (1, 1, 1), padding="same")
        self.expand_1 = ConvBlock(n_hidden, (1, 1, 1), padding="same", activation=False)
        self.expand_2 = ConvBlock(n_hidden, (5, 5, 5), padding="same", activation=False)
        self.concat_1 = Concatenate()
        self.relu_1 = ReLU(max_value=6)

    def expand_2_input(self, squeezed, expanded):
        """The slip: the second expand branch is fed from the first."""
        return expanded

    def call(self, inputs):
        f1_sq_1 = self.squeeze_1(inputs)
        f1_e_1 = self.expand_1(f1_sq_1)
        f1_e_2 = self.expand_2(self.expand_2_input(f1_sq_1, f1_e_1))
        return self.relu_1(self.concat_1([f1_e_1, f1_e_2]))


class FireModule(FireModuleWithSlip):
    """The corrected subclassed FireModule: both branches read the squeeze output."""

    def expand_2_input(self, squeezed, expanded):
        return squeezed


def built_fire_module_with_slip() -> tf_keras.Model:
    """The slip as the user ran it: built on ``(None, 128, 128, 50, 1)``."""
    model = FireModuleWithSlip()
    model.build((None, *FIRE_INPUT_SHAPE))
    return model
