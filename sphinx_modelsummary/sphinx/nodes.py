"""How each builder writes a :class:`~..render.nodes.model_table`: HTML, LaTeX and text visitors.

As ``sphinx.ext.graphviz`` does, the doctree holds one small node per table and
the visitor writes the whole table at once. HTML: a scrollable container, shapes
and numbers on one line, numbers right-aligned, formulas as HTML (or MathJax
with ``modelsummary_formula_render = "mathjax"``). LaTeX: a ``longtable`` with
repeated headers, column specs that fit the text width, numbers right-aligned and
Unicode that pdflatex cannot typeset replaced. Text: the terminal's table, with
plain-Unicode formulas. Any other builder (man, texinfo, XML...) gets the rows
as a plain docutils table from a post-transform.
"""

from __future__ import annotations

import html
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from ..render.formula_html import latex_to_html
from ..render.nodes import cell_text, docutils_table, model_table, table_caption
from ..render.text import table_lines
from .problems import ProblemKind
from .state import settings_of

logger = logging.getLogger(__name__)

#: Builder formats whose writers have a visitor below.
RENDERED_FORMATS = ("html", "latex", "text")


# --- HTML -----------------------------------------------------------------------------------


def visit_html(self: Any, node: model_table) -> None:
    mathjax = settings_of(self.config).formula_render == "mathjax"
    numeric, nowrap = set(node["numeric"]), set(node["nowrap"])
    label = html.escape(node["caption"] or "model table", quote=True)
    ids = [html.escape(name, quote=True) for name in node["ids"]]
    anchor = f' id="{ids[0]}"' if ids else ""
    self.body.append(
        f'<div class="modelsummary-scroll"{anchor} role="region" tabindex="0" '
        f'aria-label="{label}">' + "".join(f'<span id="{name}"></span>' for name in ids[1:])
    )
    classes = " ".join(["docutils", "align-default", *node["classes"]])
    sides = f' data-sides="{node["sides"]}"' if node.get("sides") else ""
    if node.get("open_depth") is not None:
        sides += f' data-open-depth="{node["open_depth"]}"'
    self.body.append(f'<table class="{html.escape(classes, quote=True)}"{sides}>\n')
    if node["caption"]:
        self.body.append("<caption>")
        self.add_fignumber(node)
        self.body.append(f'<span class="caption-text">{html.escape(node["caption"])}</span>')
        self.add_permalink_ref(node, "Link to this table")
        self.body.append("</caption>\n")
    keys = _key_attributes(node)
    head = "".join(
        f"<th{_html_classes(i, numeric, nowrap, 'head')}{keys.get(i, '')}>{html.escape(title)}</th>"
        for i, title in enumerate(node["header"])
    )
    parts = [f"<thead>\n<tr>{head}</tr>\n</thead>\n<tbody>\n"]
    row_classes = node["row_classes"]
    # set by links.LinkDiagrams when the page has a diagram of the model
    row_ids, row_links = node.get("row_ids") or [], node.get("row_links") or []
    for index, cells in enumerate(node["rows"]):
        classes = ["row-odd" if index % 2 == 0 else "row-even"]
        classes += row_classes[index] if index < len(row_classes) else []
        link = row_links[index] if index < len(row_links) else None
        row = "".join(
            (
                _html_shapes(cell)
                if i in nowrap and isinstance(cell, str) and _SHAPES_APART in cell
                else f"<td{_html_classes(i, numeric, nowrap)}{keys.get(i, '')}>"
                + (
                    _html_linked(cell, link)
                    if link and i == node.get("layer_column")
                    else _html_cell(cell, mathjax, shorten=i not in nowrap and i not in keys)
                )
                + "</td>"
            )
            for i, cell in enumerate(cells)
        )
        anchor = f' id="{row_ids[index]}"' if index < len(row_ids) else ""
        anchor += _html_nesting(node, index)
        parts.append(f'<tr{anchor} class="{" ".join(classes)}">{row}</tr>\n')
        if mathjax and any(isinstance(cell, dict) for cell in cells):
            self._has_maths_elements = True
    parts.append("</tbody>\n</table>\n</div>\n")
    self.body.append("".join(parts))
    raise nodes.SkipNode


