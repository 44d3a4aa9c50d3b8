"""PyTorch stacks of identical blocks, and one whose fourth block is wider."""

from __future__ import annotations

from torch import nn


def encoder() -> nn.Module:
    """Six identical ``TransformerEncoderLayer``s."""
    layer = nn.TransformerEncoderLayer(d_model=32, nhead=4, dim_feedforward=64, batch_first=True)
    return nn.TransformerEncoder(layer, num_layers=6, enable_nested_tensor=False)


def _block(width: int) -> nn.Module:
    return nn.Sequential(nn.Linear(16, width), nn.ReLU(), nn.Linear(width, 16))


def uneven_stack() -> nn.Module:
    """Blocks 0–2 alike, block 3 wider, blocks 4–5 alike again."""
    return nn.Sequential(*(_block(64 if index == 3 else 32) for index in range(6)))


def bert() -> nn.Module:
    """A BERT-base from its default config: twelve identical encoder layers, no download."""
    from transformers import BertConfig, BertModel

    return BertModel(BertConfig())
