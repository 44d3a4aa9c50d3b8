"""What the Sphinx tests read from a test app: its warnings, and the totals a page shows."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup


def warnings_of(app) -> str:
    """The app's warning stream without colour codes."""
    return re.sub(r"\x1b\[[0-9;]*m", "", app._warning.getvalue())


def totals_of(html: str) -> list[dict[str, str]]:
    """Each totals block of an HTML page, in page order: ``{"Total params": "15 (60 B)"}``."""
    page = BeautifulSoup(html, "html.parser")
    blocks = []
    for block in page.select(".modelsummary-totals"):
        figures = block.select(".modelsummary-figure")
        if figures:  # <span class="modelsummary-figure">Label: <span ...-value>value</span>
            pairs = [
                (
                    figure.get_text(strip=True).split(":", 1)[0],
                    figure.select_one(".modelsummary-value").get_text(" ", strip=True),
                )
                for figure in figures
            ]
        else:  # a field list: <dt>Label:</dt><dd>value</dd>
            labels = [dt.get_text(strip=True).rstrip(":") for dt in block.find_all("dt")]
            values = [dd.get_text(" ", strip=True) for dd in block.find_all("dd")]
            pairs = list(zip(labels, values, strict=True))
        if pairs:
            blocks.append(dict(pairs))
    return blocks


def latex_tables(tex: str) -> list[list[list[str]]]:
    """Each table of a LaTeX file as rows of cell texts (header first), markup stripped."""
    tables = []
    pattern = r"\\begin\{(longtable|tabulary|tabular)\}(?:\{[^\n]*\})?\n(.*?)\\end\{\1\}"
    for match in re.finditer(pattern, tex, re.DOTALL):
        body = re.sub(r"\\caption\{.*?\}\\\\", "", match.group(2))
        head, _, rest = body.partition(r"\endfirsthead")
        if rest:  # a running head is repeated: keep the first, then what follows the foot
            rest = re.split(r"\\end(?:last)?foot|\\sphinxtableatstartofbodyhook", rest)[-1]
        else:
            head, rest = "", body
        rows = [_latex_row(row) for row in re.split(r"\\\\\s*(?:\n|$)", head + "\\\\\n" + rest)]
        tables.append([row for row in rows if any(row)])
    return tables


def _latex_row(row: str) -> list[str]:
    return [_latex_text(cell) for cell in re.split(r"(?<!\\)&", row)]


_VARWIDTH = r"\\(begin|end)\{varwidth\}(\[t\])?(\{\\sphinxcolwidth\{\d+\}\{\d+\}\})?%?"


def _latex_text(cell: str) -> str:
    cell = cell.replace(r"\sphinxhyphen{}", "-").replace(r"\ensuremath{\cdot}", "·")
    cell = cell.replace(r"\allowbreak{}", "")  # where long layer paths may break
    cell = re.sub(_VARWIDTH, "", cell)
    for _ in range(2):  # \textbf{\texttt{...}}
        cell = re.sub(
            r"\\(?:sphinx(?:style)?(?:strong|stylestrong)|textbf|texttt)\{([^{}]*)\}", r"\1", cell
        )
    cell = re.sub(r"\\(sphinx\w+|hline|cline\{[^}]*\}|multicolumn\{[^}]*\}\{[^}]*\})", " ", cell)
    return " ".join(cell.split()).replace(r"\_", "_")
