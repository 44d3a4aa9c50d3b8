"""The one step from a model tree to a ModelReport, shared by every adapter.

An adapter knows its framework: which layers a model holds, what each call
saw, which tensors each layer keeps. It writes that down as a :class:`ModelTree`
of :class:`Row` s, and :func:`model_report` turns the tree into the report, so
that rows, calls per parent call, shared weights, totals and config values
follow one rule for every framework. This module imports no framework.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..report import (
    Edge,
    Layer,
    ModelReport,
    Shape,
    TensorInfo,
    Totals,
    Weight,
    totals_of,
    with_container_counts,
)

#: A config keeps strings shorter than this and lists with fewer items: a report holds the
#: values formulas and renderers read (sizes, flags), not a vocabulary or a lookup table.
MAX_TEXT = 200
MAX_ITEMS = 64


class CallShapes(Protocol):
    """What a row needs of one recorded call: the shapes it took and gave."""

    @property
    def input_shapes(self) -> Sequence[Shape]: ...

    @property
    def output_shapes(self) -> Sequence[Shape]: ...


@dataclass(frozen=True)
class HeldTensor:
    """A weight or buffer as a layer (or the model) holds it."""

    #: The tensor's identity: a tensor two layers hold is counted by the first one only.
    key: int
    #: As the first layer holding it lists it (``shared_with`` is set here, not by adapters).
    weight: Weight
    #: Not a parameter (a PyTorch buffer): listed apart, never in the parameter counts.
    is_buffer: bool = False


@dataclass
class Row:
    """One row of the report as the adapter saw it: a layer, or a tensor shown as a row."""

    path: str
    name: str
    class_name: str
    depth: int
    #: The row this one sits in; None at the top level (inside the model itself).
    parent: Row | None
    #: Every call the trace recorded, over all calls of the parent.
    calls: Sequence[CallShapes] = ()
    #: The tensors the row counts, parameters before buffers, in the framework's order.
    tensors: Sequence[HeldTensor] = ()
    #: Plain config values (see :func:`plain_config`).
    config: dict[str, Any] = field(default_factory=dict)
    is_container: bool = False
    base_classes: tuple[str, ...] = ()
    #: Paths of the rows (or names of model inputs) that fed this one, without repeats.
    inbound: Sequence[str] = ()
    #: (source path, number of the source's call from 0) for each feed from a row.
    feeds: Sequence[tuple[str, int]] = ()
    #: Output shapes of a row that is never called (a tensor shown as a row, a model input):
    #: shown as its one call, with no input shapes.
    standing_shapes: tuple[tuple[Shape, ...], ...] | None = None


@dataclass
class ModelTree:
    """What an adapter found in a built and traced model."""

    name: str
    class_name: str
    framework: str
    framework_version: str
    inputs: Sequence[TensorInfo]
    outputs: Sequence[TensorInfo]
    #: In the order of the report: each container before the rows inside it.
    rows: Sequence[Row]
    #: Every tensor the model holds, each once: the totals.
    tensors: Sequence[HeldTensor]


def model_report(tree: ModelTree, target_text: str, build_mode: str, seconds: float) -> ModelReport:
    """The report of ``tree``: one layer per row, containers counting the rows inside."""
    by_path = {row.path: row for row in tree.rows}
    owners: dict[int, str] = {}
    layers = [_layer(row, owners, by_path) for row in tree.rows]
    edges = [Edge(source=source, target=row.path) for row in tree.rows for source in row.inbound]
    return ModelReport(
        target=target_text,
        name=tree.name,
        class_name=tree.class_name,
        framework=tree.framework,
        framework_version=tree.framework_version,
        build_mode=build_mode,
        build_seconds=round(seconds, 3),
        inputs=tuple(tree.inputs),
        outputs=tuple(tree.outputs),
        layers=tuple(with_container_counts(layers)),
        edges=tuple(edges),
        totals=_totals(tree.tensors),
    )


def _layer(row: Row, owners: dict[int, str], by_path: dict[str, Row]) -> Layer:
    if row.standing_shapes is not None:
        output_shapes, input_shapes = row.standing_shapes, ()
    else:
        calls = row.calls[: calls_per_parent_call(row)]
        output_shapes = tuple(tuple(call.output_shapes) for call in calls)
        input_shapes = tuple(tuple(call.input_shapes) for call in calls)
    held = [(tensor, _weight(tensor, row.path, owners)) for tensor in row.tensors]
    weights = tuple(weight for tensor, weight in held if not tensor.is_buffer)
    buffers = tuple(weight for tensor, weight in held if tensor.is_buffer)
    counted = [weight for weight in weights if weight.shared_with is None]
    trainable = sum(weight.size for weight in counted if weight.trainable)
    non_trainable = sum(weight.size for weight in counted if not weight.trainable)
    return Layer(
        path=row.path,
        name=row.name,
        class_name=row.class_name,
        depth=row.depth,
        parent=row.parent.path if row.parent is not None else None,
        output_shapes=output_shapes,
        input_shapes=input_shapes,
        inbound=tuple(row.inbound),
        calls=len(output_shapes),
        weights=weights,
        params=trainable + non_trainable,
        trainable=trainable,
        non_trainable=non_trainable,
        config=row.config,
        is_container=row.is_container,
        buffers=buffers,
        inbound_calls=_numbered_feeds(row.feeds, by_path),
        base_classes=row.base_classes,
    )


def calls_per_parent_call(row: Row) -> int:
    """A layer inside a block called six times runs six times but is called once per block
    call; a row never called has no call (0)."""
    if not row.calls:
        return 0
    parent_calls = len(row.parent.calls) if row.parent is not None else 1
    return max(1, len(row.calls) // max(1, parent_calls))


def _numbered_feeds(
    feeds: Sequence[tuple[str, int]], by_path: dict[str, Row]
) -> tuple[tuple[str, int], ...]:
    """Which call fed the row, for sources called more than once per call of their parent
    (a block's one ReLU, called after each of its two convolutions), counted from 1."""
    numbered: list[tuple[str, int]] = []
    for source, number in feeds:
        row = by_path.get(source)
        per_parent = calls_per_parent_call(row) if row is not None else 1
        fed = (source, number % per_parent + 1) if per_parent > 1 else None
        if fed is not None and fed not in numbered:
            numbered.append(fed)
    return tuple(numbered)


def _weight(tensor: HeldTensor, path: str, owners: dict[int, str]) -> Weight:
    """The tensor as a row lists it: shared with the row that listed it first, if any."""
    shared_with = owners.get(tensor.key)
    if shared_with is None:
        owners[tensor.key] = path
    return dataclasses.replace(tensor.weight, shared_with=shared_with)


def _totals(tensors: Sequence[HeldTensor]) -> Totals:
    weights = [(tensor.weight, tensor.is_buffer) for tensor in tensors]
    return totals_of(
        ((w.size, w.dtype, w.trainable) for w, is_buffer in weights if not is_buffer),
        ((w.size, w.dtype) for w, is_buffer in weights if is_buffer),
    )


# Config values ---------------------------------------------------------------------------


def plain_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of ``config`` whose value is plain (see :func:`is_plain`), tuples and
    lists as lists: what a report can carry as JSON."""
    return {key: plain(value) for key, value in config.items() if is_plain(value)}


def is_plain(value: Any) -> bool:
    """None, a bool, a number, a string shorter than MAX_TEXT, or a list (tuple) of fewer
    than MAX_ITEMS plain values."""
    if value is None or isinstance(value, (bool, int, float)):
        return True
    if isinstance(value, str):
        return len(value) < MAX_TEXT
    if isinstance(value, (list, tuple)):
        return len(value) < MAX_ITEMS and all(is_plain(item) for item in value)
    return False


def plain(value: Any) -> Any:
    """Lists and tuples (and Keras 2's tracked ``ListWrapper``) as plain lists."""
    return [plain(item) for item in value] if isinstance(value, (list, tuple)) else value
