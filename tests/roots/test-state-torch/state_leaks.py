"""Builders that change PyTorch's process-wide state and leave it changed."""

import torch
from torch import nn

#: Context managers entered and never left, kept alive as a careless builder does.
_KEPT = []


def _model() -> nn.Module:
    return nn.Linear(4, 2)


def leak_dtype():
    torch.set_default_dtype(torch.float64)
    return _model()


def leak_device():
    torch.set_default_device("meta")
    return _model()


def leak_grad():
    torch.set_grad_enabled(False)
    return _model()


def leak_inference():
    mode = torch.inference_mode()
    mode.__enter__()
    _KEPT.append(mode)
    return _model()


def leak_deterministic():
    torch.use_deterministic_algorithms(True, warn_only=True)
    return _model()


def leak_anomaly():
    torch.autograd.set_detect_anomaly(True)
    return _model()


def leak_seed():
    torch.manual_seed(1234)
    return _model()


def leak_random_draws():
    torch.rand(1000, device="cpu")
    return _model()


def leak_threads():
    torch.set_num_threads(7)
    return _model()


def leak_autocast():
    torch.set_autocast_enabled("cpu", True)
    torch.set_autocast_dtype("cpu", torch.float16)
    return _model()


def leak_matmul():
    torch.set_float32_matmul_precision("medium")
    return _model()


def leak_cudnn():
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = True
    return _model()


def leak_mkldnn():
    torch.backends.mkldnn.enabled = False
    return _model()


def leak_tf32():
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = False
    return _model()
