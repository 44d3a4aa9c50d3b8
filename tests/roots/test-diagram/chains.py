"""Plain chains of layers, for diagrams that must stay readable however they are sized."""

import keras


def chain(length: int = 11):
    """An input and ``length`` Dense layers, one after the other."""
    inputs = keras.Input((8,), name="features")
    x = inputs
    for index in range(length):
        x = keras.layers.Dense(8, name=f"dense_layer_{index}")(x)
    return keras.Model(inputs, x, name=f"chain_{length}")


def shared_twice():
    """``features → shared → middle → shared → out``: one Dense layer called twice in a row."""
    inputs = keras.Input((8,), name="features")
    shared = keras.layers.Dense(8, name="shared")
    x = shared(inputs)
    x = keras.layers.Dense(8, name="middle")(x)
    x = shared(x)
    return keras.Model(inputs, keras.layers.Dense(2, name="out")(x), name="shared_twice")
