"""Keras 2 (tf_keras) shape-only builds (a TF1-style graph) against full eager builds.

Each build runs ``build_report`` in a fresh process with ``TF_USE_LEGACY_KERAS=1``
(as the engine's Keras 2 worker does), so its peak resident memory
(``ru_maxrss``) is its own; ``import_mb`` is the peak after importing
TensorFlow and tf_keras, before building. Seconds are those of
``build_report`` (imports not included), median of ``RUNS`` processes.

    .venv/bin/python benchmarks/tf_keras_shape_only.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

BENCHMARKS = os.path.dirname(os.path.abspath(__file__))
RUNS = 3
CASES = [
    ("legacy_big_models:dense_stack", True),
    ("legacy_big_models:dense_stack(depth=40)", True),
    ("tf_keras.applications:ResNet50(weights=None)", True),
    ("tf_keras.applications:ResNet50(weights=None)", False),
    ("tf_keras.applications:DenseNet121(weights=None)", True),
    ("tf_keras.applications:DenseNet121(weights=None)", False),
]
PROBE = """
import json, resource, sys, time
sys.path.insert(0, {folder!r})
import tf_keras
from sphinx_modelsummary.execute import build_report
from sphinx_modelsummary.request import BuildRequest
from sphinx_modelsummary.target import parse_target
import_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
started = time.perf_counter()
report = build_report(BuildRequest(parse_target({target!r}), shape_only={shape_only}))
print(json.dumps({{"seconds": time.perf_counter() - started, "params": report.totals.params,
    "mode": report.build_mode, "import_mb": import_mb,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def measure(target: str, shape_only: bool) -> dict:
    code = PROBE.format(folder=BENCHMARKS, target=target, shape_only=shape_only)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_USE_LEGACY_KERAS": "1"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{target} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    columns = ["target", "asked", "built as", "median s", "runs s", "peak RSS MB"]
    columns += ["after imports MB", "params"]
    print("| " + " | ".join(columns) + " |")
    print("|" + " --- |" * len(columns))
    for target, shape_only in CASES:
        runs = [measure(target, shape_only) for _ in range(RUNS)]
        seconds = [run["seconds"] for run in runs]
        print(
            f"| {target} | {'shape-only' if shape_only else 'full'} | {runs[0]['mode']} "
            f"| {statistics.median(seconds):.2f} | {', '.join(f'{s:.2f}' for s in seconds)} "
            f"| {max(run['peak_mb'] for run in runs):,.0f} "
            f"| {max(run['import_mb'] for run in runs):,.0f} | {runs[0]['params']:,} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
