"""A drawn SVG diagram made ready to sit inside an HTML page: a tooltip and a link per box.

The figure is the file ``diagram.py`` drew, unchanged but for what living in a
page needs: its ids get a prefix of the page's choosing (two copies of one
figure on a page must not share ids), its stylesheet (a ``*`` rule that would
reach the whole page) becomes the root's own style, its metadata goes, and over each box lies a
transparent area with the box's id, its ``<title>`` (the layer's formula and
count) and, where the page has its row, a link to it. Every text that came from
the model is escaped here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import escape
from typing import NamedTuple

from ..report import Layer, ModelReport, format_count
from .layout import Layout


class BoxArea(NamedTuple):
    """Where a box is drawn (points, as in the SVG) and what its tooltip says."""

    key: str
    x: float
    y: float
    width: float
    height: float
    tooltip: str
    #: The rows that may stand for the box, best first: its layer, then the models around it.
    rows: tuple[str, ...]
    #: The frame of an opened nested model rather than a box.
    frame: bool = False


def box_areas(report: ModelReport, drawing: Layout) -> list[BoxArea]:
    """One area per frame and box of the drawing, with its tooltip and the rows it may link to.

    Frames come first, the largest first, so that an inner frame lies over the frame
    around it and every box over its frame: each is reached where it shows.
    """
    by_path = {layer.path: layer for layer in report.layers}
    frames = sorted(drawing.groups, key=lambda group: -group.width * group.height)
    return [
        BoxArea(
            item.key,
            item.x,
            item.y,
            item.width,
            item.height,
            tooltip(item.key, by_path),
            _rows_of(item.key, by_path),
            frame,
        )
        for frame, items in ((True, frames), (False, drawing.boxes))
        for item in items
    ]


def _rows_of(key: str, by_path: Mapping[str, Layer]) -> tuple[str, ...]:
    """The box's own path, the layer of a call's box (``path#N``), then its parents."""
    found = [key]
    if key not in by_path and "#" in key:
        found.append(key.rpartition("#")[0])
    layer = by_path.get(found[-1])
    while layer is not None and layer.parent is not None:
        found.append(layer.parent)
        layer = by_path.get(layer.parent)
    return tuple(found)


def tooltip(key: str, by_path: Mapping[str, Layer]) -> str:
    """The layer's path and type, its formula, with the numbers put in, and its exact count.

    A box of one call of a shared layer (``path#N``) says which call it is; the calls
    after the first hold no weights of their own. A model input has no weights.
    """
    layer, call = by_path.get(key), ""
    if layer is None and "#" in key:
        path, _, call = key.rpartition("#")
        layer = by_path.get(path)
    if layer is None:
        return f"{key} (input)\n0 params"
    lines = [f"{layer.path} ({layer.class_name})"]
    if call and call != "1":
        return "\n".join([*lines, f"call {call}: the weights of call 1, counted there", "0 params"])
    if call:
        lines.append(f"call 1 of {layer.calls}")
    if layer.formula is not None:
        formula = layer.formula
        lines += [formula.symbolic, f"= {formula.substituted}"]
    elif layer.is_container and layer.params:
        lines.append("sum over its layers")
    lines.append(f"= {format_count(layer.params)} params" if layer.params else "0 params")
    return "\n".join(lines)


_TAG = re.compile(r"<[^>]*>")
_PROLOGUE = re.compile(r"\A.*?(?=<svg[\s>])", re.S)
_STYLE = re.compile(r"<defs>\s*<style[^>]*>(.*?)</style>\s*</defs>", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)


def inline_svg(
    svg: str,
    prefix: str,
    areas: Sequence[BoxArea],
    box_ids: Sequence[str],
    hrefs: Sequence[str | None],
    classes: Sequence[str] = (),
    label: str = "",
    style: str = "",
) -> str:
    """The figure as an ``<svg>`` element for an HTML page.

    ``box_ids[i]`` is the id of the area over ``areas[i]`` (a box or a frame), ``hrefs[i]`` the
    ``#id`` it links to (or None: no link). Ids are the caller's and must be valid;
    tooltips and the label are escaped here.
    """
    svg = _METADATA.sub("", _PROLOGUE.sub("", svg, count=1), count=1)
    found = _STYLE.search(svg)
    rules = ""
    if found:  # matplotlib's "*{stroke-linejoin: round; ...}": on the root, it stays inside
        rules = found.group(1).strip().removeprefix("*{").removesuffix("}").strip()
        svg = svg[: found.start()] + svg[found.end() :]
    svg = _TAG.sub(lambda tag: _prefixed(tag.group(0), prefix), svg)
    root_style = "; ".join(part for part in (rules, style) if part)
    attributes = f' class="{escape(" ".join(classes))}"'
    if label:
        attributes += f' role="group" aria-label="{escape(label)}"'
    if root_style:
        attributes += f' style="{escape(root_style)}"'
    svg = re.sub(r"<svg\b", lambda _: "<svg" + attributes, svg, count=1)  # taken as it is
    overlay = ['<g class="modelsummary-boxes">']
    for area, box_id, href in zip(areas, box_ids, hrefs):
        kind = "modelsummary-frame" if area.frame else "modelsummary-box"
        shape = (
            f'<g id="{escape(box_id)}" class="{kind}">'
            f"<title>{escape(area.tooltip, quote=False)}</title>"
            f'<rect x="{area.x:.2f}" y="{area.y:.2f}" width="{area.width:.2f}" '
            f'height="{area.height:.2f}" rx="{0 if area.frame else 4}" fill="#000" '
            f'fill-opacity="0" pointer-events="all"/></g>'
        )
        overlay.append(f'<a href="{escape(href)}">{shape}</a>' if href else shape)
    overlay.append("</g>")
    end = svg.rindex("</svg>")
    return svg[:end] + "".join(overlay) + svg[end:]


def _prefixed(tag: str, prefix: str) -> str:
    """A tag of the figure with its ids, and its references to them, made the page's own."""
    tag = re.sub(r'(\sid=")', rf"\g<1>{prefix}-", tag)
    tag = tag.replace("url(#", f"url(#{prefix}-")
    return re.sub(r'(\s(?:xlink:)?href=")#', rf"\g<1>#{prefix}-", tag)