def _html_nesting(node: model_table, index: int) -> str:
    """A summary row's depth, and whether it holds the rows below it (``modelsummary.js``
    opens and closes those; without JavaScript every row shows)."""
    depths, containers = node.get("depths") or [], node.get("containers") or []
    if index >= len(depths):
        return ""
    holds = containers[index] and index + 1 < len(depths) and depths[index + 1] > depths[index]
    return f' data-depth="{depths[index]}"' + (" data-holds" if holds else "")


def _key_attributes(node: model_table) -> dict[int, str]:
    """The attributes that keep the name and count columns in view when the table scrolls.

    The name sticks at the left edge; count ``k`` of ``n`` sticks ``k`` count widths right of
    the name and ``n - 1 - k`` from the right edge, so the counts never cover each other."""
    sides = node.get("sides") or 0

    def shown_at(index: int) -> int:
        """The column a cell is shown in: a compare shows B's cells under A's."""
        return index - sides if sides and index > sides else index

    counts = node.get("count_columns") or []
    places = sorted({shown_at(index) for index in counts})
    keys = {
        index: f' data-key="count" style="--ms-before: {places.index(shown_at(index))}; '
        f'--ms-after: {len(places) - 1 - places.index(shown_at(index))}"'
        for index in counts
    }
    if node.get("name_column") is not None:
        keys[node["name_column"]] = ' data-key="name"'
        if sides:
            keys[node["name_column"] + sides] = ' data-key="name"'
    return keys


#: Text cells longer than this show their first lines; the whole text is a hover away.
_LONG_CELL = 60


def _html_classes(index: int, numeric: set[int], nowrap: set[int], first: str = "") -> str:
    """` class="..."` for a cell, or nothing."""
    classes = [first] if first else []
    if index in numeric:
        classes.append("modelsummary-number")
    if index in nowrap:
        classes.append("modelsummary-nowrap")
    return f' class="{" ".join(classes)}"' if classes else ""


def _html_linked(cell: str, href: str) -> str:
    """A layer's cell linking to its box in the diagram; the indent stays outside the link."""
    name = cell.lstrip("\u00a0")
    indent = cell[: len(cell) - len(name)]
    return (
        f'{indent}<a class="modelsummary-box-link" href="{html.escape(href, quote=True)}" '
        f'title="Show in the diagram">{html.escape(name)}</a>'
    )


#: Where a cell of several shapes (a layer's inputs) may break: between two shapes.
_SHAPES_APART = "), ("


def _html_shapes(cell: str) -> str:
    """A cell of several shapes: each shape on one line, the cell wrapping between them."""
    parts = cell.split(_SHAPES_APART)
    shapes = [parts[0] + "),"] + [f"({part})," for part in parts[1:-1]] + [f"({parts[-1]}"]
    return (
        '<td class="modelsummary-shapes">'
        + " ".join(
            f'<span class="modelsummary-nowrap">{html.escape(shape)}</span>' for shape in shapes
        )
        + "</td>"
    )


def _html_cell(cell: Any, mathjax: bool, shorten: bool = False) -> str:
    if not isinstance(cell, dict):
        if shorten and len(cell) > _LONG_CELL:
            text = html.escape(cell, quote=True)
            return f'<span class="modelsummary-long" title="{text}">{text}</span>'
        return html.escape(cell)
    note = html.escape(cell.get("note", ""))
    if mathjax:
        latex = html.escape(cell["latex"])
        return f'<span class="math notranslate nohighlight">\\({latex}\\)</span>{note}'
    return f'<span class="modelsummary-formula">{latex_to_html(cell["latex"])}</span>{note}'


# --- LaTeX ----------------------------------------------------------------------------------

#: Characters pdflatex cannot typeset without extra packages, as LaTeX that every engine can.
_LATEX_UNICODE = {
    "≠": r"\ensuremath{\neq}",
    "×": r"\ensuremath{\times}",
    "·": r"\ensuremath{\cdot}",
    "−": "-",
    "…": r"\dots{}",
    "→": r"\ensuremath{\rightarrow}",
    "≤": r"\ensuremath{\leq}",
    "≥": r"\ensuremath{\geq}",
    "Σ": r"\ensuremath{\Sigma}",
    "\u2009": r"\,",
}


