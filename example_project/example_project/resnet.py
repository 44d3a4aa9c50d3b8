"""The small CIFAR-10 ResNet of the Keras/PyTorch comparison story (blocks 2, 2, 2).

3×3 convolutions with bias, batch norm and ReLU; a block that halves the image
takes its shortcut through a strided 3×3 convolution with batch norm. Keras
counts 197,418 parameters (1,120 of them batch-norm statistics); the PyTorch
version of the story has 195,738 because its convolutions have no bias.
"""

from __future__ import annotations

import keras
from keras import layers


def _conv_bn(x, filters: int, strides: int = 1):
    x = layers.Conv2D(filters, 3, strides=strides, padding="same")(x)
    return layers.BatchNormalization()(x)


def _residual_block(x, filters: int, strides: int):
    y = layers.Activation("relu")(_conv_bn(x, filters, strides))
    y = _conv_bn(y, filters)
    shortcut = x if strides == 1 else _conv_bn(x, filters, strides)
    return layers.Activation("relu")(layers.Add()([shortcut, y]))


def cifar_resnet(blocks: tuple = (2, 2, 2), num_classes: int = 10) -> keras.Model:
    """Stages of 16, 32 and 64 filters; every stage after the first halves the image."""
    inputs = keras.Input((32, 32, 3), name="image")
    x = layers.Activation("relu")(_conv_bn(inputs, 16))
    for stage, count in enumerate(blocks):
        filters = 16 * 2**stage
        for index in range(count):
            strides = 2 if stage > 0 and index == 0 else 1
            x = _residual_block(x, filters, strides)
    x = layers.AveragePooling2D(pool_size=x.shape[1])(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="cifar_resnet")
