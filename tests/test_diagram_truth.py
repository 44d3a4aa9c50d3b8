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


def drawn_paths(report: ModelReport, names: set[str]) -> dict[str, str]:
    """The report's layers (paths) and inputs that the figure's boxes stand for, by box name.

    From the top of the model's tree down: a layer whose name is a box is drawn
    as that box (with all it contains); a nested model that is no box is open,
    and its children are looked at.
    """
    drawn = {info.name: info.name for info in report.inputs if info.name in names}
    children: dict[str | None, list] = {}
    for layer in report.layers:
        children.setdefault(layer.parent, []).append(layer)
    pending = list(children.get(None, []))
    while pending:
        layer = pending.pop()
        if layer.name in names:
            drawn[layer.path] = layer.name
        else:
            pending += children.get(layer.path, [])
    return drawn


def expected_connections(report: ModelReport, drawn: dict[str, str]) -> set[tuple[str, str]]:
    """The report's edges seen at the drawn depth: each end lifted to the box that holds it.

    An open nested model's output is what its called children produce and no sibling
    consumes; an edge into an open nested model is drawn by its children's own edges.
    """
    by_path = {layer.path: layer for layer in report.layers}
    opened = set()
    for path in drawn:
        parent = by_path[path].parent if path in by_path else None
        while parent is not None:
            opened.add(parent)
            parent = by_path[parent].parent

    def lift(path: str) -> set[str]:
        if path in drawn:
            return {path}
        if path in opened:
            inner = [child for child in report.children(path) if child.calls]
            consumed = {source for child in inner for source in child.inbound}
            return set().union(*(lift(c.path) for c in inner if c.path not in consumed))
        layer = by_path.get(path)
        return lift(layer.parent) if layer is not None and layer.parent else set()

    found = set()
    for edge in report.edges:
        if edge.target in opened:
            continue
        for source in lift(edge.source):
            for end in lift(edge.target):
                if source != end:
                    found.add((drawn[source], drawn[end]))
    return found


@pytest.mark.sphinx("html", testroot="diagram", freshenv=True)
def test_edges_are_the_reports_connections_and_params_add_up(app, drawn):
    """The figure's edges are the report's at the shown depth; its "N params" sum to the total."""
    app.build()
    figures = svg_figures(app, drawn)
    assert len(figures) == 5
    for _, svg, report, _ in figures:
        figure = read_svg(svg)
        names = [box.name for box in figure.boxes]
        drawn_here = drawn_paths(report, set(names))
        assert sorted(drawn_here.values()) == sorted(names), report.target
        connections = figure.connections()
        assert len(set(connections)) == len(connections), report.target
        assert set(connections) == expected_connections(report, drawn_here), report.target
        counts = [box.params for box in figure.boxes]
        assert None not in counts, report.target  # every box says its count, inputs too
        assert sum(counts) == report.totals.params, report.target
