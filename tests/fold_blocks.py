"""A stack of residual MLP blocks, each a layer holding three sublayers, for Keras 3 and
tf_keras alike: the framework's module is passed in (``fold_keras``, ``fold_tf_keras``)."""

from __future__ import annotations

from types import ModuleType
from typing import Any


def block_stack(keras: ModuleType, widths: list[int]) -> Any:
    """One block per width (Dense up, Dense down, added back and normalised) over 16 features."""
    layers = keras.layers

    class MlpBlock(layers.Layer):
        def __init__(self, width: int, **kwargs):
            super().__init__(**kwargs)
            self.up = layers.Dense(width, activation="relu", name="up")
            self.down = layers.Dense(16, name="down")
            self.norm = layers.LayerNormalization(name="norm")

        def call(self, inputs):
            return self.norm(inputs + self.down(self.up(inputs)))

    inputs = keras.Input((16,), name="features")
    x = inputs
    for index, width in enumerate(widths):
        x = MlpBlock(width, name=f"block_{index}")(x)
    return keras.Model(inputs, layers.Dense(3, name="head")(x), name="block_stack")
