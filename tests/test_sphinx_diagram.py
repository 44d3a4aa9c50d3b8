"""model-diagram through real Sphinx builds: files written, referenced, readable, stable."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from sphinx_helpers import warnings_of


@pytest.mark.sphinx("html", testroot="diagram", freshenv=True)
def test_diagrams_in_html(app, make_app):
    app.build()
    warnings = warnings_of(app)
    assert "index.rst:19: ERROR: model-diagram example_project.basics:rgb_conv: :direction: " in (
        warnings
    )
    assert warnings.count("ERROR") == 1
    page = BeautifulSoup((app.outdir / "index.html").read_text(encoding="utf-8"), "html.parser")
    images = page.select("img.modelsummary-diagram")
    assert [image["src"].rsplit(".", 1)[1] for image in images] == ["svg", "svg", "png"]
    assert images[0]["alt"] == (
        "Architecture of fire_module: 10 layers, 32,624 parameters, "
        "2 branches joined by Concatenate."
    )
    assert images[1]["alt"] == "The subclassed FireModule, drawn left to right"
    assert "width: 80%" in images[1]["style"]
    figure = page.select_one("figure#fire-diagram")
    assert (
        figure.select_one("figcaption").get_text(strip=True).startswith("The functional FireModule")
    )
    files = {image["src"]: (app.outdir / image["src"]).read_bytes() for image in images}
    svg = files[images[0]["src"]].decode()
    assert "fire_expand_2_conv" in svg and "32,032 params" in svg
    assert "conv3d_2" in files[images[1]["src"]].decode()
    assert files[images[2]["src"]].startswith(b"\x89PNG")

    again = make_app("html", srcdir=app.srcdir, freshenv=True)
    again.build()
    for src, content in files.items():
        assert (again.outdir / src).read_bytes() == content


@pytest.mark.sphinx("text", testroot="diagram", freshenv=True)
def test_text_builder_prints_the_alt_text(app):
    app.build()
    text = (app.outdir / "index.txt").read_text(encoding="utf-8")
    assert "Architecture of shared_base: 17 layers, 9,394,755 parameters" in text


@pytest.mark.sphinx("latex", testroot="diagram", freshenv=True)
def test_latex_gets_pdf(app):
    app.build()
    tex = next(app.outdir.glob("*.tex")).read_text(encoding="utf-8")
    included = re.findall(r"\\sphinxincludegraphics(?:\[[^\]]*\])?\{\{([^}]*)\}(\.\w+)\}", tex)
    assert [suffix for _, suffix in included] == [".pdf", ".pdf", ".pdf"]
    for stem, suffix in included:
        assert (app.outdir / f"{stem}{suffix}").read_bytes().startswith(b"%PDF")
