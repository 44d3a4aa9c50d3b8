"""Layout of the architecture diagram, as data: boxes, edge paths and frames.

A layered (Sugiyama-style) layout of our own, run once per scope: the model
itself and every expanded nested model, innermost first. In a scope, ranks
come from the longest path, a dummy point sits wherever an edge spans several
ranks, a bounded number of barycenter sweeps orders each rank, and boxes are
pulled towards their neighbours without overlap. Edges run through their
dummies' slots, so they never cross a box.

A nested model is laid out on its own and then placed in its parent as one
block, its frame: frames therefore never overlap, each label has a band of its
own at the top of its frame, and an edge into or out of a nested model passes
its frame's border through a port that the label keeps clear of.

A scope longer than the page wraps: left-to-right drawings into rows of at
most ``MAX_LENGTH`` points, long top-to-bottom drawings into as many columns as
fit that width. An edge that crosses a wrap leaves its row at the end, runs
back through the gap between the rows and enters the next row from the side.

Every step is linear in the number of boxes and edges (crossing counts are
merge-sort inversions, the sweeps are bounded). Units are points; the drawing
(``diagram.py``) only paints what is here.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from dataclasses import dataclass, field, replace

from ..report import Layer, ModelReport, format_count, format_shape
from .rows import output_shape_text

FONT_SIZE = 9.0
CHAR_WIDTH = 0.63 * FONT_SIZE  # DejaVu Sans Mono advances 0.6 em; bold a little more
LABEL_CHAR_WIDTH = 0.63 * FONT_SIZE * 0.9  # frame labels are drawn at 0.9 of the font size
LINE_HEIGHT = 1.35 * FONT_SIZE
PADDING = 6.0
RANK_GAP = 28.0
NODE_GAP = 18.0
DUMMY_WIDTH = 4.0
GROUP_MARGIN = 8.0
#: Height of the band at the top of a frame that holds its label.
LABEL_BAND = LINE_HEIGHT + PADDING
#: Longest row (left to right) or widest set of columns (top to bottom), in points: about
#: the width of a documentation theme's content column.
MAX_LENGTH = 640.0
#: A top-to-bottom drawing taller than this many times its width folds into columns...
TALL_RATIO = 3.0
#: ...if it is also taller than this (points, about two screens): a short chain is read by
#: scrolling down, not by following an arrow that wraps round to the top of a second column.
FOLD_HEIGHT = 1200.0
#: A top-to-bottom drawing longer than this folds into more columns even if they are wider
#: than the page: thousands of layers stay a figure that viewers and PNG can hold.
LONGEST_COLUMN = 20000.0
#: Distance between neighbouring return lanes of edges that cross a wrap.
LANE_STEP = 6.0
SWEEPS = 4


@dataclass(frozen=True)
class LayoutOptions:
    direction: str = "TB"  # "TB": inputs at the top; "LR": inputs on the left
    expand_nested: bool = False
    max_depth: int | None = None
    show_shapes: bool = True
    show_params: bool = True
    show_types: bool = True
    #: Nested models drawn folded even when expanded (names, or "all").
    collapse: tuple[str, ...] = ()
    #: Wrap drawings longer than this (points); None never wraps.
    max_length: float | None = MAX_LENGTH


@dataclass(frozen=True)
class Box:
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
class EdgePath:
    source: str
    target: str
    points: tuple[tuple[float, float], ...]


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


# --- the drawn graph: boxes, scopes (expanded nested models) and edges ------------------------


@dataclass
class _Item:
    """A box, a nested model's frame, or a port, as the layout of one scope sees it."""

    key: str
    main: float  # size along the flow (height for TB, width for LR)
    cross: float  # size across it
    rank: int = 0
    order: int = 0
    position: float = 0.0  # centre across the flow, in the scope
    start: float = 0.0  # where it begins along the flow, in the scope
    dummy: bool = False
    #: Where edges leave and enter, across the flow, from the item's cross start.
    exit_at: float | None = None
    enter_at: float | None = None
    preds: list[str] = field(default_factory=list)
    succs: list[str] = field(default_factory=list)


@dataclass
class _Scope:
    """One scope's result, in its own coordinates (main, cross)."""

    items: dict[str, _Item]
    paths: dict[tuple[str, str], list[tuple[float, float]]]
    main: float
    cross: float


