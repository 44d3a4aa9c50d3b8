"""Keras 2 (tf_keras) models whose ``call`` decides on the values of its input."""

import tensorflow as tf
import tf_keras


class Branchy(tf_keras.Model):
    """Dense(3) for inputs that sum above 0 (15 parameters), else Dense(5) (25)."""

    def __init__(self):
        super().__init__()
        self.a = tf_keras.layers.Dense(3)
        self.b = tf_keras.layers.Dense(5)

    def call(self, x):
        if tf.reduce_sum(x) > 0:
            return self.a(x)
        return self.b(x)


class Repeats(tf_keras.Model):
    """Applies its Dense as many times as the first input value says."""

    def __init__(self):
        super().__init__()
        self.dense = tf_keras.layers.Dense(4)

    def call(self, x):
        for _ in tf.range(tf.cast(x[0, 0], tf.int32)):
            x = self.dense(x)
        return x


def plain():
    inputs = tf_keras.Input((4,))
    return tf_keras.Model(inputs, tf_keras.layers.Dense(3)(inputs))
