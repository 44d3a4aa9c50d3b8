"""Deterministic output for real: two checkouts, two times, the same bytes.

The same docs are built by ``sphinx-build`` in two different folders, more than a second apart,
each with its own doctrees and model cache, as HTML (with SVG and PNG diagrams) and as LaTeX
(with PDF diagrams); every file written must be byte-identical. A timestamp, an absolute path, an
auto-generated layer name that depends on what was built before, or a set written in hash order
would each break it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).parent / "roots" / "test-reproducible"
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


def build(folder: Path) -> dict[str, dict[str, bytes]]:
    """Copy the root into ``folder``, build HTML and LaTeX there, and read every output file."""
    docs = folder / "docs"
    shutil.copytree(ROOT, docs)
    outputs = {}
    for builder in ("html", "latex"):
        out = folder / builder
        command = ["-m", "sphinx", "-b", builder, "-d", str(folder / "doctrees"), "docs", str(out)]
        done = subprocess.run(
            [sys.executable, *command], cwd=folder, capture_output=True, text=True, env=ENV
        )
        assert done.returncode == 0, done.stderr
        outputs[builder] = {
            str(path.relative_to(out)): path.read_bytes()
            for path in sorted(out.rglob("*"))
            if path.is_file()
        }
    return outputs


def test_two_builds_in_two_folders_a_second_apart_are_byte_identical(tmp_path):
    first = build(tmp_path / "a")
    time.sleep(1.1)  # a date or time written anywhere would now differ
    second = build(tmp_path / "checkout-in-another-place")
    suffixes = {name.rsplit(".", 1)[-1] for files in first.values() for name in files}
    assert {"html", "svg", "png", "tex", "pdf"} <= suffixes
    diagrams = [name for name in first["html"] if name.startswith("_images/model-")]
    assert sorted(name.rsplit(".", 1)[1] for name in diagrams) == ["png", "svg"]
    assert sum(name.endswith(".pdf") for name in first["latex"]) == 2
    for builder in ("html", "latex"):
        assert sorted(first[builder]) == sorted(second[builder]), builder
        differing = [
            name for name, content in first[builder].items() if second[builder][name] != content
        ]
        assert differing == [], builder
    page = first["html"]["index.html"].decode()
    assert str(tmp_path) not in page
    assert "The model has" in page and "left_conv" in page
