"""A layered-graph layout: sized nodes in nested frames, and edges → positions and paths.

It knows nothing of models or layers: a node is a key and a size, a frame a key,
the frames around it and the width of its label. That is what lets the
algorithm be read, and tested, on its own.

A layered (Sugiyama-style) layout of our own, run once per scope: the graph
itself and every frame, innermost first. In a scope, ranks come from the
longest path, a dummy point sits wherever an edge spans several ranks, a
bounded number of barycenter sweeps orders each rank, and nodes are pulled
towards their neighbours without overlap. Edges run through their dummies'
slots, so they never cross a node.

A frame is laid out on its own and then placed in its parent as one block:
frames therefore never overlap, each label has a band of its own at the top of
its frame, and an edge into or out of a frame passes its border through a port
that the label keeps clear of.

A scope longer than the page wraps: left-to-right drawings into rows of at
most ``max_length`` points, long top-to-bottom drawings into as many columns as
fit that width. An edge that crosses a wrap leaves its row at the end, runs
back through the gap between the rows and enters the next row from the side.

Every step is linear in the number of nodes and edges (crossing counts are
merge-sort inversions, the sweeps are bounded). Units are points; positions
are page coordinates, y pointing down.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from .font import LABEL_BAND, PADDING

RANK_GAP = 28.0
NODE_GAP = 18.0
DUMMY_WIDTH = 4.0
#: Room between a frame's border and what it holds, and (three times) around the drawing.
GROUP_MARGIN = 8.0
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
#: Sweeps that pull positions towards neighbours: odd, so the last one goes down.
POSITION_SWEEPS = 9

#: The ports of a frame's scope: where edges from outside enter and where they leave.
IN_PORT = "\0in"
OUT_PORT = "\0out"
ROOT = ""  # the scope of the whole graph


# --- the graph in, the placement out --------------------------------------------------------


class Edge(NamedTuple):
    source: str
    target: str


@dataclass(frozen=True)
class Node:
    """Something to place: its size on the page and the frames around it."""

    key: str
    width: float
    height: float
    #: Keys of the frames it sits in, outermost first.
    within: tuple[str, ...] = ()


@dataclass(frozen=True)
class Frame:
    """A border drawn around nodes (and frames), its label in a band of its own."""

    key: str
    label_width: float
    #: Keys of the frames it sits in, outermost first.
    within: tuple[str, ...] = ()


@dataclass(frozen=True)
class Graph:
    #: In the order they are to be considered: it breaks ties in the ordering of ranks.
    nodes: tuple[Node, ...]
    frames: Mapping[str, Frame]
    #: Between nodes; an edge that would close a cycle is not drawn.
    edges: tuple[Edge, ...]


class Rect(NamedTuple):
    x: float  # left
    y: float  # top
    width: float
    height: float


@dataclass(frozen=True)
class PlacedFrame:
    key: str
    rect: Rect
    #: Top left of the label's text.
    label_x: float
    label_y: float


@dataclass(frozen=True)
class EdgePath:
    source: str
    target: str
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Placement:
    #: Each node's box, outer scopes before the frames they hold.
    nodes: Mapping[str, Rect]
    #: In the order they were placed: outer frames before inner ones.
    frames: tuple[PlacedFrame, ...]
    edges: tuple[EdgePath, ...]
    width: float
    height: float


def layered_layout(
    graph: Graph, direction: str = "TB", max_length: float | None = None
) -> Placement:
    """Place ``graph`` flowing top to bottom (``"TB"``) or left to right (``"LR"``);
    wrap it when it is longer than ``max_length`` points (None: never)."""
    return _NestedLayout(graph, direction == "TB", max_length).run()


# --- the nested scopes ----------------------------------------------------------------------


class _Flow(NamedTuple):
    """A point in flow coordinates: along the flow (down in TB) and across it."""

    main: float
    cross: float


class _Band(NamedTuple):
    """Where a rank begins and ends along the flow."""

    start: float
    end: float


class _Piece(NamedTuple):
    """The part of an edge inside one scope, between two of its items or ports."""

    scope: str
    edge: Edge


@dataclass
class _Item:
    """A node, a frame, a port or a dummy, as the layout of one scope sees it."""

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
class _ScopeLayout:
    """One scope's result, in its own flow coordinates."""

    items: dict[str, _Item]
    paths: dict[Edge, list[_Flow]]
    main: float
    cross: float


