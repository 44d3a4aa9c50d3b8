"""Keras 2 builders that go wrong, for the problems page."""

import time

import tf_keras


def raises() -> tf_keras.Model:
    raise ValueError("the checkpoint path is not set")


def gives_a_list() -> list:
    return [tf_keras.layers.Dense(3)]


def hangs() -> tf_keras.Model:
    time.sleep(3600)
    raise AssertionError("unreachable")
