"""A model written against ``tf.keras``: Keras 2 when TF_USE_LEGACY_KERAS is set, else Keras 3."""

import tensorflow as tf


def build():
    inputs = tf.keras.Input((6,), name="features")
    return tf.keras.Model(inputs, tf.keras.layers.Dense(3, name="dense")(inputs), name="tf_keras")
