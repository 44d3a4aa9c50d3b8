import keras
from helper import block


def build():
    inputs = keras.Input((4,))
    outputs = keras.layers.BatchNormalization()(block(inputs))
    return keras.Model(inputs, outputs, name="helped")


def twin():
    """A second builder of this module: built after ``build``, nothing new is imported."""
    return build()
