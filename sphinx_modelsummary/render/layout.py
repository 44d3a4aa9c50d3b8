"""The architecture diagram as data: boxes, edge paths and frames, in points.

The three steps of a diagram meet here, data flowing one way: what to draw
(``diagram_graph.py``: a report → boxes, open models, edges), its geometry
(``layered.py``: sized nodes in frames → positions and edge paths), and the
painting (``diagram.py``), which only paints the :class:`Layout` made here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..report import ModelReport, format_count
from .diagram_graph import DiagramGraph, LayoutOptions, ShownBox, diagram_graph
from .font import LINE_HEIGHT, label_width, text_box_size
from .layered import Edge, EdgePath, Frame, Graph, Node, Rect, layered_layout

__all__ = ["Box", "EdgePath", "Group", "Layout", "LayoutOptions", "alt_text", "layout"]


@dataclass(frozen=True)
class Box:
    """A box placed on the page, with what it says and how it looks."""

    key: str  # a layer path or a model input's name
    lines: tuple[str, ...]
    class_name: str
    x: float  # left
    y: float  # top
    width: float
    height: float
    has_weights: bool
    calls: int
    is_container: bool = False
    #: What the layer does (``conv``, ``dense``, ...), from the framework's layer knowledge.
    kind: str = "other"

    @property
    def center(self) -> tuple[float, float]:
        return self.x + self.width / 2, self.y + self.height / 2


@dataclass(frozen=True)
class Group:
    """A nested model drawn as a shaded frame around its layers, its label in the top band."""

    key: str
    label: str
    x: float
    y: float
    width: float
    height: float
    depth: int
    #: Top left of the label's text box, and its size.
    label_x: float = 0.0
    label_y: float = 0.0
    label_width: float = 0.0
    label_height: float = LINE_HEIGHT


@dataclass(frozen=True)
class Layout:
    boxes: tuple[Box, ...]
    edges: tuple[EdgePath, ...]
    groups: tuple[Group, ...]
    width: float
    height: float


def layout(report: ModelReport, options: LayoutOptions | None = None) -> Layout:
    options = options or LayoutOptions()
    graph = diagram_graph(report, options)
    placement = layered_layout(_sized(graph), options.direction, options.max_length)
    shown = {box.key: box for box in graph.boxes}
    boxes = tuple(_box(shown[key], rect) for key, rect in placement.nodes.items())
    groups = []
    for frame in placement.frames:
        model = graph.open_models[frame.key]
        label = (frame.label_x, frame.label_y, label_width(model.label))
        groups.append(Group(model.key, model.label, *frame.rect, model.depth, *label))
    return Layout(
        boxes,
        placement.edges,
        tuple(sorted(groups, key=lambda group: group.depth)),
        placement.width,
        placement.height,
    )


def _sized(graph: DiagramGraph) -> Graph:
    """The graph as the layered layout sees it: boxes as the room their text takes."""
    nodes = tuple(Node(box.key, *text_box_size(box.lines), box.within) for box in graph.boxes)
    frames = {
        key: Frame(key, label_width(model.label), model.within)
        for key, model in graph.open_models.items()
    }
    return Graph(nodes, frames, tuple(Edge(*edge) for edge in graph.edges))


def _box(shown: ShownBox, rect: Rect) -> Box:
    return Box(
        key=shown.key,
        lines=shown.lines,
        class_name=shown.class_name,
        x=rect.x,
        y=rect.y,
        width=rect.width,
        height=rect.height,
        has_weights=shown.has_weights,
        calls=shown.calls,
        is_container=shown.is_container,
        kind=shown.kind,
    )


def alt_text(report: ModelReport) -> str:
    """A sentence for readers who cannot see the figure."""
    leaves = [layer for layer in report.layers if not layer.is_container]
    merges = [layer for layer in report.top_level_layers() if len(layer.inbound) > layer.calls]
    text = (
        f"Architecture of {report.name}: {len(leaves)} layers, "
        f"{format_count(report.totals.params)} parameters"
    )
    shared = [layer for layer in report.top_level_layers() if layer.calls > 1]
    if merges:
        kinds = sorted({layer.class_name for layer in merges})
        count = sum(len(layer.inbound) for layer in merges)
        text += f", {count} branches joined by {' and '.join(kinds)}"
    if shared:
        text += ", " + ", ".join(f"{layer.name} shared by {layer.calls} calls" for layer in shared)
    return text + "."
