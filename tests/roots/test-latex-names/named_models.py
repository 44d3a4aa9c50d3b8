"""PyTorch models whose layers are named in scripts pdflatex cannot set."""

from collections import OrderedDict

from torch import nn


def cjk() -> nn.Module:
    """Two layers whose names differ only in a CJK character: 层1 (4·3 + 3) and 块1 (3·2 + 2)."""
    return nn.Sequential(OrderedDict([("层1", nn.Linear(4, 3)), ("块1", nn.Linear(3, 2))]))


def latin() -> nn.Module:
    """The same layers with names every LaTeX engine sets."""
    return nn.Sequential(OrderedDict([("layer_1", nn.Linear(4, 3)), ("block_1", nn.Linear(3, 2))]))


def cjk_wide() -> nn.Module:
    """层1 with 5 outputs instead of 3: both layers' counts differ from ``cjk``'s (+10, +4)."""
    return nn.Sequential(OrderedDict([("层1", nn.Linear(4, 5)), ("块1", nn.Linear(5, 2))]))