class _NestedLayout:
    """Lays out every scope innermost first, then places them and joins the edges' pieces."""

    def __init__(self, graph: Graph, tb: bool, max_length: float | None) -> None:
        self.nodes = {node.key: node for node in graph.nodes}
        self.frames = graph.frames
        self.tb = tb
        self.max_length = max_length
        self.members: dict[str, dict[str, None]] = defaultdict(dict)  # scope -> its items
        for node in graph.nodes:
            chain = node.within
            for depth, scope in enumerate(chain):
                self.members[chain[depth - 1] if depth else ROOT][scope] = None
            self.members[chain[-1] if chain else ROOT][node.key] = None
        self.scope_edges: dict[str, dict[Edge, None]] = defaultdict(dict)
        self.pieces = [self._split(edge) for edge in graph.edges]
        self.scopes: dict[str, _ScopeLayout] = {}
        self.label_at: dict[str, float] = {}  # frame -> its label's offset across a TB frame

    def _within(self, scope: str) -> tuple[str, ...]:
        """The frames around a scope, outermost first."""
        return self.frames[scope].within if scope else ()

    def _split(self, edge: Edge) -> list[_Piece]:
        """The pieces of one edge, from the source out and into the target."""
        source, target = edge
        up, down = self.nodes[source].within, self.nodes[target].within
        common = 0
        while common < min(len(up), len(down)) and up[common] == down[common]:
            common += 1
        pieces = []
        for depth in range(len(up) - 1, common - 1, -1):  # out of each frame around the source
            inner = up[depth + 1] if depth + 1 < len(up) else source
            pieces.append(_Piece(up[depth], Edge(inner, OUT_PORT)))
        scope = up[common - 1] if common else ROOT
        pieces.append(
            _Piece(
                scope,
                Edge(
                    up[common] if common < len(up) else source,
                    down[common] if common < len(down) else target,
                ),
            )
        )
        for depth in range(common, len(down)):  # into each frame around the target
            inner = down[depth + 1] if depth + 1 < len(down) else target
            pieces.append(_Piece(down[depth], Edge(IN_PORT, inner)))
        for piece in pieces:
            self.scope_edges[piece.scope][piece.edge] = None
        return pieces

    def run(self) -> Placement:
        order = sorted(self.members, key=lambda scope: -len(self._within(scope)) if scope else 0)
        for scope in order:
            if scope:
                self._lay_out(scope)
        root = self._lay_out(ROOT)
        nodes: dict[str, Rect] = {}
        frames: list[PlacedFrame] = []
        origins: dict[str, _Flow] = {}  # scope -> its content's origin
        self._place(ROOT, _Flow(0.0, 0.0), nodes, frames, origins)
        paths = (self._edge_path(pieces, origins) for pieces in self.pieces)
        edges = [path for path in paths if path is not None]
        width, height = (root.cross, root.main) if self.tb else (root.main, root.cross)
        margin = GROUP_MARGIN * 3
        return Placement(
            nodes, tuple(frames), tuple(edges), width + 2 * margin, height + 2 * margin
        )

    # sizes and one scope's layout

    def _item(self, key: str) -> _Item:
        if key in (IN_PORT, OUT_PORT):
            return _Item(key, 0.0, DUMMY_WIDTH, dummy=True)
        if key in self.nodes:
            node = self.nodes[key]
            main, cross = (node.height, node.width) if self.tb else (node.width, node.height)
            return _Item(key, main, cross)
        inner = self.scopes[key]  # a frame
        label_at, label_width = self.label_at[key], self.frames[key].label_width
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

    def _lay_out(self, scope: str) -> _ScopeLayout:
        keys = list(self.members[scope])
        edges = list(self.scope_edges[scope])
        if any(edge.source == IN_PORT for edge in edges):
            keys.insert(0, IN_PORT)
        if any(edge.target == OUT_PORT for edge in edges):
            keys.append(OUT_PORT)
        items = {key: self._item(key) for key in keys}
        limit = self.max_length
        if limit is not None:  # room for the page's margins, frames and a few return lanes
            depth = len(self._within(scope)) + 1 if scope else 0
            limit = max(limit - 2 * (depth + 3) * GROUP_MARGIN - 4 * LANE_STEP, 4 * RANK_GAP)
        result = _layered(items, edges, self.tb, limit, wrap_columns=self.tb and not scope)
        self.scopes[scope] = result
        if scope:
            self.label_at[scope] = self._label_at(scope, result)
        return result

    def _label_at(self, scope: str, inner: _ScopeLayout) -> float:
        """Where the label sits across a TB frame: clear of the in-port's edge."""
        width = self.frames[scope].label_width
        at = PADDING
        port = inner.items.get(IN_PORT)
        if self.tb and port is not None:
            entry = GROUP_MARGIN + port.position
            if at - PADDING <= entry <= at + width + PADDING:
                at = entry + PADDING  # to the right of the entering edge
        return at

    # placing scopes and drawing paths

    def _place(
        self,
        scope: str,
        origin: _Flow,
        nodes: dict[str, Rect],
        frames: list[PlacedFrame],
        origins: dict[str, _Flow],
    ) -> None:
        """Put the scope's content at ``origin``; frames and nodes in page coordinates."""
        result = self.scopes[scope]
        origins[scope] = origin
        for key, item in result.items.items():
            if item.dummy:
                continue
            main, cross = origin.main + item.start, origin.cross + item.position - item.cross / 2
            x, y = self._xy(main, cross)
            width, height = (item.cross, item.main) if self.tb else (item.main, item.cross)
            if key in self.nodes:
                nodes[key] = Rect(x, y, width, height)
                continue
            label_x, label_y = x + self.label_at[key], y + PADDING / 2
            frames.append(PlacedFrame(key, Rect(x, y, width, height), label_x, label_y))
            inner_main = main + GROUP_MARGIN + (LABEL_BAND if self.tb else 0.0)
            inner_cross = cross + GROUP_MARGIN + (0.0 if self.tb else LABEL_BAND)
            self._place(key, _Flow(inner_main, inner_cross), nodes, frames, origins)

    def _xy(self, main: float, cross: float) -> tuple[float, float]:
        margin = GROUP_MARGIN * 3
        return (cross + margin, main + margin) if self.tb else (main + margin, cross + margin)

    def _edge_path(self, pieces: list[_Piece], origins: dict[str, _Flow]) -> EdgePath | None:
        if any(piece.edge not in self.scopes[piece.scope].paths for piece in pieces):
            return None  # it would close a cycle
        points: list[tuple[float, float]] = []
        for scope, edge in pieces:
            main0, cross0 = origins[scope]
            result = self.scopes[scope]
            piece = [_Flow(main0 + m, cross0 + c) for m, c in result.paths[edge]]
            if edge.source == IN_PORT:  # from the frame's border
                frame_start = main0 - GROUP_MARGIN - (LABEL_BAND if self.tb else 0.0)
                piece.insert(0, _Flow(frame_start, piece[0].cross))
            if edge.target == OUT_PORT:  # to the frame's border
                frame = self._frame_end(scope, origins)
                piece.append(_Flow(frame, piece[-1].cross))
            for point in piece:
                xy = self._xy(*point)
                if not points or points[-1] != xy:
                    points.append(xy)
        source, target = pieces[0].edge.source, pieces[-1].edge.target
        return EdgePath(source=source, target=target, points=tuple(points))

    def _frame_end(self, scope: str, origins: dict[str, _Flow]) -> float:
        parent = self._within(scope)
        parent_scope = parent[-1] if parent else ROOT
        item = self.scopes[parent_scope].items[scope]
        return origins[parent_scope].main + item.start + item.main


