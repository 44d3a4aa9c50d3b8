"""Compare two models layer by layer, by structure rather than by name.

Layer names differ between APIs (``fire_expand_2_conv`` against
``conv_block_2/conv3d_2``), so layers are paired by class, walking both graphs
from their inputs: a layer prefers a partner of its class whose inputs come
from the partners of its own inputs, then one with the same shapes and count,
then one at a similar place. What stays unpaired is shown as only in A or B.

Across frameworks (a Keras model against its PyTorch twin) classes are paired
by what they do (``Conv2D`` with ``Conv2d``, ``Dense`` with ``Linear``,
``Activation("relu")`` with ``ReLU``), and shapes are compared whatever their
layout (channels last or first).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from .errors import ModelSummaryError
from .frameworks import shared_layer_name
from .report import Layer, ModelReport, Totals


class CompareError(ModelSummaryError):
    """The rows of a comparison do not add up to the models' totals (a damaged report)."""


@dataclass(frozen=True)
class CompareRow:
    a: Layer | None
    b: Layer | None
    #: What differs between the pair: "class", "input shape", "output shape", "params".
    differences: tuple[str, ...]

    @property
    def status(self) -> str:
        if self.a is None:
            return "only-b"
        if self.b is None:
            return "only-a"
        return "differs" if self.differences else "same"

    @property
    def params_difference(self) -> int:
        return (self.b.params if self.b else 0) - (self.a.params if self.a else 0)


def called(layer: Layer) -> bool:
    """Whether the layer ran in the model's forward pass; one that never ran still holds
    weights the totals count (an unused ``nn.Linear``, a ``ParameterList``)."""
    return layer.calls > 0


@dataclass(frozen=True)
class Comparison:
    a: ModelReport
    b: ModelReport
    rows: tuple[CompareRow, ...]

    @property
    def totals_difference(self) -> Totals:
        a, b = self.a.totals, self.b.totals
        return Totals(
            params=b.params - a.params,
            trainable=b.trainable - a.trainable,
            non_trainable=b.non_trainable - a.non_trainable,
            bytes=b.bytes - a.bytes,
        )

    def differing_rows(self) -> tuple[CompareRow, ...]:
        return tuple(row for row in self.rows if row.status != "same")


def compare(a: ModelReport, b: ModelReport) -> Comparison:
    """Pair the layers of ``a`` and ``b`` and say how each pair differs."""
    layers_a, layers_b = _leaves(a), _leaves(b)
    rank_a, rank_b = _ranks(a, layers_a), _ranks(b, layers_b)
    cross = a.framework != b.framework
    order_a = sorted(
        layers_a,
        key=lambda layer: (
            not called(layer),
            cross and not layer.params,
            rank_a[layer.path],
            layers_a.index(layer),
        ),
    )
    partner: dict[str, Layer] = {}
    taken: set[str] = set()
    kind = _role if cross else _class
    shapes = _layout_free if cross else _as_is
    for layer in order_a:
        best, best_score = None, None
        for candidate in layers_b:
            if candidate.path in taken or kind(candidate) != kind(layer):
                continue
            if called(candidate) != called(layer):
                continue  # a module that ran is no partner for one that never did
            score = _score(layer, candidate, partner, rank_a, rank_b, a, b)
            if best_score is None or score > best_score:
                best, best_score = candidate, score
        if best is not None:
            partner[layer.path] = best
            taken.add(best.path)
    rows = _rows(layers_a, layers_b, partner, kind, shapes)
    _check_sums(a, [row.a for row in rows if row.a is not None], "A")
    _check_sums(b, [row.b for row in rows if row.b is not None], "B")
    return Comparison(a=a, b=b, rows=tuple(rows))