IN_PORT = "\0in"
OUT_PORT = "\0out"


def layout(report: ModelReport, options: LayoutOptions | None = None) -> Layout:
    options = options or LayoutOptions()
    by_path = {layer.path: layer for layer in report.layers}
    shown = _shown_layers(report, by_path, options)
    active = _active(report)
    boxes: dict[str, tuple[tuple[str, ...], Layer | None]] = {
        key: (_box_lines(layer, options, key in active), layer) for key, layer in shown.items()
    }
    edges = _edges(report, by_path, shown)
    split = _calls_in_a_loop(shown, edges)
    if split:  # drawn once, such a layer would send its output back into itself
        edges = _edges(report, by_path, shown, split)
        for key in split:
            del boxes[key]
            boxes.update(_call_boxes(shown[key], options))
    for info in report.inputs:
        if info.name not in boxes and any(source == info.name for source, _ in edges):
            lines = [info.name] + (["Input"] if options.show_types else [])
            lines += [format_shape(info.shape)] if options.show_shapes else []
            lines += ["0 params"] if options.show_params else []
            boxes[info.name] = (tuple(lines), None)
    return _Composer(report, by_path, boxes, edges, options).run()


# --- which layers become boxes -------------------------------------------------------------


def _shown_layers(
    report: ModelReport, by_path: dict[str, Layer], options: LayoutOptions
) -> dict[str, Layer]:
    """Leaves of the tree cut at the expansion depth; folded models are one box."""
    limit = options.max_depth if options.max_depth is not None else 10**6
    active = _active(report)
    shown: dict[str, Layer] = {}
    for layer in report.layers:
        if not _visible(by_path, layer, options, limit, active):
            continue
        if layer.path not in active and not layer.params:
            continue  # never called and no weights: nothing of the model is lost
        if layer.is_container and layer.path in active and _expands(layer, options, limit):
            continue
        shown[layer.path] = layer
    return shown


def _active(report: ModelReport) -> set[str]:
    """Layers that ran: called themselves, or holding a layer that was (a ``ModuleList`` is
    never called, its blocks are)."""
    active: set[str] = set()
    by_path = {layer.path: layer for layer in report.layers}
    for layer in report.layers:
        path: str | None = layer.path if layer.calls else None
        while path is not None and path not in active:
            active.add(path)
            path = by_path[path].parent
    return active


def _expands(layer: Layer, options: LayoutOptions, limit: int) -> bool:
    collapsed = "all" in options.collapse or layer.name in options.collapse
    return options.expand_nested and layer.depth < limit and not collapsed


def _visible(
    by_path: dict[str, Layer], layer: Layer, options: LayoutOptions, limit: int, active: set[str]
) -> bool:
    """Whether every model around the layer is open: expanded, and run (a model never
    called is one box, "not called", that stands for all it holds)."""
    parent = layer.parent
    while parent is not None:
        container = by_path[parent]
        if parent not in active or not _expands(container, options, limit):
            return False
        parent = container.parent
    return True


def _box_lines(layer: Layer, options: LayoutOptions, ran: bool) -> tuple[str, ...]:
    """Name, type, shape, params; a layer that never ran (nor anything in it) says so, also
    without shapes. A container never called itself whose layers were (a ``ModuleList``)
    has no shape of its own."""
    title = layer.name + (f" ×{layer.calls}" if layer.calls > 1 else "")
    lines = [title]
    if options.show_types:
        lines.append(layer.class_name)
    if not ran:
        lines.append("(not called)")
    elif options.show_shapes and layer.output_shapes:
        lines.append(output_shape_text(layer).split(" ×")[0])
    if options.show_params:
        lines.append(f"{format_count(layer.params)} params")
    return tuple(lines)


def _box_size(lines: tuple[str, ...]) -> tuple[float, float]:
    width = max(len(line) for line in lines) * CHAR_WIDTH + 2 * PADDING
    return width, len(lines) * LINE_HEIGHT + 2 * PADDING


