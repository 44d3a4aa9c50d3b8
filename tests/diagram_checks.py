"""Reading a real build's diagrams back (#23): what each was drawn from, and what it must say.

``record_layouts`` writes down the report and options of each figure the
directive draws (its own ``layout`` still runs); the ``assert_*`` checks read
the figure's SVG as a reader sees it and compare it with the report.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from sphinx_modelsummary.render.readback import DrawnFigure, flow_problems, problems, read_svg
from sphinx_modelsummary.report import ModelReport
from sphinx_modelsummary.sphinx import diagram as diagram_directive


def record_layouts(patch: pytest.MonkeyPatch) -> dict[str, tuple[ModelReport, object]]:
    """What each figure is drawn from, by its SVG file's name: (report, layout options).

    The directive's own ``layout`` runs; this only writes down its arguments.
    """
    seen: dict[str, tuple[ModelReport, object]] = {}
    real = diagram_directive.layout

    def recording(report, options):
        drawing = real(report, options)
        seen[diagram_directive._file_stem(report, drawing, "svg") + ".svg"] = (report, options)
        return drawing

    patch.setattr(diagram_directive, "layout", recording)
    return seen


class Figure(NamedTuple):
    drawn: DrawnFigure
    report: ModelReport
    options: object
    svg: bytes


def svg_figures(app, drawn) -> list[Figure]:
    """Build; every SVG figure the build wrote, read back, with what it was drawn from."""
    app.build()
    folder = Path(app.doctreedir) / "modelsummary-diagrams"
    found = []
    for path in sorted(folder.glob("*.svg")):
        report, options = drawn[path.name]
        svg = path.read_bytes()
        found.append(Figure(read_svg(svg), report, options, svg))
    return found


def first_and_last(report: ModelReport) -> tuple[list[str], list[str]]:
    """The names of the model's inputs and outputs, as their boxes are titled. An output that
    is no layer (PyTorch names it ``output``) is the top-level layers that ran and that no
    other layer consumes."""
    names = {layer.path: layer.name for layer in report.layers}
    outputs = [names[info.name] for info in report.outputs if info.name in names]
    if len(outputs) < len(report.outputs):
        top = [layer for layer in report.top_level_layers() if layer.path in ran(report)]
        consumed = {source for layer in top for source in layer.inbound}
        outputs = [layer.name for layer in top if layer.path not in consumed]
    return [names.get(info.name, info.name) for info in report.inputs], outputs


def ran(report: ModelReport) -> set[str]:
    """The layers that were called, or that hold one that was."""
    by_path = {layer.path: layer for layer in report.layers}
    found = set()
    for layer in report.layers:
        if layer.calls:
            path = layer.path
            while path is not None:
                found.add(path)
                path = by_path[path].parent
    return found


def assert_reads_right(figure: DrawnFigure, report: ModelReport, options) -> None:
    """Every label in the box it names; the inputs before the outputs."""
    assert problems(figure) == [], report.target
    inputs, outputs = first_and_last(report)
    assert flow_problems(figure, inputs, outputs, options.direction) == [], report.target


def assert_tells_the_report(figure: DrawnFigure, report: ModelReport, options=None) -> None:
    """Boxes, edges and counts are the report's at the shown depth; a layer drawn once per
    call has a box for each of its calls. Counts are checked where the boxes show them."""
    paths = [box.path for box in figure.boxes]
    drawn_here = drawn_paths(report, set(paths))
    assert sorted(drawn_here.values()) == sorted(set(paths)), report.target
    calls = {layer.path: layer.calls for layer in report.layers}
    for path, box_path in drawn_here.items():
        numbers = sorted(box.call or 0 for box in figure.boxes if box.path == box_path)
        assert numbers in ([0], list(range(1, calls.get(path, 1) + 1))), (report.target, path)
    labelled = figure.connections(calls=True)
    assert len(set(labelled)) == len(labelled), report.target
    assert set(figure.connections()) == expected_connections(report, drawn_here), report.target
    counts = [box.params for box in figure.boxes]
    if options is not None and not options.show_params:
        assert counts == [None] * len(counts), report.target
        return
    assert None not in counts, report.target  # every box says its count, inputs too
    assert sum(counts) == report.totals.params, report.target


def drawn_paths(report: ModelReport, paths: set[str]) -> dict[str, str]:
    """The report's layers and inputs that the figure's boxes stand for: {report path: box path}.

    A box's path is its name inside the names of its frames; a layer's, its name
    inside its ancestors' names. From the top of the model's tree down, a layer
    whose path is a box is drawn as that box (with all it contains); a nested
    model that is no box is open, and its children are looked at.
    """
    drawn = {info.name: info.name for info in report.inputs if info.name in paths}
    children: dict[str | None, list] = {}
    for layer in report.layers:
        children.setdefault(layer.parent, []).append(layer)
    pending = [(layer, layer.name) for layer in children.get(None, [])]
    while pending:
        layer, path = pending.pop()
        if path in paths:
            drawn[layer.path] = path
        else:
            pending += [(child, f"{path}/{child.name}") for child in children.get(layer.path, [])]
    return drawn


def expected_connections(report: ModelReport, drawn: dict[str, str]) -> set[tuple[str, str]]:
    """The report's edges seen at the drawn depth: each end lifted to the box that holds it.

    An open nested model's output is what its children that ran produce and no sibling
    consumes; an edge into an open nested model is drawn by its children's own edges.
    """
    by_path = {layer.path: layer for layer in report.layers}
    opened = set()
    for path in drawn:
        parent = by_path[path].parent if path in by_path else None
        while parent is not None:
            opened.add(parent)
            parent = by_path[parent].parent

    active = ran(report)

    def lift(path: str) -> set[str]:
        if path in drawn:
            return {path}
        if path in opened:
            inner = [child for child in report.children(path) if child.path in active]
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


def assert_top_down(figure: DrawnFigure, titles: list[str]) -> None:
    """The boxes titled so lie one below the other, in this order."""
    tops = [next(box.rect.y for box in figure.boxes if box.title == title) for title in titles]
    assert tops == sorted(tops) and len(set(tops)) == len(tops), list(zip(titles, tops))
