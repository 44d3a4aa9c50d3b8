"""PyTorch models whose comparison a careless user gets wrong: modules that never run, a tied
head, builders whose calls need spaces."""

import torch
from torch import nn


class Holder(nn.Module):
    """One linear layer that runs, and optionally weights that never run in ``forward``."""

    def __init__(self, spare: bool = False, scales: bool = False, block: bool = False) -> None:
        super().__init__()
        self.fc = nn.Linear(8, 4)
        if spare:
            self.spare = nn.Linear(8, 3)  # built, never called: 27 parameters
        if scales:
            self.scales = nn.ParameterList(
                [nn.Parameter(torch.ones(5)), nn.Parameter(torch.ones(2))]
            )
        if block:
            self.spare_block = nn.Sequential(nn.Linear(8, 8), nn.ReLU())  # never called: 72

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x)


def plain() -> nn.Module:
    return Holder()


def with_spare() -> nn.Module:
    return Holder(spare=True)


def with_scales() -> nn.Module:
    return Holder(scales=True)


def with_block() -> nn.Module:
    return Holder(block=True)


def with_both() -> nn.Module:
    return Holder(spare=True, scales=True)


class LanguageModel(nn.Module):
    """An embedding of 50 tokens in 16 dimensions and a head back to the 50 tokens."""

    def __init__(self, tied: bool) -> None:
        super().__init__()
        self.emb = nn.Embedding(50, 16)
        self.head = nn.Linear(16, 50)
        if tied:
            self.head.weight = self.emb.weight  # the head reuses the embedding's 800 weights

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.head(self.emb(tokens))


def untied() -> nn.Module:
    return LanguageModel(tied=False)


def tied() -> nn.Module:
    return LanguageModel(tied=True)


def sized(units: int, depth: int) -> nn.Module:
    """``depth`` linear layers of ``units`` → ``units``: (units + 1)·units each."""
    return nn.Sequential(*(nn.Linear(units, units) for _ in range(depth)))


def labelled(label: str) -> nn.Module:
    """A linear layer from 4 inputs to one output per character of ``label``."""
    return nn.Sequential(nn.Linear(4, len(label)))
