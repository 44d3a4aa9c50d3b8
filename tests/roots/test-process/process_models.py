"""Builders that hang, interrupt, crash loudly, or leave a thread running."""

import os
import signal
import sys
import threading
import time

import keras


def small():
    inputs = keras.Input((4,))
    return keras.Model(inputs, keras.layers.Dense(3)(inputs))


def hangs():
    while True:
        pass


def interrupts():
    raise KeyboardInterrupt


def crashes_loudly():
    print("the builder's last words", file=sys.stderr, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


def leaves_a_thread():
    threading.Thread(target=lambda: time.sleep(3600), daemon=False).start()
    return small()