# --- one scope: ranks, order, positions, wrapping --------------------------------------------


def _layered(
    items: dict[str, _Item],
    edges: list[Edge],
    tb: bool,
    limit: float | None,
    wrap_columns: bool,
) -> _ScopeLayout:
    _rank(items, edges)
    chains = _add_dummies(items, edges)
    ranks = _order(items)
    _position(items, ranks)
    depths = [max(items[key].main for key in row) for row in ranks]
    across = max((items[row[-1]].position + items[row[-1]].cross / 2 for row in ranks), default=0)
    cuts = _cuts(depths, ranks, items, tb, limit, wrap_columns, across)
    return _assemble(items, ranks, depths, chains, cuts)


def _rank(items: dict[str, _Item], edges: list[Edge]) -> None:
    """Longest-path ranks; edges that would close a cycle are ignored for ranking."""
    for source, target in edges:
        items[source].succs.append(target)
        items[target].preds.append(source)
    state: dict[str, int] = {}
    back: set[Edge] = set()
    for key in items:
        if key in state:
            continue
        stack = [(key, iter(items[key].succs))]
        state[key] = 1
        while stack:
            current, successors = stack[-1]
            for successor in successors:
                if state.get(successor) == 1:
                    back.add(Edge(current, successor))
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


def _add_dummies(items: dict[str, _Item], edges: list[Edge]) -> dict[Edge, list[str]]:
    """Split each edge into a chain through dummies, one per rank crossed.

    An edge that would close a cycle (its target not below its source) is not drawn.
    """
    chains: dict[Edge, list[str]] = {}
    for index, edge in enumerate(edges):
        source, target = edge
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
        chains[edge] = chain
    return chains


