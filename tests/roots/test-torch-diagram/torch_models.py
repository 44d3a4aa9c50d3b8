"""Small PyTorch models whose diagrams once lost modules, parameters and the order of calls."""

import torch
from torch import nn


class Classifier(nn.Module):
    """Token and position embeddings, a one-layer ``nn.TransformerEncoder``, a norm and a head.

    The encoder's only child is a ``ModuleList`` that is never called itself: its layer is.
    """

    def __init__(self, vocabulary: int = 1000, width: int = 64, length: int = 16) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocabulary, width)
        self.pos = nn.Embedding(length, width)
        layer = nn.TransformerEncoderLayer(
            width, nhead=4, dim_feedforward=2 * width, dropout=0.0, batch_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(width)
        self.cls = nn.Linear(width, 5)

    def forward(self, tokens):
        positions = torch.arange(tokens.shape[1], device=tokens.device)
        x = self.embed(tokens) + self.pos(positions)
        return self.cls(self.norm(self.encoder(x))[:, 0])


class SharedActivation(nn.Module):
    """``first → act → second → act → third → last``: one ``act`` called twice."""

    def __init__(self, width: int = 4) -> None:
        super().__init__()
        self.first = nn.Linear(width, width)
        self.act = nn.PReLU()
        self.second = nn.Linear(width, width)
        self.third = nn.Linear(width, width)
        self.last = nn.Linear(width, 1)

    def forward(self, x):
        return self.last(self.third(self.act(self.second(self.act(self.first(x))))))


class WithSpare(nn.Module):
    """A linear layer that is called and one with weights that ``forward`` never calls."""

    def __init__(self) -> None:
        super().__init__()
        self.used = nn.Linear(4, 4)
        self.spare = nn.Linear(4, 2)

    def forward(self, x):
        return self.used(x)
