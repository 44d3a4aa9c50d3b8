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
    report: ModelReport,
    expand_nested: bool = False,
    costs: Costs | None = None,
    max_depth: int | None = None,
    fold_repeats: bool = True,
) -> str:
    columns = default_columns(report) + (list(COST_COLUMNS) if costs else [])
    header = [COLUMN_TITLES[column] for column in columns]
    body = []
    for row in summary_rows(report, expand_nested, costs, max_depth, fold_repeats):
        cells = [row.cell(column) for column in columns]
        cells[0] = "  " * row.depth + cells[0] + (f" ×{row.calls}" if row.calls > 1 else "")
        body.append(cells)
    lines = [f'Model: "{report.name}" ({report.class_name}, {report.build_mode} build)']
    numeric = {index for index, column in enumerate(columns) if column in NUMERIC_COLUMNS}
    wrap = {index: WRAP for index, column in enumerate(columns) if column == "connected_to"}
    lines += table_lines(header, body, right_aligned=numeric, wrap=wrap)
    lines += [f"{label}: {value}" for label, value in totals_lines(report)]
    lines += [f"{label}: {value}" for label, value in (cost_lines(costs) if costs else [])]
    return "\n".join(lines) + "\n"


def formulas_text(
    report: ModelReport, max_depth: int | None = None, fold_repeats: bool = True
) -> str:
    """The formula table; fallback rows are starred and disagreements listed below it."""
    rows = formula_rows(report, max_depth=max_depth, fold_repeats=fold_repeats)
    split = any(row.non_trainable for row in rows)  # batch norms' moving statistics, say
    # The count a reader came for comes second, next to the name, as on the pages.
    header = ["Layer", "Params"] + (["Non-trainable"] if split else [])
    header += ["Formula", "With numbers"]
    body = []
    for row in rows:
        counts = [row.value] + ([row.non_trainable or "-"] if split else [])
        body.append(
            [row.layer, *counts, row.symbolic + (" *" if row.fallback else ""), row.substituted]
        )
    total = [format_count(report.totals.params)]
    total += [format_count(report.totals.non_trainable)] if split else []
    body.append(["Total", *total, "", ""])
    counted = len(total)
    wrap = {counted + 1: WRAP, counted + 2: WRAP}
    lines = table_lines(header, body, right_aligned=set(range(1, counted + 1)), wrap=wrap)
    if any(row.fallback for row in rows):
        lines.append("* no named formula for this layer: the exact sum of its weight shapes")
    lines += [
        f"formula disagreed, exact sum shown: {text}" for text in report.formula_disagreements
    ]
    return "\n".join(lines) + "\n"


#: Widest a long cell (a formula, a list of sources) may be before it wraps onto more lines.
WRAP = 44


def table_lines(
    header: list[str],
    body: list[list[str]],
    right_aligned: set[int],
    wrap: dict[int, int] | None = None,
) -> list[str]:
    """A plain-text table; cells of the ``wrap`` columns longer than the given width are
    broken after ``+`` or ``,`` (else at a space) onto lines of their own."""
    wrap = wrap or {}
    rows = [
        [_wrapped(cell, wrap[index]) if index in wrap else [cell] for index, cell in enumerate(row)]
        for row in body
    ]
    widths = [
        max([len(header[i])] + [len(part) for row in rows for part in row[i]])
        for i in range(len(header))
    ]

    def line(cells: list[str]) -> str:
        padded = [
            cell.rjust(width) if index in right_aligned else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths))
        ]
        return "  ".join(padded).rstrip()

    def row_lines(row: list[list[str]]) -> list[str]:
        height = max(len(parts) for parts in row)
        return [line([parts[n] if n < len(parts) else "" for parts in row]) for n in range(height)]

    rule = "  ".join("-" * width for width in widths)
    body_lines = [text for row in rows for text in row_lines(row)]
    return [rule.replace("-", "="), line(header), rule, *body_lines, rule]


def _wrapped(cell: str, width: int) -> list[str]:
    """``cell`` in pieces of at most ``width`` characters, broken after a ``+`` or ``,``
    outside brackets where it can be, else at a space."""
    lines: list[str] = []
    rest = cell
    while len(rest) > width:
        cut = _break(rest, width)
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [*lines, rest]


def _break(text: str, width: int) -> int:
    depth, best, space = 0, 0, 0
    for index, char in enumerate(text[: width + 1]):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == " " and index:
            space = index
            if depth == 0 and text[index - 1] in "+,":
                best = index
    return best or space or width