def _order(items: dict[str, _Item], sweeps: int = SWEEPS) -> list[list[str]]:
    """Order within ranks by barycenters, keeping the ordering with the fewest crossings."""
    by_rank: dict[int, list[str]] = defaultdict(list)
    for key, item in items.items():
        by_rank[item.rank].append(key)
    ranks = [by_rank[rank] for rank in sorted(by_rank)]
    _number(items, ranks)
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
            _number(items, [row])
        crossings = _crossings(items, ranks)
        if crossings < best_crossings:
            best, best_crossings = [list(row) for row in ranks], crossings
    _number(items, best)
    return best


def _number(items: dict[str, _Item], rows: Iterable[list[str]]) -> None:
    """Give each item its place in its rank."""
    for row in rows:
        for position, key in enumerate(row):
            items[key].order = position


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
    for sweep in range(POSITION_SWEEPS):  # alternate: align with predecessors, then successors
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


def _cuts(
    depths: list[float],
    ranks: list[list[str]],
    items: dict[str, _Item],
    tb: bool,
    limit: float | None,
    wrap_columns: bool,
    across: float,
) -> list[int]:
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
    crossing = [_edges_leaving(items, row) for row in ranks]
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


def _assemble(
    items: dict[str, _Item],
    ranks: list[list[str]],
    depths: list[float],
    chains: dict[Edge, list[str]],
    cuts: list[int],
) -> _ScopeLayout:
    """Coordinates of every item and every edge's path, rows or columns placed one after another."""
    bounds = [0, *cuts, len(ranks)]
    segments = list(zip(bounds[:-1], bounds[1:]))
    wrapping = {cut - 1 for cut in cuts}  # a rank whose edges leave to the next segment
    lanes = {rank: _edges_leaving(items, ranks[rank]) for rank in wrapping}
    band: dict[int, _Band] = {}
    cross0: dict[int, float] = {}
    main_end = 0.0
    cross_cursor = 0.0
    segment_end: dict[int, float] = {}
    for number, (first, last) in enumerate(segments):
        lead = (lanes.get(first - 1, 0) + 1) * LANE_STEP if number else 0.0
        cursor = lead
        for rank in range(first, last):
            band[rank] = _Band(cursor, cursor + depths[rank])
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
    paths: dict[Edge, list[_Flow]] = {}
    used_lanes: dict[int, int] = defaultdict(int)
    for edge, chain in chains.items():
        points: list[_Flow] = []
        for index, key in enumerate(chain):
            item = items[key]
            start, end = band[item.rank]
            if item.dummy and key not in (IN_PORT, OUT_PORT):
                here = [_Flow(start, item.position), _Flow(end, item.position)]
            elif index == 0:
                here = [_Flow(item.start + item.main, _exit(item))]
            else:
                here = [_Flow(item.start, _enter(item))]
            if points and index and items[chain[index - 1]].rank in wrapping:
                rank = items[chain[index - 1]].rank
                if items[key].rank == rank + 1:
                    lane = used_lanes[rank]
                    used_lanes[rank] += 1
                    points += _detour(points[-1], here[0], band, rank, lane, cross0, segment_end)
            points += here
        paths[edge] = points
    return _ScopeLayout(items, paths, main_end, cross_cursor)


def _edges_leaving(items: dict[str, _Item], row: list[str]) -> int:
    return sum(len(items[key].succs) for key in row)


def _exit(item: _Item) -> float:
    left = item.position - item.cross / 2
    return left + item.exit_at if item.exit_at is not None else item.position


def _enter(item: _Item) -> float:
    left = item.position - item.cross / 2
    return left + item.enter_at if item.enter_at is not None else item.position


def _detour(
    leave: _Flow,
    arrive: _Flow,
    band: dict[int, _Band],
    rank: int,
    lane: int,
    cross0: dict[int, float],
    segment_end: dict[int, float],
) -> list[_Flow]:
    """From the end of one segment, back through the gap, into the start of the next."""
    out_main = segment_end[rank] + (lane + 1) * LANE_STEP
    next_cross = cross0[rank + 1]
    gap_cross = next_cross - RANK_GAP / 2 - lane * LANE_STEP
    in_main = band[rank + 1].start - (lane + 1) * LANE_STEP
    return [
        _Flow(out_main, leave.cross),
        _Flow(out_main, gap_cross),
        _Flow(in_main, gap_cross),
        _Flow(in_main, arrive.cross),
    ]
