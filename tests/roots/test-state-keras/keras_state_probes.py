"""Keras models whose page depends on process-wide state: built alone, and after builders
that changed that state, they must show the same numbers. A model whose size reads a setting
stands for any code that behaves differently under it."""

import random

import numpy as np

import keras


def _width(units):
    """Dense(units) on 4 features: 15 parameters for 3 units."""
    inputs = keras.Input((4,))
    return keras.Model(inputs, keras.layers.Dense(units)(inputs))


def probe_x64():
    import jax

    return _width(5 if jax.config.jax_enable_x64 else 3)


def probe_matmul():
    import jax

    return _width(3 if jax.config.jax_default_matmul_precision is None else 5)


class Probe(keras.Model):
    """Traced symbolically: its bias is added by broadcasting, which JAX may be told to refuse."""

    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(3)

    def call(self, x):
        return self.dense(x)


def probe_numpy(features=4):
    """A width drawn from NumPy's global generator: the same in every build of a worker."""
    return _width(int(np.random.randint(2, 10_000)) + features - 4)


def probe_python(features=4):
    """A width drawn from Python's global generator: the same in every build of a worker."""
    return _width(random.randint(2, 10_000) + features - 4)