def _edges(
    report: ModelReport,
    by_path: dict[str, Layer],
    shown: dict[str, Layer],
    split: frozenset[str] = frozenset(),
) -> list[tuple[str, str]]:
    """Edges between drawn boxes. A folded model's box stands for all it holds: it takes the
    inputs of every layer inside it, and a source inside it becomes its box.

    A layer in ``split`` has a box per call (``path#N``): its N-th input goes to its N-th
    call, and a consumer gets the calls it says it read (``inbound_calls``).
    """
    sinks = _container_sinks(report)
    names = {info.name for info in report.inputs}
    result: dict[tuple[str, str], None] = {}
    for layer in report.layers:
        key: str | None = layer.path
        while key is not None and key not in shown:
            key = by_path[key].parent
        if key is None:
            continue  # inside an open model, and not drawn: never called, no weights
        for number, source in enumerate(layer.inbound, start=1):
            target = f"{key}#{number}" if key in split and key == layer.path else key
            for drawn in _drawn_sources(source, shown, names, sinks, by_path):
                if drawn in split:
                    calls = [n for path, n in layer.inbound_calls if path == drawn]
                    froms = [f"{drawn}#{n}" for n in calls or [by_path[drawn].calls]]
                else:
                    froms = [drawn]
                for start in froms:
                    if start != target:
                        result[(start, target)] = None
    return list(result)


def _calls_in_a_loop(shown: dict[str, Layer], edges: list[tuple[str, str]]) -> frozenset[str]:
    """Layers called several times whose single box would lie on a loop of edges (the
    output of one call reaches the input of another): they are drawn once per call. The
    report must say which input each call took (one input a call)."""
    following: dict[str, list[str]] = defaultdict(list)
    for source, target in edges:
        following[source].append(target)
    found = set()
    for key, layer in shown.items():
        if layer.calls < 2 or len(layer.inbound) != layer.calls:
            continue
        seen, pending = set(), list(following[key])
        while pending and key not in seen:
            node = pending.pop()
            if node not in seen:
                seen.add(node)
                pending += following[node]
        if key in seen:
            found.add(key)
    return frozenset(found)


def _call_boxes(layer: Layer, options: LayoutOptions) -> dict[str, tuple[tuple[str, ...], Layer]]:
    """A box for each call, in order: the first holds the weights, the others say they share
    them (so the figure's counts still add up to the total)."""
    boxes = {}
    for number in range(1, layer.calls + 1):
        lines = [f"{layer.name} (call {number})"]
        if options.show_types:
            lines.append(layer.class_name)
        if options.show_shapes and number <= len(layer.output_shapes):
            lines.append(", ".join(format_shape(s) for s in layer.output_shapes[number - 1]))
        drawn = layer
        if number > 1:
            drawn = replace(layer, params=0, trainable=0, non_trainable=0)
        if options.show_params:
            shared = " (shared with call 1)" if number > 1 and layer.params else ""
            lines.append(f"{format_count(drawn.params)} params{shared}")
        boxes[f"{layer.path}#{number}"] = (tuple(lines), drawn)
    return boxes


def _drawn_sources(
    source: str,
    shown: dict[str, Layer],
    names: set[str],
    sinks: dict[str, list[str]],
    by_path: dict[str, Layer],
) -> list[str]:
    """The boxes a source is drawn as: its own, the folded model's around it, or, for an open
    model, the boxes of its outputs."""
    if source in names and source not in by_path:
        return [source]
    owner: str | None = source
    while owner is not None and owner not in shown:
        owner = by_path[owner].parent if owner in by_path else None
    if owner is not None:
        return [owner]
    found: list[str] = []
    for sink in sinks.get(source, ()):
        found += _drawn_sources(sink, shown, names, sinks, by_path)
    return found


def _container_sinks(report: ModelReport) -> dict[str, list[str]]:
    """For each nested model, its children that ran and that no sibling consumes (its outputs)."""
    active = _active(report)
    children: dict[str, list[Layer]] = defaultdict(list)
    for layer in report.layers:
        if layer.parent is not None and layer.path in active:
            children[layer.parent].append(layer)
    sinks: dict[str, list[str]] = {}
    for layer in report.layers:
        if not layer.is_container:
            continue
        inner = children.get(layer.path, [])
        consumed = {source for child in inner for source in child.inbound}
        outputs = [c.path for c in inner if c.path not in consumed]
        sinks[layer.path] = outputs[-1:] if outputs else [c.path for c in inner[-1:]]
    return sinks


# --- composing scopes ----------------------------------------------------------------------


