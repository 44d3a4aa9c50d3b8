"""Read a drawn SVG diagram back as its reader sees it, and say what reads wrong.

Nothing here knows the layout the figure was drawn from: the boxes, frames,
edges and text lines are taken from the SVG's own geometry (paths, ``use``
copies, translations, text anchors and font sizes), so a figure that puts a
label in the wrong place is caught however the mistake was made. The tests
and ``tools/screenshots.py`` use it on every diagram they build.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field

#: DejaVu Sans Mono, in font sizes: the advance of every character, the top of the tallest
#: glyphs (brackets, accents) above the baseline, and the bottom of the lowest below it.
ADVANCE = 0.602
ASCENT = 0.76
DESCENT = 0.24
#: How far a drawn thing may be off, in points (SVG coordinates are rounded).
SLACK = 0.6
PARAMS_LINE = re.compile(r"^([\d,.]+)([KMB]?) params(?: \(.*\))?$")
CALL = re.compile(r" \(call (\d+)\)$")

_SVG = "{http://www.w3.org/2000/svg}"
_XLINK = "{http://www.w3.org/1999/xlink}href"
_NUMBER = r"-?\d+(?:\.\d+)?(?:e-?\d+)?"


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def holds(self, other: Rect, slack: float = SLACK) -> bool:
        return (
            other.x >= self.x - slack
            and other.right <= self.right + slack
            and other.y >= self.y - slack
            and other.bottom <= self.bottom + slack
        )

    def on_border(self, point: tuple[float, float], slack: float = 1.0) -> bool:
        x, y = point
        inside = self.x - slack <= x <= self.right + slack and self.y - slack <= y <= (
            self.bottom + slack
        )
        near = min(abs(x - self.x), abs(x - self.right), abs(y - self.y), abs(y - self.bottom))
        return inside and near <= slack


@dataclass(frozen=True)
class TextLine:
    """One ``<text>``: ``x`` is where it starts, ``y`` its baseline."""

    text: str
    x: float
    y: float
    size: float
    bold: bool

    @property
    def extent(self) -> Rect:
        width = len(self.text) * ADVANCE * self.size
        top = self.y - ASCENT * self.size
        return Rect(self.x, top, width, (ASCENT + DESCENT) * self.size)


@dataclass
class DrawnFrame:
    """A nested model's shaded frame and the label line that lies in it (in no inner frame)."""

    rect: Rect
    label: str = ""

    @property
    def name(self) -> str:
        """The nested model's name: its label up to `` (Class, N params)``."""
        return self.label.split(" (")[0]


@dataclass
class DrawnBox:
    """A rounded box and the text lines that lie in it, top to bottom."""

    rect: Rect
    stroke_width: float
    fill: str
    lines: list[TextLine] = field(default_factory=list)
    #: The names of the frames around it, outermost first.
    scope: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        """Its name inside the names of its frames: ``encoder_1/attention``."""
        return "/".join((*self.scope, self.name))

    @property
    def title(self) -> str:
        """The box's bold line (its first, when it reads right)."""
        bold = [line for line in self.lines if line.bold] or self.lines
        return bold[0].text if bold else ""

    @property
    def name(self) -> str:
        """The layer's name: the title without ``×N`` calls or ``(call N)``."""
        return CALL.sub("", self.title.split(" ×")[0])

    @property
    def call(self) -> int | None:
        """Which call of a layer called several times the box stands for, if only one."""
        found = CALL.search(self.title)
        return int(found.group(1)) if found else None

    @property
    def label(self) -> str:
        """Its path, and ``#N`` for a box of one call: ``act#2``."""
        return self.path + (f"#{self.call}" if self.call else "")

    @property
    def params(self) -> int | None:
        """The count its ``N params`` line says (rounded if written ``25.6M``), if it has one."""
        for line in self.lines:
            found = PARAMS_LINE.match(line.text)
            if found:
                scale = {"": 1, "K": 10**3, "M": 10**6, "B": 10**9}[found.group(2)]
                return round(float(found.group(1).replace(",", "")) * scale)
        return None


