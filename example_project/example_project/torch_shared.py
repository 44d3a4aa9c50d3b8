"""Small PyTorch models whose parameters are shared, and so must be counted once.

- :class:`SharedActivationNet`: one ``nn.PReLU`` (a weight of its own) is held by
  three blocks: 121 parameters, the PReLU's one weight counted once.
- :class:`TiedLanguageModel`: the output head reuses the token embedding's
  matrix (``head.weight = embed.weight``): 130,944 parameters, not 194,944.
- :class:`SiameseNet`: one branch compares two inputs; it is one module called
  twice, its 212 parameters counted once.
"""

from __future__ import annotations

import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, width: int, activation: nn.Module) -> None:
        super().__init__()
        self.linear = nn.Linear(width, width)
        self.act = activation

    def forward(self, x):
        return self.act(self.linear(x))


class SharedActivationNet(nn.Module):
    """Three 5→5 blocks that share one PReLU, then a 5→5 head: 3·30 + 1 + 30 = 121."""

    def __init__(self, width: int = 5) -> None:
        super().__init__()
        shared = nn.PReLU()
        self.blocks = nn.Sequential(*(Block(width, shared) for _ in range(3)))
        self.head = nn.Linear(width, width)

    def forward(self, x):
        return self.head(self.blocks(x))


class TiedLanguageModel(nn.Module):
    """Token embedding, two encoder layers, and a head that reuses the embedding matrix.

    1,000 tokens × 64 = 64,000 for the embedding, 33,472 per encoder layer; the
    head adds nothing of its own (no bias): 130,944 in all.
    """

    def __init__(self, vocabulary: int = 1000, width: int = 64, layers: int = 2) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocabulary, width)
        layer = nn.TransformerEncoderLayer(
            width, nhead=4, dim_feedforward=2 * width, dropout=0.0, batch_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(width, vocabulary, bias=False)
        self.head.weight = self.embed.weight

    def forward(self, tokens):
        return self.head(self.encoder(self.embed(tokens)))


class SiameseNet(nn.Module):
    """One branch (8→16→4: 144 + 68 = 212 parameters) seen twice, and a 4→1 score: 217."""

    def __init__(self) -> None:
        super().__init__()
        self.branch = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))
        self.score = nn.Linear(4, 1)

    def forward(self, left, right):
        return self.score(torch.abs(self.branch(left) - self.branch(right)))


#: A module object made when the module is imported: documented as it is, with its real weights.
SIAMESE = SiameseNet()