class _Composer:
    """Lays out every scope innermost first, then places them and joins the edges' pieces."""

    def __init__(self, report, by_path, boxes, edges, options) -> None:
        self.report = report
        self.by_path = by_path
        self.boxes = boxes
        self.edges = edges
        self.options = options
        self.tb = options.direction == "TB"
        # the chain of expanded models from the root down to each drawn box
        self.chain: dict[str, tuple[str, ...]] = {key: self._scopes_of(key) for key in boxes}
        self.members: dict[str, dict[str, None]] = defaultdict(dict)  # scope -> its items
        for key in boxes:
            chain = self.chain[key]
            for depth, scope in enumerate(chain):
                self.members[chain[depth - 1] if depth else ""][scope] = None
            self.members[chain[-1] if chain else ""][key] = None
        self.scope_edges: dict[str, dict[tuple[str, str], None]] = defaultdict(dict)
        self.pieces: list[list[tuple[str, tuple[str, str]]]] = []
        for source, target in edges:
            self.pieces.append(self._split(source, target))
        self.scopes: dict[str, _Scope] = {}
        self.labels: dict[str, tuple[str, float, float]] = {}  # scope -> label, x, width

    def _scopes_of(self, key: str) -> tuple[str, ...]:
        layer = self.by_path.get(key) or self.by_path.get(key.rpartition("#")[0])
        scopes = []
        parent = layer.parent if layer is not None else None
        while parent is not None:
            scopes.append(parent)
            parent = self.by_path[parent].parent
        return tuple(reversed(scopes))

    def _split(self, source: str, target: str) -> list[tuple[str, tuple[str, str]]]:
        """The pieces of one edge: (scope, (from, to)) from the source out and into the target."""
        up, down = self.chain[source], self.chain[target]
        common = 0
        while common < min(len(up), len(down)) and up[common] == down[common]:
            common += 1
        pieces = []
        for depth in range(len(up) - 1, common - 1, -1):  # out of each model around the source
            inner = up[depth + 1] if depth + 1 < len(up) else source
            pieces.append((up[depth], (inner, OUT_PORT)))
        scope = up[common - 1] if common else ""
        pieces.append(
            (
                scope,
                (
                    up[common] if common < len(up) else source,
                    down[common] if common < len(down) else target,
                ),
            )
        )
        for depth in range(common, len(down)):  # into each model around the target
            inner = down[depth + 1] if depth + 1 < len(down) else target
            pieces.append((down[depth], (IN_PORT, inner)))
        for scope_key, pair in pieces:
            self.scope_edges[scope_key][pair] = None
        return pieces

    def run(self) -> Layout:
        order = sorted(self.members, key=lambda scope: -len(self._scopes_of(scope)) if scope else 0)
        for scope in order:
            if scope:
                self._lay_out(scope)
        root = self._lay_out("")
        boxes: list[Box] = []
        groups: list[Group] = []
        origins: dict[str, tuple[float, float]] = {}  # scope -> its content's (main, cross) origin
        self._place("", 0.0, 0.0, boxes, groups, origins)
        paths = (self._edge_path(pieces, origins) for pieces in self.pieces)
        edges = [path for path in paths if path is not None]
        width, height = (root.cross, root.main) if self.tb else (root.main, root.cross)
        margin = GROUP_MARGIN * 3
        return Layout(
            tuple(boxes),
            tuple(edges),
            tuple(sorted(groups, key=lambda group: group.depth)),
            width + 2 * margin,
            height + 2 * margin,
        )

    # sizes and one scope's layout

    def _item(self, key: str, scope: str) -> _Item:
        if key in (IN_PORT, OUT_PORT):
            return _Item(key, 0.0, DUMMY_WIDTH, dummy=True)
        if key in self.boxes:
            width, height = _box_size(self.boxes[key][0])
            return _Item(key, height if self.tb else width, width if self.tb else height)
        inner = self.scopes[key]  # a nested model: its frame
        label, label_at, label_width = self.labels[key]
        main = inner.main + 2 * GROUP_MARGIN + (LABEL_BAND if self.tb else 0.0)
        cross = inner.cross + 2 * GROUP_MARGIN + (0.0 if self.tb else LABEL_BAND)
        if self.tb:
            cross = max(cross, label_at + label_width + PADDING)
        else:
            main = max(main, label_at + label_width + PADDING)
        item = _Item(key, main, cross)
        offset = GROUP_MARGIN + (0.0 if self.tb else LABEL_BAND)
        if IN_PORT in inner.items:
            item.enter_at = offset + inner.items[IN_PORT].position
        if OUT_PORT in inner.items:
            item.exit_at = offset + inner.items[OUT_PORT].position
        return item

    def _lay_out(self, scope: str) -> _Scope:
        keys = list(self.members[scope])
        pairs = list(self.scope_edges[scope])
        if any(pair[0] == IN_PORT for pair in pairs):
            keys.insert(0, IN_PORT)
        if any(pair[1] == OUT_PORT for pair in pairs):
            keys.append(OUT_PORT)
        items = {key: self._item(key, scope) for key in keys}
        limit = self.options.max_length
        if limit is not None:  # room for the page's margins, frames and a few return lanes
            depth = len(self._scopes_of(scope)) + 1 if scope else 0
            limit = max(limit - 2 * (depth + 3) * GROUP_MARGIN - 4 * LANE_STEP, 4 * RANK_GAP)
        result = _layered(items, pairs, self.tb, limit, wrap_columns=self.tb and not scope)
        self.scopes[scope] = result
        if scope:
            self._label(scope, result)
        return result

    def _label(self, scope: str, inner: _Scope) -> None:
        """The label's text, and where it sits across a TB frame so the in-port stays clear."""
        layer = self.by_path[scope]
        label = f"{layer.name} ({layer.class_name}, {format_count(layer.params)} params)"
        if layer.calls > 1:
            label += f" ×{layer.calls}"
        width = len(label) * LABEL_CHAR_WIDTH
        at = PADDING
        port = inner.items.get(IN_PORT)
        if self.tb and port is not None:
            entry = GROUP_MARGIN + port.position
            if at - PADDING <= entry <= at + width + PADDING:
                at = entry + PADDING  # to the right of the entering edge
        self.labels[scope] = (label, at, width)

    # placing scopes and drawing paths

    def _place(self, scope, main0, cross0, boxes, groups, origins) -> None:
        """Put the scope's content at (main0, cross0); frames and boxes in page coordinates."""
        result = self.scopes[scope]
        origins[scope] = (main0, cross0)
        for key, item in result.items.items():
            if item.dummy:
                continue
            main, cross = main0 + item.start, cross0 + item.position - item.cross / 2
            x, y = self._xy(main, cross)
            width, height = (item.cross, item.main) if self.tb else (item.main, item.cross)
            if key in self.boxes:
                lines, layer = self.boxes[key]
                boxes.append(
                    Box(
                        key=key,
                        lines=lines,
                        class_name=layer.class_name if layer else "InputLayer",
                        x=x,
                        y=y,
                        width=width,
                        height=height,
                        has_weights=bool(layer and layer.params),
                        calls=layer.calls if layer else 1,
                        is_container=bool(layer and layer.is_container),
                        kind=layer.kind if layer else "input",
                    )
                )
                continue
            label, at, label_width = self.labels[key]
            label_x, label_y = x + at, y + PADDING / 2
            groups.append(
                Group(
                    key,
                    label,
                    x,
                    y,
                    width,
                    height,
                    self.by_path[key].depth,
                    label_x,
                    label_y,
                    label_width,
                    LINE_HEIGHT,
                )
            )
            inner_main = main + GROUP_MARGIN + (LABEL_BAND if self.tb else 0.0)
            inner_cross = cross + GROUP_MARGIN + (0.0 if self.tb else LABEL_BAND)
            self._place(key, inner_main, inner_cross, boxes, groups, origins)

    def _xy(self, main: float, cross: float) -> tuple[float, float]:
        margin = GROUP_MARGIN * 3
        return (cross + margin, main + margin) if self.tb else (main + margin, cross + margin)

    def _edge_path(self, pieces, origins) -> EdgePath | None:
        if any(pair not in self.scopes[scope].paths for scope, pair in pieces):
            return None  # it would close a cycle
        points: list[tuple[float, float]] = []
        for scope, pair in pieces:
            main0, cross0 = origins[scope]
            result = self.scopes[scope]
            piece = [(main0 + m, cross0 + c) for m, c in result.paths[pair]]
            if pair[0] == IN_PORT:  # from the frame's border
                frame_start = main0 - GROUP_MARGIN - (LABEL_BAND if self.tb else 0.0)
                piece.insert(0, (frame_start, piece[0][1]))
            if pair[1] == OUT_PORT:  # to the frame's border
                frame = self._frame_end(scope, origins)
                piece.append((frame, piece[-1][1]))
            for point in piece:
                xy = self._xy(*point)
                if not points or points[-1] != xy:
                    points.append(xy)
        source, target = pieces[0][1][0], pieces[-1][1][1]
        return EdgePath(source=source, target=target, points=tuple(points))

    def _frame_end(self, scope: str, origins) -> float:
        parent = self._scopes_of(scope)
        parent_scope = parent[-1] if parent else ""
        item = self.scopes[parent_scope].items[scope]
        return origins[parent_scope][0] + item.start + item.main


