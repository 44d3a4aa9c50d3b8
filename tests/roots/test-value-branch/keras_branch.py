"""Keras 3 models whose ``call`` decides on the values of its input."""

import keras
from keras import ops


class Branchy(keras.Model):
    """Dense(3) for inputs that sum above 0 (15 parameters), else Dense(5) (25)."""

    def __init__(self):
        super().__init__()
        self.a = keras.layers.Dense(3)
        self.b = keras.layers.Dense(5)

    def call(self, x):
        if ops.sum(x) > 0:
            return self.a(x)
        return self.b(x)


class Repeats(keras.Model):
    """Applies its Dense as many times as the first input value says."""

    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(4)

    def call(self, x):
        for _ in range(int(x[0, 0])):
            x = self.dense(x)
        return x


def plain():
    inputs = keras.Input((4,))
    return keras.Model(inputs, keras.layers.Dense(3)(inputs))