def _check_sums(report: ModelReport, layers: list[Layer], side: str) -> None:
    """Each model's rows add up to its totals, so the rows add up to the stated difference:
    a comparison that would leave parameters out is an error, never a page."""
    for count in ("params", "trainable", "non_trainable"):
        rows = sum(getattr(layer, count) for layer in layers)
        total = getattr(report.totals, count)
        if rows != total:
            raise CompareError(
                f"model {side} ({report.target}): its rows add up to {rows:,} {count} "
                f"but its totals say {total:,}; the report is inconsistent (a hand-edited "
                "snapshot or cache entry?): rebuild it from the code"
            )


def _class(layer: Layer) -> str:
    return layer.class_name


def _role(layer: Layer) -> str:
    """What a layer does, in words two frameworks share: ``Conv2D`` and ``Conv2d`` → conv."""
    if layer.class_name == "Activation":
        return str(layer.config.get("activation", "activation")).lower()
    name = re.sub(r"[123][dD]$", "", layer.class_name).lower()
    return shared_layer_name(name)


def _as_is(shapes: tuple) -> tuple:
    return shapes


def _layout_free(shapes: tuple) -> tuple:
    """Shapes without the batch and in any order of axes: (None, 32, 32, 16) ~ (1, 16, 32, 32)."""
    return tuple(
        tuple(tuple(sorted(d for d in shape[1:] if d is not None)) for shape in call)
        for call in shapes
    )


def _leaves(report: ModelReport) -> list[Layer]:
    """Layers that compute something or hold weights: nested models are looked into, a layer
    that never ran but holds weights is a row (marked as not called), and a block's own weights
    (a learned scale, a class token) are a row of their own, so the rows add up to the totals."""
    leaves = []
    for layer in report.layers:
        if layer.is_container and layer.weights:
            leaves.append(_own_weights(layer))
        elif not layer.is_container and (called(layer) or layer.weights):
            leaves.append(layer)
    return leaves


def _own_weights(container: Layer) -> Layer:
    """The container's row counting only the weights it holds itself, not its sublayers'."""
    counted = [weight for weight in container.weights if weight.shared_with is None]
    trainable = sum(weight.size for weight in counted if weight.trainable)
    non_trainable = sum(weight.size for weight in counted if not weight.trainable)
    return dataclasses.replace(
        container,
        is_container=False,
        params=trainable + non_trainable,
        trainable=trainable,
        non_trainable=non_trainable,
    )


def _ranks(report: ModelReport, leaves: list[Layer]) -> dict[str, float]:
    """Each layer's distance from the inputs, scaled to 0–1 so two models of different depth
    can be compared."""
    by_path = {layer.path: layer for layer in leaves}
    depth: dict[str, int] = {}

    def rank(path: str, seen: frozenset = frozenset()) -> int:
        if path in depth:
            return depth[path]
        layer = by_path.get(path)
        if layer is None or path in seen:
            return -1
        sources = [rank(source, seen | {path}) for source in layer.inbound]
        depth[path] = 1 + max(sources, default=-1)
        return depth[path]

    for layer in leaves:
        rank(layer.path)
    deepest = max(depth.values(), default=0) or 1
    return {path: value / deepest for path, value in depth.items()}


def _score(
    layer: Layer,
    candidate: Layer,
    partner: dict[str, Layer],
    rank_a: dict[str, float],
    rank_b: dict[str, float],
    a: ModelReport,
    b: ModelReport,
) -> float:
    """How well ``candidate`` (in B) fits ``layer`` (in A): fed by the partners of its
    sources, the same shapes and count, a similar place. Across frameworks the sources are
    the nearest weighted layers, weight shapes count in any order of axes, shapes in any
    layout, and the place is the position among the layers, not the graph depth: a module
    called twice (one ReLU per PyTorch block) loops the graph back on itself."""
    cross = a.framework != b.framework
    if cross:
        mine, theirs = _weighted_sources(a, layer), _weighted_sources(b, candidate)
    else:
        mine, theirs = set(layer.inbound), set(_leaf_sources(b, candidate))
    shapes = _layout_free if cross else _as_is
    score = 0.0
    mapped = {partner[source].path for source in mine if source in partner}
    if mapped and mapped & theirs:
        score += 4
    if cross and _signature(layer) == _signature(candidate):
        score += 3
    if shapes(layer.output_shapes[:1]) == shapes(candidate.output_shapes[:1]):
        score += 2
    if shapes(layer.input_shapes[:1]) == shapes(candidate.input_shapes[:1]):
        score += 1
    if not cross and layer.params == candidate.params:
        score += 1
    if cross:
        return score - 3 * abs(_place(a, layer) - _place(b, candidate))
    return score - 2 * abs(rank_a[layer.path] - rank_b[candidate.path])