# --- one scope: ranks, order, positions, wrapping --------------------------------------------


def _layered(
    items: dict[str, _Item],
    pairs: list[tuple[str, str]],
    tb: bool,
    limit: float | None,
    wrap_columns: bool,
) -> _Scope:
    _rank(items, pairs)
    chains = _add_dummies(items, pairs)
    ranks = _order(items)
    _position(items, ranks)
    depths = [max(items[key].main for key in row) for row in ranks]
    across = max((items[row[-1]].position + items[row[-1]].cross / 2 for row in ranks), default=0)
    cuts = _cuts(depths, ranks, items, tb, limit, wrap_columns, across)
    return _assemble(items, ranks, depths, chains, cuts)


def _rank(items: dict[str, _Item], pairs: list[tuple[str, str]]) -> None:
    """Longest-path ranks; edges that would close a cycle are ignored for ranking."""
    for source, target in pairs:
        items[source].succs.append(target)
        items[target].preds.append(source)
    state: dict[str, int] = {}
    back: set[tuple[str, str]] = set()
    for key in items:
        if key in state:
            continue
        stack = [(key, iter(items[key].succs))]
        state[key] = 1
        while stack:
            current, successors = stack[-1]
            for successor in successors:
                if state.get(successor) == 1:
                    back.add((current, successor))
                elif successor not in state:
                    state[successor] = 1
                    stack.append((successor, iter(items[successor].succs)))
                    break
            else:
                state[current] = 2
                stack.pop()
    for source, target in back:
        items[source].succs.remove(target)
        items[target].preds.remove(source)
    remaining = {key: len(item.preds) for key, item in items.items()}
    ready = deque(key for key in items if remaining[key] == 0)
    while ready:
        key = ready.popleft()
        for successor in items[key].succs:
            items[successor].rank = max(items[successor].rank, items[key].rank + 1)
            remaining[successor] -= 1
            if remaining[successor] == 0:
                ready.append(successor)
    if OUT_PORT in items:  # the out-port sits below everything: exits leave at the far side
        items[OUT_PORT].rank = 1 + max(
            (item.rank for key, item in items.items() if key != OUT_PORT), default=0
        )


