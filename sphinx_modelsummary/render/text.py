"""Terminal text: the summary and formula tables for ``python -m sphinx_modelsummary show``."""

from __future__ import annotations

from ..costs import Costs
from ..report import ModelReport, format_count
from .rows import (
    COLUMN_TITLES,
    COST_COLUMNS,
    NUMERIC_COLUMNS,
    cost_lines,
    default_columns,
    formula_rows,
    summary_rows,
    totals_lines,
)


def summary_text(
    report: ModelReport, expand_nested: bool = False, costs: Costs | None = None
) -> str:
    columns = default_columns(report) + (list(COST_COLUMNS) if costs else [])
    header = [COLUMN_TITLES[column] for column in columns]
    body = []
    for row in summary_rows(report, expand_nested, costs):
        cells = [row.cell(column) for column in columns]
        cells[0] = "  " * row.depth + cells[0] + (f" ×{row.calls}" if row.calls > 1 else "")
        body.append(cells)
    lines = [f'Model: "{report.name}" ({report.class_name}, {report.build_mode} build)']
    numeric = {index for index, column in enumerate(columns) if column in NUMERIC_COLUMNS}
    lines += table_lines(header, body, right_aligned=numeric)
    lines += [f"{label}: {value}" for label, value in totals_lines(report)]
    lines += [f"{label}: {value}" for label, value in (cost_lines(costs) if costs else [])]
    return "\n".join(lines) + "\n"


def formulas_text(report: ModelReport) -> str:
    """The formula table; fallback rows are starred and disagreements listed below it."""
    rows = formula_rows(report)
    frozen = {layer.path: layer.formula.non_trainable for layer in report.layers if layer.formula}
    split = any(frozen.values())
    header = ["Layer", "Formula", "With numbers", "Params"] + (["Non-trainable"] if split else [])
    body = []
    for row in rows:
        cells = [
            row.layer,
            row.symbolic + (" *" if row.fallback else ""),
            row.substituted,
            row.value,
        ]
        if split:
            cells.append(format_count(frozen[row.path]) if frozen[row.path] else "-")
        body.append(cells)
    total = ["Total", "", "", format_count(report.totals.params)]
    body.append(total + ([format_count(report.totals.non_trainable)] if split else []))
    lines = table_lines(header, body, right_aligned={3, 4})
    if any(row.fallback for row in rows):
        lines.append("* no named formula for this layer: the exact sum of its weight shapes")
    lines += [
        f"formula disagreed, exact sum shown: {text}" for text in report.formula_disagreements
    ]
    return "\n".join(lines) + "\n"


def table_lines(header: list[str], body: list[list[str]], right_aligned: set[int]) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        padded = [
            cell.rjust(width) if index in right_aligned else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths))
        ]
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return [rule.replace("-", "="), line(header), rule, *[line(row) for row in body], rule]
