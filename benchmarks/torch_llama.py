"""Time and peak memory of a shape-only summary of a Llama-2-7B-sized PyTorch decoder.

The decoder is plain PyTorch (``example_project.torch_llama:llama2_7b``,
6,738,415,616 parameters, about 27 GB of float32 if built for real). Each run
builds it on the meta device in a fresh process, so the time includes
importing torch and the peak resident memory (``ru_maxrss``) is that build's
own; a second build in the same process shows what a warm worker takes. The
figures go into ``benchmarks/README.md``.

    .venv/bin/python benchmarks/torch_llama.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXPECTED_PARAMS = 6_738_415_616
PROBE = """
import json, resource, sys, time
started = time.perf_counter()
from sphinx_modelsummary.execute import build_report
from sphinx_modelsummary.request import BuildRequest
from sphinx_modelsummary.target import parse_target
imported = time.perf_counter()
request = BuildRequest(parse_target({target!r}), ({shape!r},), "int64")
report = build_report(request)
first = time.perf_counter()
again = build_report(request)  # a warm worker: torch and its meta kernels already loaded
print(json.dumps({{"seconds": first - started, "build_seconds": first - imported,
    "again_seconds": time.perf_counter() - first, "params": report.totals.params,
    "mode": report.build_mode, "layers": len(report.layers),
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def measure(target: str, shape: tuple) -> dict:
    code = PROBE.format(target=target, shape=shape)
    path = os.pathsep.join([ROOT, os.path.join(ROOT, "example_project")])
    env = {**os.environ, "PYTHONPATH": path + os.pathsep + os.environ.get("PYTHONPATH", "")}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - started
    return result


def main() -> None:
    import torch

    print(f"torch {torch.__version__}, Python {sys.version.split()[0]}")
    print("| tokens | whole process | first build, importing torch | next build | peak memory |")
    print("| --- | --- | --- | --- | --- |")
    for steps in (128, 2048):
        for _ in range(2):
            result = measure("example_project.torch_llama:llama2_7b", (1, steps))
            assert result["params"] == EXPECTED_PARAMS and result["mode"] == "shape-only"
            print(
                f"| {steps} | {result['process_seconds']:.1f} s | {result['seconds']:.1f} s "
                f"| {result['again_seconds']:.1f} s "
                f"| {result['peak_mb']:.0f} MB |"
            )


if __name__ == "__main__":
    main()
