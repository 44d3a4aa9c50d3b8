"""Docutils nodes for the summary and formula tables.

Real ``table`` nodes, so the HTML, LaTeX and text builders all render them.
Everything that came from the model (layer names, captions) goes into
``Text`` nodes, which every writer escapes.
"""

from __future__ import annotations

from collections.abc import Sequence

from docutils import nodes

from ..costs import Costs
from ..report import ModelReport, format_count
from .rows import (
    COLUMN_TITLES,
    NUMERIC_COLUMNS,
    cost_lines,
    formula_rows,
    summary_rows,
    totals_lines,
)

INDENT = "\u00a0\u00a0"  # no-break spaces: they survive every writer, LaTeX included


def table(
    header: Sequence[str],
    body: Sequence[Sequence[nodes.Node | str]],
    classes: Sequence[str],
    caption: str | None = None,
    widths: Sequence[int] | None = None,
    numeric: Sequence[int] = (),
    row_classes: Sequence[Sequence[str]] | None = None,
) -> nodes.table:
    """A docutils table; cells are strings or ready-made inline nodes."""
    result = nodes.table(classes=["modelsummary", *classes])
    # Names and shapes are data: never curl their quotes (and skip that costly pass).
    result["support_smartquotes"] = False
    if caption:
        result += nodes.title(caption, caption)
    group = nodes.tgroup(cols=len(header))
    result += group
    for width in widths or [1] * len(header):
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    head += _row(header, numeric)
    group += head
    tbody = nodes.tbody()
    for index, cells in enumerate(body):
        row = _row(cells, numeric)
        row["classes"].extend(row_classes[index] if row_classes else ())
        tbody += row
    group += tbody
    return result


def _row(cells: Sequence[nodes.Node | str], numeric: Sequence[int]) -> nodes.row:
    row = nodes.row()
    for index, cell in enumerate(cells):
        entry = nodes.entry(classes=["modelsummary-number"] if index in numeric else [])
        paragraph = nodes.paragraph()
        paragraph += nodes.Text(cell) if isinstance(cell, str) else cell
        entry += paragraph
        row += entry
    return row


def summary_nodes(
    report: ModelReport,
    columns: Sequence[str],
    expand_nested: bool,
    caption: str | None,
    costs: Costs | None = None,
) -> list[nodes.Node]:
    """The layer table and the totals below it (with the cost block when costs are given)."""
    body = []
    for row in summary_rows(report, expand_nested, costs):
        cells: list[nodes.Node | str] = []
        for column in columns:
            text = row.cell(column)
            if column == "layer":
                text = INDENT * row.depth + text + (f" ×{row.calls}" if row.calls > 1 else "")
            cells.append(text)
        body.append(cells)
    numeric = [index for index, column in enumerate(columns) if column in NUMERIC_COLUMNS]
    widths = [{"layer": 30, "output_shape": 22, "connected_to": 24}.get(c, 11) for c in columns]
    layer_table = table(
        [COLUMN_TITLES[column] for column in columns],
        body,
        classes=["modelsummary-summary"],
        caption=caption,
        widths=widths,
        numeric=numeric,
    )
    return [layer_table, totals_node(report, costs)]


def totals_node(report: ModelReport, costs: Costs | None = None) -> nodes.field_list:
    fields = nodes.field_list(classes=["modelsummary-totals"])
    for label, value in totals_lines(report) + (cost_lines(costs) if costs else []):
        field = nodes.field()
        field += nodes.field_name(label, label)
        body = nodes.field_body()
        body += nodes.paragraph(value, value)
        field += body
        fields += field
    return fields


def formulas_nodes(
    report: ModelReport, caption: str | None, expand_nested: bool = True
) -> list[nodes.Node]:
    """One row per weighted layer: formula as math, with numbers, count; then the total."""
    rows = formula_rows(report, expand_nested)
    frozen = any(row.non_trainable for row in rows)  # batch norms' moving statistics, say
    body: list[list[nodes.Node | str]] = []
    for row in rows:
        symbolic: nodes.Node = nodes.math(row.latex, row.latex)
        if row.fallback:
            symbolic = nodes.inline("", "", symbolic, nodes.Text(" (sum of weights)"))
        body.append(
            [row.layer, symbolic, row.substituted, row.value]
            + ([row.non_trainable] if frozen else [])
        )
    total = format_count(report.totals.params)
    frozen_total = format_count(report.totals.non_trainable)
    body.append(
        [nodes.strong("Total", "Total"), "", "", nodes.strong(total, total)]
        + ([nodes.strong(frozen_total, frozen_total)] if frozen else [])
    )
    header = ["Layer", "Formula", "With numbers", "Params"] + (["Non-trainable"] if frozen else [])
    return [
        table(
            header,
            body,
            classes=["modelsummary-formulas"],
            caption=caption,
            widths=[28, 30, 36, 12, 12][: len(header)],
            numeric=[3, 4][: len(header) - 3],
        )
    ]


def problem_node(title: str, lines: Sequence[str], detail: str | None = None) -> nodes.Element:
    """A visible box on the page where its promise was wrong or its model failed."""
    box = nodes.admonition(classes=["modelsummary-problem", "error"])
    box += nodes.title(title, title)
    for line in lines:
        box += nodes.paragraph(line, line)
    if detail:
        box += nodes.literal_block(detail, detail)
    return box
