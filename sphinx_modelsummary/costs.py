"""Costs: multiply–accumulates per layer, and the memory a forward pass needs.

Framework neutral aggregation: each layer's MACs per sample were counted when
the report was made (by the framework's layer knowledge in
:mod:`sphinx_modelsummary.formulas`); this module sums them and computes the
memory from the report's shapes. A layer whose MACs are unknown (a ``None``
image size, or a class no rule counts) makes the total unknown, with the
reason, never a guess.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .report import Layer, ModelReport

BYTES_PER_ACTIVATION = 4  # outputs are counted as float32


@dataclass(frozen=True)
class LayerCost:
    path: str
    macs: int | None
    #: Why ``macs`` is None.
    reason: str | None
    #: Bytes of the layer's outputs (every call) for the batch size; None when unknown.
    activation_bytes: int | None


@dataclass(frozen=True)
class Costs:
    batch_size: int
    layers: tuple[LayerCost, ...]
    macs: int | None
    input_bytes: int | None
    activation_bytes: int | None
    params_bytes: int
    #: Why ``macs`` is None, in a few words (``give :input-shape:``, ``no MAC rule for Lambda``).
    macs_reason: str | None = None

    @property
    def forward_backward_bytes(self) -> int | None:
        """Outputs kept for the backward pass, and their gradients: twice the activations."""
        return None if self.activation_bytes is None else 2 * self.activation_bytes

    @property
    def total_bytes(self) -> int | None:
        parts = (self.input_bytes, self.forward_backward_bytes, self.params_bytes)
        return None if None in parts else sum(parts)  # type: ignore[arg-type]

    def of(self, path: str) -> LayerCost:
        for cost in self.layers:
            if cost.path == path:
                return cost
        raise KeyError(path)


def costs(report: ModelReport, batch_size: int = 1) -> Costs:
    shown = [layer for layer in report.layers if not layer.is_container]
    layers = tuple(_layer_cost(layer, batch_size) for layer in shown)
    known = [cost.macs for cost in layers]
    activations = [cost.activation_bytes for cost in layers]
    return Costs(
        batch_size=batch_size,
        layers=layers,
        macs=None if None in known else sum(known),  # type: ignore[arg-type]
        input_bytes=_bytes([info.shape for info in report.inputs], batch_size),
        activation_bytes=None if None in activations else sum(activations),  # type: ignore[arg-type]
        params_bytes=report.totals.bytes,
        macs_reason=_total_reason(shown),
    )


def _layer_cost(layer: Layer, batch_size: int) -> LayerCost:
    shapes = [shape for call in layer.output_shapes for shape in call]
    reason = None
    if layer.macs is None:
        reason = layer.macs_unknown or "MACs were not counted for this report"
    if layer.kind == "input":
        activation = 0
    else:
        activation = _bytes(shapes, batch_size)
    return LayerCost(layer.path, layer.macs, reason, activation)


def _total_reason(layers: list[Layer]) -> str | None:
    """``no MAC rule for Lambda, Dot`` when classes are not counted, else the size hint."""
    unknown = [layer for layer in layers if layer.macs is None]
    if not unknown:
        return None
    uncounted = sorted(
        {
            layer.class_name
            for layer in unknown
            if layer.macs_unknown is None or layer.macs_unknown.startswith("no MAC rule")
        }
    )
    if uncounted:
        return f"no MAC rule for {', '.join(uncounted)}"
    return "give :input-shape:"


def _bytes(shapes: list[tuple], batch_size: int) -> int | None:
    total = 0
    for shape in shapes:
        dims = [
            batch_size if index == 0 and dim is None else dim for index, dim in enumerate(shape)
        ]
        if any(dim is None for dim in dims):
            return None
        total += math.prod(dims) * BYTES_PER_ACTIVATION
    return total


def format_macs(value: int) -> str:
    """``15,470,264,320`` → ``15.47 G``; small counts are written out."""
    for unit, scale in (("T", 10**12), ("G", 10**9), ("M", 10**6), ("K", 10**3)):
        if value >= scale:
            return f"{value / scale:.2f} {unit}"
    return str(value)
