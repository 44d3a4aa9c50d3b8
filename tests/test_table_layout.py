"""Tables a reader can read (#24): formulas without LaTeX residue, key numbers on screen."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from sphinx_modelsummary.render.formula_html import latex_to_html
from sphinx_modelsummary.render.rows import formula_rows
from sphinx_modelsummary.report import ModelReport

DOCS = Path(__file__).resolve().parent.parent / "docs"
DOCS_MODELS = DOCS / "_models"
sys.path.insert(0, str(DOCS.parent / "tools"))
import screenshots  # noqa: E402 - tools/ is not a package

sys.path.remove(str(DOCS.parent / "tools"))
CHROMIUM = screenshots.CHROMIUM


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


@pytest.mark.skipif(
    importlib.util.find_spec("playwright") is None or not Path(CHROMIUM).exists(),
    reason="needs Python playwright and Chromium at /usr/bin/chromium",
)
def test_docs_tables_keep_their_counts_on_screen_in_every_theme(tmp_path):
    """Chromium at 1400 and 800 px over the docs site (built from its snapshot) in four themes:
    every table fits the column at 1400 px; the name and count columns and the Total row are
    inside the visible column, at 800 px also with the table scrolled to its far right."""
    folders = {
        theme: screenshots.build(DOCS, theme, tmp_path, tmp_path / "doctrees", tmp_path / "cache")
        for theme in screenshots.THEMES
    }
    report = screenshots.look(folders)
    # light in four themes and dark in two, at two widths
    assert report.views == 12 * len(screenshots.pages_of(folders["furo"]))
    assert report.problems == []


@pytest.mark.skipif(
    importlib.util.find_spec("playwright") is None or not Path(CHROMIUM).exists(),
    reason="needs Python playwright and Chromium at /usr/bin/chromium",
)
def test_composite_rows_open_and_close_and_all_show_without_javascript(tmp_path):
    """docs/models/transformer.rst gives ``:open-depth: 0``: its top-level rows show (its two
    encoder blocks folded into one), the layers inside its blocks open with a click; with
    JavaScript off every row shows."""
    from playwright.sync_api import sync_playwright

    folder = screenshots.build(DOCS, "furo", tmp_path, tmp_path / "doctrees", tmp_path / "cache")
    page = (folder / "models" / "transformer.html").as_uri()
    rows = "table.modelsummary-summary tbody tr"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=screenshots.CHROMIUM_ARGS
        )
        tab = browser.new_context(java_script_enabled=False).new_page()
        tab.goto(page)
        tab.wait_for_load_state("load")
        every = tab.locator(rows).count()
        top = tab.locator(f'{rows}[data-depth="0"]').count()
        assert tab.locator(f"{rows}:visible").count() == every == 13  # 20 rows, a block folded
        tab = browser.new_context(java_script_enabled=True).new_page()
        tab.goto(page)
        tab.wait_for_load_state("load")
        assert tab.locator(f"{rows}:visible").count() == top == 5
        toggles = tab.locator(f"{rows} button.modelsummary-toggle")
        assert toggles.count() == 2  # the embedding and the folded encoder blocks
        assert toggles.first.get_attribute("aria-expanded") == "false"
        toggles.nth(1).click()
        opened = tab.locator(f"{rows}:visible").count()
        assert top < opened < every and toggles.nth(1).get_attribute("aria-expanded") == "true"
        toggles.nth(1).click()
        assert tab.locator(f"{rows}:visible").count() == top
        browser.close()


SUMMARY = """
.. model-summary:: example_project.transformer:text_classifier
   :expand-nested:
   :fold-repeats: no
   :open-depth: {depth}
"""


@pytest.mark.parametrize("builder", ["text", "latex"])
def test_open_depth_leaves_text_and_latex_with_every_row(make_app, tmp_path, builder):
    """``:open-depth:`` is for HTML only: text and LaTeX keep all 20 rows of the transformer
    (from the docs' snapshot; no framework needed), and a depth below 0 is an error."""
    (tmp_path / "conf.py").write_text(
        "import sys\n"
        f"sys.path.append({str(DOCS.parent / 'example_project')!r})\n"
        'extensions = ["sphinx_modelsummary"]\n'
        f"modelsummary_snapshot_dir = {str(DOCS_MODELS)!r}\n"
        'modelsummary_execution_mode = "off"\n'
    )
    (tmp_path / "index.rst").write_text(
        "Rows\n====\n" + SUMMARY.format(depth=0) + SUMMARY.format(depth=-1)
    )
    app = make_app(builder, srcdir=tmp_path)
    app.build()
    warnings = app._warning.getvalue()
    assert "open-depth" in warnings and warnings.count("ERROR") == 1, warnings
    (out,) = [
        path.read_text() for path in app.outdir.glob("*.t*") if path.suffix in (".txt", ".tex")
    ]
    assert out.count("hidden (Dense)") == 2  # inside both encoder blocks, below depth 0
    assert all(name in out for name in ["token (Embedding)", "position (Embedding)"])
