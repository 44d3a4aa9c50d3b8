"""The small CIFAR-10 ResNet of :mod:`example_project.resnet`, written for Keras 2 (``tf_keras``).

Written as the story wrote its Keras half, a port of the PyTorch ``ResNet``:
``conv3x3`` → ``ResidualBlock`` → ``make_layer``, as functions on tensors. It
has the same 197,418 parameters (1,120 of them batch-norm statistics) as the
Keras 3 version, layer for layer.
"""

from __future__ import annotations

import tf_keras
from tf_keras.layers import (
    Activation,
    Add,
    AveragePooling2D,
    BatchNormalization,
    Conv2D,
    Dense,
    Flatten,
    Input,
)


def conv3x3(x, out_channels: int, stride: int = 1):
    """PyTorch's ``conv3x3``, with a bias as Keras has by default."""
    return Conv2D(out_channels, (3, 3), strides=(stride, stride), padding="same")(x)


def residual_block(x, out_channels: int, stride: int = 1, downsample: bool = False):
    """conv → BN → ReLU → conv → BN, plus the shortcut (a strided conv + BN when downsampling)."""
    residual = x
    out = Activation("relu")(BatchNormalization()(conv3x3(x, out_channels, stride)))
    out = BatchNormalization()(conv3x3(out, out_channels))
    if downsample:
        residual = BatchNormalization()(conv3x3(x, out_channels, stride))
    return Activation("relu")(Add()([residual, out]))


def make_layer(x, out_channels: int, blocks: int, stride: int = 1):
    downsample = stride != 1 or out_channels != x.shape[-1]
    out = residual_block(x, out_channels, stride, downsample)
    for _ in range(1, blocks):
        out = residual_block(out, out_channels)
    return out


def keras_residual(layers: tuple = (2, 2, 2), num_classes: int = 10) -> tf_keras.Model:
    """The story's ``KerasResidual((32, 32, 3))``: stages of 16, 32 and 64 filters."""
    images = Input((32, 32, 3), name="image")
    out = Activation("relu")(BatchNormalization()(conv3x3(images, 16)))
    out = make_layer(out, 16, layers[0])
    out = make_layer(out, 32, layers[1], 2)
    out = make_layer(out, 64, layers[2], 2)
    out = Flatten()(AveragePooling2D(pool_size=(8, 8))(out))
    outputs = Dense(num_classes, activation="softmax")(out)
    return tf_keras.Model(inputs=images, outputs=outputs, name="cifar_resnet")
