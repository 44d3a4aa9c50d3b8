"""Time a docs build with one ``model-summary`` page per torchvision model, cold and warm.

cold: an empty cache, so one torch worker builds every model on the meta device
(regnet_y_400mf, which cannot run on meta, for real); warm: a fresh output
folder and ``-E``, the doctree folder (and its ``modelsummary-cache``) of the
cold build kept, so no worker starts and torch is not imported. Every build is
``python -m sphinx -b html SRC OUT -d DOCTREES -q`` in a subprocess.

    .venv/bin/python benchmarks/torch_docs.py [--runs 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODELS = (
    "resnet18",
    "resnet50",
    "vgg16",
    "vit_b_16",
    "convnext_tiny",
    "swin_t",
    "mobilenet_v3_large",
    "efficientnet_b0",
    "densenet121",
    "regnet_y_400mf",
)
PAGE = """{name}
{underline}

.. model-summary:: torchvision.models:{name}
   :input-shape: (1, 3, 224, 224)
   :columns: layer, output_shape, params, macs
"""


def write_project(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "conf.py").write_text('extensions = ["sphinx_modelsummary"]\n')
    index = "Models\n======\n\n.. toctree::\n\n" + "".join(f"   {n}\n" for n in MODELS)
    (folder / "index.rst").write_text(index)
    for name in MODELS:
        (folder / f"{name}.rst").write_text(PAGE.format(name=name, underline="=" * len(name)))


def build(source: Path, out: Path, doctrees: Path) -> float:
    command = [sys.executable, "-m", "sphinx", "-E", "-q", "-b", "html", "-d", str(doctrees)]
    started = time.perf_counter()
    subprocess.run([*command, str(source), str(out)], check=True, env=os.environ)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2)
    runs = parser.parse_args().runs
    print(f"{len(MODELS)} pages, one torchvision model each")
    print("| run | cold | warm |")
    print("| --- | --- | --- |")
    for run in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            write_project(root / "docs")
            cold = build(root / "docs", root / "cold", root / "doctrees")
            warm = build(root / "docs", root / "warm", root / "doctrees")
        print(f"| {run + 1} | {cold:.1f} s | {warm:.1f} s |")


if __name__ == "__main__":
    main()
