"""Time and peak memory of a shape-only summary of Llama-2-7B against full builds.

Each build runs ``build_report`` in its own process, so the peak resident
memory (``ru_maxrss``) is that build's own. The full 32-layer build would need
about 27 GB, more than the machine has: it runs under an address-space limit
(``RLIMIT_AS``) to show that it fails, and full builds of 2 and 4 layers give
the memory of one layer. Needs ``keras-hub`` (not a dependency of this project).

    .venv/bin/python benchmarks/shape_only.py
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import time

BENCHMARKS = os.path.dirname(os.path.abspath(__file__))
EXPECTED_PARAMS = 6_738_415_616
LIMIT_GB = 16
PROBE = """
import json, resource, sys, time
sys.path.insert(0, {folder!r})
from sphinx_modelsummary.execute import BuildRequest, build_report
from sphinx_modelsummary.target import parse_target
started = time.perf_counter()
report = build_report(BuildRequest(parse_target({target!r}), None, shape_only={shape_only}))
print(json.dumps({{"seconds": time.perf_counter() - started, "params": report.totals.params,
    "mode": report.build_mode,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def measure(target: str, shape_only: bool, limit_gb: int | None) -> dict:
    """One build in a fresh process (address space capped at ``limit_gb``, if given)."""

    def cap() -> None:
        if limit_gb:
            resource.setrlimit(resource.RLIMIT_AS, (limit_gb * 2**30, limit_gb * 2**30))

    code = PROBE.format(folder=BENCHMARKS, target=target, shape_only=shape_only)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        preexec_fn=cap,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        # The exception without its module path and TensorFlow's node and device names.
        error = re.sub(r"^[\w.]*\.|\{\{.*?\}\} | on /job:.*", "", last)
        return {"failed": error, "seconds": time.perf_counter() - started}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    cases = [
        ("big_models:llama2_7b", True, LIMIT_GB),
        ("big_models:llama2_7b(num_layers=2)", True, None),
        ("big_models:llama2_7b(num_layers=2)", False, None),
        ("big_models:llama2_7b(num_layers=4)", False, None),
        ("big_models:llama2_7b", False, LIMIT_GB),
    ]
    print("| target | asked | address-space limit | built as | s | peak RSS MB | params |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    results = {}
    for target, shape_only, limit in cases:
        result = results[target, shape_only] = measure(target, shape_only, limit)
        asked = "shape-only" if shape_only else "full"
        limit_text = f"{limit} GB" if limit else "none"
        if "failed" in result:
            failed = f"failed after {result['seconds']:.0f} s: {result['failed']}"
            print(f"| {target} | {asked} | {limit_text} | {failed} | | | |")
            continue
        print(
            f"| {target} | {asked} | {limit_text} | {result['mode']} | {result['seconds']:.1f} "
            f"| {result['peak_mb']:,.0f} | {result['params']:,} |"
        )
    params = results["big_models:llama2_7b", True].get("params")
    print(
        f"Llama-2-7B params: {params:,} (expected {EXPECTED_PARAMS:,}: {params == EXPECTED_PARAMS})"
    )
    two = results["big_models:llama2_7b(num_layers=2)", False]
    four = results["big_models:llama2_7b(num_layers=4)", False]
    per_layer = (four["peak_mb"] - two["peak_mb"]) / 2
    weights = (four["params"] - two["params"]) / 2 * 4 / 2**20
    print(
        f"full build: {per_layer:,.0f} MB peak RSS per layer ({weights:,.0f} MB of float32 "
        f"weights), about {two['peak_mb'] + 30 * per_layer:,.0f} MB for 32 layers"
    )


if __name__ == "__main__":
    main()
