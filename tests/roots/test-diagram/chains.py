"""Plain chains of layers, for diagrams that must stay readable however they are sized."""

import keras


def chain(length: int = 11):
    """An input and ``length`` Dense layers, one after the other."""
    inputs = keras.Input((8,), name="features")
    x = inputs
    for index in range(length):
        x = keras.layers.Dense(8, name=f"dense_layer_{index}")(x)
    return keras.Model(inputs, x, name=f"chain_{length}")
