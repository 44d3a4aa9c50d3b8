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
