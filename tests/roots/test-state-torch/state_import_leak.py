"""A module that changes PyTorch's default float type when it is imported."""

import torch
from torch.nn import Linear  # noqa: F401 - the target

torch.set_default_dtype(torch.float64)
