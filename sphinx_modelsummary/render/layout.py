"""Layout of the architecture diagram, as data: boxes, edge paths and groups.

A layered (Sugiyama-style) layout of our own: ranks by longest path, a dummy
point wherever an edge spans several ranks, crossing reduction by barycenter
sweeps, then coordinates that pull each box towards its neighbours without
overlap. Edges run through their dummies' slots, so they never cross a box.
Units are points; the drawing (``diagram.py``) only paints what is here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..report import Layer, ModelReport, format_count, format_shape
from .rows import output_shape_text

FONT_SIZE = 9.0
CHAR_WIDTH = 0.63 * FONT_SIZE  # DejaVu Sans Mono advances 0.6 em; bold a little more
LINE_HEIGHT = 1.35 * FONT_SIZE
PADDING = 6.0
RANK_GAP = 28.0
NODE_GAP = 18.0
DUMMY_WIDTH = 4.0
GROUP_MARGIN = 8.0


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
    """A nested model drawn as a shaded frame around its layers."""

    key: str
    label: str
    x: float
    y: float
    width: float
    height: float
    depth: int


@dataclass(frozen=True)
class Layout:
    boxes: tuple[Box, ...]
    edges: tuple[EdgePath, ...]
    groups: tuple[Group, ...]
    width: float
    height: float


@dataclass
class _Node:
    key: str
    width: float
    height: float
    layer: Layer | None = None
    lines: tuple[str, ...] = ()
    class_name: str = ""
    kind: str = "other"
    rank: int = 0
    order: float = 0.0
    position: float = 0.0  # along the rank (x for TB)
    dummy: bool = False
    preds: list[str] = field(default_factory=list)
    succs: list[str] = field(default_factory=list)


def layout(report: ModelReport, options: LayoutOptions | None = None) -> Layout:
    options = options or LayoutOptions()
    shown = _shown_layers(report, options)
    nodes = {key: _box_node(key, layer, report, options) for key, layer in shown.items()}
    for info in report.inputs:
        if info.name not in nodes and any(info.name in x.inbound for x in shown.values()):
            nodes[info.name] = _input_node(info.name, info.shape, options)
    edge_list = _edges(report, shown, nodes)
    _rank(nodes, edge_list)
    chains = _add_dummies(nodes, edge_list)
    ranks = _order(nodes)
    _place(nodes, ranks, options.direction)
    boxes, extents = _boxes(nodes, ranks, options.direction)
    edges = tuple(_edge_path(chain, nodes, extents, options.direction) for chain in chains)
    groups = _groups(report, shown, boxes, options)
    width = max([b.x + b.width for b in boxes] + [g.x + g.width for g in groups] + [0.0])
    height = max([b.y + b.height for b in boxes] + [g.y + g.height for g in groups] + [0.0])
    return Layout(boxes, edges, groups, width + GROUP_MARGIN, height + GROUP_MARGIN)


# --- which layers become boxes -------------------------------------------------------------


def _shown_layers(report: ModelReport, options: LayoutOptions) -> dict[str, Layer]:
    """Leaves of the tree cut at the expansion depth; folded models are one box."""
    limit = options.max_depth if options.max_depth is not None else 10**6
    shown: dict[str, Layer] = {}
    for layer in report.layers:
        if not layer.calls or not _visible(report, layer, options, limit):
            continue  # a layer never called is not part of the drawn graph
        folded = layer.is_container and not _expands(layer, options, limit)
        if layer.is_container and not folded:
            continue
        shown[layer.path] = layer
    return shown


def _expands(layer: Layer, options: LayoutOptions, limit: int) -> bool:
    collapsed = "all" in options.collapse or layer.name in options.collapse
    return options.expand_nested and layer.depth < limit and not collapsed


def _visible(report: ModelReport, layer: Layer, options: LayoutOptions, limit: int) -> bool:
    parent = layer.parent
    while parent is not None:
        container = report.layer(parent)
        if not _expands(container, options, limit):
            return False
        parent = container.parent
    return True


def _box_node(key: str, layer: Layer, report: ModelReport, options: LayoutOptions) -> _Node:
    title = layer.name + (f" ×{layer.calls}" if layer.calls > 1 else "")
    lines = [title]
    if options.show_types:
        lines.append(layer.class_name)
    if options.show_shapes:
        lines.append(output_shape_text(layer).split(" ×")[0])
    if options.show_params:
        lines.append(f"{format_count(layer.params)} params")
    node = _sized_node(key, tuple(lines))
    node.layer = layer
    node.class_name = layer.class_name
    node.kind = layer.kind
    return node


def _input_node(name: str, shape: tuple, options: LayoutOptions) -> _Node:
    lines = [name] + (["Input"] if options.show_types else [])
    lines += [format_shape(shape)] if options.show_shapes else []
    node = _sized_node(name, tuple(lines))
    node.class_name = "InputLayer"
    node.kind = "input"
    return node


def _sized_node(key: str, lines: tuple[str, ...]) -> _Node:
    width = max(len(line) for line in lines) * CHAR_WIDTH + 2 * PADDING
    height = len(lines) * LINE_HEIGHT + 2 * PADDING
    return _Node(key=key, width=width, height=height, lines=lines)


# --- graph ---------------------------------------------------------------------------------


def _edges(
    report: ModelReport, shown: dict[str, Layer], nodes: dict[str, _Node]
) -> list[tuple[str, str]]:
    """Edges between drawn boxes; a source inside a folded model becomes that model's box."""
    sinks = _container_sinks(report)
    result: list[tuple[str, str]] = []
    for key, layer in shown.items():
        for source in layer.inbound:
            for drawn in _drawn_sources(source, nodes, sinks, report):
                if drawn != key and (drawn, key) not in result:
                    result.append((drawn, key))
    return result


