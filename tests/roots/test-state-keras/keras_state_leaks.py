"""Keras builders that change the process-wide state of their backend and leave it changed."""

import numpy as np

import keras


def _model():
    inputs = keras.Input((4,))
    return keras.Model(inputs, keras.layers.Dense(2)(inputs))


def leak_x64():
    import jax

    jax.config.update("jax_enable_x64", True)
    return _model()


def leak_matmul():
    import jax

    jax.config.update("jax_default_matmul_precision", "highest")
    return _model()


def leak_rank_promotion():
    import jax

    jax.config.update("jax_numpy_rank_promotion", "raise")
    return _model()


def leak_seed():
    keras.utils.set_random_seed(1234)  # Python's, NumPy's and the backend's generators
    return _model()


def leak_numpy_draws():
    np.random.rand(1000)
    return _model()


def leak_torch_dtype():
    import torch

    torch.set_default_dtype(torch.float64)
    return _model()


def leak_torch_threads():
    import torch

    torch.set_num_threads(7)
    return _model()
