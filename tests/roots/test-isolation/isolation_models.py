"""Builders that leave global state behind, a conv model that state would change, and a
builder that imports its helper only when it runs."""

import os

import keras


def leaks_state():
    keras.config.set_image_data_format("channels_first")
    keras.config.set_floatx("float16")
    os.environ["ISOLATION_UNITS"] = "5"
    inputs = keras.Input((4,))
    return keras.Model(inputs, keras.layers.Dense(2)(inputs))


def conv():
    """(3·3·2 + 1)·4 = 76 channels last; read channels first it is 220."""
    inputs = keras.Input((6, 6, 2))
    return keras.Model(inputs, keras.layers.Conv2D(4, 3)(inputs))


def from_environment():
    """Dense(3) on 4 inputs (15) unless ISOLATION_UNITS says otherwise."""
    inputs = keras.Input((4,))
    units = int(os.environ.get("ISOLATION_UNITS", "3"))
    return keras.Model(inputs, keras.layers.Dense(units)(inputs))


def uses_helper():
    import isolation_helper

    return isolation_helper.make()