def _drawn_sources(
    source: str, nodes: dict[str, _Node], sinks: dict[str, list[str]], report: ModelReport
) -> list[str]:
    if source in nodes:
        return [source]
    if source in sinks:  # an expanded model: its output comes from its last layers
        found: list[str] = []
        for sink in sinks[source]:
            found += _drawn_sources(sink, nodes, sinks, report)
        return found
    for layer in report.layers:  # a layer hidden inside a folded model
        if layer.path == source and layer.parent:
            return _drawn_sources(layer.parent, nodes, sinks, report)
    return []


def _container_sinks(report: ModelReport) -> dict[str, list[str]]:
    """For each nested model, its children that no sibling consumes (its outputs)."""
    sinks: dict[str, list[str]] = {}
    for layer in report.layers:
        if not layer.is_container:
            continue
        children = [c for c in report.layers if c.parent == layer.path and c.calls]
        consumed = {source for child in children for source in child.inbound}
        outputs = [c.path for c in children if c.path not in consumed]
        sinks[layer.path] = outputs[-1:] if outputs else [c.path for c in children[-1:]]
    return sinks


def _rank(nodes: dict[str, _Node], edges: list[tuple[str, str]]) -> None:
    """Longest-path ranks; edges that would close a cycle are ignored for ranking."""
    for source, target in edges:
        nodes[source].succs.append(target)
        nodes[target].preds.append(source)
    order = list(nodes)
    state: dict[str, int] = {}
    back: set[tuple[str, str]] = set()

    def visit(key: str) -> None:
        stack = [(key, iter(nodes[key].succs))]
        state[key] = 1
        while stack:
            current, successors = stack[-1]
            for successor in successors:
                if state.get(successor) == 1:
                    back.add((current, successor))
                elif successor not in state:
                    state[successor] = 1
                    stack.append((successor, iter(nodes[successor].succs)))
                    break
            else:
                state[current] = 2
                stack.pop()

    for key in order:
        if key not in state:
            visit(key)
    for source, target in back:
        nodes[source].succs.remove(target)
        nodes[target].preds.remove(source)
        edges.remove((source, target))
    remaining = {key: len(node.preds) for key, node in nodes.items()}
    ready = [key for key in order if remaining[key] == 0]
    while ready:
        key = ready.pop(0)
        for successor in nodes[key].succs:
            nodes[successor].rank = max(nodes[successor].rank, nodes[key].rank + 1)
            remaining[successor] -= 1
            if remaining[successor] == 0:
                ready.append(successor)


