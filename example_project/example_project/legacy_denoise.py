"""The two-input denoising network of :mod:`example_project.denoise`, for Keras 2 (``tf_keras``).

The story's model summarised twice, with ``(None, None)`` images and with the
first input fixed at 368×256 (the second at twice that): 372,771 parameters
either way, 1,356 of them batch-norm statistics. The layers are the story's
auto-named ``gaussian_noise_N → conv2d_N → batch_normalization_N`` chain.
"""

from __future__ import annotations

import tf_keras
from tf_keras.layers import (
    BatchNormalization,
    Concatenate,
    Conv2D,
    GaussianNoise,
    Input,
    UpSampling2D,
)

NOISE_STDDEV = 0.03


def noisy_conv(x, filters: int, strides: int = 1):
    x = GaussianNoise(NOISE_STDDEV)(x)
    x = Conv2D(filters, (3, 3), strides=strides, padding="same", activation="relu")(x)
    return BatchNormalization()(x)


def denoising_unet(image_size: tuple | None = None) -> tf_keras.Model:
    """``image_size`` fixes the first input's height and width (the second is twice as big)."""
    h, w = image_size or (None, None)
    input_1 = Input((h, w, 4))
    input_2 = Input((h and 2 * h, w and 2 * w, 3))
    skip = noisy_conv(input_1, 32)
    x = noisy_conv(noisy_conv(noisy_conv(skip, 32, strides=2), 64), 64)
    x = Concatenate()([UpSampling2D()(GaussianNoise(NOISE_STDDEV)(x)), skip])
    for _ in range(5):
        x = noisy_conv(x, 64)
    x = Concatenate()([UpSampling2D()(GaussianNoise(NOISE_STDDEV)(x)), input_2])
    x = noisy_conv(noisy_conv(noisy_conv(x, 67), 67), 32)
    outputs = Conv2D(3, (3, 3), padding="same")(GaussianNoise(NOISE_STDDEV)(x))
    return tf_keras.Model([input_1, input_2], outputs, name="denoising_unet")
