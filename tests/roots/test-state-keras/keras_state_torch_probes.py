"""Keras models on the torch backend whose page depends on PyTorch's process-wide state."""

import torch

import keras


def _width(units):
    inputs = keras.Input((4,))
    return keras.Model(inputs, keras.layers.Dense(units)(inputs))


def probe_dtype():
    return _width(3 if torch.get_default_dtype() == torch.float32 else 5)


def probe_threads():
    return _width(torch.get_num_threads())
