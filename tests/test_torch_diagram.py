"""PyTorch diagrams keep every module, parameter and call (#23), read back from a real build."""

from __future__ import annotations

import shutil

import pytest
from diagram_checks import (
    assert_reads_right,
    assert_tells_the_report,
    assert_top_down,
    record_layouts,
    svg_figures,
)

pytestmark = pytest.mark.torch


@pytest.fixture
def drawn(monkeypatch):
    """What each figure of the build is drawn from, by its SVG file's name."""
    return record_layouts(monkeypatch)


def figures_by_target(app, drawn) -> dict[str, list]:
    found: dict[str, list] = {}
    for figure in svg_figures(app, drawn):
        found.setdefault(figure.report.target, []).append(figure)
    return found


@pytest.mark.sphinx("html", testroot="torch-diagram", freshenv=True)
def test_every_module_and_parameter_is_in_the_figure_at_every_depth(app, drawn):
    """A ``TransformerEncoder`` (its ``ModuleList`` never called itself) at depth 1, fully
    expanded and folded; a linear layer never called; a module called twice.

    Seen failing before the layout knew a container whose layers ran: at depth 1 the
    encoder had no box (33,472 of 98,949 parameters gone), fully expanded no edge left it,
    and the uncalled ``spare`` (10 parameters) was left out."""
    figures = figures_by_target(app, drawn)
    assert {target: len(found) for target, found in figures.items()} == {
        "torch_models:Classifier": 3,
        "torch_models:SharedActivation": 1,
        "torch_models:WithSpare": 1,
    }
    for found in figures.values():
        for figure, report, options, _ in found:
            assert (
                report.totals.params
                == {
                    "torch_models:Classifier": 98949,
                    "torch_models:SharedActivation": 66,
                    "torch_models:WithSpare": 30,
                }[report.target]
            )
            assert_reads_right(figure, report, options)
            assert_tells_the_report(figure, report)
    spare = figures["torch_models:WithSpare"][0].drawn.box_named("spare")
    assert [line.text for line in spare.lines] == ["spare", "Linear", "(not called)", "10 params"]
    by_depth = {
        figure.options.max_depth: figure.drawn for figure in figures["torch_models:Classifier"]
    }
    layers = by_depth[1].box_named("encoder/layers")
    assert [line.text for line in layers.lines] == ["layers", "ModuleList", "33,472 params"]


@pytest.mark.sphinx("html", testroot="torch-diagram", freshenv=True)
def test_a_module_called_twice_is_drawn_once_per_call_in_order(app, drawn):
    """``first → act → second → act → third → last``: each call of ``act`` is a box of its
    own, in the order of the calls, never a fork. Seen failing when ``act`` was one box
    feeding ``second`` and ``third`` side by side."""
    (figure,) = figures_by_target(app, drawn)["torch_models:SharedActivation"]
    assert sorted(figure.drawn.connections(calls=True)) == sorted(
        [
            ("x", "first"),
            ("first", "act#1"),
            ("act#1", "second"),
            ("second", "act#2"),
            ("act#2", "third"),
            ("third", "last"),
        ]
    )
    assert_top_down(
        figure.drawn, ["x", "first", "act (call 1)", "second", "act (call 2)", "third", "last"]
    )
    counts = {box.title: box.params for box in figure.drawn.boxes}
    assert counts["act (call 1)"] == 1 and counts["act (call 2)"] == 0


def test_the_torch_test_root_figure_reads_right_and_tells_its_report(
    make_app, rootdir, tmp_path, drawn
):
    """test-torch's ResNet, checked as every figure is."""
    source = tmp_path / "torch"
    shutil.copytree(rootdir / "test-torch", source)
    figures = svg_figures(make_app("html", srcdir=source, freshenv=True), drawn)
    assert [figure.report.target for figure in figures] == [
        "example_project.torch_resnet:cifar_resnet"
    ]
    for figure, report, options, _ in figures:
        assert_reads_right(figure, report, options)
        assert_tells_the_report(figure, report, options)
