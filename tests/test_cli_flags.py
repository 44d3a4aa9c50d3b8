"""The command line's documented flags, each through the real command (``main``), exact output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sphinx_modelsummary.cli import main

ROOTS = Path(__file__).parent / "roots"


@pytest.fixture
def in_root(monkeypatch):
    """Run the command in a test root's folder, as ``python -m`` would be run there."""

    def enter(name: str) -> None:
        monkeypatch.chdir(ROOTS / name)
        monkeypatch.syspath_prepend(str(ROOTS / name))

    return enter


def rows(text: str) -> list[str]:
    """The table lines of a summary (between its rules), right-stripped."""
    lines = text.splitlines()
    rules = [index for index, line in enumerate(lines) if set(line.strip()) <= {"-", " "} and line]
    return [line.rstrip() for line in lines[rules[0] + 1 : rules[1]]]


def test_show_expand_nested_opens_nested_models(in_root, capsys):
    in_root("test-options")
    assert main(["show", "options_models:nested"]) == 0
    folded = rows(capsys.readouterr().out)
    assert main(["show", "options_models:nested", "--expand-nested"]) == 0
    expanded = rows(capsys.readouterr().out)
    assert [line.split()[0] for line in folded] == ["x", "block", "head"]
    assert [line.split()[0] for line in expanded] == ["x", "block", "inner_dense", "head"]
    assert expanded[2].startswith("  inner_dense (Dense)") and expanded[2].endswith(" 15")


def test_show_max_depth_folds_blocks_below_it(in_root, capsys):
    in_root("test-options")  # composite_models is in tests/, on sys.path
    target = "composite_models:layer_blocks"
    assert main(["show", target, "--expand-nested", "--max-depth", "0", "--formulas"]) == 0
    summary, formulas = capsys.readouterr().out.split("\n\n", 1)
    assert [line.split()[0] for line in rows(summary)] == [
        "first", "second", "shared", "pool", "head"
    ]  # fmt: skip
    assert rows(summary)[2].startswith("shared (ConvBlock) ×2") and " 2,656 " in rows(summary)[2]
    assert [line.split()[0] for line in rows(formulas)[:-1]] == [
        "first", "second", "shared", "head"
    ]  # fmt: skip
    assert main(["show", target, "--expand-nested", "--max-depth", "1"]) == 0
    opened = rows(capsys.readouterr().out)
    assert [line.split()[0] for line in opened[:4]] == ["first", "conv", "norm", "project"]
    assert opened[1].startswith("  conv (Conv2D)") and opened[1].endswith(" 224  yes")


@pytest.mark.parametrize("depth", ["-1", "one", "²"])
def test_show_max_depth_must_be_a_whole_number(in_root, capsys, depth):
    in_root("test-options")
    with pytest.raises(SystemExit) as stopped:
        main(["show", "options_models:nested", "--max-depth", depth])
    assert stopped.value.code == 2
    assert f"argument --max-depth: {depth!r} must be a whole number, 0 or more" in (
        capsys.readouterr().err
    )


def test_show_full_build_builds_with_real_weights(in_root, capsys):
    in_root("test-promise")  # model_real makes 5 units without real weights, 3 with them
    assert main(["show", "model_real:build", "--format", "json"]) == 0
    shape_only = json.loads(capsys.readouterr().out)
    assert main(["show", "model_real:build", "--format", "json", "--full-build"]) == 0
    full = json.loads(capsys.readouterr().out)
    assert (shape_only["build_mode"], shape_only["totals"]["params"]) == ("shape-only", 25)
    assert (full["build_mode"], full["totals"]["params"]) == ("full", 15)
    assert main(["show", "model_real:build", "--full-build"]) == 0
    assert capsys.readouterr().out.startswith('Model: "real" (Functional, full build)\n')


@pytest.mark.parametrize("size", ["0", "-3"])
def test_show_batch_size_below_one_is_a_user_error(in_root, capsys, size):
    in_root("test-options")
    assert main(["show", "options_models:nested", "--costs", "--batch-size", size]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"error: --batch-size {size} must be 1 or more\n"


def test_compare_input_shapes_shared_and_per_side(in_root, capsys):
    in_root("test-options")  # Flatten then Dense(2): 2·h·w + 2 parameters
    shared = ["--input-shape", "(None, 4, 4, 1)"]
    pair = ["compare", "options_models:unbuilt", "options_models:unbuilt", "--format", "json"]
    results = {}
    for name, extra in {
        "shared": shared,
        "b": [*shared, "--input-shape-b", "(None, 6, 6, 1)"],
        "a": [*shared, "--input-shape-a", "(None, 6, 6, 1)"],
    }.items():
        assert main([*pair, *extra]) == 0
        data = json.loads(capsys.readouterr().out)
        results[name] = (data["a"]["params"], data["b"]["params"], data["difference"]["params"])
    assert results == {"shared": (34, 34, 0), "b": (34, 74, 40), "a": (74, 34, -40)}
    assert main(pair[:3] + ["--input-shape-b", "(None, 6, 6, 1)", *shared]) == 0
    assert "Total params: A 34, B 74, difference +40" in capsys.readouterr().out.splitlines()


def test_input_dtype_is_one_of_the_known_dtypes(in_root, capsys):
    in_root("test-options")
    assert main(["show", "options_models:nested", "--input-dtype", "int32"]) == 0
    assert rows(capsys.readouterr().out)[-1].split() == ["head", "(Dense)", "(None,", "2)", "8"]
    with pytest.raises(SystemExit) as stop:
        main(["show", "options_models:nested", "--input-dtype", "int7"])
    assert stop.value.code == 2
    assert "argument --input-dtype: invalid choice: 'int7'" in capsys.readouterr().err