def latex_text(self: Any, text: str) -> str:
    """Escape for LaTeX, then make the Unicode of shapes, marks and formulas engine-safe."""
    encoded = self.encode(text)
    for char, replacement in _LATEX_UNICODE.items():
        encoded = encoded.replace(char, replacement)
    if _latin_only(self):
        # Anything else (a layer name in Greek or Chinese) would stop pdflatex: its code point,
        # so that 层1 and 块1 stay two names (brackets braced: ``\\[`` takes an argument);
        # visit_latex warns where this happens.
        encoded = _spelled(encoded, "{[}", "{]}")
    return encoded


def _latin_only(self: Any) -> bool:
    """Whether the LaTeX engine sets only Latin text (pdflatex), not any Unicode."""
    return self.config.latex_engine in ("pdflatex", "platex", "uplatex")


def _settable(char: str) -> bool:
    """Whether pdflatex sets the character (after the replacements above)."""
    return ord(char) < 0x250 or char in _LATEX_UNICODE


def _spelled(text: str, left: str = "[", right: str = "]") -> str:
    """The text with each character pdflatex cannot set written as its code point."""
    return "".join(c if _settable(c) else f"{left}U+{ord(c):04X}{right}" for c in text)


def _warn_unsettable(self: Any, node: model_table, texts: list[str]) -> None:
    """Say at the directive which names pdflatex prints as code points, and how to print them."""
    if not _latin_only(self):
        return
    found = list(dict.fromkeys(text for text in texts if _spelled(text) != text))
    if not found:
        return
    shown = ", ".join(repr(text) for text in found[:3])
    more = f" and {len(found) - 3} more" if len(found) > 3 else ""
    logger.warning(
        f"{self.config.latex_engine} cannot set the characters of {shown}{more}: they are "
        f"written as code points ({_spelled(found[0])}); set latex_engine = 'xelatex' or "
        "'lualatex' in conf.py (with a font that has them) to print them",
        location=node,
        type="modelsummary",
        subtype=str(ProblemKind.LATEX),
    )


#: Characters of average text a line holds at each size (an A4/letter text width).
_LATEX_SIZES = ((r"\small", 92), (r"\footnotesize", 108), (r"\scriptsize", 126))
#: A column's padding (``2\tabcolsep``, which does not shrink with the font) in characters.
_LATEX_PADDING = 3.5


def latex_columns(node: model_table) -> tuple[str, str]:
    r"""The font size and column specs: natural widths when the table fits the text width.

    Numbers are ``r``; shapes and names ``l`` while the whole table fits at a size
    down to ``\scriptsize``. Otherwise numbers, short columns and no-wrap columns
    (shapes) keep their natural width, and the other text columns (names, sources)
    become ragged-right ``p`` columns sharing what is left; only when even that
    leaves too little do the no-wrap columns wrap too. The table never runs off the page.
    """
    header, rows = node["header"], node["rows"]
    numeric, nowrap = set(node["numeric"]), set(node["nowrap"])
    chars = []
    for index in range(len(header)):
        widest = max(len(cell_text(row[index])) for row in [header, *rows] if index < len(row))
        monospace = index in nowrap and index not in numeric
        chars.append(widest * (1.1 if monospace else 1.0) + _LATEX_PADDING)
    needed = sum(chars)
    for size, capacity in _LATEX_SIZES:
        if needed <= capacity:
            return size, "".join("r" if i in numeric else "l" for i in range(len(header)))
    size, capacity = _LATEX_SIZES[-1]
    columns = range(len(header))
    whole = {
        i
        for i in columns
        if i in numeric or chars[i] <= 18 or (i in nowrap and chars[i] <= 0.4 * capacity)
    }
    if capacity - sum(chars[i] for i in whole) < 0.3 * capacity:
        whole = {i for i in columns if i in numeric or chars[i] <= 10 + _LATEX_PADDING}
    fixed = sum(chars[i] for i in whole)
    text = [i for i in columns if i not in whole]
    share = max(capacity - fixed, capacity * 0.3) / (sum(chars[i] for i in text) or 1)
    specs = []
    for index in columns:
        if index in whole:
            specs.append("r" if index in numeric else "l")
        else:
            fraction = max(chars[index] * share, 4) / capacity
            width = rf"\dimexpr{fraction:.3f}\linewidth-2\tabcolsep\relax"
            specs.append(rf">{{\raggedright\arraybackslash}}p{{{width}}}")
    return size, "".join(specs)


