"""The ModelReport: what a model is, as plain frozen data.

Everything after the adapters (formulas, checks, renderers, the cache) works on
these dataclasses only, so they must stay framework neutral and round-trip
through JSON without loss: the cache stores them and ``show --format json``
prints them.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 3

Shape = tuple  # a tuple of int | None; None is a dimension unknown until run time


@dataclass(frozen=True)
class Weight:
    """One variable a layer created: where its parameters live."""

    name: str
    shape: Shape
    dtype: str
    trainable: bool
    #: Path of the layer that owns this variable first, when this layer only reuses it.
    shared_with: str | None = None

    @property
    def size(self) -> int:
        count = 1
        for dim in self.shape:
            count *= int(dim)
        return count


@dataclass(frozen=True)
class Term:
    """One weight's contribution to a formula, e.g. ``kernel 1×1×2048×256``."""

    name: str
    shape: Shape
    value: int
    trainable: bool


@dataclass(frozen=True)
class Formula:
    """Why a layer has the parameters it has, in symbols and in numbers."""

    name: str
    symbolic: str
    latex: str
    substituted: str
    value: int
    trainable: int
    non_trainable: int
    terms: tuple[Term, ...]
    #: True when no named formula explained the layer and the exact sum of its weights is shown.
    fallback: bool = False


@dataclass(frozen=True)
class Layer:
    """One layer of the model, nested models included (they have children)."""

    path: str
    name: str
    class_name: str
    depth: int
    parent: str | None
    #: Per call, the shapes of its outputs (a layer with one output has one shape per call).
    output_shapes: tuple[tuple[Shape, ...], ...]
    #: Per call, the shapes of its inputs; formulas read input channels from these.
    input_shapes: tuple[tuple[Shape, ...], ...]
    #: Paths of layers (or names of model inputs) whose outputs this layer consumed.
    inbound: tuple[str, ...]
    calls: int
    #: The variables this layer counts. A leaf lists its sublayers' too (an LSTM its cell's);
    #: a container lists only its own (usually none): its sublayers' rows list theirs.
    weights: tuple[Weight, ...]
    params: int
    trainable: int
    non_trainable: int
    #: The layer's config values that formulas and renderers need (JSON-safe).
    config: dict[str, Any] = field(default_factory=dict)
    #: True for a nested model or composite layer whose rows follow it with ``parent`` set
    #: to its path.
    is_container: bool = False
    formula: Formula | None = None
    #: Multiply–accumulates per sample over all calls; None when unknown (see ``macs_unknown``).
    macs: int | None = None
    #: Why ``macs`` is None: a size the count needs is unknown, or no rule counts the class.
    macs_unknown: str | None = None
    #: What the layer does, for the diagram's colours: one of ``formulas.KINDS``.
    kind: str = "other"
    #: Tensors the layer keeps that are not parameters (PyTorch buffers: batch-norm running
    #: statistics); never in ``params`` or the totals' parameter counts.
    buffers: tuple[Weight, ...] = ()
    #: Which call of a source called several times fed this layer: (source path, call
    #: number counted from 1), in the order the tensors were consumed.
    inbound_calls: tuple[tuple[str, int], ...] = ()
    #: The layer's base classes, nearest first, up to the framework's layer base class
    #: (a subclass of a known layer can be explained by its parent's formula).
    base_classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TensorInfo:
    """A model input or output."""

    name: str
    shape: Shape
    dtype: str


@dataclass(frozen=True)
class Totals:
    params: int
    trainable: int
    non_trainable: int
    bytes: int
    bytes_by_dtype: dict[str, int] = field(default_factory=dict)
    #: Elements and bytes of the buffers (PyTorch), which are not parameters.
    buffers: int = 0
    buffer_bytes: int = 0


@dataclass(frozen=True)
class Edge:
    source: str
    target: str