def _place(report: ModelReport, layer: Layer) -> float:
    """Where the layer sits among the report's layers, 0 to 1."""
    return report.layers.index(layer) / max(1, len(report.layers) - 1)


def _signature(layer: Layer) -> tuple:
    """The largest weight's dimensions in any order: a Keras kernel (3, 3, 16, 32) is a
    PyTorch weight (32, 16, 3, 3)."""
    if not layer.weights:
        return ()
    return tuple(sorted(max(layer.weights, key=lambda w: w.size).shape))


def _weighted_sources(report: ModelReport, layer: Layer) -> set[str]:
    """The nearest layers with weights that feed this one, through layers without weights
    (activations, adds) and into nested models (the layers whose outputs leave them)."""
    found: set[str] = set()
    seen: set[str] = set()
    pending = list(layer.inbound)
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        try:
            node = report.layer(path)
        except KeyError:
            continue  # a model input
        if node.is_container:
            children = [
                c for c in report.layers if c.parent == node.path and (c.calls or c.is_container)
            ]
            consumed = {s for child in children for s in child.inbound}
            pending += [c.path for c in children if c.path not in consumed]
        elif node.weights:
            found.add(path)
        else:
            pending += list(node.inbound)
    return found


def _leaf_sources(report: ModelReport, layer: Layer) -> list[str]:
    """Inbound layers, looking through nested models to the layer that made the tensor."""
    found = []
    for source in layer.inbound:
        try:
            node = report.layer(source)
        except KeyError:
            continue
        if node.is_container:
            children = [c for c in report.layers if c.parent == node.path and c.calls]
            consumed = {s for child in children for s in child.inbound}
            outputs = [c for c in children if c.path not in consumed]
            found += [c.path for c in outputs]
        else:
            found.append(source)
    return found


def _differences(a: Layer, b: Layer, kind=_class, shapes=_as_is) -> tuple[str, ...]:
    found = []
    if kind(a) != kind(b):
        found.append("class")
    if shapes(a.input_shapes) != shapes(b.input_shapes):
        found.append("input shape")
    if shapes(a.output_shapes) != shapes(b.output_shapes):
        found.append("output shape")
    if a.params != b.params:
        found.append("params")
    return tuple(found)


def _rows(
    layers_a: list[Layer], layers_b: list[Layer], partner: dict[str, Layer], kind, shapes
) -> list[CompareRow]:
    """A's order; each B layer left alone goes just before the next paired B layer."""
    index_b = {layer.path: index for index, layer in enumerate(layers_b)}
    paired_b = {layer.path for layer in partner.values()}
    lonely_b = [layer for layer in layers_b if layer.path not in paired_b]
    rows: list[CompareRow] = []
    for layer in layers_a:
        match = partner.get(layer.path)
        if match is not None:
            while lonely_b and index_b[lonely_b[0].path] < index_b[match.path]:
                rows.append(CompareRow(a=None, b=lonely_b.pop(0), differences=()))
            rows.append(
                CompareRow(a=layer, b=match, differences=_differences(layer, match, kind, shapes))
            )
        else:
            rows.append(CompareRow(a=layer, b=None, differences=()))
    rows += [CompareRow(a=None, b=layer, differences=()) for layer in lonely_b]
    return rows
