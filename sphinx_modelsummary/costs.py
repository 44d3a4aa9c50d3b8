"""Costs: multiply–accumulates per layer, and the memory a forward pass needs.

Framework neutral: everything is computed from a ModelReport's shapes and
config. MACs are per sample; a dimension that is unknown (``None`` image size)
makes a layer's MACs ``None`` with the reason, never a guess.

Counting convention: a layer's MACs are the multiply–accumulates of its
weights (convolutions, dense, recurrent cells per step × steps, attention);
pooling counts one accumulate per window element; normalization one per
output element (the folded scale and shift); everything else zero.
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


class _Unknown(Exception):
    """A dimension the count needs is not known."""


def costs(report: ModelReport, batch_size: int = 1) -> Costs:
    layers = tuple(
        _layer_cost(layer, batch_size) for layer in report.layers if not layer.is_container
    )
    known = [cost.macs for cost in layers]
    activations = [cost.activation_bytes for cost in layers]
    return Costs(
        batch_size=batch_size,
        layers=layers,
        macs=None if None in known else sum(known),  # type: ignore[arg-type]
        input_bytes=_bytes([info.shape for info in report.inputs], batch_size),
        activation_bytes=None if None in activations else sum(activations),  # type: ignore[arg-type]
        params_bytes=report.totals.bytes,
    )


def _layer_cost(layer: Layer, batch_size: int) -> LayerCost:
    shapes = [shape for call in layer.output_shapes for shape in call]
    try:
        macs: int | None = sum(_macs(layer, call) for call in range(len(layer.output_shapes)))
        reason = None
    except _Unknown as unknown:
        macs, reason = None, str(unknown)
    if layer.class_name == "InputLayer":
        activation = 0
    else:
        activation = _bytes(shapes, batch_size)
    return LayerCost(layer.path, macs, reason, activation)


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


def _elements(shape: tuple, what: str) -> int:
    """Elements per sample; the batch dimension is left out."""
    dims = shape[1:]
    if any(dim is None for dim in dims):
        raise _Unknown(f"{what} {shape} has an unknown dimension; give :input-shape:")
    return math.prod(dims)


def _kernel(layer: Layer, name: str = "kernel") -> int:
    for weight in layer.weights:
        if weight.name.split("/")[-1] == name:
            return weight.size
    return 0


def _spatial(layer: Layer, shape: tuple) -> int:
    """Spatial positions of a conv output/input, channels_first or channels_last."""
    channels_first = layer.config.get("data_format") == "channels_first"
    dims = shape[2:] if channels_first else shape[1:-1]
    if any(dim is None for dim in dims):
        raise _Unknown(f"spatial size of {shape} is unknown; give :input-shape:")
    return math.prod(dims)


def _macs(layer: Layer, call: int) -> int:
    name = layer.class_name
    output = layer.output_shapes[call][0]
    inputs = layer.input_shapes[call] if call < len(layer.input_shapes) else ()
    if name == "Dense":
        return _kernel(layer) * _elements(output, "output") // output[-1]
    if name == "EinsumDense":
        return _einsum_macs(layer, output)
    if name.startswith(("Conv1D", "Conv2D", "Conv3D", "Convolution")) and "Transpose" not in name:
        return _kernel(layer) * _spatial(layer, output)
    if "Transpose" in name and name.startswith("Conv"):
        return _kernel(layer) * _spatial(layer, inputs[0])
    if name.startswith("DepthwiseConv"):
        kernel = _kernel(layer, "kernel") or _kernel(layer, "depthwise_kernel")
        return kernel * _spatial(layer, output)
    if name.startswith("SeparableConv"):
        positions = _spatial(layer, output)
        return (_kernel(layer, "depthwise_kernel") + _kernel(layer, "pointwise_kernel")) * positions
    if "Pooling" in name:
        return _pooling_macs(layer, inputs, output)
    if "Normalization" in name:
        return _elements(output, "output") if layer.weights else 0
    if name in ("LSTM", "GRU", "SimpleRNN", "Bidirectional"):
        return _recurrent_macs(layer, inputs)  # a Bidirectional's weights hold both directions
    if name in ("MultiHeadAttention", "GroupedQueryAttention", "GroupQueryAttention"):
        return _attention_macs(layer, inputs, output)
    return 0


def _einsum_macs(layer: Layer, output: tuple) -> int:
    """Each output element sums over the contracted dimensions of the kernel."""
    kernel_shape = next((w.shape for w in layer.weights if w.name.endswith("kernel")), ())
    kernel = math.prod(kernel_shape) if kernel_shape else 0
    shared = 1
    for dim_k, dim_o in zip(reversed(kernel_shape), reversed(output)):
        if dim_k != dim_o:
            break
        shared *= dim_k
    return _elements(output, "output") * (kernel // shared)


def _pooling_macs(layer: Layer, inputs: tuple, output: tuple) -> int:
    if "Global" in layer.class_name:
        return _elements(inputs[0], "input")
    window = math.prod(layer.config.get("pool_size") or [1])
    return window * _elements(output, "output")


def _recurrent_macs(layer: Layer, inputs: tuple) -> int:
    steps = inputs[0][1] if inputs and len(inputs[0]) > 2 else None
    if steps is None:
        raise _Unknown("the number of time steps is unknown; give :input-shape:")
    return steps * sum(w.size for w in layer.weights if not w.name.endswith("bias"))


def _attention_macs(layer: Layer, inputs: tuple, output: tuple) -> int:
    """Projections of query, key and value, the scores, the weighted sum, the output."""
    if len(inputs) < 2 or any(d is None for shape in inputs[:2] for d in shape[1:-1]):
        raise _Unknown("sequence lengths are unknown; give :input-shape:")
    query_steps = math.prod(inputs[0][1:-1])
    key_steps = math.prod(inputs[1][1:-1])
    heads = layer.config.get("num_heads") or layer.config.get("num_query_heads") or 1
    key_dim = layer.config.get("key_dim") or layer.config.get("head_dim") or 1
    value_dim = layer.config.get("value_dim") or key_dim
    projections = 0
    for weight in layer.weights:
        if weight.name.endswith("kernel"):
            steps = query_steps if "query" in weight.name or "output" in weight.name else key_steps
            projections += weight.size * steps
    scores = heads * query_steps * key_steps * (key_dim + value_dim)
    return projections + scores


def format_macs(value: int) -> str:
    """``15,470,264,320`` → ``15.47 G``; small counts are written out."""
    for unit, scale in (("T", 10**12), ("G", 10**9), ("M", 10**6), ("K", 10**3)):
        if value >= scale:
            return f"{value / scale:.2f} {unit}"
    return str(value)
