"""A two-input denoising network (U-Net-like), whose count does not depend on image size.

A 4-channel image goes down once (a strided convolution) and up twice; the
second upsampling meets a 3-channel image at twice the first input's size.
Every weight depends on channels and kernel sizes only, so the model has
372,771 parameters (1,356 of them batch-norm statistics) whether its inputs are
``(None, None, 4)``/``(None, None, 3)`` or fixed at ``(368, 256, 4)``/``(736, 512, 3)``.
"""

from __future__ import annotations

import keras
from keras import layers

NOISE = 0.03


def _conv(x, filters: int, strides: int = 1, noise: bool = True):
    """(GaussianNoise →) Conv2D 3×3 → BatchNormalization."""
    if noise:
        x = layers.GaussianNoise(NOISE)(x)
    x = layers.Conv2D(filters, 3, strides=strides, padding="same", activation="relu")(x)
    return layers.BatchNormalization()(x)


def denoising_unet(image_size: tuple[int, int] | None = None) -> keras.Model:
    """Build the network; ``image_size`` fixes the first input's height and width."""
    height, width = image_size if image_size else (None, None)
    double = (2 * height, 2 * width) if image_size else (None, None)
    noisy = keras.Input((height, width, 4), name="noisy")
    guide = keras.Input((*double, 3), name="guide")

    skip = _conv(noisy, 32)
    x = _conv(skip, 32, strides=2)
    x = _conv(x, 64)
    x = _conv(x, 64)
    x = layers.UpSampling2D()(layers.GaussianNoise(NOISE)(x))
    x = layers.Concatenate()([x, skip])
    for filters in (64, 64, 64, 64, 64):
        x = _conv(x, filters)
    x = layers.UpSampling2D()(layers.GaussianNoise(NOISE)(x))
    x = layers.Concatenate()([x, guide])
    x = _conv(x, 67)
    x = _conv(x, 67)
    x = _conv(x, 32)
    x = layers.GaussianNoise(NOISE)(x)
    outputs = layers.Conv2D(3, 3, padding="same", name="denoised")(x)
    return keras.Model([noisy, guide], outputs, name="denoising_unet")
