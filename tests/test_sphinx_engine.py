"""The engine seen from Sphinx: timeouts at their line, dependencies, warm builds."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sphinx_helpers import warnings_of

ROOTS = Path(__file__).parent / "roots"
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


def read_docs(app) -> list[str]:
    """Documents re-read by the last build, from Sphinx's own progress output."""
    status = re.sub(r"\x1b\[[0-9;]*m", "", app._status.getvalue())
    return re.findall(r"reading sources\.\.\. \[\s*\d+%\] (\S+)", status)


@pytest.mark.sphinx("html", testroot="engine", freshenv=True)
def test_hanging_builder_is_an_error_at_its_line_and_the_page_goes_on(app):
    app.build()
    assert app.statuscode == 1
    warnings = warnings_of(app)
    assert re.search(
        r"slow\.rst:4: ERROR: model-summary model_b:hangs: .*did not finish within 2 s", warnings
    ), warnings
    page = (app.outdir / "slow.html").read_text(encoding="utf-8")
    assert "could not document model_b:hangs" in page
    assert "15" in page  # the model after it on the same page was still built


@pytest.mark.sphinx("html", testroot="engine", freshenv=True)
def test_editing_a_model_rebuilds_exactly_its_pages(app, make_app):
    app.build()
    assert set(read_docs(app)) == {"index", "a", "b", "slow"}
    again = make_app("html", srcdir=app.srcdir)
    again.build()
    assert read_docs(again) == []

    model_b = app.srcdir / "model_b.py"
    model_b.write_text(model_b.read_text().replace("Dense(2)", "Dense(5)"))
    edited = make_app("html", srcdir=app.srcdir)
    edited.build()
    assert sorted(read_docs(edited)) == ["b", "slow"]
    assert re.search(
        r"b\.rst:4: ERROR: model_b:build: params: the page promises 10, the code builds 25",
        warnings_of(edited),
    )


def test_warm_build_starts_no_worker_and_imports_no_framework(tmp_path):
    source = tmp_path / "docs"
    shutil.copytree(ROOTS / "test-engine", source)
    (source / "slow.rst").unlink()
    (source / "index.rst").write_text("Engine\n======\n\n.. toctree::\n\n   a\n   b\n")
    doctrees = tmp_path / "doctrees"
    runs = []
    for name in ("cold", "warm"):
        out = tmp_path / name
        command = ["-m", "sphinx", "-E", "-b", "html", "-d", str(doctrees), "docs", str(out)]
        done = subprocess.run(
            [sys.executable, *command], cwd=tmp_path, capture_output=True, text=True, env=ENV
        )
        assert done.returncode == 0, done.stderr
        assert json.loads((out / "frameworks.json").read_text()) == []
        assert "15" in (out / "a.html").read_text()
        runs.append(done.stdout)
    assert "modelsummary: 2 models, 0 from the cache, 1 worker process started" in runs[0]
    assert "modelsummary: 2 models, 2 from the cache, 0 worker processes started" in runs[1]
