import time

import keras


def sleeps():
    """Takes 30 s: longer than the test's modelsummary_timeout, short enough to wait for."""
    time.sleep(30)
    return build()


def build():
    inputs = keras.Input((4,))
    return keras.Model(inputs, keras.layers.Dense(3)(inputs), name="quick")
