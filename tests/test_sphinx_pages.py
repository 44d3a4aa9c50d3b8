"""The tables in every builder: HTML, LaTeX built to PDF, text, man, and the search index."""

from __future__ import annotations

import json
import pickle
import re
import shutil
import subprocess

import pytest
from bs4 import BeautifulSoup
from docutils import nodes
from sphinx_helpers import warnings_of

from sphinx_modelsummary.render.nodes import model_table


def html_of(app, docname: str = "index") -> BeautifulSoup:
    html = (app.outdir / f"{docname}.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser")


@pytest.mark.sphinx("html", testroot="pages", freshenv=True)
def test_html_tables_scroll_keep_shapes_on_one_line_and_right_align_numbers(app):
    app.build()
    assert app.statuscode == 0, warnings_of(app)
    page = html_of(app)
    tables = page.select("table.modelsummary")
    assert len(tables) == 3
    for table in tables:  # each in its own horizontally scrollable container
        assert "modelsummary-scroll" in table.parent["class"]
    summary = page.select_one("table.modelsummary-summary")
    headers = [th.get_text() for th in summary.select("thead th")]
    params = headers.index("Params")
    shape = headers.index("Output shape")
    rows = summary.select("tbody tr")
    assert len(rows) == 10
    for row in rows:
        cells = row.select("td")
        assert cells[params]["class"] == ["modelsummary-number", "modelsummary-nowrap"]
        assert cells[shape]["class"] == ["modelsummary-nowrap"]
    assert rows[5].select("td")[params].get_text() == "32,032"
    compare = page.select_one("table.modelsummary-compare")
    right = [th.get_text() for th in compare.select("thead th.modelsummary-number")]
    assert right == ["A params", "B params", "Difference"]
    css = (app.outdir / "_static" / "modelsummary.css").read_text()
    assert re.search(r"\.modelsummary-number \{\s*text-align: right;", css)
    assert re.search(r"\.modelsummary-nowrap \{\s*white-space: nowrap;", css)
    assert re.search(r"\.modelsummary-scroll \{[^}]*overflow-x: auto;", css)


@pytest.mark.sphinx("html", testroot="pages", freshenv=True)
def test_totals_are_one_compact_line(app):
    app.build()
    totals = html_of(app).select(".modelsummary-totals")
    assert [line.name for line in totals[:1]] == ["p"]
    text = " ".join(totals[0].get_text().split())
    assert text == (
        "Total params: 32,624 (127.44 KB); Trainable params: 32,480 (126.88 KB); "
        "Non-trainable params: 144 (576 B)"
    )


@pytest.mark.sphinx("html", testroot="pages", freshenv=True)
def test_formulas_are_html_without_mathjax_by_default(app):
    app.build()
    page = html_of(app)
    formulas = page.select_one("table.modelsummary-formulas")
    cell = formulas.select("tbody tr")[0].select("td")[-2]  # Layer, Params, Formula, With numbers
    assert str(cell.select_one(".modelsummary-formula")) == (
        '<span class="modelsummary-formula">(<i>k</i><sub><i>d</i></sub> · <i>k</i><sub><i>h'
        "</i></sub> · <i>k</i><sub><i>w</i></sub> · <i>c</i><sub><i>in</i></sub> + 1) · "
        "<i>f</i></span>"
    )
    assert "\\(" not in formulas.get_text() and "\\cdot" not in str(page)
    assert not [s for s in page.select("script") if "mathjax" in str(s.get("src", "")).lower()]


@pytest.mark.sphinx(
    "html",
    testroot="pages",
    freshenv=True,
    confoverrides={"modelsummary_formula_render": "mathjax"},
)
def test_mathjax_render_is_chosen_by_a_config_value(app):
    app.build()
    page = html_of(app)
    cell = page.select_one("table.modelsummary-formulas tbody tr").select("td")[-2]
    assert cell.get_text() == r"\((k_d \cdot k_h \cdot k_w \cdot c_{in} + 1) \cdot f\)"
    assert [s for s in page.select("script") if "mathjax" in str(s.get("src", "")).lower()]


