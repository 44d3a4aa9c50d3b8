"""Comparing models by structure: the FireModule pair and the shared vs rebuilt networks."""

from __future__ import annotations

import dataclasses
import json

import pytest

from sphinx_modelsummary.cli import main
from sphinx_modelsummary.compare import CompareError, compare

FIRE_SHAPE = [(None, 128, 128, 50, 1)]


def test_fire_modules_differ_exactly_at_the_slip(report_of):
    functional = report_of("example_project.fire:fire_module_functional")
    slip = report_of("example_project.fire:FireModuleWithSlip", FIRE_SHAPE)
    comparison = compare(functional, slip)
    differing = comparison.differing_rows()
    assert [(row.status, row.a and row.a.path, row.b and row.b.path) for row in differing] == [
        ("only-a", "volume", None),
        ("differs", "fire_expand_2_conv", "conv_block_2/conv3d_2"),
    ]
    slip_row = differing[1]
    assert slip_row.differences == ("input shape", "params")
    assert (slip_row.a.params, slip_row.b.params, slip_row.params_difference) == (
        32_032,
        128_032,
        96_000,
    )
    assert slip_row.a.formula.substituted == "(5·5·5·8 + 1)·32"
    assert slip_row.b.formula.substituted == "(5·5·5·32 + 1)·32"
    assert comparison.totals_difference.params == 96_000
    assert comparison.totals_difference.non_trainable == 0
    assert sum(1 for row in comparison.rows if row.status == "same") == 8


def test_corrected_module_matches_the_functional_one(report_of):
    comparison = compare(
        report_of("example_project.fire:fire_module_functional"),
        report_of("example_project.fire:FireModule", FIRE_SHAPE),
    )
    assert [row.status for row in comparison.differing_rows()] == ["only-a"]  # its InputLayer
    assert comparison.totals_difference.params == 0


def test_rebuilt_base_shows_five_extra_copies(report_of):
    comparison = compare(
        report_of("example_project.shared:shared_base_network"),
        report_of("example_project.shared:rebuilt_base_network"),
    )
    only_b = [row.b for row in comparison.rows if row.status == "only-b"]
    assert len(only_b) == 5 * 8
    assert sum(layer.params for layer in only_b) == 5 * 9_066_176
    assert comparison.totals_difference.params == 45_330_880
    assert not [row for row in comparison.rows if row.status == "differs"]


def test_compare_command_text_and_json(capsys):
    argv = [
        "compare",
        "example_project.fire:fire_module_functional",
        "example_project.fire:FireModuleWithSlip",
        "--input-shape-b",
        "(None, 128, 128, 50, 1)",
        "--only-differences",
    ]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "A fire_expand_2_conv: (5·5·5·8 + 1)·32 = 32,032" in text
    assert "B conv_block_2/conv3d_2: (5·5·5·32 + 1)·32 = 128,032" in text
    assert "Total params: A 32,624, B 128,624, difference +96,000" in text
    assert "fire_squeeze_1_conv" not in text  # identical rows hidden
    assert main([*argv, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["difference"] == {"params": 96_000, "trainable": 96_000, "non_trainable": 0}
    assert [row["status"] for row in data["rows"]].count("differs") == 1


def test_a_blocks_own_weights_are_a_row_of_their_own(report_of):
    """The rows of a comparison add up to the totals: a block's weight beside its sublayers
    (a learned scale, a class token) is compared too."""
    comparison = compare(
        report_of("composite_models:scaled_block"), report_of("composite_models:plain_block")
    )
    assert comparison.totals_difference.params == -4
    assert [
        (row.status, row.a and row.a.path, row.b and row.b.path, row.params_difference)
        for row in comparison.differing_rows()
    ] == [("only-a", "block", None, -4)]
    assert sum(row.params_difference for row in comparison.rows) == -4


def test_rows_that_do_not_add_up_to_the_totals_are_an_error(report_of):
    """A report whose totals its layers do not make (a hand-edited snapshot entry) would give
    rows that do not add up to the stated difference: the comparison refuses it."""
    report = report_of("example_project.basics:rgb_conv")
    damaged = dataclasses.replace(
        report, totals=dataclasses.replace(report.totals, params=report.totals.params + 999)
    )
    with pytest.raises(CompareError) as raised:
        compare(report, damaged)
    assert str(raised.value) == (
        f"model B (example_project.basics:rgb_conv): its rows add up to "
        f"{report.totals.params:,} params but its totals say {report.totals.params + 999:,}; "
        "the report is inconsistent (a hand-edited snapshot or cache entry?): rebuild it from "
        "the code"
    )
    assert compare(report, report).totals_difference.params == 0
