"""Small models whose counts are easy to check by hand."""

import keras
from keras import layers


def nested():
    """A nested block, Dense(3) on 4 inputs (15), then a head Dense(2) (8): 23 parameters."""
    inputs = keras.Input((4,), name="x")
    block = keras.Sequential([layers.Dense(3, name="inner_dense")], name="block")
    outputs = layers.Dense(2, name="head")(block(inputs))
    return keras.Model(inputs, outputs, name="nested")


def shared():
    """One Dense(2) on 4 inputs (10 parameters) called on three inputs."""
    inputs = [keras.Input((4,), name=f"in_{index}") for index in range(3)]
    dense = layers.Dense(2, name="shared_dense")
    return keras.Model(inputs, layers.Concatenate(name="joined")([dense(x) for x in inputs]))


def unbuilt():
    """Flatten, then Dense(2): 2·h·w·c + 2 parameters, known once an input shape is given."""
    return keras.Sequential([layers.Flatten(), layers.Dense(2)], name="unbuilt")