def _add_dummies(
    items: dict[str, _Item], pairs: list[tuple[str, str]]
) -> dict[tuple[str, str], list[str]]:
    """Split each edge into a chain through dummies, one per rank crossed.

    An edge that would close a cycle (its target not below its source) is not drawn.
    """
    chains: dict[tuple[str, str], list[str]] = {}
    for index, (source, target) in enumerate(pairs):
        if items[source].rank >= items[target].rank:
            continue
        chain = [source]
        previous = source
        for rank in range(items[source].rank + 1, items[target].rank):
            key = f"\0dummy:{index}:{rank}"
            items[key] = _Item(key, 0.0, DUMMY_WIDTH, rank=rank, dummy=True)
            items[previous].succs.append(key)
            items[key].preds.append(previous)
            chain.append(key)
            previous = key
        if previous != source and target in items[source].succs:
            items[source].succs.remove(target)
            items[target].preds.remove(source)
            items[previous].succs.append(target)
            items[target].preds.append(previous)
        chain.append(target)
        chains[(source, target)] = chain
    return chains


def _order(items: dict[str, _Item], sweeps: int = SWEEPS) -> list[list[str]]:
    """Order within ranks by barycenters, keeping the ordering with the fewest crossings."""
    by_rank: dict[int, list[str]] = defaultdict(list)
    for key, item in items.items():
        by_rank[item.rank].append(key)
    ranks = [by_rank[rank] for rank in sorted(by_rank)]
    for row in ranks:
        for index, key in enumerate(row):
            items[key].order = index
    best = [list(row) for row in ranks]
    best_crossings = _crossings(items, ranks)
    for sweep in range(sweeps):
        downward = sweep % 2 == 0
        sequence = range(1, len(ranks)) if downward else range(len(ranks) - 2, -1, -1)
        for index in sequence:
            row = ranks[index]
            keyed = []
            for key in row:
                item = items[key]
                neighbours = item.preds if downward else item.succs
                centre = (
                    sum(items[n].order for n in neighbours) / len(neighbours)
                    if neighbours
                    else item.order
                )
                keyed.append((centre, item.order, key))
            keyed.sort()
            row[:] = [key for _, _, key in keyed]
            for position, key in enumerate(row):
                items[key].order = position
        crossings = _crossings(items, ranks)
        if crossings < best_crossings:
            best, best_crossings = [list(row) for row in ranks], crossings
    for row in best:
        for position, key in enumerate(row):
            items[key].order = position
    return best


