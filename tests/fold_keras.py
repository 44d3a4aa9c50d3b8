"""The stack of MLP blocks in Keras 3."""

from __future__ import annotations

import keras
from fold_blocks import block_stack as _stack


def block_stack(widths: list[int]) -> keras.Model:
    return _stack(keras, widths)
