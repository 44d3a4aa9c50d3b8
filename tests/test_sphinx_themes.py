"""The tables and diagrams in the themes people use: furo, Read the Docs and alabaster."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup


@pytest.mark.parametrize("theme", ["furo", "sphinx_rtd_theme", "alabaster"])
def test_pages_build_in_each_theme_with_our_stylesheet(make_app, rootdir, tmp_path, theme):
    source = tmp_path / theme
    source.mkdir()
    (source / "conf.py").write_text('extensions = ["sphinx_modelsummary"]\n')
    (source / "index.rst").write_text(
        "Themes\n======\n\n"
        ".. model-summary:: example_project.fire:fire_module_functional\n"
        "   :expect-params: 32,624\n\n"
        ".. model-diagram:: example_project.basics:rgb_conv\n"
    )
    app = make_app("html", srcdir=source, confoverrides={"html_theme": theme})
    app.build()
    assert app.statuscode == 0
    page = BeautifulSoup((app.outdir / "index.html").read_text(encoding="utf-8"), "html.parser")
    stylesheets = [link["href"] for link in page.select("link[rel=stylesheet]")]
    assert any("modelsummary.css" in href for href in stylesheets)
    assert page.select_one("table.modelsummary-summary td.modelsummary-number")
    assert page.select_one("img.modelsummary-diagram")
    css = (app.outdir / "_static" / "modelsummary.css").read_text()
    assert "var(--color-problematic" in css  # follows the theme's colours, dark mode included
