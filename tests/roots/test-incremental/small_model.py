"""A small model whose file the incremental-build tests edit."""

import keras


def build():
    # three units
    inputs = keras.Input((4,))
    return keras.Model(inputs, keras.layers.Dense(3)(inputs), name="small")
