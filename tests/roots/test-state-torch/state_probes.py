"""Models whose page depends on PyTorch's process-wide state: built alone, and after builders
that changed that state, they must show the same numbers. A model whose size reads a setting
stands for any code that behaves differently under it."""

import torch
from torch import nn


def _width(changed: bool) -> nn.Module:
    """Linear(4, 3) (15 parameters) in the state a fresh process has; 25 when changed."""
    return nn.Linear(4, 5 if changed else 3)


def probe_dtype():
    return nn.Linear(4, 3)  # 15 parameters: 60 B in float32


def probe_embedding():
    return nn.Embedding(10, 4)  # 40 parameters: 160 B in float32


def probe_device():
    """Needs real values: the shape-only build fails on meta and it is built again for real."""
    return nn.Linear(4, int(torch.tensor([1, 2]).sum().item()))


def probe_grad():
    return _width(not torch.is_grad_enabled())


def probe_inference():
    return _width(torch.is_inference_mode_enabled())


def probe_deterministic():
    return _width(torch.are_deterministic_algorithms_enabled())


def probe_anomaly():
    return _width(torch.is_anomaly_enabled())


def probe_random(features=4):
    """A width drawn from the default generator: the same in every build of a worker."""
    return nn.Linear(features, int(torch.randint(2, 10_000, (1,), device="cpu")))


def probe_threads():
    return nn.Linear(4, torch.get_num_threads())


def probe_autocast():
    return _width(torch.is_autocast_enabled("cpu") or torch.get_autocast_dtype("cpu") != torch.bfloat16)


def probe_matmul():
    return _width(torch.get_float32_matmul_precision() != "highest")


def probe_cudnn():
    return _width(torch.backends.cudnn.deterministic or torch.backends.cudnn.benchmark)


def probe_mkldnn():
    return _width(not torch.backends.mkldnn.enabled)


def probe_tf32():
    return _width(torch.backends.cuda.matmul.allow_tf32 or not torch.backends.cudnn.allow_tf32)
