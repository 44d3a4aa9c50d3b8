"""A diagram's boxes link to their summary rows and back, with a formula tooltip (#23).

Through real builds of ``tests/roots/test-diagram-links``: in HTML a diagram
whose model has a summary on the same page is an inline SVG whose boxes link to
the rows, and the rows link back; every box has a ``<title>`` with its formula
and exact count. Without the summary, and in LaTeX and text, the figure is the
plain image it was.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from bs4 import BeautifulSoup

from sphinx_modelsummary.report import format_count

FIRE = "example_project.fire:fire_module_functional"


def page_of(app, name: str) -> BeautifulSoup:
    return BeautifulSoup((app.outdir / f"{name}.html").read_text(encoding="utf-8"), "html.parser")


def box_titles(svg) -> dict[str, list[str]]:
    """Each box's tooltip lines, by the layer path its first line names."""
    titles = {}
    for box in svg.select("g.modelsummary-box"):
        lines = box.find("title").get_text().split("\n")
        titles[lines[0].rsplit(" (", 1)[0]] = lines
    return titles


@pytest.mark.sphinx("html", testroot="diagram-links", freshenv=True)
def test_each_box_links_to_its_row_and_the_row_back(app, report_of):
    app.build()
    page = page_of(app, "index")
    ids = [tag["id"] for tag in page.find_all(id=True)]
    assert [name for name, count in Counter(ids).items() if count > 1] == []
    assert page.select("img.modelsummary-diagram") == []
    first, second = page.select("svg.modelsummary-diagram")
    fire, rgb, fire_again = page.select("table.modelsummary-summary")
    report = report_of(FIRE)
    top = [layer for layer in report.layers if layer.depth == 0]
    for svg in (first, second):
        boxes = svg.select("g.modelsummary-box")
        assert len(boxes) == len(top)
        for box in boxes:
            link = box.find_parent("a")
            assert link is not None, box
            target = page.find(id=link["href"].removeprefix("#"))
            # the first summary of the same model, never the other model's table
            assert target is not None and target.name == "tr"
            assert target.find_parent("table") is fire
        titles = box_titles(svg)
        for layer in top:
            lines = titles[layer.path]
            assert f"{format_count(layer.params)} params" in lines[-1]
            if layer.formula is not None:
                assert layer.formula.symbolic in lines
    # each row of the first summary links back to a box of the first diagram
    rows = fire.select("tbody tr")
    assert len(rows) == len(top)
    for row in rows:
        (link,) = row.select("a.modelsummary-box-link")
        box = page.find(id=link["href"].removeprefix("#"))
        assert box is not None and "modelsummary-box" in box["class"]
        assert box.find_parent("svg") is first
        assert row.find("td").get_text().startswith(link.get_text())
    assert rgb.select("a") == [] and rgb.select("tr[id]") == []
    assert len(fire_again.select("a.modelsummary-box-link")) == len(top)
    # the figure still carries its drawing: every label, once per diagram, and each of its
    # references (clip paths) names an id of its own copy
    for svg in (first, second):
        texts = [text.get_text() for text in svg.select("text")]
        assert all(layer.name in texts for layer in top)
        own = {tag["id"] for tag in svg.find_all(id=True)}
        references = re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', str(svg))
        assert references and {a or b for a, b in references} <= own | set(ids)
        assert {a for a, _ in references if a} <= own


@pytest.mark.sphinx("html", testroot="diagram-links", freshenv=True)
def test_a_page_without_the_summary_has_no_links(app):
    app.build()
    page = page_of(app, "alone")
    assert page.select("a.modelsummary-box-link") == []
    assert page.select("table.modelsummary tr[id]") == []
    (image,) = page.select("img.modelsummary-diagram")
    assert image["src"].endswith(".svg")
    assert page.select("svg.modelsummary-diagram") == []


