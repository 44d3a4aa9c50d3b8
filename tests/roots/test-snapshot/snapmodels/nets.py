import keras

from snapmodels import blocks


def small():
    inputs = keras.Input((3,), name="features")
    outputs = keras.layers.Dense(2, name="out")(blocks.head(4)(inputs))
    return keras.Model(inputs, outputs, name="small")


def wide():
    inputs = keras.Input((3,), name="features")
    outputs = keras.layers.Dense(2, name="out")(blocks.head(8)(inputs))
    return keras.Model(inputs, outputs, name="wide")
