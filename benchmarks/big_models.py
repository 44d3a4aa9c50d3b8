"""Builders of large models for the shape-only benchmark (importable targets)."""

from __future__ import annotations


def llama2_7b(num_layers: int = 32):
    """The Llama-2-7B backbone from its published configuration, without weights."""
    import keras_hub

    return keras_hub.models.LlamaBackbone(
        vocabulary_size=32000,
        num_layers=num_layers,
        num_query_heads=32,
        num_key_value_heads=32,
        hidden_dim=4096,
        intermediate_dim=11008,
    )


def residual_tower(num_layers: int = 500):
    """A deep residual stack of about ``num_layers`` layers (Dense, LayerNorm, ReLU, Add).

    Each block is four layers with a skip connection around three of them, so
    the diagram's layout has long edges and merges to route, as in a ResNet.
    """
    import sys

    import keras

    # Keras walks the functional graph recursively: thousands of layers need a deeper stack
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20 * num_layers))
    inputs = keras.Input((16,), name="features")
    x = inputs
    for block in range(max((num_layers - 1) // 4, 1)):
        y = keras.layers.Dense(16, name=f"block{block}_dense")(x)
        y = keras.layers.LayerNormalization(name=f"block{block}_norm")(y)
        y = keras.layers.ReLU(name=f"block{block}_relu")(y)
        x = keras.layers.Add(name=f"block{block}_add")([x, y])
    return keras.Model(inputs, x, name=f"residual_tower_{num_layers}")
