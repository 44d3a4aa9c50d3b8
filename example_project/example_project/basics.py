"""Two single convolutions: their counts do not involve the image size.

``(k_h·k_w·c_in + 1)·filters``: ``(3·3·3 + 1)·16 = 448`` for a 3×3 convolution
on RGB, and ``(1·1·2048 + 1)·256 = 524,544`` for a 1×1 convolution on 2048
channels, whatever the height and width.
"""

from __future__ import annotations

import keras
from keras import layers


def rgb_conv() -> keras.Model:
    """``Conv2D(16, (3, 3))`` on RGB images of any size: 448 parameters."""
    inputs = keras.Input((None, None, 3), name="rgb")
    return keras.Model(inputs, layers.Conv2D(16, (3, 3), name="conv")(inputs), name="rgb_conv")


def pointwise_conv() -> keras.Model:
    """A 1×1 ``Conv2D(256)`` on 2048 channels (a ResNet bottleneck): 524,544 parameters."""
    inputs = keras.Input((None, None, 2048), name="features")
    outputs = layers.Conv2D(256, (1, 1), name="pointwise")(inputs)
    return keras.Model(inputs, outputs, name="pointwise_conv")
