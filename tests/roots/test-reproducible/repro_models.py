import keras
from keras import layers


def branches():
    """Two branches joined: every output format has something to draw."""
    inputs = keras.Input((8, 8, 3), name="image")
    left = layers.Conv2D(4, 3, padding="same", name="left_conv")(inputs)
    right = layers.Conv2D(4, 1, name="right_conv")(inputs)
    joined = layers.Concatenate(name="joined")([left, right])
    outputs = layers.Dense(2, name="head")(layers.GlobalAveragePooling2D(name="pool")(joined))
    return keras.Model(inputs, outputs, name="branches")


def smaller():
    inputs = keras.Input((8, 8, 3), name="image")
    outputs = layers.Dense(2, name="head")(layers.GlobalAveragePooling2D(name="pool")(inputs))
    return keras.Model(inputs, outputs, name="smaller")
