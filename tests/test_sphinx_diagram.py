"""model-diagram through real Sphinx builds: files written, referenced, readable, stable."""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import time

import pytest
from bs4 import BeautifulSoup
from sphinx_helpers import warnings_of

from sphinx_modelsummary.render.diagram_graph import MAX_LENGTH


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

    # Identical across builds: another folder, no doctrees or cache to reuse, a second later.
    elsewhere = app.srcdir.parent / f"{app.srcdir.name}-again"
    shutil.copytree(app.srcdir, elsewhere, ignore=shutil.ignore_patterns("_build"))
    time.sleep(1.1)
    again = make_app("html", srcdir=elsewhere, freshenv=True)
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
    assert [suffix for _, suffix in included] == [".pdf"] * 8
    for stem, suffix in included:
        assert (app.outdir / f"{stem}{suffix}").read_bytes().startswith(b"%PDF")


def diagram_files(app) -> dict[str, bytes]:
    """The figures the build drew into the doctree folder, by file name (no hidden files)."""
    folder = app.doctreedir / "modelsummary-diagrams"
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.mark.sphinx("html", testroot="diagram", freshenv=True)
def test_layer_names_are_drawn_as_plain_text(app):
    """``$``, ``^``, ``{}`` and TeX commands in names are data, never mathtext (#16 item 4).

    The PNG is drawn on the Agg canvas, the PDF (for LaTeX) on the PDF canvas:
    each page would stop the build if any canvas parsed the names as mathtext.
    """
    app.build()
    assert "names.rst" not in warnings_of(app)
    page = BeautifulSoup((app.outdir / "names.html").read_text(encoding="utf-8"), "html.parser")
    sources = [image["src"] for image in page.select("img.modelsummary-diagram")]
    assert [src.rsplit(".", 1)[1] for src in sources] == ["svg", "png"]
    svg = BeautifulSoup((app.outdir / sources[0]).read_text(encoding="utf-8"), "html.parser")
    texts = [text.get_text() for text in svg.find_all("text")]
    for name in ("in_$x$", "price_$5_to_$6", r"tex_\frac{a}{b}_%_#_&_~", "cost_$^{2}$"):
        assert texts.count(name) == 1, name
    assert (app.outdir / sources[1]).read_bytes().startswith(b"\x89PNG")


@pytest.mark.sphinx("html", testroot="diagram", freshenv=True)
def test_empty_or_truncated_figure_is_drawn_again(app, make_app):
    """A figure file cut short by an earlier build is never published (#16 item 3)."""
    app.build()
    drawn = diagram_files(app)
    assert (
        sorted(name.rsplit(".", 1)[1] for name in drawn) == ["pdf"] * 8 + ["png"] * 2 + ["svg"] * 6
    )
    folder = app.doctreedir / "modelsummary-diagrams"
    svg_names = [name for name in drawn if name.endswith(".svg")]
    png_name = next(name for name in drawn if name.endswith(".png"))
    pdf_name = next(name for name in drawn if name.endswith(".pdf"))
    (folder / svg_names[0]).write_bytes(b"")
    (folder / svg_names[1]).write_bytes(drawn[svg_names[1]][: len(drawn[svg_names[1]]) // 2])
    (folder / png_name).write_bytes(drawn[png_name][:-20])
    (folder / pdf_name).write_bytes(drawn[pdf_name][:100])

    again = make_app("html", srcdir=app.srcdir, freshenv=True)
    again.build()
    assert diagram_files(again) == drawn
    for name in (svg_names[0], svg_names[1], png_name):
        assert (again.outdir / "_images" / name).read_bytes() == drawn[name]


def test_a_write_stopped_halfway_leaves_no_partial_file(tmp_path):
    """Stopped mid-write, a figure's final path never holds a partial file (#16 item 3).

    The child build may write at most 8 KiB per file (``RLIMIT_FSIZE``): the
    small model's cache entry and SVG fit, its PDF (about 14 KiB) does not, so
    the write of the PDF fails halfway with "File too large", as a Ctrl-C or a
    full disk would stop it. The error names the page line; the next build
    draws the PDF.
    """
    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text('extensions = ["sphinx_modelsummary"]\n')
    (source / "index.rst").write_text(
        "Killed\n======\n\n.. model-diagram:: example_project.basics:rgb_conv\n"
    )
    doctrees = tmp_path / "doctrees"
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-d", str(doctrees)]
    command += [str(source), str(tmp_path / "out")]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))

    stopped = subprocess.run(command, env=env, preexec_fn=limited, capture_output=True, text=True)
    assert stopped.returncode != 0
    assert "index.rst:4: ERROR: cannot write the diagram file " in stopped.stderr
    assert ".pdf ([Errno 27] File too large)" in stopped.stderr
    folder = doctrees / "modelsummary-diagrams"
    visible = sorted(path.name for path in folder.iterdir() if not path.name.startswith("."))
    assert [name.rsplit(".", 1)[1] for name in visible] == ["svg"]
    assert (folder / visible[0]).read_bytes().rstrip().endswith(b"</svg>")

    finished = subprocess.run(command, env=env, capture_output=True)
    assert finished.returncode == 0, finished.stderr.decode()
    visible = sorted(path.name for path in folder.iterdir() if not path.name.startswith("."))
    assert [name.rsplit(".", 1)[1] for name in visible] == ["pdf", "svg"]
    assert (folder / visible[0]).read_bytes().rstrip().endswith(b"%%EOF")


