"""A model whose layer is named after the Keras backend that built it."""

import keras


def named_after_backend() -> keras.Model:
    inputs = keras.Input((3,), name="features")
    dense = keras.layers.Dense(2, name=f"dense_on_{keras.backend.backend()}")
    return keras.Model(inputs, dense(inputs), name="backend_probe")
