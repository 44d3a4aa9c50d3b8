"""What the architecture diagram shows: a report → a graph of boxes, open models and edges.

The choices live here, before any geometry: which layers become boxes (the
leaves of the tree cut at the expansion depth, a folded model as one box),
which nested models are open and drawn as frames, what each box says, and
which boxes an edge joins when its ends are hidden inside a folded model. A
layer called several times is one box, unless that box would feed its own
input: then it is one box per call. ``layout.py`` then gives the graph its
geometry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace

from ..report import Layer, ModelReport, format_count, format_shape
from .rows import output_shape_text

#: Longest row (left to right) or widest set of columns (top to bottom), in points: about
#: the width of a documentation theme's content column.
MAX_LENGTH = 640.0


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
class ShownBox:
    """A box of the diagram: what it says and how it looks, not yet where it goes."""

    #: A layer path, ``path#N`` for the N-th call of a layer drawn once per call, or the
    #: name of a model input.
    key: str
    lines: tuple[str, ...]
    class_name: str
    has_weights: bool
    calls: int
    is_container: bool
    #: What the layer does (``conv``, ``dense``, ...), from the framework's layer knowledge.
    kind: str
    #: Paths of the open models around it, outermost first.
    within: tuple[str, ...]


@dataclass(frozen=True)
class OpenModel:
    """A nested model drawn open: a frame around its layers, labelled."""

    key: str
    label: str
    depth: int
    #: Paths of the open models around it, outermost first.
    within: tuple[str, ...]


@dataclass(frozen=True)
class DiagramGraph:
    #: In the report's order of layers; per-call boxes and then inputs after them.
    boxes: tuple[ShownBox, ...]
    open_models: Mapping[str, OpenModel]
    #: (source, target) keys of boxes, each once.
    edges: tuple[tuple[str, str], ...]


def diagram_graph(report: ModelReport, options: LayoutOptions) -> DiagramGraph:
    by_path = {layer.path: layer for layer in report.layers}
    active = _active(report, by_path)
    shown = _shown_layers(report, by_path, options, active)
    lines = {key: _box_lines(layer, options, key in active) for key, layer in shown.items()}
    drawn: dict[str, Layer | None] = dict(shown)
    edges = _edges(report, by_path, shown, active)
    split = _calls_in_a_loop(shown, edges)
    if split:  # drawn once, such a layer would send its output back into itself
        edges = _edges(report, by_path, shown, active, split)
        for key in (key for key in shown if key in split):  # the report's order, not a set's
            del lines[key], drawn[key]
            for call_key, (call_lines, call_layer) in _call_boxes(shown[key], options).items():
                lines[call_key], drawn[call_key] = call_lines, call_layer
    for info in report.inputs:
        if info.name not in lines and any(source == info.name for source, _ in edges):
            text = [info.name] + (["Input"] if options.show_types else [])
            text += [format_shape(info.shape)] if options.show_shapes else []
            text += ["0 params"] if options.show_params else []
            lines[info.name], drawn[info.name] = tuple(text), None
    boxes = tuple(_shown_box(key, lines[key], drawn[key], by_path) for key in lines)
    open_models = {
        path: _open_model(by_path[path], by_path) for box in boxes for path in box.within
    }
    return DiagramGraph(boxes, open_models, tuple(edges))


# --- which layers become boxes -------------------------------------------------------------


def _shown_layers(
    report: ModelReport, by_path: dict[str, Layer], options: LayoutOptions, active: set[str]
) -> dict[str, Layer]:
    """Leaves of the tree cut at the expansion depth; folded models are one box."""
    limit = options.max_depth if options.max_depth is not None else 10**6
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


def _active(report: ModelReport, by_path: dict[str, Layer]) -> set[str]:
    """Layers that ran: called themselves, or holding a layer that was (a ``ModuleList`` is
    never called, its blocks are)."""
    active: set[str] = set()
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


# --- what a box says and how it looks ------------------------------------------------------


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


def _shown_box(
    key: str, lines: tuple[str, ...], layer: Layer | None, by_path: dict[str, Layer]
) -> ShownBox:
    """The box of a layer, of one call of a layer, or (``layer`` None) of a model input."""
    return ShownBox(
        key=key,
        lines=lines,
        class_name=layer.class_name if layer else "InputLayer",
        has_weights=bool(layer and layer.params),
        calls=layer.calls if layer else 1,
        is_container=bool(layer and layer.is_container),
        kind=layer.kind if layer else "input",
        within=_within(by_path.get(key) or by_path.get(key.rpartition("#")[0]), by_path),
    )


def _open_model(layer: Layer, by_path: dict[str, Layer]) -> OpenModel:
    label = f"{layer.name} ({layer.class_name}, {format_count(layer.params)} params)"
    if layer.calls > 1:
        label += f" ×{layer.calls}"
    return OpenModel(layer.path, label, layer.depth, _within(layer, by_path))


def _within(layer: Layer | None, by_path: dict[str, Layer]) -> tuple[str, ...]:
    """Paths of the models around a layer, outermost first (none around an input)."""
    scopes = []
    parent = layer.parent if layer is not None else None
    while parent is not None:
        scopes.append(parent)
        parent = by_path[parent].parent
    return tuple(reversed(scopes))


# --- which boxes an edge joins -------------------------------------------------------------


def _edges(
    report: ModelReport,
    by_path: dict[str, Layer],
    shown: dict[str, Layer],
    active: set[str],
    split: frozenset[str] = frozenset(),
) -> list[tuple[str, str]]:
    """Edges between drawn boxes. A folded model's box stands for all it holds: it takes the
    inputs of every layer inside it, and a source inside it becomes its box.

    A layer in ``split`` has a box per call (``path#N``): its N-th input goes to its N-th
    call, and a consumer gets the calls it says it read (``inbound_calls``).
    """
    sinks = _container_sinks(report, active)
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


def _container_sinks(report: ModelReport, active: set[str]) -> dict[str, list[str]]:
    """For each nested model, its children that ran and that no sibling consumes (its outputs)."""
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
