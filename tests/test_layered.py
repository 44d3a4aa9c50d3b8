"""The layered-graph layout on hand-built graphs, and the boundaries between the diagram's steps.

No framework and no report: the layout sees sized nodes in frames, so it is tested in
milliseconds.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sphinx_modelsummary.render.layered import (
    Edge,
    Frame,
    Graph,
    Node,
    Placement,
    Rect,
    layered_layout,
)

RENDER = Path(__file__).parent.parent / "sphinx_modelsummary" / "render"


def imported_modules(name: str) -> set[str]:
    """Every module a render module imports; relative ones written with their dots."""
    tree = ast.parse((RENDER / name).read_text())
    found = set()
    for statement in ast.walk(tree):
        if isinstance(statement, ast.Import):
            found |= {alias.name for alias in statement.names}
        elif isinstance(statement, ast.ImportFrom):
            found.add("." * statement.level + (statement.module or ""))
    return found


def test_the_layered_layout_knows_nothing_of_reports_or_drawing():
    assert imported_modules("layered.py") <= {
        "__future__",
        "collections",
        "collections.abc",
        "dataclasses",
        "math",
        "typing",
        ".font",
    }


def test_what_to_draw_knows_no_geometry():
    """Choosing boxes runs before the layout: it never reaches forward into it."""
    imports = imported_modules("diagram_graph.py")
    assert not imports & {".layered", ".layout", ".font", ".diagram"}


def diamond() -> Graph:
    """``a`` feeds ``b`` and ``c``, which sit in frame ``F`` and both feed ``d``."""
    nodes = (
        Node("a", 60.0, 30.0),
        Node("b", 80.0, 30.0, ("F",)),
        Node("c", 40.0, 50.0, ("F",)),
        Node("d", 60.0, 30.0),
    )
    edges = (Edge("a", "b"), Edge("a", "c"), Edge("b", "d"), Edge("c", "d"))
    return Graph(nodes, {"F": Frame("F", 50.0)}, edges)


def inside(rect: Rect, x: float, y: float) -> bool:
    return rect.x <= x <= rect.x + rect.width and rect.y <= y <= rect.y + rect.height


def overlap(a: Rect, b: Rect) -> bool:
    return (
        a.x < b.x + b.width
        and b.x < a.x + a.width
        and a.y < b.y + b.height
        and b.y < a.y + a.height
    )


@pytest.mark.parametrize("direction", ["TB", "LR"])
def test_a_diamond_with_a_frame(direction):
    placement: Placement = layered_layout(diamond(), direction)
    nodes = placement.nodes
    assert set(nodes) == {"a", "b", "c", "d"}
    assert not overlap(nodes["b"], nodes["c"])
    (frame,) = placement.frames
    for key in "bc":
        box = nodes[key]
        assert inside(frame.rect, box.x, box.y)
        assert inside(frame.rect, box.x + box.width, box.y + box.height)
    for key in "ad":
        assert not overlap(nodes[key], frame.rect)
    assert inside(frame.rect, frame.label_x, frame.label_y)
    flow = 1 if direction == "TB" else 0  # y grows along a top-to-bottom flow, x along LR
    assert nodes["a"][flow] < frame.rect[flow] < nodes["d"][flow]
    assert {(edge.source, edge.target) for edge in placement.edges} == {
        (edge.source, edge.target) for edge in diamond().edges
    }
    for edge in placement.edges:
        assert inside(nodes[edge.source], *edge.points[0])
        assert inside(nodes[edge.target], *edge.points[-1])
    right = max(rect.x + rect.width for rect in [*nodes.values(), frame.rect])
    bottom = max(rect.y + rect.height for rect in [*nodes.values(), frame.rect])
    assert right < placement.width and bottom < placement.height


def test_an_edge_that_closes_a_cycle_is_not_drawn():
    nodes = tuple(Node(key, 20.0, 20.0) for key in "xyz")
    edges = (Edge("x", "y"), Edge("y", "z"), Edge("z", "x"))
    placement = layered_layout(Graph(nodes, {}, edges))
    assert [(edge.source, edge.target) for edge in placement.edges] == [("x", "y"), ("y", "z")]


def test_a_long_chain_wraps_into_rows():
    nodes = tuple(Node(f"n{index}", 100.0, 20.0) for index in range(12))
    edges = tuple(Edge(f"n{index}", f"n{index + 1}") for index in range(11))
    unwrapped = layered_layout(Graph(nodes, {}, edges), "LR")
    wrapped = layered_layout(Graph(nodes, {}, edges), "LR", max_length=500.0)
    assert unwrapped.width > 12 * 100.0
    assert wrapped.width < 600.0 and wrapped.height > 2 * unwrapped.height
