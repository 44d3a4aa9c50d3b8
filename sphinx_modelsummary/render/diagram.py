"""Draw a diagram layout with matplotlib, byte for byte the same on every run.

Only matplotlib's own canvases are used (no pyplot, no Graphviz). Text stays
text in SVG (``svg.fonttype = "none"``), so layer names can be searched and
read by screen readers; timestamps and random ids are left out of every format.
"""

from __future__ import annotations

import io
import logging
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

from .layout import FONT_SIZE, LINE_HEIGHT, PADDING, Box, Layout

#: Okabe–Ito colours (distinguishable with colour-blindness), light enough for black text; one
#: per kind of :data:`sphinx_modelsummary.formulas.KINDS` and one for nested models.
KIND_COLOURS = {
    "input": "#d9d9d9",
    "conv": "#9ecae9",
    "dense": "#f5c77e",
    "norm": "#8fd6bd",
    "pool": "#c6e5f5",
    "merge": "#f0a582",
    "recurrent": "#e3b3d0",
    "attention": "#f7ef9a",
    "model": "#e8e8e8",
    "other": "#f2f2f2",
}
EDGE_COLOUR = "#7f7f7f"
TEXT_COLOUR = "#111111"
FORMATS = ("svg", "png", "pdf")
_METADATA = {
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
    "png": {"Software": None},
}
_STYLE = {
    "svg.hashsalt": "sphinx-modelsummary",
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
    "font.family": "DejaVu Sans Mono",
    "path.simplify": False,
}


# Subsetting fonts into the PDF logs every table it prunes at INFO level.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def render(layout: Layout, fmt: str = "svg", dpi: int = 144) -> bytes:
    """The layout as an SVG, PNG or PDF file's bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"diagram format {fmt!r} is not one of {', '.join(FORMATS)}")
    with matplotlib.rc_context(_STYLE):
        figure = Figure(figsize=(max(layout.width, 1) / 72, max(layout.height, 1) / 72), dpi=72)
        FigureCanvasAgg(figure)
        axes = figure.add_axes((0, 0, 1, 1))
        axes.set_xlim(0, max(layout.width, 1))
        axes.set_ylim(max(layout.height, 1), 0)  # y grows downwards, like the layout
        axes.set_axis_off()
        for group in layout.groups:
            _draw_group(axes, group)
        for edge in layout.edges:
            _draw_edge(axes, edge.points)
        for box in layout.boxes:
            _draw_box(axes, box)
        output = io.BytesIO()
        figure.savefig(
            output,
            format=fmt,
            dpi=dpi if fmt == "png" else 72,
            transparent=True,
            metadata=_METADATA[fmt],
        )
    return output.getvalue()


def _draw_group(axes: Any, group: Any) -> None:
    axes.add_patch(
        Rectangle(
            (group.x, group.y),
            group.width,
            group.height,
            facecolor="#9a9a9a",
            alpha=0.12,
            edgecolor="#9a9a9a",
            linewidth=1.0,
        )
    )
    axes.text(
        group.x + PADDING,
        group.y + PADDING / 2,
        group.label,
        fontsize=FONT_SIZE * 0.9,
        va="top",
        ha="left",
        color=EDGE_COLOUR,
    )


def _draw_edge(axes: Any, points: tuple[tuple[float, float], ...]) -> None:
    for start, end in zip(points[:-2], points[1:-1]):
        axes.plot([start[0], end[0]], [start[1], end[1]], color=EDGE_COLOUR, linewidth=1.0)
    axes.add_patch(
        FancyArrowPatch(
            points[-2],
            points[-1],
            arrowstyle="-|>",
            mutation_scale=9,
            color=EDGE_COLOUR,
            linewidth=1.0,
            shrinkA=0,
            shrinkB=0,
        )
    )


def _draw_box(axes: Any, box: Box) -> None:
    colour = KIND_COLOURS["model" if box.is_container else box.kind]
    axes.add_patch(
        FancyBboxPatch(
            (box.x, box.y),
            box.width,
            box.height,
            boxstyle="round,pad=0,rounding_size=4",
            facecolor=colour,
            edgecolor="#333333" if box.has_weights else "#8a8a8a",
            linewidth=1.6 if box.has_weights else 0.8,
            linestyle="-" if box.has_weights or box.is_container else (0, (3, 2)),
        )
    )
    for index, line in enumerate(box.lines):
        axes.text(
            box.x + PADDING,
            box.y + PADDING + (index + 0.5) * LINE_HEIGHT,
            line,
            fontsize=FONT_SIZE,
            fontweight="bold" if index == 0 else "normal",
            va="center",
            ha="left",
            color=TEXT_COLOUR,
        )
