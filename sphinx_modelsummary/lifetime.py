"""Processes of a build end with the process that started them, whatever ends that one.

A worker watches the engine that started it; a reader or writer that Sphinx forks for
``-j N`` watches the ``sphinx-build`` it was forked from. Without this a ``SIGTERM`` or
``SIGKILL`` of ``sphinx-build -j N`` leaves its forked readers, and the workers they
started, building until their timeout.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1
#: The process that is forking now (set just before each fork, read in the child).
_forking_process: int | None = None
_forks_guarded = False


def _prctl() -> Callable[..., int] | None:
    """Linux's ``prctl``, looked up once in the parent: a forked child only calls it."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _prctl()


def _killed_with_parent(parent: int) -> None:
    """Ask the kernel for SIGKILL when the parent dies; exit now if it already has."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the signal was set up
        os._exit(1)


def die_with_parent(parent: int) -> None:
    """Exit when ``parent`` is gone: the kernel's parent-death signal (Linux), and a
    watchdog thread (every platform, and a second line where the signal is refused)."""
    _killed_with_parent(parent)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def dies_with_this_process() -> Callable[[], None]:
    """A ``preexec_fn`` for :class:`subprocess.Popen`: the child is killed with this process
    from before its program starts, so an interrupt while it is still starting (Python's
    start-up, ``sitecustomize``, ``.pth`` files, importing a framework) leaves nothing."""
    parent = os.getpid()
    return lambda: _killed_with_parent(parent)


def end_forks_with_this_process() -> None:
    """Make every process forked from here on (Sphinx's parallel readers and writers) die
    with the process that forked it. Called once per process; later calls do nothing."""
    global _forks_guarded
    if _forks_guarded or not hasattr(os, "register_at_fork"):
        return
    _forks_guarded = True
    os.register_at_fork(before=_note_forking_process, after_in_child=_child_dies_with_parent)


def _note_forking_process() -> None:
    global _forking_process
    _forking_process = os.getpid()


def _child_dies_with_parent() -> None:
    if _forking_process is not None:
        die_with_parent(_forking_process)
