"""Builders for the interrupt tests: each can hold at its moment (see hold.py)."""

import os

from hold import hold

hold("importing")  # the worker is importing the builder's module

import keras  # noqa: E402


def small():
    inputs = keras.Input((4,))
    return keras.Model(inputs, keras.layers.Dense(3)(inputs))


def builds():
    hold("building")
    return small()


def ends_its_worker():
    """Closes the worker's input: it ends after this answer, before it begins the next job,
    so the engine replaces it."""
    os.close(0)
    return small()
