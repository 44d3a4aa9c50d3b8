"""The engine seen from Sphinx: timeouts at their line, dependencies, warm builds."""

from __future__ import annotations

import json
import re

import pytest


def warnings_of(app) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", app._warning.getvalue())


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
def test_editing_a_model_rebuilds_exactly_its_pages_and_warm_builds_import_no_framework(
    app, make_app
):
    app.build()
    assert json.loads((app.outdir / "frameworks.json").read_text()) == []
    assert set(read_docs(app)) == {"index", "a", "b", "slow"}

    again = make_app("html", srcdir=app.srcdir)  # a new process's view: cache only
    again.build()
    assert read_docs(again) == []

    model_b = app.srcdir / "model_b.py"
    model_b.write_text(model_b.read_text().replace("Dense(2)", "Dense(5)"))
    edited = make_app("html", srcdir=app.srcdir)
    edited.build()
    assert sorted(read_docs(edited)) == ["b", "slow"]
    assert re.search(
        r"b\.rst:4: ERROR: model_b:build: params: the page promises 10, the code "
        r"builds 25",
        warnings_of(edited),
    )
    assert json.loads((edited.outdir / "frameworks.json").read_text()) == []
