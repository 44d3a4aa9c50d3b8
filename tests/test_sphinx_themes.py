"""The tables and diagrams in the themes people use: furo, Read the Docs, alabaster and pydata."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

THEMES = ["furo", "sphinx_rtd_theme", "alabaster", "pydata_sphinx_theme"]
TOOLS = Path(__file__).resolve().parent.parent / "tools"


@pytest.mark.parametrize("theme", THEMES)
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
    assert page.select_one("div.modelsummary-scroll table.modelsummary-summary")
    assert page.select_one("table.modelsummary-summary td.modelsummary-number")
    assert page.select_one("img.modelsummary-diagram")
    css = (app.outdir / "_static" / "modelsummary.css").read_text()
    assert "var(--color-problematic" in css  # follows the theme's colours, dark mode included


def _browser_missing() -> str:
    if importlib.util.find_spec("playwright") is None:
        return "Python playwright is not installed (pip install playwright)"
    if not os.path.exists("/usr/bin/chromium"):
        return "Chromium is not installed at /usr/bin/chromium (apt-get install chromium)"
    return ""


@pytest.mark.skipif(bool(_browser_missing()), reason=_browser_missing() or "browser present")
def test_tables_fit_in_a_real_browser_in_every_theme_light_and_dark(rootdir, tmp_path):
    """Chromium at 1400 and 800 px: no overflow, no wrapped shape, numbers right-aligned."""
    sys.path.insert(0, str(TOOLS))
    try:
        import screenshots
    finally:
        sys.path.remove(str(TOOLS))
    cache = tmp_path / "cache"
    folders = {
        theme: screenshots.build(rootdir / "test-pages", theme, tmp_path, tmp_path / "dt", cache)
        for theme in THEMES
    }
    report = screenshots.look(folders)
    assert report.pages == 4  # one page in each theme
    assert report.views == 12  # seen light in 4 themes and dark in 2, at 2 widths
    assert report.problems == []
