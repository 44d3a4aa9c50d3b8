"""Draw a diagram layout with matplotlib, byte for byte the same on every run.

Only matplotlib's own canvases are used (no pyplot, no Graphviz). Text stays
text in SVG (``svg.fonttype = "none"``), so layer names can be searched and
read by screen readers; timestamps and random ids are left out of every format.

A figure is a handful of artists, not one per box: all boxes are one patch
collection, all edges one line collection, all arrowheads one polygon
collection, and all text one artist that hands each line to the canvas as
plain text (never parsed as mathtext: ``$`` in a layer name is just a dollar).
On the PNG canvas that artist pastes cached glyph bitmaps of the monospace
face instead of asking FreeType to lay out every line, which is most of the
cost of drawing a large model.
"""

from __future__ import annotations

import io
import logging
import math
from typing import Any, NamedTuple

import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.collections import LineCollection, PatchCollection, PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font
from matplotlib.patches import FancyBboxPatch, Rectangle

from .font import FONT_SIZE, LINE_HEIGHT, PADDING
from .layout import Box, Group, Layout

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
GROUP_COLOUR = "#9a9a9a"
FONT_FAMILY = "DejaVu Sans Mono"
ARROW_LENGTH = 6.0
ARROW_HALF_WIDTH = 2.6
#: From a text line's middle down to its baseline, in font sizes (DejaVu Sans Mono's caps).
BASELINE_DROP = 0.33
FORMATS = ("svg", "png", "pdf")
#: Most pixels a PNG is drawn with (RGBA: 4 bytes each in memory while it is drawn).
PNG_PIXELS = 100_000_000
_METADATA = {
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
    "png": {"Software": None},
}
_STYLE = {
    "svg.hashsalt": "sphinx-modelsummary",
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
    "font.family": FONT_FAMILY,
    "path.simplify": False,
}


# Subsetting fonts into the PDF logs every table it prunes at INFO level.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def render(layout: Layout, fmt: str = "svg", dpi: int = 144) -> bytes:
    """The layout as an SVG, PNG or PDF file's bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"diagram format {fmt!r} is not one of {', '.join(FORMATS)}")
    with matplotlib.rc_context(_STYLE):
        width, height = max(layout.width, 1), max(layout.height, 1)
        figure = Figure(figsize=(width / 72, height / 72), dpi=72)
        FigureCanvasAgg(figure)
        axes = figure.add_axes((0, 0, 1, 1))
        axes.set_xlim(0, width)
        axes.set_ylim(height, 0)  # y grows downwards, like the layout
        axes.set_axis_off()
        if layout.groups:
            axes.add_collection(_group_frames(layout.groups), autolim=False)
        if layout.edges:
            lines, heads = _edge_shapes(layout)
            axes.add_collection(
                LineCollection(lines, colors=EDGE_COLOUR, linewidths=1.0), autolim=False
            )
            axes.add_collection(
                PolyCollection(
                    heads, facecolors=EDGE_COLOUR, edgecolors=EDGE_COLOUR, linewidths=0.5
                ),
                autolim=False,
            )
        if layout.boxes:
            axes.add_collection(_box_patches(layout.boxes), autolim=False)
        axes.add_artist(TextLines(_text_lines(layout)))
        output = io.BytesIO()
        figure.savefig(
            output,
            format=fmt,
            dpi=_png_dpi(width, height, dpi) if fmt == "png" else 72,
            transparent=True,
            metadata=_METADATA[fmt],
            **({"pil_kwargs": {"compress_level": 1}} if fmt == "png" else {}),
        )
    return output.getvalue()


def _png_dpi(width: float, height: float, dpi: float) -> float:
    """The asked resolution, lowered for huge figures: at most 65,000 pixels a side (Agg's
    limit) and ``PNG_PIXELS`` in all (a 5,000-layer model; use SVG for those)."""
    side = 65000 * 72 / max(width, height)
    budget = 72 * math.sqrt(PNG_PIXELS / (width * height))
    return min(float(dpi), side, budget)


def _group_frames(groups: tuple[Group, ...]) -> PatchCollection:
    frames = [Rectangle((g.x, g.y), g.width, g.height) for g in groups]
    return PatchCollection(
        frames,
        facecolors=to_rgba(GROUP_COLOUR, 0.12),
        edgecolors=to_rgba(GROUP_COLOUR, 0.6),
        linewidths=1.0,
    )


def _edge_shapes(layout: Layout) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Each edge as a polyline stopping short of its target, and the arrowhead filling the gap."""
    lines, heads = [], []
    for edge in layout.edges:
        points = np.asarray(edge.points, dtype=float)
        tip, before = points[-1], points[-2]
        direction = tip - before
        length = math.hypot(*direction) or 1.0
        unit = direction / length
        base = tip - unit * min(ARROW_LENGTH, length)
        normal = np.array([-unit[1], unit[0]]) * ARROW_HALF_WIDTH
        lines.append(np.vstack([points[:-1], base]))
        heads.append(np.array([tip, base + normal, base - normal]))
    return lines, heads


