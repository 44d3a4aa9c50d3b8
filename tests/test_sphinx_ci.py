"""CI mode: the modelcheck builder's files, and exit statuses of the real commands."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from sphinx_modelsummary.cli import main

ROOTS = Path(__file__).parent / "roots"
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


@pytest.mark.sphinx("modelcheck", testroot="drift", freshenv=True)
def test_modelcheck_writes_json_and_junit_and_no_pages(app):
    app.build()
    assert app.statuscode == 1
    data = json.loads((app.outdir / "modelcheck.json").read_text(encoding="utf-8"))
    assert data["summary"] == {"total": 3, "ok": 2, "drift": 1, "error": 0}
    drift = data["results"][2]
    assert drift == {
        "document": "index",
        "line": 10,
        "directive": "model-summary",
        "target": "example_project.fire:FireModuleWithSlip",
        "expected": {"params": "32,624", "non-trainable": "144"},
        "actual": {"params": 128_624, "trainable": 128_480, "non-trainable": 144},
        "status": "drift",
        "messages": ["params: the page promises 32,624, the code builds 128,624 (does not match)"],
    }
    assert [r["status"] for r in data["results"][:2]] == ["ok", "ok"]
    suite = ElementTree.parse(app.outdir / "modelcheck.xml").getroot()
    assert (suite.tag, suite.get("tests"), suite.get("failures"), suite.get("errors")) == (
        "testsuite",
        "3",
        "1",
        "0",
    )
    cases = suite.findall("testcase")
    assert cases[2].get("classname") == "index"
    assert cases[2].get("name") == "line 10: model-summary example_project.fire:FireModuleWithSlip"
    assert "128,624" in cases[2].find("failure").text
    assert cases[0].find("failure") is None
    assert not list(app.outdir.glob("*.html"))
    assert "DRIFT index:10 example_project.fire:FireModuleWithSlip" in app._status.getvalue()


@pytest.mark.sphinx("modelcheck", testroot="problems", freshenv=True)
def test_modelcheck_reports_builder_and_option_problems_as_errors(app):
    app.build()
    data = json.loads((app.outdir / "modelcheck.json").read_text(encoding="utf-8"))
    assert data["summary"] == {"total": 17, "ok": 3, "drift": 0, "error": 14}
    suite = ElementTree.parse(app.outdir / "modelcheck.xml").getroot()
    assert suite.get("errors") == "14"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, env=ENV, check=False
    )


def test_sphinx_build_exits_non_zero_on_drift_without_w(tmp_path):
    command = ("-m", "sphinx", "-b", "html", str(ROOTS / "test-drift"), str(tmp_path))
    done = run(*command, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "index.rst:10: ERROR: example_project.fire:FireModuleWithSlip" in done.stderr
    assert (tmp_path / "index.html").exists() and (tmp_path / "fine.html").exists()
    # Nothing changed, so no page is read again: the drift kept in the environment still fails.
    again = run(*command, cwd=tmp_path)
    assert again.returncode == 1, again.stdout
    assert "index.rst:10: drift: example_project.fire:FireModuleWithSlip" in again.stdout


def test_check_command_and_parallel_build_agree(tmp_path):
    source = tmp_path / "docs"
    shutil.copytree(ROOTS / "test-basic", source)
    done = run("-m", "sphinx_modelsummary", "check", "docs", "-j", "2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads((source / "_build" / "modelcheck" / "modelcheck.json").read_text())
    assert data["summary"] == {"total": 4, "ok": 4, "drift": 0, "error": 0}
    checked = [
        (r["document"], r["line"], r["directive"], r["target"], r["status"], r["actual"]["params"])
        for r in data["results"]
    ]
    assert checked == [
        ("index", 8, "model-summary", "example_project.fire:fire_module_functional", "ok", 32_624),
        ("index", 15, "model-formulas", "example_project.fire:FireModuleWithSlip", "ok", 128_624),
        ("other", 6, "model-summary", "example_project.resnet:cifar_resnet", "ok", 197_418),
        ("other", 10, "model-formulas", "example_project.fire:FireModuleWithSlip", "ok", 128_624),
    ]
    assert data["results"][0]["expected"] == {
        "params": "32,624", "trainable": "32_480", "non-trainable": "144"
    }  # fmt: skip
    html = tmp_path / "html"
    done = run("-m", "sphinx", "-j", "2", "-b", "html", "docs", str(html), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    page = BeautifulSoup((html / "other.html").read_text(encoding="utf-8"), "html.parser")
    assert "Seen from another page: 32,480 trainable parameters." in page.get_text()


def test_check_command_fails_on_drift(tmp_path):
    done = run(
        "-m", "sphinx_modelsummary", "check", str(ROOTS / "test-drift"), str(tmp_path), cwd=tmp_path
    )
    assert done.returncode == 1
    data = json.loads((tmp_path / "modelcheck.json").read_text())
    assert data["summary"] == {"total": 3, "ok": 2, "drift": 1, "error": 0}
    assert [(r["document"], r["line"], r["target"], r["status"]) for r in data["results"]] == [
        ("fine", 4, "example_project.basics:rgb_conv", "ok"),
        ("fine", 7, "example_project.basics:pointwise_conv", "ok"),
        ("index", 10, "example_project.fire:FireModuleWithSlip", "drift"),
    ]
    assert data["results"][2]["messages"] == [
        "params: the page promises 32,624, the code builds 128,624 (does not match)"
    ]


def test_check_command_needs_a_folder_with_conf_py(tmp_path, capsys):
    assert main(["check", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.err == (
        f"error: {tmp_path} is not a Sphinx docs folder: it has no conf.py; "
        "give the folder where conf.py is\n"
    )
