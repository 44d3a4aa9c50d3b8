"""Shape-only builds of a 2.68-billion-parameter Dense stack on each Keras backend.

Each backend runs in a fresh process (``KERAS_BACKEND=...``); the script prints the
wall time of ``build_report`` (the model's builder, the trace and the report, imports
excluded), the process's peak resident memory and whether TensorFlow was imported.

    python benchmarks/keras_backends.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

CHILD = """
import json, resource, sys, time
import keras
from sphinx_modelsummary.execute import BuildRequest, build_report
from sphinx_modelsummary.target import parse_target
started = time.perf_counter()
report = build_report(BuildRequest(parse_target("keras_backends:dense_stack")))
seconds = time.perf_counter() - started
print(json.dumps({
    "backend": keras.backend.backend(),
    "params": report.totals.params,
    "build_mode": report.build_mode,
    "seconds": round(seconds, 2),
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    "tensorflow_imported": "tensorflow" in sys.modules,
}))
"""


def dense_stack():
    """Ten Dense(16384) layers: 2,684,518,400 parameters (10.7 GB as float32)."""
    import keras

    inputs = keras.Input((16_384,))
    x = inputs
    for _ in range(10):
        x = keras.layers.Dense(16_384)(x)
    return keras.Model(inputs, x, name="dense_stack")


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    for backend in ("tensorflow", "jax", "torch"):
        env = {
            **os.environ,
            "KERAS_BACKEND": backend,
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONPATH": os.pathsep.join([root, here, os.environ.get("PYTHONPATH", "")]),
        }
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, check=True
        )
        total = time.perf_counter() - started
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        figures["process_seconds"] = round(total, 1)
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
