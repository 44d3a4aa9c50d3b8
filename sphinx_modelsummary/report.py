"""The ModelReport: what a model is, as plain frozen data.

Everything after the adapters (formulas, checks, renderers, the cache) works on
these dataclasses only, so they must stay framework neutral and round-trip
through JSON without loss: the cache stores them and ``show --format json``
prints them.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
import types
import typing
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

    def digest(self) -> str:
        """A SHA-256 of everything the report says except its timing: the same model built the
        same way has the same digest, and an entry that stores it can be verified on read."""
        return report_digest(self.to_dict())

    def inconsistencies(self) -> list[str]:
        """Where the report contradicts itself (a hand edit does this; a build never does).

        Every row's count is its own weights (those it does not share) plus its
        child rows', trainable plus non-trainable, and the rows add up to no more
        than the totals (a model's own weights, outside every layer, have no row).
        """
        found = []
        totals = self.totals
        if totals.params != totals.trainable + totals.non_trainable:
            found.append(
                f"total params {totals.params} is not trainable {totals.trainable} + "
                f"non-trainable {totals.non_trainable}"
            )
        for layer in self.layers:
            children = self.children(layer.path)
            own = [weight for weight in layer.weights if weight.shared_with is None]
            expected = sum(weight.size for weight in own) + sum(row.params for row in children)
            trainable = sum(weight.size for weight in own if weight.trainable) + sum(
                row.trainable for row in children
            )
            if (layer.params, layer.trainable) != (expected, trainable):
                found.append(
                    f"layer {layer.path!r} says {layer.params} params ({layer.trainable} "
                    f"trainable), its weights and rows hold {expected} ({trainable} trainable)"
                )
            if layer.params != layer.trainable + layer.non_trainable:
                found.append(f"layer {layer.path!r}: params is not trainable + non-trainable")
        for count in ("params", "trainable", "non_trainable"):
            rows = sum(getattr(layer, count) for layer in self.top_level_layers())
            if rows > getattr(totals, count):
                found.append(
                    f"the rows hold {rows} {count.replace('_', '-')} params, "
                    f"more than the total {getattr(totals, count)}"
                )
        return found

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelReport:
        """The report of JSON data; ValueError, naming the field, for data of another shape."""
        if not isinstance(data, dict):
            raise ValueError(f"a report is a JSON object, not {type(data).__name__}")
        if data.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(
                f"report schema {data.get('schema_version')!r} is not {SCHEMA_VERSION}"
            )
        try:
            report = cls._of_dict(data)
        except KeyError as error:
            raise ValueError(f"the report has no field {error.args[0]!r}") from None
        except (TypeError, AttributeError) as error:
            raise ValueError(f"the report is not as written ({error})") from None
        _check_types(report, ModelReport, "report")
        return report

    @classmethod
    def _of_dict(cls, data: dict[str, Any]) -> ModelReport:
        return cls(
            target=data["target"],
            name=data["name"],
            class_name=data["class_name"],
            framework=data["framework"],
            framework_version=data["framework_version"],
            build_mode=data["build_mode"],
            build_seconds=data["build_seconds"],
            inputs=tuple(_tensor_info(item) for item in _each(data, "inputs")),
            outputs=tuple(_tensor_info(item) for item in _each(data, "outputs")),
            layers=tuple(_layer(item) for item in _each(data, "layers")),
            edges=tuple(Edge(**item) for item in _each(data, "edges")),
            totals=Totals(**data["totals"]),
            formula_disagreements=tuple(_each(data, "formula_disagreements", ())),
            schema_version=data["schema_version"],
        )

    @classmethod
    def from_json(cls, text: str) -> ModelReport:
        return cls.from_dict(json.loads(text))


def report_digest(data: dict[str, Any]) -> str:
    """:meth:`ModelReport.digest` of a report's JSON data. Taken of the data as an entry stores
    it, so an entry written before a field with a default was added still verifies."""
    stable = {**data, "build_seconds": 0.0}
    return hashlib.sha256(json.dumps(stable, sort_keys=True).encode()).hexdigest()


def _each(data: dict[str, Any], key: str, default: Any = None) -> list[Any]:
    """The list under ``key`` (or ``default`` when absent); ValueError for anything else."""
    value = data[key] if default is None else data.get(key, default)
    if not isinstance(value, list | tuple):
        raise ValueError(f"{key} is {_shown(value)}, not a list")
    return list(value)


def _shape(value: Any) -> Shape:
    if not isinstance(value, list | tuple) or not all(
        dim is None or (type(dim) is int and dim >= 0) for dim in value
    ):
        raise ValueError(f"a shape is a list of sizes (or null), not {_shown(value)}")
    return tuple(value)


def _check_types(value: Any, hint: Any, where: str) -> None:
    """Raise ValueError naming ``where`` when ``value`` is not of the annotated type ``hint``:
    JSON of the right shape may still say ``"params": "lots"``."""
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, hint):
            raise ValueError(f"{where} is {_shown(value)}, not an object")
        for name, field_hint in _field_hints(hint).items():
            _check_types(getattr(value, name), field_hint, f"{where}.{name}")
    elif origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return
        _check_types(value, next(item for item in options if item is not type(None)), where)
    elif origin is tuple:
        args = typing.get_args(hint)
        if not isinstance(value, tuple) or (args[-1:] != (Ellipsis,) and len(args) != len(value)):
            raise ValueError(f"{where} is {_shown(value)}, not a list")
        for index, item in enumerate(value):
            label = item.path if isinstance(item, Layer) and isinstance(item.path, str) else index
            hint_of_item = args[0] if args[-1:] == (Ellipsis,) else args[index]
            _check_types(item, hint_of_item, f"{where}[{label}]")
    elif origin is dict:
        key_hint, value_hint = typing.get_args(hint)
        if not isinstance(value, dict):
            raise ValueError(f"{where} is {_shown(value)}, not an object")
        for key, item in value.items():
            _check_types(key, key_hint, f"{where} key")
            _check_types(item, value_hint, f"{where}.{key}")
    elif hint is int:
        if type(value) is not int or value < 0:
            raise ValueError(f"{where} is {_shown(value)}, not a count")
    elif hint is float:
        if type(value) not in (int, float):
            raise ValueError(f"{where} is {_shown(value)}, not a number")
    elif hint in (str, bool, type(None)) and type(value) is not hint:
        expected = {str: "a string", bool: "true or false", type(None): "null"}[hint]
        raise ValueError(f"{where} is {_shown(value)}, not {expected}")


@functools.cache
def _field_hints(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {field.name: hints[field.name] for field in dataclasses.fields(cls)}


def _shown(value: Any) -> str:
    """A wrong value as the JSON shows it, when short."""
    try:
        text = json.dumps(value)
    except TypeError:
        text = ""
    return text if text and len(text) <= 40 else f"a {type(value).__name__}"


def _tensor_info(data: dict[str, Any]) -> TensorInfo:
    return TensorInfo(name=data["name"], shape=_shape(data["shape"]), dtype=data["dtype"])


def _weight(data: dict[str, Any]) -> Weight:
    return Weight(**{**data, "shape": _shape(data["shape"])})


def _formula(data: dict[str, Any] | None) -> Formula | None:
    if data is None:
        return None
    terms = tuple(Term(**{**term, "shape": _shape(term["shape"])}) for term in _each(data, "terms"))
    return Formula(**{**data, "terms": terms})


def _layer(data: dict[str, Any]) -> Layer:
    return Layer(
        **{
            **data,
            "output_shapes": tuple(
                tuple(_shape(shape) for shape in call) for call in _each(data, "output_shapes")
            ),
            "input_shapes": tuple(
                tuple(_shape(shape) for shape in call) for call in _each(data, "input_shapes")
            ),
            "inbound": tuple(_each(data, "inbound")),
            "weights": tuple(_weight(item) for item in _each(data, "weights")),
            "buffers": tuple(_weight(item) for item in _each(data, "buffers", ())),
            "formula": _formula(data.get("formula")),
            "inbound_calls": tuple(tuple(pair) for pair in _each(data, "inbound_calls", ())),
            "base_classes": tuple(_each(data, "base_classes", ())),
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
