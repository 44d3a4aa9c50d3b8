"""The stack of MLP blocks in Keras 2 (``tf_keras``)."""

from __future__ import annotations

import tf_keras
from fold_blocks import block_stack as _stack


def block_stack(widths: list[int]) -> tf_keras.Model:
    return _stack(tf_keras, widths)