def _add_dummies(nodes: dict[str, _Node], edges: list[tuple[str, str]]) -> list[list[str]]:
    """Split long edges into chains through dummy nodes, one per rank crossed."""
    chains = []
    for index, (source, target) in enumerate(edges):
        chain = [source]
        previous = source
        for rank in range(nodes[source].rank + 1, nodes[target].rank):
            key = f"\0dummy:{index}:{rank}"
            nodes[key] = _Node(key=key, width=DUMMY_WIDTH, height=0.0, rank=rank, dummy=True)
            nodes[previous].succs.append(key)
            nodes[key].preds.append(previous)
            chain.append(key)
            previous = key
        if previous != source:
            nodes[source].succs.remove(target)
            nodes[target].preds.remove(source)
            nodes[previous].succs.append(target)
            nodes[target].preds.append(previous)
        chain.append(target)
        chains.append(chain)
    return chains


def _order(nodes: dict[str, _Node], sweeps: int = 12) -> list[list[str]]:
    """Order within ranks by barycenters, keeping the best ordering seen."""
    ranks: dict[int, list[str]] = defaultdict(list)
    for key, node in nodes.items():
        ranks[node.rank].append(key)
    layers = [ranks[rank] for rank in sorted(ranks)]
    for row in layers:
        for index, key in enumerate(row):
            nodes[key].order = index
    best = [list(row) for row in layers]
    best_crossings = _crossings(nodes, layers)
    for sweep in range(sweeps):
        downward = sweep % 2 == 0
        sequence = range(1, len(layers)) if downward else range(len(layers) - 2, -1, -1)
        for index in sequence:
            row = layers[index]

            def barycenter(key: str, downward: bool = downward) -> float:
                node = nodes[key]
                neighbours = node.preds if downward else node.succs
                if not neighbours:
                    return node.order
                return sum(nodes[n].order for n in neighbours) / len(neighbours)

            row.sort(key=lambda key: (barycenter(key), nodes[key].order))
            for position, key in enumerate(row):
                nodes[key].order = position
        crossings = _crossings(nodes, layers)
        if crossings < best_crossings:
            best, best_crossings = [list(row) for row in layers], crossings
    for row in best:
        for position, key in enumerate(row):
            nodes[key].order = position
    return best


def _crossings(nodes: dict[str, _Node], layers: list[list[str]]) -> int:
    total = 0
    for row in layers[:-1]:
        pairs = sorted(
            (nodes[key].order, nodes[succ].order) for key in row for succ in nodes[key].succs
        )
        for i, (_, first) in enumerate(pairs):
            for _, second in pairs[i + 1 :]:
                if second < first:
                    total += 1
    return total


def _place(nodes: dict[str, _Node], ranks: list[list[str]], direction: str) -> None:
    """Positions along each rank: pulled towards neighbours, never closer than the gap."""

    def extent(node: _Node) -> float:
        return node.width if direction == "TB" else node.height

    for row in ranks:
        cursor = 0.0
        for key in row:
            nodes[key].position = cursor + extent(nodes[key]) / 2
            cursor += extent(nodes[key]) + NODE_GAP
    for sweep in range(9):  # alternate: align with predecessors, then successors; end down
        downward = sweep % 2 == 0
        for row in ranks if downward else list(reversed(ranks)):
            wanted = []
            for key in row:
                node = nodes[key]
                neighbours = node.preds if downward else node.succs
                if neighbours:
                    target = sum(nodes[n].position for n in neighbours) / len(neighbours)
                else:
                    target = node.position
                wanted.append(target)
            _resolve(row, wanted, nodes, extent)
    lowest = min(nodes[key].position - extent(nodes[key]) / 2 for row in ranks for key in row)
    for node in nodes.values():
        node.position -= lowest


def _resolve(row: list[str], wanted: list[float], nodes: dict[str, _Node], extent) -> None:
    """Move a rank's nodes to their wanted positions, pushed apart where they would overlap.

    The push only goes one way, so the row is then shifted as a whole to sit
    centred on what its nodes wanted.
    """
    positions = list(wanted)
    for index in range(1, len(row)):
        gap = (extent(nodes[row[index - 1]]) + extent(nodes[row[index]])) / 2 + NODE_GAP
        positions[index] = max(positions[index], positions[index - 1] + gap)
    shift = (sum(wanted) - sum(positions)) / len(row)
    for key, position in zip(row, positions):
        nodes[key].position = position + shift