def svg_size(path) -> tuple[float, float]:
    """An SVG's width and height in points, from its root element."""
    root = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").find("svg")
    return float(root["width"].removesuffix("pt")), float(root["height"].removesuffix("pt"))


@pytest.mark.sphinx("html", testroot="diagram", freshenv=True)
def test_long_models_are_drawn_to_fit_the_column(app):
    """An LR chain and MobileNetV2 wrap into rows instead of becoming a hairline (#14)."""
    app.build()
    page = BeautifulSoup((app.outdir / "sizes.html").read_text(encoding="utf-8"), "html.parser")
    images = page.select("div.modelsummary-diagram-frame img.modelsummary-diagram")
    assert len(images) == 2
    chain_width, chain_height = svg_size(app.outdir / images[0]["src"])
    assert chain_width <= MAX_LENGTH and chain_height >= 0.4 * chain_width
    assert "width: 100%" in images[0]["style"]
    mobilenet_width, mobilenet_height = svg_size(app.outdir / images[1]["src"])
    assert mobilenet_width <= MAX_LENGTH + 200 and mobilenet_height >= 4 * mobilenet_width


BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(BROWSER is None, reason="needs Chromium (Debian package chromium)")
@pytest.mark.parametrize("viewport", [800, 1400])
def test_diagrams_are_shown_readable_in_furo(make_app, rootdir, tmp_path, viewport):
    """In Chromium: figures at their own size (scrolled, not shrunk); :width: 100% readable."""
    playwright = pytest.importorskip("playwright.sync_api")
    source = tmp_path / "src"
    shutil.copytree(rootdir / "test-diagram", source)
    app = make_app("html", srcdir=source, confoverrides={"html_theme": "furo"})
    app.build()
    measure = """() => [...document.querySelectorAll('img.modelsummary-diagram')].map(img => {
        const frame = img.closest('div.modelsummary-diagram-frame') || img.parentElement;
        return {shown: img.getBoundingClientRect().width, natural: img.naturalWidth,
                frame: frame.getBoundingClientRect().width,
                scrolls: frame.scrollWidth > frame.clientWidth};
    })"""
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=BROWSER)
        try:
            page = browser.new_page(viewport={"width": viewport, "height": 900})
            page.goto((app.outdir / "sizes.html").as_uri())
            page.wait_for_load_state("load")
            images = page.evaluate(measure)
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - window.innerWidth"
            )
        finally:
            browser.close()
    assert len(images) == 2 and overflow <= 0
    chain, mobilenet = images
    assert chain["shown"] >= 0.75 * chain["natural"]  # 9 pt text stays above 6.7 pt
    assert abs(mobilenet["shown"] - mobilenet["natural"]) <= 1  # its own size, not shrunk
    assert mobilenet["scrolls"] == (mobilenet["natural"] > mobilenet["frame"] + 1)
