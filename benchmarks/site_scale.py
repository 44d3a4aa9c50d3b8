"""Time a docs site of a model zoo, one page per model: cold, warm, -j 2.

``--zoo keras`` (the default): all 40 keras.applications models, built with
``weights=None``; ``--zoo torchvision``: 17 torchvision classification models
(the 10 whose MACs the tests check against torchvision's table, and 7 more),
with ``:input-shape: (1, 3, 224, 224)``. Each page holds a ``model-summary``
and a ``model-diagram`` of its model. Ways (each a ``python -m sphinx -b html -E -q`` in a
subprocess, median of ``--runs``):

- static: what a page would paste instead: every summary as a literal block
  (text made once beforehand with ``python -m sphinx_modelsummary show``) and
  its diagram as an ``.. image::`` of a file copied from the first cold build;
- cold: an empty doctree folder, so an empty model cache and no figures;
- warm: a fresh output folder and ``-E``, with a copy of a cold build's
  doctree folder (model cache and figures kept);
- cold -j 2 and warm -j 2: the same with two parallel readers.

Peak memory: ``VmHWM`` (peak resident set) of the Sphinx process and of every
process it starts, read from ``/proc`` every 0.1 s while the build runs; the
largest worker is reported. Run from the repository root:

    .venv/bin/python benchmarks/site_scale.py [--runs 3] [--zoo torchvision] [--models A,B]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODELS = (
    "ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtSmall", "ConvNeXtTiny", "ConvNeXtXLarge",
    "DenseNet121", "DenseNet169", "DenseNet201",
    "EfficientNetB0", "EfficientNetB1", "EfficientNetB2", "EfficientNetB3",
    "EfficientNetB4", "EfficientNetB5", "EfficientNetB6", "EfficientNetB7",
    "EfficientNetV2B0", "EfficientNetV2B1", "EfficientNetV2B2", "EfficientNetV2B3",
    "EfficientNetV2L", "EfficientNetV2M", "EfficientNetV2S",
    "InceptionResNetV2", "InceptionV3",
    "MobileNet", "MobileNetV2", "MobileNetV3Large", "MobileNetV3Small",
    "NASNetLarge", "NASNetMobile",
    "ResNet101", "ResNet101V2", "ResNet152", "ResNet152V2", "ResNet50", "ResNet50V2",
    "VGG16", "VGG19", "Xception",
)  # fmt: skip
TORCHVISION_MODELS = (
    "alexnet", "convnext_tiny", "densenet121", "efficientnet_b0", "mobilenet_v2",
    "mobilenet_v3_large", "mobilenet_v3_small", "regnet_y_400mf", "resnet18", "resnet34",
    "resnet50", "resnet101", "shufflenet_v2_x1_0", "squeezenet1_0", "swin_t", "vgg16",
    "vit_b_16",
)  # fmt: skip
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
#: Set by --zoo: how a page names its model, and the options it adds.
ZOO = "keras"
TORCH_SHAPE = "(1, 3, 224, 224)"


def target(name: str) -> str:
    if ZOO == "torchvision":
        return f"torchvision.models:{name}"
    return f"keras.applications:{name}(weights=None)"


def options() -> str:
    return f"   :input-shape: {TORCH_SHAPE}\n" if ZOO == "torchvision" else ""


def write_project(folder: Path, models: list[str], body) -> None:
    folder.mkdir(parents=True)
    (folder / "conf.py").write_text('extensions = ["sphinx_modelsummary"]\n')
    index = "Models\n======\n\n.. toctree::\n\n" + "".join(f"   {n}\n" for n in models)
    (folder / "index.rst").write_text(index)
    for name in models:
        (folder / f"{name}.rst").write_text(f"{name}\n{'=' * len(name)}\n\n{body(name)}\n")


def write_static_project(
    folder: Path, models: list[str], summaries: dict[str, str], cold_out: Path
) -> None:
    """The pasted-text pages: each summary as a literal block, each diagram as an image
    (the file the cold build drew, found from its page)."""
    figures = {}
    for name in models:
        html = (cold_out / f"{name}.html").read_text(encoding="utf-8")
        (source,) = re.findall(r'src="(_images/[^"]+\.svg)"', html)
        figures[name] = source

    def body(name: str) -> str:
        text = "".join(f"   {line}\n" for line in summaries[name].splitlines())
        return f"::\n\n{text}\n.. image:: {figures[name]}\n"

    write_project(folder, models, body)
    (folder / "_images").mkdir()
    for source in figures.values():
        shutil.copy(cold_out / source, folder / source)


def extension_page(name: str) -> str:
    return (
        f".. model-summary:: {target(name)}\n{options()}\n"
        f".. model-diagram:: {target(name)}\n{options()}"
    )


def peak_memory(pid: int) -> dict[int, int]:
    """VmHWM in KiB of ``pid`` and its descendants that are alive now."""
    found: dict[int, int] = {}
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                found[current] = int(line.split()[1])
        pending += [int(child) for child in children]
    return found


def build(source: Path, out: Path, doctrees: Path, jobs: int) -> tuple[float, int, int, int]:
    """Seconds, peak MiB of Sphinx, of its largest child, and how many children it started."""
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-E", "-q", "-j", str(jobs)]
    command += [str(source), str(out), "-d", str(doctrees)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, env=ENV, stderr=subprocess.PIPE, text=True)
    peaks: dict[int, int] = {}
    while process.poll() is None:
        for pid, kib in peak_memory(process.pid).items():
            peaks[pid] = max(peaks.get(pid, 0), kib)
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    errors = process.stderr.read()
    if process.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{errors}")
    own = peaks.pop(process.pid, 0)
    return seconds, own // 1024, max(peaks.values(), default=0) // 1024, len(peaks)


#: CPU seconds of each build (the build's and every process it waited for), in order.
CPU: list[float] = []


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--zoo", choices=("keras", "torchvision"), default="keras")
    parser.add_argument("--models", help="comma-separated; default: the whole zoo")
    arguments = parser.parse_args()
    global ZOO
    ZOO = arguments.zoo
    zoo = TORCHVISION_MODELS if ZOO == "torchvision" else MODELS
    models = arguments.models.split(",") if arguments.models else list(zoo)
    shape = ["--input-shape", TORCH_SHAPE] if ZOO == "torchvision" else []
    root = Path(tempfile.mkdtemp(prefix="modelsummary-site-"))
    summaries = {}
    for name in models:
        shown = subprocess.run(
            [sys.executable, "-m", "sphinx_modelsummary", "show", target(name), *shape],
            env=ENV,
            capture_output=True,
            text=True,
            check=True,
        )
        summaries[name] = shown.stdout
    write_project(root / "extension", models, extension_page)
    ways = ("cold", "static", "warm", "cold -j 2", "warm -j 2")
    results: dict[str, list[tuple]] = {way: [] for way in ways}
    for index in range(arguments.runs):
        for way in ways:
            if way == "static" and index == 0:
                write_static_project(root / "static", models, summaries, root / "out-cold-0")
            jobs = 2 if "-j 2" in way else 1
            source = root / ("static" if way == "static" else "extension")
            doctrees = root / f"doctrees-{way.replace(' ', '')}-{index}"
            if way.startswith("warm"):
                shutil.copytree(root / f"doctrees-cold-{index}", doctrees)
            out = root / f"out-{way.replace(' ', '')}-{index}"
            results[way].append((*build(source, out, doctrees, jobs), CPU[-1]))
    print(f"{len(models)} pages, {arguments.runs} runs each, medians")
    print(
        "| way | median s | runs s | CPU s | Sphinx peak MiB | largest child peak MiB | children |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for way in ways:
        runs = results[way]
        seconds = [run[0] for run in runs]
        print(
            f"| {way} | {statistics.median(seconds):.2f} | "
            f"{', '.join(f'{s:.2f}' for s in seconds)} | "
            f"{statistics.median(run[4] for run in runs):.1f} | "
            f"{statistics.median(run[1] for run in runs):,.0f} | "
            f"{statistics.median(run[2] for run in runs):,.0f} | "
            f"{max(run[3] for run in runs)} |"
        )
    static = statistics.median(run[0] for run in results["static"])
    for way in ("warm", "warm -j 2"):
        ratio = statistics.median(run[0] for run in results[way]) / static
        print(f"{way} / static = {ratio:.2f} (target ≤ 1.2)")
    shutil.rmtree(root)


if __name__ == "__main__":
    main()
