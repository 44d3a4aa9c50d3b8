"""Small Keras models, one per page of the prefetch tests."""

import keras


def dense(units: int):
    inputs = keras.Input((4,))
    return keras.Model(inputs, keras.layers.Dense(units)(inputs), name=f"dense_{units}")
