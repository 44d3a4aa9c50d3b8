"""Incremental builds through real Sphinx runs: a comment-only edit of a model file keeps its
cached report, a change of its code builds it again (#15)."""

from __future__ import annotations

import os
import re
import shutil

import pytest
from bs4 import BeautifulSoup
from sphinx_helpers import warnings_of


def summary_line(app) -> str:
    """The extension's closing line: how many models, how many from the cache, workers."""
    found = re.findall(r"modelsummary: .*", app._status.getvalue())
    return found[-1] if found else ""


def edit(path, old: str, new: str, bump: int) -> None:
    """Replace text in a model file and move its modification time ``bump`` seconds on."""
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + bump * 10**9))


def totals_of(app) -> str:
    """The totals line of the page's summary, whitespace collapsed."""
    page = BeautifulSoup((app.outdir / "index.html").read_text(encoding="utf-8"), "html.parser")
    return " ".join(page.select_one(".modelsummary-totals").get_text().split())


@pytest.fixture
def source(tmp_path, rootdir):
    folder = tmp_path / "docs"
    shutil.copytree(rootdir / "test-incremental", folder)
    return folder


def test_comment_only_edit_keeps_the_cached_report(make_app, source):
    first = make_app("html", srcdir=source)
    first.build()
    assert summary_line(first) == (
        "modelsummary: 1 directive, 1 model, 0 from the cache, 1 worker process started"
    )
    model = source / "small_model.py"
    edit(model, "    # three units\n", "\n    # three units, as the paper has it\n\n", bump=10)
    edit(model, "keras.Model(inputs, ", "keras.Model(  inputs,", bump=20)

    commented = make_app("html", srcdir=source)
    commented.build()
    # the page is read again (its model file changed) and served from the cache
    assert summary_line(commented) == (
        "modelsummary: 1 directive, 1 model, 1 from the cache, 0 worker processes started"
    )
    assert "ERROR" not in warnings_of(commented)
    assert "Total params: 15 (60 B)" in totals_of(commented)


def test_a_real_code_change_builds_the_model_again(make_app, source):
    first = make_app("html", srcdir=source)
    first.build()
    assert "Total params: 15 (60 B)" in totals_of(first)
    edit(source / "small_model.py", "Dense(3)", "Dense(5)", bump=10)

    changed = make_app("html", srcdir=source)
    changed.build()
    assert summary_line(changed) == (
        "modelsummary: 1 directive, 1 model, 0 from the cache, 1 worker process started"
    )
    assert "Total params: 25 (100 B)" in totals_of(changed)
