"""A comparison as rows of display strings, and as terminal text.

The docutils table (``render/nodes.py``) and the terminal show the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..compare import Comparison, called
from ..report import Layer, format_count
from .rows import output_shape_text
from .text import table_lines

COMPARE_COLUMNS = ("layer", "output_shape", "params")
_MARKS = {"same": "", "differs": "≠", "only-a": "A only", "only-b": "B only"}


@dataclass(frozen=True)
class CompareLine:
    mark: str
    a: tuple[str, ...]
    b: tuple[str, ...]
    difference: str
    status: str


def compare_lines(
    comparison: Comparison, columns: tuple[str, ...] = COMPARE_COLUMNS, only_differences=False
) -> list[CompareLine]:
    lines = []
    for row in comparison.rows:
        if only_differences and row.status == "same":
            continue
        difference = row.params_difference
        lines.append(
            CompareLine(
                mark=_MARKS[row.status],
                a=_cells(row.a, columns),
                b=_cells(row.b, columns),
                difference=f"{difference:+,}" if difference else "",
                status=row.status,
            )
        )
    return lines


def _cells(layer: Layer | None, columns: tuple[str, ...]) -> tuple[str, ...]:
    if layer is None:
        return tuple("" for _ in columns)
    values = {
        "layer": "".join(
            [f"{layer.path} ({layer.class_name})", *(f", {n}" for n in _notes(layer))]
        ),
        "output_shape": output_shape_text(layer),
        "params": format_count(layer.params),
        "input_shape": "; ".join(
            ", ".join(str(shape) for shape in call) for call in layer.input_shapes
        ),
    }
    return tuple(values[column] for column in columns)


def _notes(layer: Layer) -> list[str]:
    """What a row's count leaves out: a module that never ran, weights counted elsewhere."""
    notes = [] if called(layer) else ["not called"]
    shared = _shared_with(layer)
    if shared:
        notes.append(f"shared with {', '.join(shared)}, counted there")
    return notes


def _shared_with(layer: Layer) -> list[str]:
    """The layers that hold (and count) the weights this one reuses: a tied head's embedding."""
    return sorted({weight.shared_with for weight in layer.weights if weight.shared_with})


def explanations(comparison: Comparison) -> list[tuple[str, str]]:
    """For each pair whose counts differ, both formulas with their numbers, side by side."""
    found = []
    for row in comparison.rows:
        if row.status != "differs" or "params" not in row.differences:
            continue
        found.append((_formula_text(row.a), _formula_text(row.b)))
    return found


def _formula_text(layer: Layer) -> str:
    formula = layer.formula
    if formula is None:
        text = f"{layer.path}: {format_count(layer.params)}"
    else:
        text = f"{layer.path}: {formula.substituted} = {format_count(formula.value)}"
    shared = _shared_with(layer)
    if shared:  # the row counts only what is not held elsewhere, as model-formulas says
        own = format_count(layer.params)
        text += f" (shared with {', '.join(shared)}, counted there; this row: {own})"
    if layer.buffers:  # PyTorch keeps batch-norm statistics as buffers, not parameters
        kept = ", ".join(f"{b.name} {format_count(b.size)}" for b in layer.buffers)
        text += f" (buffers, not parameters: {kept})"
    return text


def totals_line(comparison: Comparison) -> str:
    a, b = comparison.a.totals.params, comparison.b.totals.params
    return f"Total params: A {format_count(a)}, B {format_count(b)}, difference {b - a:+,}"


COLUMN_TITLES = {
    "layer": "layer (type)",
    "output_shape": "output shape",
    "params": "params",
    "input_shape": "input shape",
}


def comparison_text(
    comparison: Comparison, columns: tuple[str, ...] = COMPARE_COLUMNS, only_differences=False
) -> str:
    header = (
        [""]
        + [f"A {COLUMN_TITLES[c]}" for c in columns]
        + [f"B {COLUMN_TITLES[c]}" for c in columns]
        + ["difference"]
    )
    body = [
        [line.mark, *line.a, *line.b, line.difference]
        for line in compare_lines(comparison, columns, only_differences)
    ]
    numeric = (
        {1 + columns.index("params"), 1 + len(columns) + columns.index("params")}
        if ("params" in columns)
        else set()
    )
    lines = [
        f'A: "{comparison.a.name}" ({comparison.a.target})',
        f'B: "{comparison.b.name}" ({comparison.b.target})',
    ]
    lines += table_lines(header, body, right_aligned=numeric | {len(header) - 1})
    for formula_a, formula_b in explanations(comparison):
        lines.append(f"A {formula_a}")
        lines.append(f"B {formula_b}")
    lines.append(totals_line(comparison))
    return "\n".join(lines) + "\n"


def comparison_json(comparison: Comparison) -> dict:
    """The comparison for scripts: every row with both paths, its status and differences."""

    def side(layer: Layer | None) -> dict | None:
        if layer is None:
            return None
        return {
            "path": layer.path,
            "class_name": layer.class_name,
            "output_shapes": layer.output_shapes,
            "params": layer.params,
            "formula": layer.formula.substituted if layer.formula else None,
            "called": called(layer),
            "shared_with": _shared_with(layer),
        }

    difference = comparison.totals_difference
    return {
        "a": {"target": comparison.a.target, "params": comparison.a.totals.params},
        "b": {"target": comparison.b.target, "params": comparison.b.totals.params},
        "difference": {
            "params": difference.params,
            "trainable": difference.trainable,
            "non_trainable": difference.non_trainable,
        },
        "rows": [
            {
                "status": row.status,
                "differences": list(row.differences),
                "params_difference": row.params_difference,
                "a": side(row.a),
                "b": side(row.b),
            }
            for row in comparison.rows
        ],
    }