def visit_latex(self: Any, node: model_table) -> None:
    header, rows = node["header"], node["rows"]
    texts = [*header, node["caption"] or "", *(cell_text(cell) for row in rows for cell in row)]
    _warn_unsettable(self, node, texts)
    monospace = set(node["nowrap"]) - set(node["numeric"])
    size, specs = latex_columns(node)
    head = " & ".join(rf"\textbf{{{latex_text(self, title)}}}" for title in header) + r" \\"
    # A little air between rows, so that a name wrapped onto two lines reads as one row.
    out = ["\n", r"\begin{savenotes}", size, r"\renewcommand{\arraystretch}{1.25}"]
    if not node["caption"]:
        out.append(self.hypertarget_to(node, anchor=True))
    out.append(r"\setlength{\LTleft}{0pt}\setlength{\LTright}{\fill}")
    out.append(r"\begin{longtable}{@{}" + specs + r"@{}}")
    if node["caption"]:
        # The label after the caption, so that :numref: gives the table's number.
        caption = latex_text(self, node["caption"])
        out.append(rf"\caption{{{caption}}}{self.hypertarget_to(node)}\\")
    out += [r"\hline", head, r"\hline", r"\endfirsthead"]
    out += [r"\hline", head, r"\hline", r"\endhead"]
    out += [r"\hline", r"\endfoot"]
    row_classes = node["row_classes"]
    for index, cells in enumerate(rows):
        bold = index < len(row_classes) and "modelsummary-total" in row_classes[index]
        rendered = [_latex_cell(self, cell, i in monospace) for i, cell in enumerate(cells)]
        if bold:
            rendered = [rf"\textbf{{{cell}}}" if cell else cell for cell in rendered]
        out.append(" & ".join(rendered) + r" \\")
    out += [r"\end{longtable}", r"\end{savenotes}", ""]
    self.body.append("\n".join(out))
    raise nodes.SkipNode


def _latex_cell(self: Any, cell: Any, monospace: bool) -> str:
    if isinstance(cell, dict):
        note = latex_text(self, cell.get("note", ""))
        return rf"\({cell['latex']}\){note}"
    text = latex_text(self, cell)
    if monospace and text:
        return rf"\texttt{{{text}}}"
    # Long layer paths may break after an underscore or a slash in a narrow column.
    return text.replace(r"\_", r"\_\allowbreak{}").replace("/", r"/\allowbreak{}")


# --- text -----------------------------------------------------------------------------------


def visit_text(self: Any, node: model_table) -> None:
    body = [[cell_text(cell) for cell in cells] for cells in node["rows"]]
    lines = table_lines(list(node["header"]), body, right_aligned=set(node["numeric"]))
    self.new_state(0)
    if node["caption"]:
        self.add_text(node["caption"] + "\n\n")
    self.add_text("\n".join(lines))
    self.end_state(wrap=False)
    raise nodes.SkipNode


def depart_nothing(self: Any, node: nodes.Node) -> None:
    """Never called: every visitor writes the whole table and skips the node."""


# --- every other builder --------------------------------------------------------------------


class ExpandTables(SphinxPostTransform):
    """For builders without a visitor (man, texinfo, XML): the rows as a docutils table."""

    default_priority = 400

    def is_supported(self) -> bool:
        builder = self.env._builder_cls
        return builder.format not in RENDERED_FORMATS and builder.name != "modelcheck"

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(model_table)):
            node.replace_self(docutils_table(node))


class SpellForPdflatex(SphinxPostTransform):
    """pdflatex: the formula lines under a comparison name layers too; the characters it cannot
    set become code points there as in the table (whose warning names them), not a LaTeX
    error that stops the PDF."""

    default_priority = 400
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        if not _latin_only(self):
            return
        for block in self.document.findall(nodes.bullet_list):
            if "modelsummary-compare-formulas" not in block["classes"]:
                continue
            for text in list(block.findall(nodes.Text)):
                spelled = _spelled(text.astext())
                if spelled != text.astext():
                    text.parent.replace(text, nodes.Text(spelled))


def setup(app: Sphinx) -> None:
    """Register the table node with its visitors, and the fallback for other builders."""
    visitors = {
        "html": (visit_html, depart_nothing),
        "latex": (visit_latex, depart_nothing),
        "text": (visit_text, depart_nothing),
    }
    app.add_enumerable_node(model_table, "table", table_caption, **visitors)
    app.add_post_transform(ExpandTables)
    app.add_post_transform(SpellForPdflatex)
