"""Builders that misbehave as processes: they print, exit, hang, or start processes of their own
that would outlive the build (each holds at "building" once its process is started)."""

import multiprocessing
import os
import subprocess
import sys
import time

from held_models import small
from hold import hold


def prints():
    print("a builder's chatter")
    return small()


def writes_to_its_stdout():
    os.write(1, b"bytes written straight to file descriptor 1\n")
    return small()


def exits_quietly():
    os._exit(0)


def exits_with_status_3():
    os._exit(3)


def calls_sys_exit():
    sys.exit(0)


def raises():
    raise ValueError("the widths do not add up\nsecond line of the message")


def hangs():
    while True:
        time.sleep(1)


def starts_a_process():
    subprocess.Popen(["sleep", "600"])
    hold("building")
    return small()


def starts_a_multiprocessing_child():
    multiprocessing.get_context("fork").Process(target=time.sleep, args=(600,)).start()
    hold("building")
    return small()