def _crossings(items: dict[str, _Item], ranks: list[list[str]]) -> int:
    """Edge crossings between neighbouring ranks: inversions, counted by merge sort."""
    total = 0
    for row in ranks[:-1]:
        pairs = sorted(
            (items[key].order, items[succ].order) for key in row for succ in items[key].succs
        )
        total += _inversions([second for _, second in pairs])
    return total


def _inversions(values: list[int]) -> int:
    if len(values) < 2:
        return 0
    middle = len(values) // 2
    left, right = values[:middle], values[middle:]
    count = _inversions(left) + _inversions(right)
    left.sort()
    right.sort()
    j = 0
    for value in left:  # for each left value, how many right values are smaller
        while j < len(right) and right[j] < value:
            j += 1
        count += j
    return count


def _position(items: dict[str, _Item], ranks: list[list[str]]) -> None:
    """Positions across each rank: pulled towards neighbours, never closer than the gap."""
    for row in ranks:
        cursor = 0.0
        for key in row:
            items[key].position = cursor + items[key].cross / 2
            cursor += items[key].cross + NODE_GAP
    for sweep in range(9):  # alternate: align with predecessors, then successors; end down
        downward = sweep % 2 == 0
        for row in ranks if downward else reversed(ranks):
            wanted = []
            for key in row:
                item = items[key]
                neighbours = item.preds if downward else item.succs
                if neighbours:
                    wanted.append(sum(items[n].position for n in neighbours) / len(neighbours))
                else:
                    wanted.append(item.position)
            _resolve(row, wanted, items)
    lowest = min(items[key].position - items[key].cross / 2 for row in ranks for key in row)
    for item in items.values():
        item.position -= lowest


def _resolve(row: list[str], wanted: list[float], items: dict[str, _Item]) -> None:
    """Move a rank's items to their wanted positions, pushed apart where they would overlap.

    The push only goes one way, so the row is then shifted as a whole to sit
    centred on what its items wanted.
    """
    positions = list(wanted)
    for index in range(1, len(row)):
        gap = (items[row[index - 1]].cross + items[row[index]].cross) / 2 + NODE_GAP
        positions[index] = max(positions[index], positions[index - 1] + gap)
    shift = (sum(wanted) - sum(positions)) / len(row)
    for key, position in zip(row, positions):
        items[key].position = position + shift