@dataclass(frozen=True)
class ModelReport:
    """Everything the docs say about one built model."""

    target: str
    name: str
    class_name: str
    framework: str
    framework_version: str
    build_mode: str  # "shape-only" or "full"
    build_seconds: float
    inputs: tuple[TensorInfo, ...]
    outputs: tuple[TensorInfo, ...]
    layers: tuple[Layer, ...]
    edges: tuple[Edge, ...]
    totals: Totals
    #: Formula values that disagreed with the real count (a formula bug made visible).
    formula_disagreements: tuple[str, ...] = ()
    schema_version: int = SCHEMA_VERSION

    def layer(self, path: str) -> Layer:
        for layer in self.layers:
            if layer.path == path:
                return layer
        raise KeyError(path)

    def top_level_layers(self) -> tuple[Layer, ...]:
        return tuple(layer for layer in self.layers if layer.parent is None)

    def children(self, path: str) -> tuple[Layer, ...]:
        return tuple(layer for layer in self.layers if layer.parent == path)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data. Not ``dataclasses.asdict``, which deep-copies
        every value: on a warm build that was a third of the time spent on diagram pages."""
        return _plain(self)

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelReport:
        if data.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(
                f"report schema {data.get('schema_version')!r} is not {SCHEMA_VERSION}"
            )
        return cls(
            target=data["target"],
            name=data["name"],
            class_name=data["class_name"],
            framework=data["framework"],
            framework_version=data["framework_version"],
            build_mode=data["build_mode"],
            build_seconds=data["build_seconds"],
            inputs=tuple(_tensor_info(item) for item in data["inputs"]),
            outputs=tuple(_tensor_info(item) for item in data["outputs"]),
            layers=tuple(_layer(item) for item in data["layers"]),
            edges=tuple(Edge(**item) for item in data["edges"]),
            totals=Totals(**data["totals"]),
            formula_disagreements=tuple(data.get("formula_disagreements", ())),
            schema_version=data["schema_version"],
        )

    @classmethod
    def from_json(cls, text: str) -> ModelReport:
        return cls.from_dict(json.loads(text))


def _shape(value: Any) -> Shape:
    return tuple(None if dim is None else int(dim) for dim in value)


def _tensor_info(data: dict[str, Any]) -> TensorInfo:
    return TensorInfo(name=data["name"], shape=_shape(data["shape"]), dtype=data["dtype"])


def _weight(data: dict[str, Any]) -> Weight:
    return Weight(**{**data, "shape": _shape(data["shape"])})


def _formula(data: dict[str, Any] | None) -> Formula | None:
    if data is None:
        return None
    terms = tuple(Term(**{**term, "shape": _shape(term["shape"])}) for term in data["terms"])
    return Formula(**{**data, "terms": terms})


def _layer(data: dict[str, Any]) -> Layer:
    return Layer(
        **{
            **data,
            "output_shapes": tuple(
                tuple(_shape(shape) for shape in call) for call in data["output_shapes"]
            ),
            "input_shapes": tuple(
                tuple(_shape(shape) for shape in call) for call in data["input_shapes"]
            ),
            "inbound": tuple(data["inbound"]),
            "weights": tuple(_weight(item) for item in data["weights"]),
            "buffers": tuple(_weight(item) for item in data.get("buffers", ())),
            "formula": _formula(data.get("formula")),
            "inbound_calls": tuple(
                (source, int(call)) for source, call in data.get("inbound_calls", ())
            ),
            "base_classes": tuple(data.get("base_classes", ())),
        }
    )


def totals_of(
    tensors: Iterable[tuple[int, str, bool]], buffers: Iterable[tuple[int, str]] = ()
) -> Totals:
    """The model's totals from each of its tensors once, as ``(elements, dtype, trainable)``,
    and its buffers as ``(elements, dtype)`` (counted apart: they are not parameters)."""
    by_dtype: dict[str, int] = {}
    trainable = non_trainable = 0
    for count, dtype, is_trainable in tensors:
        by_dtype[dtype] = by_dtype.get(dtype, 0) + count * itemsize(dtype)
        if is_trainable:
            trainable += count
        else:
            non_trainable += count
    buffer_list = list(buffers)
    return Totals(
        params=trainable + non_trainable,
        trainable=trainable,
        non_trainable=non_trainable,
        bytes=sum(by_dtype.values()),
        bytes_by_dtype=dict(sorted(by_dtype.items())),
        buffers=sum(count for count, _ in buffer_list),
        buffer_bytes=sum(count * itemsize(dtype) for count, dtype in buffer_list),
    )


def with_container_counts(layers: list[Layer]) -> list[Layer]:
    """The rows with each container's count made its own weights plus every row below it,
    as the adapters give containers only what they hold themselves (deepest rows first, so a
    child is final before its parent adds it)."""
    sums: dict[str, list[int]] = {}
    final: dict[str, Layer] = {}
    for layer in sorted(layers, key=lambda item: -item.depth):
        if layer.is_container:
            params, trainable, frozen = sums.get(layer.path, (0, 0, 0))
            layer = dataclasses.replace(
                layer,
                params=layer.params + params,
                trainable=layer.trainable + trainable,
                non_trainable=layer.non_trainable + frozen,
            )
        final[layer.path] = layer
        if layer.parent is not None:
            parent = sums.setdefault(layer.parent, [0, 0, 0])
            parent[0] += layer.params
            parent[1] += layer.trainable
            parent[2] += layer.non_trainable
    return [final[layer.path] for layer in layers]


def itemsize(dtype: str) -> int:
    """Bytes per element from the dtype's name: float32 → 4, bfloat16 → 2, bool → 1."""
    match = re.search(r"(\d+)$", dtype)
    return max(1, int(match.group(1)) // 8) if match else 1


def format_count(value: int) -> str:
    """``32624`` → ``32,624`` whatever the locale: docs must read the same everywhere."""
    return f"{value:,}"


def format_bytes(value: int) -> str:
    """A byte size people can read: ``127.44 KB``, ``1.21 MB`` (powers of 1024)."""
    if value < 1024:
        return f"{value} B"
    size = value / 1024
    for unit in ("KB", "MB", "GB"):
        if size < 1024:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} TB"


def format_shape(shape: Shape) -> str:
    return (
        "("
        + ", ".join("None" if dim is None else str(dim) for dim in shape)
        + (",)" if len(shape) == 1 else ")")
    )


def _plain(value: Any) -> Any:
    """A dataclass tree as JSON data: dataclasses become dicts; tuples stay tuples and lists
    lists, as ``dataclasses.asdict`` gives them."""
    if type(value) in _ATOMS:
        return value
    if isinstance(value, tuple):
        return tuple(_plain(item) for item in value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value):
        return {name: _plain(getattr(value, name)) for name in _field_names(type(value))}
    return value


_ATOMS = frozenset({str, int, float, bool, type(None)})


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(cls))
