"""Documented options and configuration values, each through a real Sphinx build.

tests/test_options_coverage.py checks that every entry of the reference pages is used by some
test; the entries no other test exercised are tested here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup
from sphinx_helpers import totals_of, warnings_of

ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


@pytest.mark.sphinx(
    "html", testroot="timeout", freshenv=True, confoverrides={"modelsummary_timeout": 5}
)
def test_modelsummary_timeout_stops_a_builder_without_its_own_timeout(app):
    app.build()
    assert app.statuscode == 1
    warnings = warnings_of(app)
    assert re.search(
        r"index\.rst:4: ERROR: model-summary slow_model:sleeps: .*did not finish within 5 s",
        warnings,
    ), warnings
    (totals,) = totals_of((app.outdir / "index.html").read_text(encoding="utf-8"))
    assert totals["Total params"] == "15 (60 B)"


def svg_texts(path) -> list[str]:
    """The text lines drawn in an SVG diagram, in drawing order."""
    return re.findall(r"<text[^>]*>([^<]*)", path.read_text(encoding="utf-8"))


@pytest.mark.sphinx("html", testroot="options", freshenv=True)
def test_options_through_one_build(app):
    app.build()
    warnings = warnings_of(app)
    outdir = app.outdir

    # model-diagram: :max-depth: 0 and :collapse: fold the block; :show-*: no drop lines
    page = BeautifulSoup((outdir / "diagrams.html").read_text(encoding="utf-8"), "html.parser")
    depth_zero, collapsed, bare, expanded = page.select("img.modelsummary-diagram")
    assert depth_zero["class"] == ["align-right", "modelsummary-diagram", "custom-figure"]
    assert collapsed["class"] == ["modelsummary-diagram"]
    drawn = {
        name: svg_texts(outdir / image["src"])
        for name, image in [
            ("depth_zero", depth_zero),
            ("collapsed", collapsed),
            ("bare", bare),
            ("expanded", expanded),
        ]
    }
    folded = ["x", "InputLayer", "(None, 4)", "0 params", "block", "Sequential", "(None, 3)"]
    folded += ["15 params", "head", "Dense", "(None, 2)", "8 params"]
    assert drawn["depth_zero"] == drawn["collapsed"] == folded
    assert drawn["expanded"] == [
        "block (Sequential, 15 params)", "x", "InputLayer", "(None, 4)", "0 params",
        "inner_dense", "Dense", "(None, 3)", "15 params", "head", "Dense", "(None, 2)", "8 params",
    ]  # fmt: skip
    assert drawn["bare"] == [
        "block (Sequential, 15 params)", "x", "(None, 4)", "inner_dense", "(None, 3)", "head",
        "(None, 2)",
    ]  # fmt: skip

    # model-summary: :columns: with calls, :class:, and the role's "NAME params"
    page = BeautifulSoup((outdir / "summary.html").read_text(encoding="utf-8"), "html.parser")
    table = page.select_one("table.modelsummary-summary")
    assert "custom-table" in table["class"]
    rows = [
        [cell.get_text(" ", strip=True) for cell in row.select("th, td")] for row in table("tr")
    ]
    assert rows[0] == ["Layer (type)", "Calls", "Params"]
    assert ["shared_dense (Dense) ×3", "3", "10"] in rows
    assert "The shared model has 10 parameters." in page.get_text(" ", strip=True)

    # model-compare: a shape for each side, an exact difference that holds, a rounded one refused
    page = BeautifulSoup((outdir / "compare.html").read_text(encoding="utf-8"), "html.parser")
    totals = [p.get_text() for p in page.select("p.modelsummary-totals")]
    assert totals == ["Total params: A 34, B 74, difference +40"]  # 16·2 + 2 and 36·2 + 2
    assert re.search(
        r"compare\.rst:9: ERROR: model-compare .*:expect-difference: '0\.04K' must be exact",
        warnings,
    ), warnings

    # bad input at its line: an invalid :width:, a :name: used twice
    assert re.search(
        r"errors\.rst:4: ERROR: model-diagram options_models:nested: :width: 'wide' is not a "
        "length such as 600px or 80%",
        warnings,
    ), warnings
    assert re.search(
        r"errors\.rst:10: ERROR: :name: 'twice' is already used at errors:7", warnings
    ), warnings
    assert re.search(
        r"errors\.rst:13: ERROR: model-summary options_models:nested: :input-dtype: 'int7' is "
        "not one of bfloat16, bool, float16, float32, float64, int8, int16, int32, int64, uint8",
        warnings,
    ), warnings
    # :fold-repeats: takes a yes or a no, and only the table directives have it
    assert re.search(
        r"errors\.rst:16: ERROR: model-summary options_models:nested: :fold-repeats: takes no "
        "value, or one of yes/no",
        warnings,
    ), warnings
    assert re.search(
        r"errors\.rst:19: ERROR: model-diagram options_models:nested: :fold-repeats: is not an "
        "option of model-diagram",
        warnings,
    ), warnings
    assert len(re.findall(r"ERROR: ", warnings)) == 6, warnings
    assert app.statuscode == 1


def test_diagram_format_and_cache_dir_from_conf(make_app, tmp_path, rootdir):
    srcdir = tmp_path / "docs"
    shutil.copytree(rootdir / "test-options", srcdir)
    cache = tmp_path / "model-cache"
    settings = {"modelsummary_diagram_format": "png", "modelsummary_cache_dir": str(cache)}
    app = make_app("html", srcdir=srcdir, freshenv=True, confoverrides=settings)
    app.build()
    page = BeautifulSoup((app.outdir / "diagrams.html").read_text(encoding="utf-8"), "html.parser")
    images = [app.outdir / image["src"] for image in page.select("img.modelsummary-diagram")]
    assert [image.suffix for image in images] == [".png"] * 4
    assert all(image.read_bytes().startswith(b"\x89PNG") for image in images)
    # every request of the root is in the cache: nested, shared, and unbuilt at two shapes
    assert len(list(cache.glob("*.json"))) == 4
    assert not (app.doctreedir / "modelsummary-cache").exists()


def test_on_drift_warning_fails_with_w_and_passes_without(tmp_path, rootdir):
    drift = str(rootdir / "test-drift")
    setting = ["-D", "modelsummary_on_drift=warning"]
    runs = {}
    for name, strict in (("plain", []), ("strict", ["-W"])):
        command = [sys.executable, "-m", "sphinx", *strict, *setting, "-b", "html", drift]
        runs[name] = subprocess.run(
            [*command, str(tmp_path / name)], capture_output=True, text=True, env=ENV
        )
    message = "index.rst:10: WARNING: example_project.fire:FireModuleWithSlip: params: the page"
    assert runs["plain"].returncode == 0, runs["plain"].stderr
    assert message in runs["plain"].stderr
    assert runs["strict"].returncode == 1, runs["strict"].stderr
    assert message in runs["strict"].stderr
    assert "ERROR" not in runs["plain"].stderr + runs["strict"].stderr


@pytest.mark.sphinx(
    "html",
    testroot="promise",
    freshenv=True,
    confoverrides={"modelsummary_lockfile": "models.lock.json"},
)
def test_an_unreadable_lockfile_is_an_error_at_each_directive(app):
    (app.srcdir / "models.lock.json").write_text('{"models": {"model_code:build": 15', "utf-8")
    app.build()
    warnings = warnings_of(app)
    assert app.statuscode == 1
    for page in ("code", "helper", "inner", "shapes", "real"):
        assert re.search(
            rf"{page}\.rst:4: ERROR: the lockfile .*models\.lock\.json cannot be read \(.*\); "
            "fix it, or rewrite it with -D modelsummary_update_lockfile=1",
            warnings,
        ), warnings
    # the pages still show the models
    (totals,) = totals_of((app.outdir / "code.html").read_text(encoding="utf-8"))
    assert totals["Total params"] == "15 (60 B)"


def test_update_snapshot_from_the_command_line_rewrites_the_snapshot(tmp_path, rootdir):
    docs = tmp_path / "docs"
    shutil.copytree(rootdir / "test-snapshot", docs)
    stale = docs / "_models" / "snapmodels.nets.gone-0123456789abcdef.json"
    stale.parent.mkdir()
    stale.write_text("{}\n")
    command = ["-m", "sphinx", "-b", "html", "-D", "modelsummary_update_snapshot=1", "docs", "out"]
    done = subprocess.run(
        [sys.executable, *command], cwd=tmp_path, capture_output=True, text=True, env=ENV
    )
    assert done.returncode == 0, done.stderr
    written = sorted(path.name.rsplit("-", 1)[0] for path in (docs / "_models").iterdir())
    assert written == ["snapmodels.nets.small", "snapmodels.nets.wide"]  # the stale one removed
    small = next((docs / "_models").glob("snapmodels.nets.small-*.json"))
    assert json.loads(small.read_text())["report"]["totals"]["params"] == 26
