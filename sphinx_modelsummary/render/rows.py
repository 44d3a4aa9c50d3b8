"""The summary and formula tables as rows of display strings.

Every output format (terminal text, docutils tables, JSON for CI) shows the
same rows; this module decides what they say so the formats cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..costs import Costs, format_macs
from ..report import Layer, ModelReport, format_bytes, format_count, format_shape, itemsize

SUMMARY_COLUMNS = ("layer", "output_shape", "params", "connected_to", "trainable")
#: Columns that need the costs computed (and so a batch size).
COST_COLUMNS = ("macs", "activation")
NUMERIC_COLUMNS = ("params", "macs", "activation")
COLUMN_TITLES = {
    "macs": "MACs",
    "activation": "Activations",
    "layer": "Layer (type)",
    "output_shape": "Output shape",
    "params": "Params",
    "connected_to": "Connected to",
    "trainable": "Trainable",
    "calls": "Calls",
}


@dataclass(frozen=True)
class SummaryRow:
    path: str
    depth: int
    name: str
    class_name: str
    output_shape: str
    params: str
    connected_to: str
    trainable: str
    calls: int
    is_container: bool
    macs: str = ""
    activation: str = ""

    @property
    def layer(self) -> str:
        return f"{self.name} ({self.class_name})"

    def cell(self, column: str) -> str:
        return self.layer if column == "layer" else str(getattr(self, column))


def shown_depth(expand_nested: bool, max_depth: int | None) -> int:
    """The deepest level of rows shown: 0 when folded, else ``max_depth`` levels opened."""
    if not expand_nested:
        return 0
    return max_depth if max_depth is not None else 10**6


def summary_rows(
    report: ModelReport,
    expand_nested: bool = False,
    costs: Costs | None = None,
    max_depth: int | None = None,
) -> list[SummaryRow]:
    """One row per layer; rows inside containers only when expanded, ``max_depth`` deep."""
    deepest = shown_depth(expand_nested, max_depth)
    rows = []
    for layer in report.layers:
        if layer.depth > deepest:
            continue
        rows.append(
            SummaryRow(
                path=layer.path,
                depth=layer.depth if expand_nested else 0,
                name=layer.name,
                class_name=layer.class_name,
                output_shape=output_shape_text(layer),
                params=format_count(layer.params),
                connected_to=connected_to_text(layer, "." if report.framework == "torch" else "/"),
                trainable=_trainable_text(layer),
                calls=layer.calls,
                is_container=layer.is_container,
                **(_cost_cells(report, layer, costs) if costs else {}),
            )
        )
    return rows


def _cost_cells(report: ModelReport, layer: Layer, costs: Costs) -> dict[str, str]:
    """MACs and output bytes ("n/a" where a size is unknown); a nested model sums its layers."""
    inside = [
        costs.of(item.path)
        for item in report.layers
        if not item.is_container
        and (item.path == layer.path or item.path.startswith(layer.path + "/"))
    ]
    macs = [part.macs for part in inside]
    memory = [part.activation_bytes for part in inside]
    return {
        "macs": "n/a" if None in macs else format_macs(sum(macs)),  # type: ignore[arg-type]
        "activation": "n/a" if None in memory else format_bytes(sum(memory)),  # type: ignore[arg-type]
    }


def output_shape_text(layer: Layer) -> str:
    """Each call's shape; identical calls are written once with their count."""
    if not layer.output_shapes:
        return "(not called)"
    calls = [", ".join(format_shape(shape) for shape in call) for call in layer.output_shapes]
    distinct = list(dict.fromkeys(calls))
    if len(distinct) == 1:
        return distinct[0] + (f" ×{len(calls)}" if len(calls) > 1 else "")
    return "; ".join(distinct)


def connected_to_text(layer: Layer, separator: str = "/") -> str:
    """The layers that fed this one; a source called several times names the call whose
    output came here: ``base_network#2`` is the output of its second call."""
    parts = []
    for source in layer.inbound:
        name = _source_name(layer, source, separator)
        calls = [number for path, number in layer.inbound_calls if path == source]
        if calls:
            parts.extend(f"{name}#{number}" for number in calls)
        else:
            parts.append(name)
    return ", ".join(parts)


def _source_name(layer: Layer, source: str, separator: str) -> str:
    """A sibling by its name; any other source, or an index (a bare ``0`` could be any
    list's first entry), by its full path joined the framework's way (``layers.0``)."""
    parent, _, name = source.rpartition("/")
    if parent == (layer.parent or "") and not name.isdigit():
        return name
    return source.replace("/", separator)


def _trainable_text(layer: Layer) -> str:
    if layer.params == 0:
        return "-"
    if layer.non_trainable == 0:
        return "yes"
    if layer.trainable == 0:
        return "no"
    return f"{format_count(layer.trainable)} of {format_count(layer.params)}"


def needs_connected_to(report: ModelReport) -> bool:
    """A plain chain reads top to bottom; only branching graphs need the column."""
    top = report.top_level_layers()
    for index, layer in enumerate(top):
        if len(layer.inbound) > 1:
            return True
        if index > 0 and layer.inbound and layer.inbound[0] != top[index - 1].path:
            return True
    return False


