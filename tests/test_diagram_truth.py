"""Diagrams that tell the truth (#23): every figure a real build draws, read back from its SVG.

The figures are read as a reader sees them (``render/readback.py`` knows the
SVG's geometry, not the layout it came from): every label lies in the box it
names, inputs come first, the edges are the report's connections at the shown
depth and the boxes' "N params" add up to the model's total.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sphinx_modelsummary.render.readback import flow_problems, problems, read_svg
from sphinx_modelsummary.report import ModelReport
from sphinx_modelsummary.sphinx import diagram as diagram_directive


@pytest.fixture
def drawn(monkeypatch):
    """What each figure was drawn from, by its SVG file's name: (report, layout options).

    The directive's own ``layout`` runs; this only writes down its arguments.
    """
    seen: dict[str, tuple[ModelReport, object]] = {}
    real = diagram_directive.layout

    def recording(report, options):
        drawing = real(report, options)
        seen[diagram_directive._file_stem(report, drawing, "svg") + ".svg"] = (report, options)
        return drawing

    monkeypatch.setattr(diagram_directive, "layout", recording)
    return seen


def svg_figures(app, drawn) -> list[tuple[str, bytes, ModelReport, object]]:
    """Every SVG figure the build wrote, with what it was drawn from."""
    folder = Path(app.doctreedir) / "modelsummary-diagrams"
    found = []
    for path in sorted(folder.glob("*.svg")):
        report, options = drawn[path.name]
        found.append((path.name, path.read_bytes(), report, options))
    return found


def first_and_last(report: ModelReport) -> tuple[list[str], list[str]]:
    """The names of the model's inputs and outputs, as their boxes are titled."""
    names = {layer.path: layer.name for layer in report.layers}
    return (
        [names.get(info.name, info.name) for info in report.inputs],
        [names.get(info.name, info.name) for info in report.outputs],
    )


@pytest.mark.sphinx("html", testroot="diagram", freshenv=True)
def test_every_label_lies_in_the_box_it_names_and_inputs_come_first(app, drawn):
    """Seen failing on the SVG canvas that drew text bottom-up (every box's lines mirrored)."""
    app.build()
    figures = svg_figures(app, drawn)
    assert len(figures) == 5
    for name, svg, report, options in figures:
        figure = read_svg(svg)
        assert problems(figure) == [], (name, report.target)
        inputs, outputs = first_and_last(report)
        assert flow_problems(figure, inputs, outputs, options.direction) == [], report.target
        assert len(figure.boxes) >= 2
