"""PyTorch modules whose ``forward`` decides on the values of its input."""

from torch import nn


class LazyBranchy(nn.Module):
    """LazyLinear(3) for inputs that sum above 0, else LazyLinear(5): sized on first use."""

    def __init__(self):
        super().__init__()
        self.a = nn.LazyLinear(3)
        self.b = nn.LazyLinear(5)

    def forward(self, x):
        if x.sum() > 0:
            return self.a(x)
        return self.b(x)


class LazyUnused(nn.Module):
    """A lazy module that forward never calls."""

    def __init__(self):
        super().__init__()
        self.used = nn.Linear(4, 3)
        self.spare = nn.LazyLinear(2)

    def forward(self, x):
        return self.used(x)


def plain():
    return nn.Linear(4, 3)