def needs_trainable(report: ModelReport) -> bool:
    return any(layer.non_trainable for layer in report.layers)


def default_columns(report: ModelReport) -> list[str]:
    columns = ["layer", "output_shape", "params"]
    if needs_connected_to(report):
        columns.append("connected_to")
    if needs_trainable(report):
        columns.append("trainable")
    return columns


def cost_lines(costs: Costs) -> list[tuple[str, str]]:
    """The block PyTorch users know: input, forward/backward pass, params, estimated total."""

    def size(value: int | None) -> str:
        return "n/a (give :input-shape:)" if value is None else format_bytes(value)

    return [
        (
            "MACs per sample",
            f"n/a ({costs.macs_reason})" if costs.macs is None else format_macs(costs.macs),
        ),
        (f"Input size (batch {costs.batch_size})", size(costs.input_bytes)),
        ("Forward/backward pass size", size(costs.forward_backward_bytes)),
        ("Params size", format_bytes(costs.params_bytes)),
        ("Estimated total size", size(costs.total_bytes)),
    ]


def totals_lines(report: ModelReport) -> list[tuple[str, str]]:
    """The totals block: label and value, with sizes at the weights' own dtypes."""
    totals = report.totals
    size = {True: 0, False: 0}
    for layer in report.layers:
        for weight in layer.weights:
            if weight.shared_with is None:
                size[weight.trainable] += weight.size * itemsize(weight.dtype)
    lines = [
        ("Total params", f"{format_count(totals.params)} ({format_bytes(totals.bytes)})"),
        ("Trainable params", f"{format_count(totals.trainable)} ({format_bytes(size[True])})"),
        (
            "Non-trainable params",
            f"{format_count(totals.non_trainable)} ({format_bytes(size[False])})",
        ),
    ]
    if totals.buffers:  # PyTorch: batch-norm statistics and the like, not parameters
        lines.append(
            ("Buffers", f"{format_count(totals.buffers)} ({format_bytes(totals.buffer_bytes)})")
        )
    if len(totals.bytes_by_dtype) > 1:  # mixed precision: each weight at its own dtype
        parts = [f"{dtype} {format_bytes(n)}" for dtype, n in totals.bytes_by_dtype.items()]
        lines.append(("Params by dtype", ", ".join(parts)))
    return lines


@dataclass(frozen=True)
class FormulaRow:
    path: str
    layer: str
    symbolic: str
    latex: str
    substituted: str
    value: str
    fallback: bool
    non_trainable: str = ""


def formula_rows(
    report: ModelReport, expand_nested: bool = True, max_depth: int | None = None
) -> list[FormulaRow]:
    """One row per layer with weights; folded containers are one row summing their layers."""
    deepest = shown_depth(expand_nested, max_depth)
    rows = []
    for layer in report.layers:
        if layer.depth > deepest:
            continue
        if layer.is_container and layer.depth == deepest and layer.params:
            rows.append(_nested_formula_row(report, layer))
            continue
        formula = layer.formula
        if formula is not None:
            # A weight held by an earlier layer too (a tied head) is counted there, once.
            shared = sorted({w.shared_with for w in layer.weights if w.shared_with})
            note = f" (shared with {', '.join(shared)}, counted there)" if shared else ""
            rows.append(
                FormulaRow(
                    path=layer.path,
                    layer=f"{layer.path} ({layer.class_name})",
                    symbolic=formula.symbolic,
                    latex=formula.latex,
                    substituted=formula.substituted + note,
                    value=format_count(layer.params if shared else formula.value),
                    fallback=formula.fallback,
                    non_trainable=(
                        format_count(formula.non_trainable) if formula.non_trainable else ""
                    ),
                )
            )
        if layer.buffers and not layer.is_container:
            rows.append(_buffers_row(layer))
    return rows


def _buffers_row(layer: Layer) -> FormulaRow:
    """A PyTorch module's buffers (running statistics), beside its parameters, not in them."""
    counted = [b for b in layer.buffers if b.shared_with is None]
    parts = " + ".join(f"{b.name} {format_count(b.size)}" for b in counted) or "0"
    total = format_count(sum(b.size for b in counted))
    return FormulaRow(
        path=layer.path,
        layer=f"{layer.path} buffers",
        symbolic="buffers, not parameters",
        latex=r"\text{buffers, not parameters}",
        substituted=f"{parts} = {total}",
        value="",
        fallback=False,
    )


def _nested_formula_row(report: ModelReport, container: Layer) -> FormulaRow:
    """A nested model's count as the sum of its layers' counts (expand it to see each)."""
    parts = [
        format_count(sum(w.size for w in layer.weights if w.shared_with is None))
        for layer in report.layers
        if layer.weights
        and (layer.path == container.path or layer.path.startswith(container.path + "/"))
    ]
    return FormulaRow(
        path=container.path,
        layer=f"{container.path} ({container.class_name})",
        symbolic="sum over its layers",
        latex=r"\sum \text{layers}",
        substituted=" + ".join(parts),
        value=format_count(container.params),
        fallback=False,
        non_trainable=format_count(container.non_trainable) if container.non_trainable else "",
    )
