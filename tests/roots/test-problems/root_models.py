"""Builders that go wrong in every way a docs page can meet, and one with a hostile name."""

import time

import keras
from keras import layers


def hostile_names():
    """Names with markup characters (TensorFlow accepts '>' but not '<' in names)."""
    inputs = keras.Input((4,), name="features")
    outputs = layers.Dense(2, name="dense>1")(inputs)
    return keras.Model(inputs, outputs, name="model>x")


def hostile_error():
    raise ValueError("<script>alert(1)</script> is not a width")


def raises():
    raise ValueError("the block needs an even number of filters")


def returns_a_list():
    return [1, 2, 3]


class Unbuilt(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(3)

    def call(self, inputs):
        return self.dense(inputs)


def hangs():
    time.sleep(3600)
