"""The summary and formula tables as rows of display strings.

Every output format (terminal text, docutils tables, JSON for CI) shows the
same rows; this module decides what they say so the formats cannot disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
    #: How many identical consecutive blocks this row stands for (its name is their range).
    repeats: int = 1
    #: Inside a folded block's first copy: how many blocks each such row stands for.
    each_of: int = 0

    @property
    def layer(self) -> str:
        text = f"{self.name} ({self.class_name})"
        if self.repeats > 1:
            text += f" ×{self.repeats}"
        return text + (f", in each of {self.each_of}" if self.each_of else "")

    def cell(self, column: str) -> str:
        return self.layer if column == "layer" else str(getattr(self, column))


def shown_depth(expand_nested: bool, max_depth: int | None) -> int:
    """The deepest level of rows shown: 0 when folded, else ``max_depth`` levels opened."""
    if not expand_nested:
        return 0
    return max_depth if max_depth is not None else 10**6


@dataclass(frozen=True)
class Folding:
    """Runs of consecutive sibling blocks of one class with identical layers, shapes and
    counts: each run is shown as its first block, the others are hidden (a layer shown as
    one row with its sublayers' weights, a recurrent layer with its cell, is a block too)."""

    #: Path of a run's first block -> every block of the run, in order.
    runs: dict[str, tuple[Layer, ...]] = field(default_factory=dict)
    #: Paths of the other blocks of each run and of every layer inside them.
    hidden: frozenset[str] = frozenset()
    #: Path of a layer inside a run's first block -> the run's first block, nearest first.
    enclosing: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def repeats(self, layer: Layer) -> int:
        return len(self.runs.get(layer.path, (layer,)))

    def each_of(self, layer: Layer) -> int:
        """How many blocks the nearest folded block around ``layer`` stands for (0: none)."""
        around = self.enclosing.get(layer.path)
        return len(self.runs[around[0]]) if around else 0

    def multiplicity(self, layer: Layer) -> int:
        """How many copies of ``layer`` its row stands for: its run and every run around it."""
        count = self.repeats(layer)
        for path in self.enclosing.get(layer.path, ()):
            count *= len(self.runs[path])
        return count

    def name(self, layer: Layer) -> str:
        """A folded block's name as the range of its run (``block_0-5``), else its name."""
        run = self.runs.get(layer.path)
        return _range(run[0].name, run[-1].name) if run else layer.name

    def path(self, layer: Layer) -> str:
        """``layers/0/self_attn`` inside the run 0 to 5 as ``layers/0-5/self_attn``."""
        parts = layer.path.split("/")
        for index in range(len(parts)):
            run = self.runs.get("/".join(parts[: index + 1]))
            if run:
                parts[index] = _range(parts[index], run[-1].path.rsplit("/", 1)[-1])
        return "/".join(parts)


def _range(first: str, last: str) -> str:
    """``block_0`` to ``block_5`` as ``block_0-5``; names without a shared stem as ``a-b``."""
    start, end = re.fullmatch(r"(.*?)(\d*)", first), re.fullmatch(r"(.*?)(\d*)", last)
    if start and end and start[1] == end[1] and start[2] and end[2]:
        return f"{first}-{end[2]}"
    return f"{first}-{last}"


def _inside(report: ModelReport, block: Layer) -> list[Layer]:
    """The block and every layer within it, in report order."""
    return [
        layer
        for layer in report.layers
        if layer.path == block.path or layer.path.startswith(block.path + "/")
    ]


def _signature(report: ModelReport, block: Layer) -> tuple:
    """What must be equal for two blocks to fold: each layer's place, class, shapes, calls,
    counts and weights (a weight reused from elsewhere differs from one of its own)."""
    return tuple(
        (
            layer.path[len(block.path) :],
            layer.class_name,
            layer.output_shapes,
            layer.input_shapes,
            layer.calls,
            layer.params,
            layer.trainable,
            layer.non_trainable,
            tuple(
                (w.name, w.shape, w.dtype, w.trainable, w.shared_with is None)
                for w in (*layer.weights, *layer.buffers)
            ),
        )
        for layer in _inside(report, block)
    )


def _is_block(layer: Layer) -> bool:
    """A layer holding layers: a container, or a leaf listing its sublayers' weights
    (``up/kernel``). Single layers alike side by side (``norm1``, ``norm2``) do not fold."""
    return layer.is_container or any("/" in weight.name for weight in layer.weights)


def folding(report: ModelReport, fold_repeats: bool = True) -> Folding:
    """Find the runs of identical consecutive sibling blocks (none when not folding)."""
    if not fold_repeats:
        return Folding()
    siblings: dict[str | None, list[Layer]] = {}
    for layer in report.layers:
        siblings.setdefault(layer.parent, []).append(layer)
    runs: dict[str, tuple[Layer, ...]] = {}
    for group in siblings.values():
        run: list[Layer] = []
        for layer in [*group, None]:
            same = (
                layer is not None
                and _is_block(layer)
                and run
                and layer.class_name == run[0].class_name
                and _signature(report, layer) == _signature(report, run[0])
            )
            if same:
                run.append(layer)  # type: ignore[arg-type]
                continue
            if len(run) > 1:
                runs[run[0].path] = tuple(run)
            run = [layer] if layer is not None and _is_block(layer) else []
    hidden = {
        inner.path for run in runs.values() for block in run[1:] for inner in _inside(report, block)
    }
    enclosing = {}
    for layer in report.layers:
        around = tuple(
            path
            for path in reversed(list(runs))
            if layer.path.startswith(path + "/") and path not in hidden
        )
        if around and layer.path not in hidden:
            enclosing[layer.path] = tuple(sorted(around, key=len, reverse=True))
    return Folding(
        runs={path: run for path, run in runs.items() if path not in hidden},
        hidden=frozenset(hidden),
        enclosing=enclosing,
    )


def summary_rows(
    report: ModelReport,
    expand_nested: bool = False,
    costs: Costs | None = None,
    max_depth: int | None = None,
    fold_repeats: bool = True,
) -> list[SummaryRow]:
    """One row per layer; rows inside containers only when expanded, ``max_depth`` deep;
    a run of identical blocks is one row, its first block's layers standing for each."""
    deepest = shown_depth(expand_nested, max_depth)
    folds = folding(report, fold_repeats)
    rows = []
    for layer in report.layers:
        if layer.depth > deepest or layer.path in folds.hidden:
            continue
        run = folds.runs.get(layer.path, (layer,))
        repeats = len(run)
        params = format_count(layer.params * repeats)
        if repeats > 1:
            params = f"{repeats} × {format_count(layer.params)} = {params}"
        rows.append(
            SummaryRow(
                path=layer.path,
                depth=layer.depth if expand_nested else 0,
                name=folds.name(layer),
                class_name=layer.class_name,
                output_shape=output_shape_text(layer),
                params=params,
                connected_to=connected_to_text(layer, "." if report.framework == "torch" else "/"),
                trainable=_trainable_text(layer),
                calls=layer.calls,
                is_container=layer.is_container,
                repeats=repeats,
                each_of=folds.each_of(layer),
                **(_cost_cells(report, run, costs) if costs else {}),
            )
        )
    return rows


def _cost_cells(report: ModelReport, run: tuple[Layer, ...], costs: Costs) -> dict[str, str]:
    """MACs and output bytes ("n/a" where a size is unknown); a nested model sums its layers,
    a folded run all its blocks."""
    inside = [
        costs.of(item.path)
        for layer in run
        for item in _inside(report, layer)
        if not item.is_container
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
    """yes, no, or how many of the layer's params train (per block: each block alike)."""
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
    #: The parameters of one copy of the layer (0 for a buffers row).
    count: int = 0
    #: How many copies the row stands for (folded blocks): ``count × repeats`` add up.
    repeats: int = 1


def formula_rows(
    report: ModelReport,
    expand_nested: bool = True,
    max_depth: int | None = None,
    fold_repeats: bool = True,
) -> list[FormulaRow]:
    """One row per layer with weights; folded containers are one row summing their layers;
    a run of identical blocks shows its first block's formulas once, ×N."""
    deepest = shown_depth(expand_nested, max_depth)
    folds = folding(report, fold_repeats)
    rows = []
    for layer in report.layers:
        if layer.depth > deepest or layer.path in folds.hidden:
            continue
        repeats = folds.multiplicity(layer)
        label = f"{folds.path(layer)} ({layer.class_name})" + (
            f" ×{repeats}" if repeats > 1 else ""
        )
        if layer.is_container and layer.depth == deepest and layer.params:
            rows.append(_nested_formula_row(report, layer, label, repeats))
            continue
        formula = layer.formula
        if formula is not None:
            # A weight held by an earlier layer too (a tied head) is counted there, once.
            shared = sorted({w.shared_with for w in layer.weights if w.shared_with})
            note = f" (shared with {', '.join(shared)}, counted there)" if shared else ""
            count = layer.params if shared else formula.value
            rows.append(
                FormulaRow(
                    path=layer.path,
                    layer=label,
                    symbolic=formula.symbolic,
                    latex=formula.latex,
                    substituted=formula.substituted + note,
                    value=_times(count, repeats),
                    fallback=formula.fallback,
                    non_trainable=(
                        _times(formula.non_trainable, repeats) if formula.non_trainable else ""
                    ),
                    count=count,
                    repeats=repeats,
                )
            )
        if layer.buffers and not layer.is_container:
            rows.append(_buffers_row(layer, folds.path(layer), repeats))
    return rows


def _times(count: int, repeats: int) -> str:
    """``1,234``, or for a row standing for six copies ``6 × 1,234 = 7,404``."""
    if repeats == 1:
        return format_count(count)
    return f"{repeats} × {format_count(count)} = {format_count(count * repeats)}"


def _buffers_row(layer: Layer, path: str, repeats: int) -> FormulaRow:
    """A PyTorch module's buffers (running statistics), beside its parameters, not in them."""
    counted = [b for b in layer.buffers if b.shared_with is None]
    parts = " + ".join(f"{b.name} {format_count(b.size)}" for b in counted) or "0"
    total = format_count(sum(b.size for b in counted))
    return FormulaRow(
        path=layer.path,
        layer=f"{path} buffers" + (f" ×{repeats}" if repeats > 1 else ""),
        symbolic="buffers, not parameters",
        latex=r"\text{buffers, not parameters}",
        substituted=f"{parts} = {total}",
        value="",
        fallback=False,
    )


def _nested_formula_row(
    report: ModelReport, container: Layer, label: str, repeats: int
) -> FormulaRow:
    """A nested model's count as the sum of its layers' counts (expand it to see each)."""
    parts = [
        format_count(sum(w.size for w in layer.weights if w.shared_with is None))
        for layer in report.layers
        if layer.weights
        and (layer.path == container.path or layer.path.startswith(container.path + "/"))
    ]
    return FormulaRow(
        path=container.path,
        layer=label,
        symbolic="sum over its layers",
        latex=r"\sum \text{layers}",
        substituted=" + ".join(parts),
        value=_times(container.params, repeats),
        fallback=False,
        non_trainable=(_times(container.non_trainable, repeats) if container.non_trainable else ""),
        count=container.params,
        repeats=repeats,
    )