def _cuts(depths, ranks, items, tb, limit, wrap_columns, across) -> list[int]:
    """Ranks that start a new row (LR) or column (TB); empty when the drawing fits."""
    total = sum(depths) + RANK_GAP * (len(depths) - 1)
    if limit is None or len(depths) < 2:
        return []
    if tb:
        if not wrap_columns or total <= max(TALL_RATIO * max(across, 1.0), FOLD_HEIGHT):
            return []
        columns = int((limit + RANK_GAP) // (across + 4 * RANK_GAP))
        columns = max(columns, math.ceil(total / LONGEST_COLUMN))
        if columns < 2:
            return []
        length = total / columns + max(depths) + RANK_GAP
    else:
        if total <= limit:
            return []
        length = limit
    crossing = [sum(len(items[key].succs) for key in row) for row in ranks]
    cuts: list[int] = []
    start, used = 0, 0.0
    for index, depth in enumerate(depths):
        if used and used + depth > length:
            # cut where the fewest edges cross, among the last third of this stretch
            window = range(max(start + 1, index - max((index - start) // 3, 1)), index + 1)
            cut = min(window, key=lambda rank: (crossing[rank - 1], -rank))
            cuts.append(cut)
            start = cut
            used = sum(depths[cut:index]) + RANK_GAP * (index - cut)
        used += depth + RANK_GAP
    return cuts


def _assemble(items, ranks, depths, chains, cuts) -> _Scope:
    """Coordinates of every item and every edge's path, rows or columns placed one after another."""
    bounds = [0, *cuts, len(ranks)]
    segments = list(zip(bounds[:-1], bounds[1:]))
    wrapping = {cut - 1 for cut in cuts}  # a rank whose edges leave to the next segment
    lanes = {rank: _lane_count(items, ranks[rank]) for rank in wrapping}
    band: dict[int, tuple[float, float]] = {}
    cross0: dict[int, float] = {}
    main_end = 0.0
    cross_cursor = 0.0
    segment_end: dict[int, float] = {}
    for number, (first, last) in enumerate(segments):
        lead = (lanes.get(first - 1, 0) + 1) * LANE_STEP if number else 0.0
        cursor = lead
        for rank in range(first, last):
            band[rank] = (cursor, cursor + depths[rank])
            cursor += depths[rank] + RANK_GAP
        width = max(
            items[key].position + items[key].cross / 2
            for r in range(first, last)
            for key in ranks[r]
        )
        tail = lanes.get(last - 1, 0) * LANE_STEP + (LANE_STEP if last - 1 in wrapping else 0.0)
        main_end = max(main_end, cursor - RANK_GAP + tail)
        for rank in range(first, last):
            segment_end[rank] = cursor - RANK_GAP
        for rank in range(first, last):
            cross0[rank] = cross_cursor
        gap = (lanes.get(last - 1, 0) + 1) * LANE_STEP + RANK_GAP if last - 1 in wrapping else 0.0
        cross_cursor += width + gap
    for item in items.values():
        start, end = band[item.rank]
        item.start = (start + end) / 2 - item.main / 2
        item.position += cross0[item.rank]
    paths: dict[tuple[str, str], list[tuple[float, float]]] = {}
    used_lanes: dict[int, int] = defaultdict(int)
    for pair, chain in chains.items():
        points: list[tuple[float, float]] = []
        for index, key in enumerate(chain):
            item = items[key]
            start, end = band[item.rank]
            if item.dummy and key not in (IN_PORT, OUT_PORT):
                here = [(start, item.position), (end, item.position)]
            elif index == 0:
                here = [(item.start + item.main, _exit(item))]
            else:
                here = [(item.start, _enter(item))]
            if points and index and items[chain[index - 1]].rank in wrapping:
                rank = items[chain[index - 1]].rank
                if items[key].rank == rank + 1:
                    lane = used_lanes[rank]
                    used_lanes[rank] += 1
                    points += _detour(points[-1], here[0], band, rank, lane, cross0, segment_end)
            points += here
        paths[pair] = points
    return _Scope(items, paths, main_end, cross_cursor)


def _lane_count(items, row) -> int:
    return sum(len(items[key].succs) for key in row)


def _exit(item: _Item) -> float:
    left = item.position - item.cross / 2
    return left + item.exit_at if item.exit_at is not None else item.position


def _enter(item: _Item) -> float:
    left = item.position - item.cross / 2
    return left + item.enter_at if item.enter_at is not None else item.position


def _detour(leave, arrive, band, rank, lane, cross0, segment_end):
    """From the end of one segment, back through the gap, into the start of the next."""
    out_main = segment_end[rank] + (lane + 1) * LANE_STEP
    next_cross = cross0[rank + 1]
    gap_cross = next_cross - RANK_GAP / 2 - lane * LANE_STEP
    in_main = band[rank + 1][0] - (lane + 1) * LANE_STEP
    return [
        (out_main, leave[1]),
        (out_main, gap_cross),
        (in_main, gap_cross),
        (in_main, arrive[1]),
    ]


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
