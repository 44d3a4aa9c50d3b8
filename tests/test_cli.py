"""``python -m sphinx_modelsummary show``: text, JSON, and exit status 2 for bad input."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sphinx_modelsummary.cli import _parser, main

TESTS = Path(__file__).parent


@pytest.fixture(autouse=True)
def _in_tests_dir(monkeypatch):
    monkeypatch.chdir(TESTS)


def test_show_json_for_several_targets_keeps_their_order(capsys):
    argv = ["show", "builders:tied_embeddings", "builders:dense_chain", "--format", "json"]
    assert main(argv) == 0
    reports = json.loads(capsys.readouterr().out)
    assert [report["name"] for report in reports] == ["tied", "dense_chain"]
    first = reports[0]
    assert first["framework"] == "keras" and first["build_mode"] == "shape-only"
    assert {k: first["totals"][k] for k in ("params", "trainable", "non_trainable", "bytes")} == {
        "params": 800,
        "trainable": 800,
        "non_trainable": 0,
        "bytes": 3200,
    }
    layer = next(item for item in first["layers"] if item["name"] == "shared_embedding")
    for key in ("path", "name", "class_name", "depth", "parent", "output_shapes", "inbound"):
        assert key in layer
    assert (layer["calls"], layer["params"], layer["trainable"], layer["non_trainable"]) == (
        2,
        800,
        800,
        0,
    )
    assert layer["weights"][0]["shape"] == [100, 8]


def test_show_text_prints_the_table_and_totals(capsys):
    assert main(["show", "builders:Unbuilt", "--input-shape", "(None, 3)", "--formulas"]) == 0
    out = capsys.readouterr().out
    assert 'Model: "unbuilt" (Unbuilt, shape-only build)' in out
    assert "(None, 4)" in out and "(None, 2)" in out
    assert "Total params: 26" in out
    formula_total = [line for line in out.splitlines() if line.startswith("Total ")]
    assert formula_total[-1].split() == ["Total", "26"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["show", "builders:dense_chian"], "did you mean 'dense_chain'"),
        (["show", 'builders:dense_chain(os.system("x"))'], "is not a literal"),
        (["show", "builders:Unbuilt"], "give one with --input-shape (for example "),
        (["show", "builders:Unbuilt"], """'--input-shape "(None, 128, 128, 3)"'"""),
        (["show", "builders:Unbuilt", "--input-shape", "(None, -3)"], "input shape"),
        (["show", "builders:raising_builder"], "width 3 is not supported"),
    ],
)
def test_bad_input_exits_2_with_one_message(capsys, argv, message):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ")
    assert message in captured.err
    assert "sphinx_modelsummary/" not in captured.err
    assert ":input-shape:" not in captured.err  # the CLI names its own flags


def test_module_entry_point_runs_as_a_command():
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(
        [sys.executable, "-m", "sphinx_modelsummary", "show", "builders:no_such"],
        cwd=TESTS,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 2
    assert "has no attribute 'no_such'" in done.stderr
    assert "Traceback" not in done.stderr


def test_sizes_follow_each_weights_dtype(capsys):
    assert main(["show", "builders:mixed_precision"]) == 0
    out = capsys.readouterr().out
    assert "Total params: 46 (164 B)" in out  # 36 × 4 + 10 × 2
    assert "Params by dtype: float16 20 B, float32 144 B" in out


def test_every_command_and_flag_is_in_the_command_line_reference():
    """docs/cli.rst names every subcommand and every flag the parser accepts."""
    page = (TESTS.parent / "docs" / "cli.rst").read_text(encoding="utf-8")
    commands = next(
        action for action in _parser()._actions if isinstance(action, argparse._SubParsersAction)
    )
    assert sorted(commands.choices) == ["check", "compare", "show", "snapshot"]
    for name, command in commands.choices.items():
        assert f"python -m sphinx_modelsummary {name}" in page, name
        for action in command._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help"):
                    assert re.search(re.escape(flag) + r"(?![\w-])", page), f"{name} {flag}"


def test_install_lines_work_while_the_package_is_not_on_the_index():
    """``pip install "sphinx-modelsummary[keras]"`` fails (not published): every install
    line a reader copies installs from a checkout or a git URL."""
    root = TESTS.parent
    pages = [root / "README.md", *sorted((root / "docs").glob("*.rst"))]
    lines = [
        f"{page.name}: {line.strip()}"
        for page in pages
        for line in page.read_text(encoding="utf-8").splitlines()
        if "pip install" in line and "sphinx-modelsummary" in line
    ]
    assert lines
    assert [line for line in lines if "git+" not in line and "-e " not in line] == []
