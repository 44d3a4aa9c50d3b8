"""Time a docs build of eight keras.applications pages, four ways, in one run.

static: summaries pasted as literal blocks (text made once beforehand with
``python -m sphinx_modelsummary show``); jupyter: a jupyter-sphinx cell per page
that builds the model and calls ``model.summary()``; cold: ``model-summary``
pages with an empty cache; warm: the same pages, a fresh output folder and
``-E``, but the doctree folder (which holds ``modelsummary-cache``) of a cold
build kept. Every build is ``python -m sphinx -b html SRC OUT -d DOCTREES -q``
in a subprocess. The jupyter way needs ``jupyter-sphinx`` and ``ipykernel``
(not dependencies of this project); without them it is skipped.

    .venv/bin/python benchmarks/docs_build.py [--runs 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

MODELS = (
    "ResNet50",
    "MobileNetV2",
    "VGG16",
    "EfficientNetB0",
    "DenseNet121",
    "InceptionV3",
    "Xception",
    "ConvNeXtTiny",
)
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
# A warm build without -q (whose info lines -q hides), reporting whether TensorFlow got imported.
VERIFY = """
import sys
from sphinx.cmd.build import main
status = main(sys.argv[1:])
print("tensorflow imported:", "tensorflow" in sys.modules)
sys.exit(status)
"""


def target(name: str) -> str:
    """The model-summary target of a keras.applications model, without weights."""
    return f"keras.applications:{name}(weights=None)"


def write_project(folder: Path, extension: str, page: Callable[[str], str]) -> None:
    """A Sphinx project with an index and one page per model, its body from ``page``."""
    folder.mkdir(parents=True)
    (folder / "conf.py").write_text(f"extensions = [{extension!r}]\n")
    index = "Models\n======\n\n.. toctree::\n\n" + "".join(f"   {n}\n" for n in MODELS)
    (folder / "index.rst").write_text(index)
    for name in MODELS:
        (folder / f"{name}.rst").write_text(f"{name}\n{'=' * len(name)}\n\n{page(name)}\n")


def jupyter_page(name: str) -> str:
    """A jupyter-sphinx cell that builds the model and prints its summary."""
    return (
        ".. jupyter-execute::\n\n   import keras\n"
        f"   model = keras.applications.{name}(weights=None)\n   model.summary()\n"
    )


def extension_page(name: str) -> str:
    """A model-summary directive for the model."""
    return f".. model-summary:: {target(name)}\n"


def run(arguments: list[str]) -> subprocess.CompletedProcess[str]:
    """Run this Python with ``arguments``; stop the benchmark if it fails."""
    done = subprocess.run([sys.executable, *arguments], env=ENV, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(arguments)}\n{done.stdout}{done.stderr}")
    return done


def cache_entries(doctrees: Path) -> int:
    """How many reports the doctree folder's model cache holds."""
    return len(list((doctrees / "modelsummary-cache").glob("*.json")))


def build(source: Path, out: Path, doctrees: Path) -> float:
    """Seconds of one quiet HTML build with a fresh environment (-E); its CPU seconds (the
    build's and every process it waited for) are added to ``CPU``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    run(["-m", "sphinx", "-b", "html", str(source), str(out), "-d", str(doctrees), "-q", "-E"])
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return seconds


CPU: list[float] = []


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    root = Path(tempfile.mkdtemp(prefix="modelsummary-bench-"))
    summaries = {
        name: run(["-m", "sphinx_modelsummary", "show", target(name)]).stdout for name in MODELS
    }
    write_project(
        root / "static",
        "sphinx_modelsummary",
        lambda name: "::\n\n" + "".join(f"   {line}\n" for line in summaries[name].splitlines()),
    )
    write_project(root / "extension", "sphinx_modelsummary", extension_page)
    ways = ["static", "cold", "warm"]
    missing = [m for m in ("jupyter_sphinx", "ipykernel") if importlib.util.find_spec(m) is None]
    if missing:
        print(f"jupyter way skipped: {', '.join(missing)} not installed")
    else:
        write_project(root / "jupyter", "jupyter_sphinx", jupyter_page)
        ways.insert(1, "jupyter")
    times: dict[str, list[float]] = {way: [] for way in ways}
    cpu: dict[str, list[float]] = {way: [] for way in ways}
    for index in range(runs):
        for way in ways:
            source = root / ("extension" if way in ("cold", "warm") else way)
            doctrees = root / f"doctrees-{way}-{index}"
            if way == "warm":
                shutil.copytree(root / f"doctrees-cold-{index}", doctrees)
            cached = cache_entries(doctrees)
            times[way].append(build(source, root / f"out-{way}-{index}", doctrees))
            cpu[way].append(CPU[-1])
            if way == "warm" and cache_entries(doctrees) > cached:
                # The cache key covers a hash of the extension's source: it was edited meanwhile.
                print(f"warm run {index + 1} missed the cache (extension source changed?)")
    medians = {way: statistics.median(values) for way, values in times.items()}
    print("| way | median s | runs s | median CPU s |")
    print("| --- | --- | --- | --- |")
    for way in ways:
        runs_text = ", ".join(f"{t:.2f}" for t in times[way])
        print(f"| {way} | {medians[way]:.2f} | {runs_text} | {statistics.median(cpu[way]):.2f} |")
    for way, baseline, target_ratio in (("cold", "jupyter", 0.15), ("warm", "static", 1.2)):
        if baseline in medians:
            ratio = medians[way] / medians[baseline]
            verdict = "met" if ratio <= target_ratio else "NOT met"
            print(f"{way} / {baseline} = {ratio:.3f} (target ≤ {target_ratio}: {verdict})")
    shutil.copytree(root / f"doctrees-cold-{runs - 1}", root / "doctrees-verify")
    source, out, doctrees = root / "extension", root / "out-verify", root / "doctrees-verify"
    log = run(["-c", VERIFY, "-b", "html", "-E", str(source), str(out), "-d", str(doctrees)])
    lines = [
        line for line in log.stdout.splitlines() if line.startswith(("modelsummary:", "tensorflow"))
    ]
    print("warm build log (without -q):", " / ".join(lines))
    shutil.rmtree(root)


if __name__ == "__main__":
    main()
