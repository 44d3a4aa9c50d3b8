"""Processes of a build end with the process that started them, whatever ends that one.

A worker watches the engine that started it; a reader or writer that Sphinx forks for
``-j N`` watches the ``sphinx-build`` it was forked from. Without this a ``SIGTERM`` or
``SIGKILL`` of ``sphinx-build -j N`` leaves its forked readers, and the workers they
started, building until their timeout. A worker leads a process group of its own, and a
keeper process ends that group when the worker is gone, so what a builder started
(``subprocess``, ``multiprocessing``) ends with it too.
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


def group_ends_with_this_process() -> None:
    """Fork a keeper that kills this process's group once this process has ended, whatever
    ended it: a ``SIGKILL`` leaves no time to stop the processes a builder started, and they
    are no children of the engine, so only someone who outlives the worker can end them.
    Call it before starting threads (the keeper is a fork). Only a group's leader has one:
    a group it does not lead is someone else's."""
    watched = os.getpid()
    if not hasattr(os, "fork") or os.getpgid(0) != watched:
        return
    if os.fork() != 0:
        return
    try:  # the keeper holds none of the worker's pipes: the engine sees them close
        quiet = os.open(os.devnull, os.O_RDWR)
        for descriptor in (0, 1, 2):
            os.dup2(quiet, descriptor)
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))
        while os.getppid() == watched:  # the worker's end makes the keeper an orphan
            time.sleep(0.2)
    finally:
        os.killpg(watched, signal.SIGKILL)  # the keeper too, last
        os._exit(0)


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
