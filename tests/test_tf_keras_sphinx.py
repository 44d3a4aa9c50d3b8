"""Keras 2 (tf_keras) models through a real Sphinx build: the same pages, checks and numbers
as Keras 3, side by side with Keras 3 in model-compare, and the same errors."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp
from sphinx_helpers import warnings_of


def html_of(app, name: str = "index") -> BeautifulSoup:
    return BeautifulSoup((app.outdir / f"{name}.html").read_text(encoding="utf-8"), "html.parser")


def text_of(node) -> str:
    return " ".join(node.get_text().split())


def cells(row) -> list[str]:
    return [td.get_text(strip=True) for td in row.select("td")]


@pytest.fixture(scope="module")
def built(rootdir, tmp_path_factory):
    """One build of the test-tfkeras project, shared by the tests below (it takes a while:
    Keras 2 and Keras 3 workers side by side, and a builder that hangs until its timeout)."""
    source = tmp_path_factory.mktemp("tfkeras") / "src"
    shutil.copytree(rootdir / "test-tfkeras", source)
    app = SphinxTestApp("html", srcdir=source, freshenv=True)
    try:
        app.build()
        yield app
    finally:
        app.cleanup()


def test_pages_of_keras2_models(built):
    page = html_of(built)
    summary, slip = page.select("table.modelsummary-summary")[:2]
    rows = {cells(tr)[0]: cells(tr) for tr in summary.select("tbody tr")}
    assert rows["fire_expand_2_conv (Conv3D)"][1:4] == [
        "(None, 128, 128, 50, 32)",
        "32,032",
        "fire_squeeze_1_relu",
    ]
    assert "Total params: 32,624" in text_of(page.select(".modelsummary-totals")[0])
    # the subclassed slip: real shapes where Keras 2's own summary says "multiple"
    slip_rows = [cells(tr) for tr in slip.select("tbody tr")]
    assert not any("multiple" in " ".join(row) for row in slip_rows)
    shapes = {row[0]: row[1] for row in slip_rows}
    assert shapes["conv_block_2 (ConvBlock)"] == "(None, 128, 128, 50, 32)"
    assert shapes["re_lu_3 (ReLU)"] == "(None, 128, 128, 50, 64)"
    formulas = page.select_one("table.modelsummary-formulas")
    last = cells(formulas.select("tbody tr")[-1])
    assert last[0] == "Total" and last[1:3] == ["197,418", "1,120"]
    assert "(3·3·3 + 1)·16" in text_of(formulas)
    text = text_of(page)
    assert "The Keras 2 FireModule has 32,624 parameters and the ResNet 1,120 batch-norm" in text
    (diagram,) = page.select("img.modelsummary-diagram")
    drawn = (built.outdir / diagram["src"]).read_text(encoding="utf-8")
    assert "batch_normalization_11" in drawn and "40,468 params" in drawn


def test_keras3_and_keras2_versions_pair_layer_by_layer(built):
    tables = html_of(built, "compare").select("table.modelsummary-compare")
    assert len(tables) == 4
    for same in tables[:3]:
        rows = same.select("tbody tr")
        assert len(rows) >= 9
        differing = same.select("tr.modelsummary-differs, tr.modelsummary-only-a")
        assert differing + same.select("tr.modelsummary-only-b") == []
    slip = tables[3]
    assert [cells(tr)[-1] for tr in slip.select("tr.modelsummary-differs")] == ["+96,000"]
    text = text_of(html_of(built, "compare"))
    assert "Total params: A 32,624, B 32,624" in text
    assert "Total params: A 197,418, B 197,418" in text


def test_keras2_problems_are_errors_at_their_lines(built):
    warnings = warnings_of(built)
    assert built.statuscode == 1
    assert re.search(
        r"problems\.rst:4: ERROR: model-summary legacy_pages:raises: .*"
        r"ValueError: the checkpoint path is not set",
        warnings,
        re.S,
    ), warnings
    assert re.search(
        r"problems\.rst:6: ERROR: model-summary legacy_pages:gives_a_list: .*"
        r"gave a builtins\.list, not a model",
        warnings,
    ), warnings
    assert re.search(
        r"problems\.rst:8: ERROR: model-summary legacy_pages:hangs: .*did not finish within 3 s",
        warnings,
    ), warnings
    assert re.search(r"problems\.rst:11: ERROR: .*195,738.*197,418", warnings), warnings
    assert warnings.count("ERROR") == 4, warnings
    assert "Traceback" not in warnings and "sphinx_modelsummary/" not in warnings
    # the page after the hang was still built by a fresh Keras 2 worker
    assert "Total params: 197,418" in text_of(html_of(built, "problems"))


@pytest.mark.parametrize(("legacy", "framework"), [("1", "tf_keras"), ("", "keras")])
def test_tf_dot_keras_is_keras2_with_tf_use_legacy_keras(rootdir, legacy, framework):
    """``show`` from the command line: the engine chooses the worker as TensorFlow would."""
    env = {**os.environ, "TF_USE_LEGACY_KERAS": legacy, "TF_CPP_MIN_LOG_LEVEL": "3"}
    env["PYTHONPATH"] = os.pathsep.join([str(rootdir / "test-tfkeras"), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-m", "sphinx_modelsummary", "show", "tf_dot_keras:build"]
        + ["--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["framework"], report["totals"]["params"]) == (framework, 21)


def test_keras2_pages_are_cached_and_locked_like_keras3_ones(tmp_path, rootdir):
    """A cold build writes the lockfile; a warm one builds nothing and starts no worker;
    a lockfile count the code no longer gives is drift at its line."""
    source = tmp_path / "docs"
    shutil.copytree(rootdir / "test-tfkeras-cache", source)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    runs = []
    for name in ("cold", "warm", "drift"):
        if name == "drift":
            lockfile = source / "models.lock.json"
            lockfile.write_text(lockfile.read_text().replace("128624", "32624"))
        command = ["-m", "sphinx", "-E", "-b", "html", "-d", "doctrees", "docs", name]
        runs.append(
            subprocess.run(
                [sys.executable, *command], cwd=tmp_path, capture_output=True, text=True, env=env
            )
        )
    cold, warm, drift = runs
    assert cold.returncode == 0 and warm.returncode == 0, cold.stderr + warm.stderr
    counted = "modelsummary: 2 directives, 2 models"
    assert f"{counted}, 0 from the cache, 1 worker process started" in cold.stdout
    assert f"{counted}, 2 from the cache, 0 worker processes started" in warm.stdout
    locked = json.loads((source / "models.lock.json").read_text())["models"]
    assert locked["example_project.legacy_fire:fire_module_functional"] == {
        "non_trainable": 144,
        "params": 32_624,
        "trainable": 32_480,
    }
    assert "The FireModule has 32,624 parameters." in text_of(
        BeautifulSoup((tmp_path / "warm" / "index.html").read_text(), "html.parser")
    )
    assert drift.returncode == 1
    assert re.search(r"index\.rst:\d+: ERROR: .*32,624.*128,624", drift.stderr), drift.stderr
