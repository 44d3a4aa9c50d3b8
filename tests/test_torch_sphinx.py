"""PyTorch models through real Sphinx builds: counts, the role, the Keras comparison, errors."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx_helpers import warnings_of

pytestmark = pytest.mark.torch

ROOTS = Path(__file__).parent / "roots"
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


def page(app, name: str) -> BeautifulSoup:
    return BeautifulSoup((app.outdir / f"{name}.html").read_text(encoding="utf-8"), "html.parser")


@pytest.mark.sphinx("html", testroot="torch", freshenv=True)
def test_pytorch_pages_build_with_exact_counts(app):
    app.build()
    assert app.statuscode == 0, warnings_of(app)
    assert "ERROR" not in warnings_of(app)
    index = page(app, "index").get_text(" ")
    assert "The PyTorch ResNet has 195,738 parameters." in re.sub(r"\s+", " ", index)
    assert "Buffers" in index and "1,135" in index
    assert "layer2/0/downsample/0 (Conv2d)" in index
    assert "16·3·3·32" in index  # the downsample's formula, without bias
    # the ResNet is drawn beside its summary: an inline SVG whose boxes link to the rows
    (figure,) = page(app, "index").select("svg.modelsummary-diagram")
    assert figure.select("a > g.modelsummary-box")
    shared = page(app, "shared").get_text(" ")
    assert "121" in shared and "130,944" in shared and "194,944" not in shared


@pytest.mark.sphinx("html", testroot="torch", freshenv=True)
def test_keras_and_pytorch_resnets_compared_explain_1680(app):
    app.build()
    assert app.statuscode == 0, warnings_of(app)
    text = re.sub(r"\s+", " ", page(app, "compare").get_text(" "))
    assert "197,418" in text and "195,738" in text and "-1,680" in text
    assert "(3·3·3 + 1)·16 = 448" in text and "3·3·3·16 = 432" in text
    assert "buffers, not parameters: running_mean 16, running_var 16" in text


@pytest.mark.sphinx("html", testroot="torch-problems", freshenv=True)
def test_failing_torch_builders_are_errors_at_their_lines(app):
    app.build()
    assert app.statuscode == 1
    warnings = warnings_of(app)
    expected = [
        (4, r"target 'torch_problems:raises' raised an error:"),
        (6, r"did not finish within 2 s"),
        (9, r"crashed the process that ran it \(exited with status 3\)"),
        (11, r"crashed the process that ran it \(.*SIGSEGV"),
        (13, r"gave a builtins.list, not a model; the target must name a torch.nn.Module"),
        (15, r"Sequential.forward needs 1 input \(input\).*:input-shape:"),
        (17, r"calling the module on \(1, 5\) float32 failed"),
    ]
    for line, message in expected:
        assert re.search(rf"index\.rst:{line}: ERROR: .*{message}", warnings), (line, warnings)
    assert "ValueError: width 3 is not supported" in warnings
    text = page(app, "index").get_text(" ")
    assert "15" in text  # the module after the failures was still built


def test_warm_build_imports_neither_torch_nor_tensorflow(tmp_path):
    source = tmp_path / "docs"
    shutil.copytree(ROOTS / "test-torch", source)
    (source / "compare.rst").unlink()
    (source / "index.rst").write_text(
        (source / "index.rst").read_text().replace("   compare\n", "")
    )
    probe = (
        "import sys; from sphinx.cmd.build import main; status = main(sys.argv[1:]); "
        "print('frameworks:', sorted(n for n in ('torch', 'tensorflow', 'keras') "
        "if n in sys.modules)); sys.exit(status)"
    )
    outputs = []
    for name in ("cold", "warm"):
        command = [
            "-E",
            "-b",
            "html",
            "-d",
            str(tmp_path / "doctrees"),
            "docs",
            str(tmp_path / name),
        ]
        done = subprocess.run(
            [sys.executable, "-c", probe, *command],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=ENV,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "frameworks: []" in done.stdout
        assert "195,738" in (tmp_path / name / "index.html").read_text(encoding="utf-8")
        outputs.append(done.stdout)
    assert "from the cache, 1 worker process started" in outputs[0]
    assert "from the cache, 0 worker processes started" in outputs[1]


@pytest.mark.sphinx("modelcheck", testroot="torch", freshenv=True)
def test_modelcheck_checks_the_pytorch_promises(app):
    app.build()
    assert app.statuscode == 0, warnings_of(app)
    data = json.loads((app.outdir / "modelcheck.json").read_text(encoding="utf-8"))
    assert data["summary"]["error"] == 0 and data["summary"]["drift"] == 0
    resnet = next(r for r in data["results"] if r["expected"].get("params") == "195,738")
    assert resnet["actual"] == {"params": 195_738, "trainable": 195_738, "non-trainable": 0}
    tied = next(r for r in data["results"] if r["expected"].get("params") == "130,944")
    assert (tied["document"], tied["status"]) == ("shared", "ok")