def _box_patches(boxes: tuple[Box, ...]) -> PatchCollection:
    patches, faces, edges, widths, styles = [], [], [], [], []
    for box in boxes:
        patches.append(
            FancyBboxPatch(
                (box.x, box.y), box.width, box.height, boxstyle="round,pad=0,rounding_size=4"
            )
        )
        faces.append(KIND_COLOURS["model" if box.is_container else box.kind])
        edges.append("#333333" if box.has_weights else "#8a8a8a")
        widths.append(1.6 if box.has_weights else 0.8)
        styles.append("-" if box.has_weights or box.is_container else (0, (3, 2)))
    return PatchCollection(
        patches, facecolors=faces, edgecolors=edges, linewidths=widths, linestyles=styles
    )


class TextLine(NamedTuple):
    """One line of text in layout units: ``y`` is its baseline."""

    x: float
    y: float
    text: str
    size: float
    bold: bool
    colour: str
    block: int  # lines of one box or label share a number


def _text_lines(layout: Layout) -> list[TextLine]:
    lines = []
    for block, group in enumerate(layout.groups):
        size = FONT_SIZE * 0.9
        baseline = group.label_y + group.label_height / 2 + BASELINE_DROP * size
        lines.append(
            TextLine(group.label_x, baseline, group.label, size, False, EDGE_COLOUR, block)
        )
    for block, box in enumerate(layout.boxes, start=len(layout.groups)):
        for index, line in enumerate(box.lines):
            baseline = box.y + PADDING + (index + 0.5) * LINE_HEIGHT + BASELINE_DROP * FONT_SIZE
            lines.append(
                TextLine(box.x + PADDING, baseline, line, FONT_SIZE, index == 0, TEXT_COLOUR, block)
            )
    return lines


class TextLines(Artist):
    """Many lines of plain text drawn by one artist: no per-line layout, no mathtext."""

    def __init__(self, lines: list[TextLine]) -> None:
        super().__init__()
        self.lines = lines
        self.set_zorder(3)  # over the boxes (collections draw at 1)

    def draw(self, renderer: Any) -> None:
        if not self.get_visible() or not self.lines:
            return
        transform = self.axes.transData
        points = transform.transform(np.array([(x, y) for x, y, *_ in self.lines]))
        renderer = _drawing_renderer(renderer)
        if isinstance(renderer, RendererSVG):
            self._draw_svg(renderer, points)
        elif isinstance(renderer, RendererAgg):
            self._draw_agg(renderer, points)
        else:
            self._draw_generic(renderer, points)

    def _draw_generic(self, renderer: Any, points: np.ndarray) -> None:
        """Through the canvas's own ``draw_text``, which takes y downwards on a canvas that
        says ``flipy()`` (as ``matplotlib.text.Text`` hands it)."""
        if renderer.flipy():
            points = points * (1, -1) + (0, renderer.get_canvas_width_height()[1])
        gc = renderer.new_gc()
        for (x, y), (_, _, text, size, bold, colour, _) in zip(points, self.lines):
            gc.set_foreground(colour)
            prop = FontProperties(
                family=FONT_FAMILY, size=size, weight="bold" if bold else "normal"
            )
            renderer.draw_text(gc, x, y, text, prop, 0.0, ismath=False)
        gc.restore()

    def _draw_svg(self, renderer: RendererSVG, points: np.ndarray) -> None:
        """One ``<g>`` carrying the font, then a bare ``<text>`` per line."""
        writer = renderer.writer
        writer.start("g", style=f"font-family:'{FONT_FAMILY}',monospace")
        for (x, y), (_, _, text, size, bold, colour, _) in zip(points, self.lines):
            style = f"font-size:{size:g}px;fill:{colour}"
            if bold:
                style += ";font-weight:700"
            y = renderer.height - y
            writer.element("text", text, x=f"{x:.2f}", y=f"{y:.2f}", style=style)
        writer.end("g")

    def _draw_agg(self, renderer: RendererAgg, points: np.ndarray) -> None:
        """Paste each character's cached bitmap into the canvas (straight alpha, RGBA).

        The lines of one block (a box, a frame's label) share one coverage mask,
        composited onto the canvas at once.
        """
        canvas = np.asarray(renderer.buffer_rgba())
        height, width = canvas.shape[:2]
        placed = []
        for (x, y), (_, _, text, size, bold, colour, block) in zip(points, self.lines):
            glyphs = _Glyphs.get(size * renderer.dpi / 72, bold)
            baseline = int(round(height - y))
            left = int(round(x))
            right = left + int(math.ceil(glyphs.advance * len(text))) + glyphs.overhang
            top, bottom = baseline - glyphs.ascent, baseline + glyphs.descent
            placed.append((block, colour, glyphs, text, left, baseline, top, bottom, right))
        start = 0
        while start < len(placed):
            end = start
            while end < len(placed) and placed[end][:2] == placed[start][:2]:
                end += 1
            self._paste_block(canvas, placed[start:end])
            start = end

    @staticmethod
    def _paste_block(canvas: np.ndarray, lines: list[tuple]) -> None:
        top = max(min(line[6] for line in lines), 0)
        bottom = min(max(line[7] for line in lines), canvas.shape[0])
        left = max(min(line[4] for line in lines), 0)
        right = min(max(line[8] for line in lines), canvas.shape[1])
        if bottom <= top or right <= left:
            return
        mask = np.zeros((bottom - top, right - left), dtype=np.uint8)
        for _, _, glyphs, text, pen, baseline, *_ in lines:
            for index, char in enumerate(text):
                bitmap, dy, dx = glyphs.bitmap(char)
                row = baseline + dy - top
                column = pen + int(round(index * glyphs.advance)) + dx - left
                if bitmap.size == 0 or row < 0 or column < 0:
                    continue
                target = mask[row : row + bitmap.shape[0], column : column + bitmap.shape[1]]
                np.maximum(target, bitmap[: target.shape[0], : target.shape[1]], out=target)
        _composite(canvas[top:bottom, left:right], mask, to_rgba(lines[0][1]))