@pytest.mark.sphinx("html", testroot="pages", freshenv=True)
def test_search_index_finds_layer_names(app):
    app.build()
    text = (app.outdir / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    for name in ("fire_expand_2_conv", "fire_squeeze_1_batch_norm", "conv3d_2"):
        assert name in index["terms"], name
        assert index["terms"][name] == 0  # the page "index"


@pytest.mark.sphinx("html", testroot="pages", freshenv=True)
def test_each_table_is_one_node_that_transforms_need_not_walk(app):
    app.build()
    with open(app.doctreedir / "index.doctree", "rb") as file:
        doctree = pickle.load(file)
    assert len(list(doctree.findall(model_table))) == 3
    assert list(doctree.findall(nodes.table)) == []
    assert list(doctree.findall(nodes.entry)) == []
    for table in doctree.findall(model_table):
        assert len(table.children) == 1 and isinstance(table[0], nodes.Text)


@pytest.mark.sphinx("text", testroot="pages", freshenv=True)
def test_text_builder_prints_plain_unicode_formulas_and_right_aligned_numbers(app):
    app.build()
    assert app.statuscode == 0, warnings_of(app)
    text = (app.outdir / "index.txt").read_text(encoding="utf-8")
    assert "\\" not in text
    assert "(k_d·k_h·k_w·c_in + 1)·f" in text
    lines = text.splitlines()
    squeeze = next(line for line in lines if line.startswith("fire_squeeze_1_conv (Conv3D)"))
    expand = next(line for line in lines if line.startswith("fire_expand_2_conv (Conv3D)"))
    # Right-aligned: the counts end in the same column.
    assert squeeze.index(" 16 ") + 3 == expand.index("32,032 ") + 6
    assert "Total params: 32,624 (127.44 KB); Trainable params: 32,480" in " ".join(lines)


@pytest.mark.sphinx("man", testroot="pages", freshenv=True)
def test_builders_without_a_visitor_get_a_plain_table(app):
    app.build()
    assert app.statuscode == 0, warnings_of(app)
    page = next(app.outdir.glob("*.1")).read_text(encoding="utf-8")
    assert "fire_expand_2_conv (Conv3D)" in page and "32,032" in page
    assert "(k_d·k_h·k_w·c_in + 1)·f" in page


def _column_specs(spec: str) -> list[str]:
    """``p{...}lr`` (with ``>{...}`` prefixes) → ``["p", "l", "r"]``."""
    return list(re.sub(r"p\{[^}]*\}", "p", re.sub(r">\{[^}]*\}", "", spec)))


@pytest.mark.sphinx("latex", testroot="pages", freshenv=True)
def test_latex_tables_too_wide_for_the_page_wrap_names_never_shapes(app):
    app.build()
    tex = (app.outdir / "pages.tex").read_text(encoding="utf-8")
    spec = re.search(r"\\begin\{longtable\}\{@\{\}(.*?)@\{\}\}\n\\caption\{The functional", tex)
    assert spec, tex
    columns = _column_specs(spec.group(1))
    # Layer (type), Output shape, Params, Connected to, Trainable: only the names wrap
    assert columns == ["p", "l", "r", "p", "l"], spec.group(1)


ENGINES = {"pdflatex": "-pdf", "xelatex": "-pdfxe", "lualatex": "-pdflua"}


def _has_font(family: str) -> bool:
    if shutil.which("fc-list") is None:
        return False
    listed = subprocess.run(["fc-list", family], capture_output=True, text=True).stdout
    return bool(listed.strip())


@pytest.mark.parametrize("engine", list(ENGINES))
def test_latex_builds_to_pdf(make_app, rootdir, tmp_path, engine):
    if shutil.which("latexmk") is None or shutil.which(engine) is None:
        pytest.skip(f"{engine} and latexmk are not installed (apt-get install latexmk texlive)")
    if engine != "pdflatex" and not _has_font("FreeSerif"):
        pytest.skip(f"{engine} needs the FreeSerif font (apt-get install fonts-freefont-otf)")
    source = tmp_path / "pages"
    shutil.copytree(rootdir / "test-pages", source)
    app = make_app("latex", srcdir=source, confoverrides={"latex_engine": engine})
    app.build()
    assert app.statuscode == 0, warnings_of(app)
    tex = (app.outdir / "pages.tex").read_text(encoding="utf-8")
    assert "≠" not in tex and "\\ensuremath{\\neq}" in tex
    assert tex.count("\\begin{longtable}") == 3 and tex.count("\\endhead") == 3
    # :name: labels the table itself (after its caption), so :numref: gives its number.
    assert "\\caption{The functional FireModule}\\label{\\detokenize{index:fire}}" in tex
    summary = re.search(r"\\begin\{longtable\}\{@\{\}(.*?)@\{\}\}\n\\caption\{The functional", tex)
    assert summary and "r" in summary.group(1), tex  # the Params column is right-aligned
    done = subprocess.run(
        ["latexmk", ENGINES[engine], "-interaction=nonstopmode", "-halt-on-error", "pages.tex"],
        cwd=app.outdir,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert (app.outdir / "pages.pdf").stat().st_size > 10_000


@pytest.mark.parametrize("engine", ["pdflatex", "xelatex"])
def test_names_pdflatex_cannot_set_stay_distinct_and_are_reported(
    make_app, rootdir, tmp_path, engine
):
    """层1 and 块1 once both read ?1 in the PDF, silently (and a comparison's formula lines
    stopped pdflatex): pdflatex now prints their code points and says at the directive's
    line to use xelatex or lualatex; those print them."""
    source = tmp_path / "names"
    shutil.copytree(rootdir / "test-latex-names", source)
    app = make_app("latex", srcdir=source, confoverrides={"latex_engine": engine})
    app.build()
    warnings = re.findall(r"index\.rst:(\d+): WARNING: (.*)", warnings_of(app))
    tex = (app.outdir / "names.tex").read_text(encoding="utf-8")
    if engine == "xelatex":
        assert warnings == []
        assert "层1 (Linear)" in tex and "块1 (Linear)" in tex
        return
    told = (
        "pdflatex cannot set the characters of '层1 (Linear)', '块1 (Linear)': they are written "
        "as code points ([U+5C42]1 (Linear)); set latex_engine = 'xelatex' or 'lualatex' in "
        "conf.py (with a font that has them) to print them [modelsummary.latex]"
    )
    assert warnings == [("4", told), ("14", told)]  # the summary, the comparison
    if not all(shutil.which(tool) for tool in ("latexmk", "pdflatex", "pdftotext")):
        pytest.skip("latexmk, pdflatex and pdftotext are not installed (texlive, poppler-utils)")
    done = subprocess.run(
        ["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "names.tex"],
        cwd=app.outdir,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    pdf = subprocess.run(
        ["pdftotext", "-layout", "names.pdf", "-"],
        cwd=app.outdir,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    names = re.findall(r"(\S+) \(Linear\)", pdf)
    cjk = ["[U+5C42]1", "[U+5757]1"]
    assert names == [*cjk, "layer_1", "block_1", *(name for name in cjk for _ in "AB")], pdf
    formulas = re.findall(r"([AB] \S+: \(\d \+ 1\)·\d = \d+)", pdf)
    assert formulas == [
        "A [U+5C42]1: (4 + 1)·3 = 15",
        "B [U+5C42]1: (4 + 1)·5 = 25",
        "A [U+5757]1: (3 + 1)·2 = 8",
        "B [U+5757]1: (5 + 1)·2 = 12",
    ], pdf
