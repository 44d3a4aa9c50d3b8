"""Tables a reader can read (#24): formulas without LaTeX residue, key numbers on screen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sphinx_modelsummary.render.formula_html import latex_to_html
from sphinx_modelsummary.render.rows import formula_rows
from sphinx_modelsummary.report import ModelReport

DOCS_MODELS = Path(__file__).resolve().parent.parent / "docs" / "_models"


def _docs_reports() -> list[ModelReport]:
    """Every model report the docs site renders, from its committed snapshot."""
    return [
        ModelReport.from_dict(json.loads(path.read_text(encoding="utf-8"))["report"])
        for path in sorted(DOCS_MODELS.glob("*.json"))
    ]


def test_no_html_formula_of_the_docs_models_keeps_a_backslash():
    """``\\mathit{input\\_dim}`` (Keras Embedding) once showed as ``input\\_dim`` in HTML."""
    formulas = {row.latex for report in _docs_reports() for row in formula_rows(report)}
    assert len(formulas) >= 16  # every distinct formula of the docs, not a handful
    assert any(r"\_" in latex for latex in formulas)  # the case that went wrong is among them
    leftovers = {latex: latex_to_html(latex) for latex in formulas if "\\" in latex_to_html(latex)}
    assert leftovers == {}


@pytest.mark.parametrize(
    ("latex", "shown"),
    [
        (r"\mathit{input\_dim} \cdot \mathit{output\_dim}", "<i>input_dim</i> · <i>output_dim</i>"),
        (r"\text{a\{b\}}", "a{b}"),
    ],
)
def test_escaped_characters_inside_names_show_as_themselves(latex, shown):
    assert latex_to_html(latex) == shown