@dataclass
class DrawnFigure:
    width: float
    height: float
    boxes: list[DrawnBox]
    #: Nested models' shaded frames, outermost first.
    frames: list[DrawnFrame]
    #: Lines of text in no box and no frame.
    stray: list[TextLine]
    #: Each edge as a polyline, from its source end to the end with the arrowhead.
    edges: list[list[tuple[float, float]]]

    def box_named(self, name: str) -> DrawnBox:
        found = [box for box in self.boxes if name in (box.name, box.path)]
        if len(found) != 1:
            raise KeyError(f"{len(found)} boxes named {name!r}")
        return found[0]

    def box_at(self, point: tuple[float, float]) -> DrawnBox | None:
        """The box whose border the point touches (an edge's end)."""
        touching = [box for box in self.boxes if box.rect.on_border(point)]
        return touching[0] if len(touching) == 1 else None

    def connections(self, calls: bool = False) -> list[tuple[str, str]]:
        """(source path, target path) of every edge, in drawing order; ``?`` for a loose end.
        With ``calls``, a box of one call is named with its number (``act#2``)."""
        pairs = []
        for points in self.edges:
            ends = [self.box_at(points[0]), self.box_at(points[-1])]
            name = (lambda box: box.label) if calls else (lambda box: box.path)
            pairs.append(tuple(name(box) if box else "?" for box in ends))
        return pairs


def read_svg(data: bytes | str) -> DrawnFigure:
    """The boxes, frames, edges and text lines of a diagram drawn by :mod:`.diagram`."""
    root = ElementTree.fromstring(data)
    shapes: dict[str, list[tuple[float, float]]] = {}
    for path in root.iter(f"{_SVG}path"):
        if path.get("id"):
            shapes[path.get("id")] = _points(path.get("d", ""))
    boxes: list[DrawnBox] = []
    frames: list[DrawnFrame] = []
    lines: list[list[tuple[float, float]]] = []
    heads: list[list[tuple[float, float]]] = []
    texts: list[TextLine] = []

    def walk(element, offset, collection, style) -> None:
        offset = _translate(element.get("transform"), offset)
        style = {**style, **_style(element.get("style"))}
        tag = element.tag.removeprefix(_SVG)
        if tag == "defs":
            return
        if tag == "g" and re.match(r"\w+Collection_\d+$", element.get("id", "")):
            collection = element.get("id").split("_")[0]
        if tag == "text":
            x = offset[0] + float(element.get("x", 0))
            y = offset[1] + float(element.get("y", 0))
            size = float(style.get("font-size", "10px").removesuffix("px"))
            bold = style.get("font-weight") in ("700", "bold")
            texts.append(TextLine("".join(element.itertext()), x, y, size, bold))
            return
        points = None
        if tag == "path" and collection:
            points = _points(element.get("d", ""))
            rounded = "Q" in element.get("d", "")
        elif tag == "use" and collection:
            dx, dy = float(element.get("x", 0)), float(element.get("y", 0))
            points = [(x + dx, y + dy) for x, y in shapes[element.get(_XLINK).lstrip("#")]]
            rounded = False
        if points is not None:
            points = [(x + offset[0], y + offset[1]) for x, y in points]
            if collection == "LineCollection":
                lines.append(points)
            elif collection == "PolyCollection":
                heads.append(points)
            elif rounded:
                width = float(style.get("stroke-width", "1"))
                boxes.append(DrawnBox(_bounds(points), width, style.get("fill", "")))
            else:
                frames.append(DrawnFrame(_bounds(points)))
        for child in element:
            walk(child, offset, collection, style)

    walk(root, (0.0, 0.0), "", {})
    view = [float(v) for v in root.get("viewBox", "0 0 0 0").split()]
    frames.sort(key=lambda frame: -frame.rect.width * frame.rect.height)
    figure = DrawnFigure(view[2], view[3], boxes, frames, [], [])
    for text in texts:
        home = [box for box in boxes if box.rect.holds(text.extent)]
        around = [frame for frame in frames if frame.rect.holds(text.extent)]
        if home:
            home[0].lines.append(text)
        elif around and not around[-1].label:
            around[-1].label = text.text
        else:
            figure.stray.append(text)
    for box in boxes:
        box.lines.sort(key=lambda line: line.y)
        box.scope = tuple(f.name for f in frames if f.rect.holds(box.rect, slack=0.0))
    figure.edges = [_pointing(points, heads) for points in lines]
    return figure