def _drawing_renderer(renderer: Any) -> Any:
    """The renderer that really draws: ``savefig`` hands the SVG and PDF canvases wrapped in a
    ``MixedModeRenderer``, which passes every call on to the one it holds."""
    if isinstance(renderer, MixedModeRenderer):
        return getattr(renderer, "_renderer", renderer)
    return renderer


def _composite(region: np.ndarray, mask: np.ndarray, colour: tuple[float, ...]) -> None:
    """Paint ``colour`` over ``region`` (straight-alpha RGBA) with coverage ``mask``."""
    rows, columns = np.nonzero(mask)
    if colour[3] == 1.0 and region[rows, columns, 3].min(initial=255) == 255:
        # on an opaque box, integers suffice, and only the covered pixels change
        cover = mask[rows, columns].astype(np.uint16)[:, None]
        paint = np.array([round(c * 255) for c in colour[:3]], dtype=np.uint16)
        below = region[rows, columns, :3].astype(np.uint16)
        region[rows, columns, :3] = ((paint * cover + below * (255 - cover) + 127) // 255).astype(
            np.uint8
        )
        return
    cover = mask.astype(np.float32)[..., None] * (colour[3] / 255.0)
    below = region.astype(np.float32) / 255.0
    below_alpha = below[..., 3:4]
    alpha = cover + below_alpha * (1.0 - cover)
    rgb = np.asarray(colour[:3], dtype=np.float32) * cover + below[..., :3] * below_alpha * (
        1.0 - cover
    )
    rgb = np.divide(rgb, alpha, out=np.zeros_like(rgb), where=alpha > 0)
    region[..., :3] = np.round(rgb * 255.0).astype(np.uint8)
    region[..., 3:4] = np.round(alpha * 255.0).astype(np.uint8)


class _Glyphs:
    """Bitmaps of one face at one pixel size, rendered once per character."""

    _cache: dict[tuple[float, bool], _Glyphs] = {}

    @classmethod
    def get(cls, pixels: float, bold: bool) -> _Glyphs:
        key = (round(pixels, 3), bold)
        if key not in cls._cache:
            cls._cache[key] = cls(pixels, bold)
        return cls._cache[key]

    def __init__(self, pixels: float, bold: bool) -> None:
        prop = FontProperties(family=FONT_FAMILY, weight="bold" if bold else "normal")
        self.font = FT2Font(findfont(prop))
        self.font.set_size(pixels, 72)
        self.flags = get_hinting_flag()
        self.advance = self.font.load_char(ord("0"), flags=self.flags).linearHoriAdvance / 65536
        self.ascent = int(math.ceil(self.font.ascender * pixels / self.font.units_per_EM)) + 1
        self.descent = int(math.ceil(-self.font.descender * pixels / self.font.units_per_EM)) + 1
        self.overhang = int(math.ceil(pixels / 2))
        self._bitmaps: dict[str, tuple[np.ndarray, int, int]] = {}

    def bitmap(self, char: str) -> tuple[np.ndarray, int, int]:
        """The character's coverage (cut to its ink), how far above the baseline its top row
        sits, and how far right of the pen its first column is (its left side bearing: a
        ``(`` or ``.`` sits in the middle of its cell, not at its left)."""
        if char not in self._bitmaps:
            font = self.font
            font.clear()
            font.set_text(char, 0.0, flags=self.flags)
            font.draw_glyphs_to_bitmap(antialiased=True)
            image = np.asarray(font.get_image()).copy()
            descent = int(math.ceil(font.get_descent() / 64))
            bearing = int(round(font.get_bitmap_offset()[0] / 64))
            self._bitmaps[char] = (image, descent - image.shape[0], bearing)
        return self._bitmaps[char]
