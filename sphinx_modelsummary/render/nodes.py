"""Docutils nodes for the summary, formula and comparison tables, and the totals line.

A table is one small :class:`model_table` node that holds its rows as strings
(from ``render/rows.py``), the way ``sphinx.ext.graphviz`` keeps one node per
graph: Sphinx's transforms have nothing to walk, and each builder renders the
rows in its own visitor (``sphinx/nodes.py``). Builders without a visitor get
the same rows as a plain docutils table (:func:`docutils_table`). Everything
that came from the model is data: each visitor escapes it for its format.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from docutils import nodes

from ..compare import Comparison
from ..costs import Costs
from ..report import ModelReport, format_count
from .compare import COLUMN_TITLES as COMPARE_TITLES
from .compare import compare_lines, explanations, totals_line
from .rows import (
    COLUMN_TITLES,
    NUMERIC_COLUMNS,
    cost_lines,
    formula_rows,
    summary_rows,
    totals_lines,
)

INDENT = "\u00a0\u00a0"  # no-break spaces: they survive every writer, LaTeX included

#: A cell is display text, or a formula: ``{"text": plain Unicode, "latex": ..., "note": ...}``.
Cell = str | dict


class model_table(nodes.General, nodes.Element):  # noqa: N801 - docutils node naming
    """One table of a model, rendered by each builder's visitor.

    Attributes: ``header`` (titles), ``rows`` (lists of cells), ``numeric``
    (right-aligned column indexes), ``nowrap`` (columns whose cells never wrap:
    shapes and numbers), ``widths`` (relative widths), ``row_classes`` and
    ``caption``. Its only child is one Text node with the layer names and the
    caption, so the HTML search index finds them; visitors skip it.
    """


def cell_text(cell: Cell) -> str:
    """A cell as plain Unicode (the formula's symbolic form, never LaTeX)."""
    if isinstance(cell, dict):
        return cell["text"] + cell.get("note", "")
    return cell


def table(
    header: Sequence[str],
    body: Sequence[Sequence[Cell]],
    classes: Sequence[str],
    caption: str | None = None,
    widths: Sequence[int] | None = None,
    numeric: Sequence[int] = (),
    nowrap: Sequence[int] = (),
    row_classes: Sequence[Sequence[str]] | None = None,
    name: int | None = None,
    counts: Sequence[int] = (),
) -> model_table:
    """A table node; the first column's cells (layer names) feed the search index.

    ``name`` and ``counts`` are the key columns (the layer, its parameter counts): HTML
    keeps them in view while the rest of a table wider than the page scrolls."""
    node = model_table(classes=["modelsummary", *classes])
    node["header"] = list(header)
    node["rows"] = [list(cells) for cells in body]
    node["numeric"] = sorted(set(numeric))
    node["nowrap"] = sorted(set(nowrap) | set(numeric))
    node["widths"] = list(widths or [1] * len(header))
    node["row_classes"] = [list(item) for item in row_classes] if row_classes else []
    node["caption"] = caption or ""
    node["name_column"] = name
    node["count_columns"] = list(counts)
    words = [caption or ""] + [cell_text(cells[0]) for cells in body if cells]
    node += nodes.Text(" ".join(word for word in words if word))
    return node


def table_caption(node: nodes.Element) -> str:
    """The caption, for Sphinx's references to the table (``:ref:`` with a title)."""
    return node.get("caption", "")


def docutils_table(node: model_table) -> nodes.table:
    """The same rows as a plain docutils table, for builders without a visitor (man, texinfo)."""
    header, numeric = node["header"], set(node["numeric"])
    result = nodes.table(classes=list(node["classes"]), ids=list(node["ids"]))
    result["support_smartquotes"] = False
    if node["caption"]:
        result += nodes.title(node["caption"], node["caption"])
    group = nodes.tgroup(cols=len(header))
    result += group
    for width in node["widths"]:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    head += _row(header, numeric)
    group += head
    body = nodes.tbody()
    for cells in node["rows"]:
        body += _row([cell_text(cell) for cell in cells], numeric)
    group += body
    return result


def _row(cells: Sequence[str], numeric: set[int]) -> nodes.row:
    row = nodes.row()
    for index, cell in enumerate(cells):
        entry = nodes.entry(classes=["modelsummary-number"] if index in numeric else [])
        entry += nodes.paragraph(cell, cell)
        row += entry
    return row


def summary_nodes(
    report: ModelReport,
    columns: Sequence[str],
    expand_nested: bool,
    caption: str | None,
    costs: Costs | None = None,
    max_depth: int | None = None,
    fold_repeats: bool = True,
) -> list[nodes.Node]:
    """The layer table and the totals below it (with the cost figures when costs are given)."""
    body = []
    rows = summary_rows(report, expand_nested, costs, max_depth, fold_repeats)
    for row in rows:
        cells: list[Cell] = []
        for column in columns:
            text = row.cell(column)
            if column == "layer":
                text = INDENT * row.depth + text + (f" ×{row.calls}" if row.calls > 1 else "")
            cells.append(text)
        body.append(cells)
    numeric = [index for index, column in enumerate(columns) if column in NUMERIC_COLUMNS]
    shapes = [index for index, column in enumerate(columns) if column == "output_shape"]
    widths = [{"layer": 30, "output_shape": 22, "connected_to": 24}.get(c, 11) for c in columns]
    layer_table = table(
        [COLUMN_TITLES[column] for column in columns],
        body,
        classes=["modelsummary-summary"],
        caption=caption,
        widths=widths,
        numeric=numeric,
        nowrap=shapes,
        name=columns.index("layer") if "layer" in columns else None,
        counts=[columns.index("params")] if "params" in columns else [],
    )
    layer_table["paths"] = [row.path for row in rows]  # what a diagram's boxes link to
    # HTML opens and closes composite rows (rows one deeper that follow are inside them)
    layer_table["depths"] = [row.depth for row in rows]
    layer_table["containers"] = [row.is_container for row in rows]
    layer_table["layer_column"] = columns.index("layer") if "layer" in columns else None
    return [layer_table, *totals_nodes(report, costs)]


def totals_nodes(report: ModelReport, costs: Costs | None = None) -> list[nodes.paragraph]:
    """The totals as one compact line (and the cost figures as a second one)."""
    lines = [totals_lines(report)] + ([cost_lines(costs)] if costs else [])
    return [_figures_line(pairs) for pairs in lines]


def _figures_line(pairs: Sequence[tuple[str, str]]) -> nodes.paragraph:
    """``Label: value; Label: value``, each pair kept on one line in HTML."""
    line = nodes.paragraph(classes=["modelsummary-totals"])
    for index, (label, value) in enumerate(pairs):
        if index:
            line += nodes.Text("; ")
        item = nodes.inline(classes=["modelsummary-figure"])
        item += nodes.Text(f"{label}: ")
        item += nodes.inline(value, value, classes=["modelsummary-value"])
        line += item
    return line


def formulas_nodes(
    report: ModelReport,
    caption: str | None,
    expand_nested: bool = True,
    max_depth: int | None = None,
    fold_repeats: bool = True,
) -> list[nodes.Node]:
    """One row per weighted layer: its count next to its name, then formula and numbers put in;
    then the total. The count comes first so that long formulas never push it off the page."""
    rows = formula_rows(report, expand_nested, max_depth, fold_repeats)
    frozen = any(row.non_trainable for row in rows)  # batch norms' moving statistics, say
    body: list[list[Cell]] = []
    for row in rows:
        formula: dict[str, Any] = {"text": row.symbolic, "latex": row.latex}
        if row.fallback:
            formula["note"] = " (sum of weights)"
        counts = [row.value] + ([row.non_trainable] if frozen else [])
        body.append([row.layer, *counts, formula, row.substituted])
    totals = [format_count(report.totals.params)]
    totals += [format_count(report.totals.non_trainable)] if frozen else []
    body.append(["Total", *totals, "", ""])
    counts = list(range(1, len(totals) + 1))
    header = ["Layer", "Params", *(["Non-trainable"] if frozen else []), "Formula", "With numbers"]
    return [
        table(
            header,
            body,
            classes=["modelsummary-formulas"],
            caption=caption,
            widths=[28, 12, *([12] if frozen else []), 30, 36],
            numeric=counts,
            row_classes=[[] for _ in rows] + [["modelsummary-total"]],
            name=0,
            counts=counts,
        )
    ]


def compare_nodes(
    comparison: Comparison,
    columns: Sequence[str],
    only_differences: bool,
    caption: str | None = None,
    classes: Sequence[str] = (),
) -> list[nodes.Node]:
    """The two models side by side, the formulas of the rows whose counts differ, the totals."""
    header = (
        ["", *(f"A {COMPARE_TITLES[c]}" for c in columns)]
        + [f"B {COMPARE_TITLES[c]}" for c in columns]
        + ["Difference"]
    )
    lines = compare_lines(comparison, tuple(columns), only_differences)
    body = [[line.mark, *line.a, *line.b, line.difference] for line in lines]
    numeric = [index for index, title in enumerate(header) if title.endswith("params")]
    shapes = [index for index, title in enumerate(header) if title.endswith("shape")]
    width = {"layer": 28, "output_shape": 18, "params": 10, "input_shape": 18}
    widths = [6, *(width[c] for c in columns), *(width[c] for c in columns), 10]
    result: list[nodes.Node] = [
        table(
            header,
            body,
            classes=["modelsummary-compare", *classes],
            caption=caption,
            widths=widths,
            numeric=[*numeric, len(header) - 1],
            nowrap=[0, *shapes],
            row_classes=[[f"modelsummary-{line.status}"] for line in lines],
            name=1 if "layer" in columns else None,
            counts=[*numeric, len(header) - 1],
        )
    ]
    # HTML stacks B under A, column by column, so that both sides fit the page.
    result[0]["sides"] = len(columns)
    found = explanations(comparison)
    if found:
        items = nodes.bullet_list(classes=["modelsummary-compare-formulas"])
        for formula_a, formula_b in found:
            item = nodes.list_item()
            item += nodes.paragraph(f"A {formula_a}", f"A {formula_a}")
            item += nodes.paragraph(f"B {formula_b}", f"B {formula_b}")
            items += item
        result.append(items)
    line = totals_line(comparison)
    result.append(nodes.paragraph(line, line, classes=["modelsummary-totals"]))
    return result


def problem_node(title: str, lines: Sequence[str], detail: str | None = None) -> nodes.Element:
    """A visible box on the page where its promise was wrong or its model failed."""
    box = nodes.admonition(classes=["modelsummary-problem", "error"])
    box += nodes.title(title, title)
    for line in lines:
        box += nodes.paragraph(line, line)
    if detail:
        box += nodes.literal_block(detail, detail)
    return box