def _boxes(
    nodes: dict[str, _Node], ranks: list[list[str]], direction: str
) -> tuple[list[Box], dict[int, tuple[float, float]]]:
    """Boxes in page coordinates, and each rank's band (start, end) across the ranks."""
    extents: dict[int, tuple[float, float]] = {}
    cursor = GROUP_MARGIN * 3
    for rank, row in enumerate(ranks):
        depth = max((nodes[k].height if direction == "TB" else nodes[k].width) for k in row)
        extents[rank] = (cursor, cursor + depth)
        cursor += depth + RANK_GAP
    boxes = []
    offset = GROUP_MARGIN * 3
    for row in ranks:
        for key in row:
            node = nodes[key]
            if node.dummy:
                continue
            start, end = extents[node.rank]
            middle = (start + end) / 2
            if direction == "TB":
                x, y = offset + node.position - node.width / 2, middle - node.height / 2
            else:
                x, y = middle - node.width / 2, offset + node.position - node.height / 2
            layer = node.layer
            boxes.append(
                Box(
                    key=key,
                    lines=node.lines,
                    class_name=node.class_name,
                    x=x,
                    y=y,
                    width=node.width,
                    height=node.height,
                    has_weights=bool(layer and layer.params),
                    calls=layer.calls if layer else 1,
                    is_container=bool(layer and layer.is_container),
                    kind=node.kind,
                )
            )
    return boxes, extents


def _edge_path(
    chain: list[str],
    nodes: dict[str, _Node],
    extents: dict[int, tuple[float, float]],
    direction: str,
) -> EdgePath:
    """From the source's far side, through each dummy's slot, to the target's near side."""
    offset = GROUP_MARGIN * 3
    points: list[tuple[float, float]] = []
    for index, key in enumerate(chain):
        node = nodes[key]
        start, end = extents[node.rank]
        middle = (start + end) / 2
        across = offset + node.position
        if node.dummy:
            along = [start, end]
        elif index == 0:
            size = node.height if direction == "TB" else node.width
            along = [middle + size / 2]
        else:
            size = node.height if direction == "TB" else node.width
            along = [middle - size / 2]
        for value in along:
            points.append((across, value) if direction == "TB" else (value, across))
    return EdgePath(source=chain[0], target=chain[-1], points=tuple(points))


def _groups(
    report: ModelReport, shown: dict[str, Layer], boxes: list[Box], options: LayoutOptions
) -> tuple[Group, ...]:
    """A frame around the boxes of every expanded nested model, deepest drawn last."""
    by_key = {box.key: box for box in boxes}
    groups = []
    for layer in report.layers:
        if not layer.is_container or layer.path in shown:
            continue
        prefix = layer.path + "/"
        inside = [by_key[key] for key in by_key if key.startswith(prefix)]
        if not inside:
            continue
        margin = GROUP_MARGIN * (1 + _nesting_below(report, layer))
        left = min(b.x for b in inside) - margin
        top = min(b.y for b in inside) - margin - LINE_HEIGHT
        right = max(b.x + b.width for b in inside) + margin
        bottom = max(b.y + b.height for b in inside) + margin
        label = f"{layer.name} ({layer.class_name}, {format_count(layer.params)} params)"
        if layer.calls > 1:
            label += f" ×{layer.calls}"
        right = max(right, left + len(label) * CHAR_WIDTH * 0.9 + 2 * PADDING)
        groups.append(Group(layer.path, label, left, top, right - left, bottom - top, layer.depth))
    return tuple(sorted(groups, key=lambda group: group.depth))


def _nesting_below(report: ModelReport, container: Layer) -> int:
    deeper = [
        layer.depth - container.depth
        for layer in report.layers
        if layer.is_container and layer.path.startswith(container.path + "/")
    ]
    return max(deeper, default=0)


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