def problems(figure: DrawnFigure) -> list[str]:
    """What a reader would see wrong in the figure, one sentence each; empty when it reads right.

    Every line of text lies wholly in a box or is the one label of a frame; a box's first line
    (top to bottom) is its bold name, and its ``N params`` line its last; a box
    whose label counts parameters has the heavy border of a layer with weights,
    and one that counts none the thin one.
    """
    found = [f"text {line.text!r} lies in no box and is no frame's label" for line in figure.stray]
    found += [f"a frame at {frame.rect} has no label" for frame in figure.frames if not frame.label]
    for box in figure.boxes:
        if not box.lines:
            found.append(f"a box at ({box.rect.x:.0f}, {box.rect.y:.0f}) holds no text")
            continue
        texts = [line.text for line in box.lines]
        if not box.lines[0].bold or any(line.bold for line in box.lines[1:]):
            found.append(f"the box reading {texts} does not start with its bold name")
        params = [PARAMS_LINE.match(text) is not None for text in texts]
        if any(params) and not params[-1]:
            found.append(f"the box reading {texts} does not end with its params line")
        if box.params is not None and (box.params > 0) != (box.stroke_width > 1.0):
            border = "heavy" if box.stroke_width > 1.0 else "thin"
            found.append(f"box {box.name!r} says {box.params} params but has a {border} border")
    return found


def flow_problems(
    figure: DrawnFigure, inputs: list[str], outputs: list[str], direction: str = "TB"
) -> list[str]:
    """Whether the inputs' boxes come before the outputs' boxes: above them (TB), left (LR)."""
    found = []
    axis = 1 if direction == "TB" else 0
    where = "above" if direction == "TB" else "left of"
    for first in inputs:
        for last in outputs:
            if first == last:
                continue
            try:
                a, b = figure.box_named(first).rect, figure.box_named(last).rect
            except KeyError as error:
                found.append(error.args[0])
                continue
            start = (a.x, a.y)[axis]
            end = (b.x, b.y)[axis]
            if start >= end:
                found.append(f"input {first!r} is not {where} output {last!r}")
    return found


def _pointing(
    points: list[tuple[float, float]], heads: list[list[tuple[float, float]]]
) -> list[tuple[float, float]]:
    """The polyline turned to end where its arrowhead is, and carried on to the head's tip."""

    def distance(a: tuple[float, float], b: tuple[float, float]) -> float:
        return abs(a[0] - b[0]) + abs(a[1] - b[1])

    def nearest(end: tuple[float, float]) -> tuple[float, list[tuple[float, float]]]:
        return min(((min(distance(end, p) for p in head), head) for head in heads), default=None)

    if not heads:
        return points
    ordered = points if nearest(points[-1])[0] <= nearest(points[0])[0] else points[::-1]
    head = nearest(ordered[-1])[1]
    tip = max(head, key=lambda point: distance(point, ordered[-1]))
    return [*ordered, tip]


def _points(d: str) -> list[tuple[float, float]]:
    numbers = [float(n) for n in re.findall(_NUMBER, d)]
    return list(zip(numbers[0::2], numbers[1::2]))


def _bounds(points: list[tuple[float, float]]) -> Rect:
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return Rect(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


def _translate(transform: str | None, offset: tuple[float, float]) -> tuple[float, float]:
    if not transform:
        return offset
    found = re.fullmatch(rf"\s*translate\(\s*({_NUMBER})(?:[\s,]+({_NUMBER}))?\s*\)\s*", transform)
    if found is None:
        raise ValueError(f"a transform other than a translation: {transform!r}")
    return offset[0] + float(found.group(1)), offset[1] + float(found.group(2) or 0)


def _style(style: str | None) -> dict[str, str]:
    pairs = (item.split(":", 1) for item in (style or "").split(";") if ":" in item)
    return {key.strip(): value.strip() for key, value in pairs}
