"""PyTorch builders that fail in every way a builder can."""

import ctypes
import os
import time

from torch import nn


def raises():
    raise ValueError("width 3 is not supported")


def hangs():
    time.sleep(3600)


def exits_the_process():
    os._exit(3)


def segfaults():
    ctypes.string_at(0)


def returns_a_list():
    return [nn.Linear(2, 3)]


def needs_an_input():
    return nn.Sequential(nn.Linear(4, 3))


def fails_on_its_input():
    return nn.Linear(4, 3)


def works():
    return nn.Linear(4, 3)