@pytest.mark.sphinx("html", testroot="diagram-links", freshenv=True)
def test_hostile_layer_names_are_escaped(app):
    app.build()
    html = (app.outdir / "hostile.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and '<b>"' not in html
    page = BeautifulSoup(html, "html.parser")
    (svg,) = page.select("svg.modelsummary-diagram")
    assert svg["aria-label"] == 'A \\1 back\\slash, <alt> & "quotes"'
    titles = box_titles(svg)
    names = ["in<put>", 'say "hi" & <b>', "it's <script>alert(1)<script>&amp;"]
    assert set(titles) == set(names)
    ids = [tag["id"] for tag in page.find_all(id=True)]
    assert len(ids) == len(set(ids))
    for tag in svg.select("a[href]"):
        assert page.find(id=tag["href"].removeprefix("#")) is not None
    assert len(svg.select("a[href]")) == 3
    links = page.select("a.modelsummary-box-link")
    assert [link.get_text().rsplit(" (", 1)[0] for link in links] == names
    texts = [text.get_text() for text in svg.select("text")]
    assert all(name in texts for name in names)


@pytest.mark.sphinx("latex", testroot="diagram-links", freshenv=True)
def test_latex_keeps_the_plain_figure(app):
    app.build()
    (tex,) = [path for path in app.outdir.glob("*.tex") if path.name != "sphinxmessages.tex"]
    text = tex.read_text(encoding="utf-8")
    # the six diagrams of the four pages, each its PDF, with nothing of the HTML links
    assert len(re.findall(r"\\sphinxincludegraphics[^\n]*\{\{model-[0-9a-f]+\}\.pdf\}", text)) == 6
    assert "modelsummary-box" not in text and "modelsummary-row" not in text


@pytest.mark.sphinx("text", testroot="diagram-links", freshenv=True)
def test_text_keeps_the_alt_text(app):
    app.build()
    text = (app.outdir / "index.txt").read_text(encoding="utf-8")
    assert text.count("[image: ") == 2
    assert "modelsummary-" not in text and "<svg" not in text


@pytest.mark.sphinx("html", testroot="diagram-links", freshenv=True)
def test_a_box_inside_a_folded_model_links_to_the_models_row(app, report_of):
    """The figure opens the nested model, the table does not: its boxes link to its row.
    The same figure as PNG stays a plain image."""
    app.build()
    page = page_of(app, "nested")
    report = report_of("example_project.fire:FireModuleWithSlip", [(None, 128, 128, 50, 1)])
    (svg,) = page.select("svg.modelsummary-diagram")
    table, opened = page.select("table.modelsummary-summary")
    (png,) = page.select("img.modelsummary-diagram")  # a PNG cannot carry links
    assert png["src"].endswith(".png") and png.find_parent("a") is None
    row_of = {
        row["id"]: row.find("td").get_text().split(" (")[0] for row in table.select("tbody tr")
    }
    nested = {layer.path for layer in report.layers if layer.depth == 1}
    parents = {layer.path: layer.parent for layer in report.layers}
    assert nested
    linked = 0
    for box in svg.select("g.modelsummary-box"):
        path = box.find("title").get_text().split("\n")[0].rsplit(" (", 1)[0]
        if path not in parents:  # the model's input: no layer, no row, no link
            assert box.find_parent("a") is None
            continue
        href = box.find_parent("a")["href"].removeprefix("#")
        name = row_of[href]
        if path in nested:
            assert name == report.layer(parents[path]).name
            linked += 1
        else:
            assert name == report.layer(path).name
    assert linked > 0
    # a nested model is drawn open, as a frame: its row links to the frame, and the frame
    # (where no box of it covers it) to the row
    folded = {report.layer(path).name for path in {parents[p] for p in nested}}
    frames = svg.select("g.modelsummary-frame")
    assert len(frames) == len(folded)
    for frame in frames:
        name = report.layer(frame.find("title").get_text().split("\n")[0].rsplit(" (", 1)[0]).name
        assert name in folded and row_of[frame.find_parent("a")["href"][1:]] == name
    drawn_paths = [
        area.find("title").get_text().split("\n")[0].rsplit(" (", 1)[0]
        for area in svg.select("g.modelsummary-box, g.modelsummary-frame")
    ]
    drawn = {report.layer(path).name for path in drawn_paths if path in parents}
    for each in (table, opened):
        for row in each.select("tbody tr"):
            name = row.find("td").get_text().strip().split(" (")[0]
            links = row.select("a.modelsummary-box-link")
            if name not in drawn:  # never called and no weights: not drawn, nothing to show
                assert links == [] and "(not called)" in row.get_text()
                continue
            (link,) = links
            target = page.find(id=link["href"][1:])
            kind = "modelsummary-frame" if name in folded else "modelsummary-box"
            assert kind in target["class"] and target.find_parent("svg") is svg
