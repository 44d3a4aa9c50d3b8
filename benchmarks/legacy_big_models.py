"""A Keras 2 (tf_keras) model too big to build with real weights here: 10 Dense layers of 16,384."""

from __future__ import annotations

import tf_keras


def dense_stack(width: int = 16_384, depth: int = 10) -> tf_keras.Model:
    """``depth`` Dense layers of ``width`` units on ``width`` inputs: 2,684,518,400 parameters."""
    inputs = tf_keras.Input((width,))
    outputs = inputs
    for _ in range(depth):
        outputs = tf_keras.layers.Dense(width)(outputs)
    return tf_keras.Model(inputs, outputs, name="dense_stack")
