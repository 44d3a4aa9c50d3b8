"""A builder that leaves a mark file named after its argument in MARK_DIR when it runs."""

import os

import keras


def marked(name: str):
    with open(os.path.join(os.environ["MARK_DIR"], name), "w", encoding="utf-8"):
        pass
    inputs = keras.Input((4,))
    return keras.Model(inputs, keras.layers.Dense(1)(inputs), name=name)
