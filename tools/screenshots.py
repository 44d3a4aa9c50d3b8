"""Look at the docs in a real browser: every theme, light and dark, wide and narrow.

Builds a Sphinx project (by default this project's ``docs/``) once per theme
(furo, sphinx_rtd_theme, alabaster, pydata_sphinx_theme), opens every page in
Chromium through Playwright at 1400 and 800 px, light and dark (furo and pydata
have a dark mode; the others are looked at light only), and measures on each page:

* key numbers off screen: a name or count cell, or a Total row, outside the visible
  content column (also with a scrolling table scrolled to its far right), or a
  table wider than the column at 1200 px and more;
* overflow: a table or figure wider than the content column with no scrolling
  container around it (so part of it is cut off or runs over the sidebar);
* wrapped shapes: a no-wrap cell (shapes, numbers) whose text takes more than
  one line;
* unreadable figures: a diagram shown at less than half its natural size and
  less than 120 px high;
* numbers not right-aligned;
* unreadable text: table text whose contrast with its background is below 3:1;
* diagrams that read wrong: each SVG figure of the build read back from its
  geometry (``sphinx_modelsummary.render.readback``): a line of text outside
  every box, a box whose bold name is not its first line or whose params line
  is not its last, a border that contradicts the count (a mirrored figure
  fails all of these).

It prints one line per problem and a summary, saves a few small screenshots
(per theme and mode, at 800 px: the first table and the first diagram of
``--shot-page``) in ``--shots``, and exits 1 when it found a
problem. Chromium is Debian's ``/usr/bin/chromium`` (Playwright's own browser
download is not needed)::

    python tools/screenshots.py                       # docs/, all themes
    python tools/screenshots.py --source tests/roots/test-pages --themes furo
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
#: A diagram as an image file, or inline where its model's summary is on the page.
FIGURES = "img.modelsummary-diagram, svg.modelsummary-diagram"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
THEMES = ("furo", "sphinx_rtd_theme", "alabaster", "pydata_sphinx_theme")
#: Themes with a dark mode that follows the reader's colour scheme.
DARK_THEMES = ("furo", "pydata_sphinx_theme")
WIDTHS = (1400, 800)
SKIPPED_PAGES = ("genindex.html", "search.html", "py-modindex.html")

#: Runs in the page; returns the problems it sees there.
MEASURE = r"""
() => {
  const problems = [];
  const column = document.querySelector(
    "article[role=main], .bd-article, div[role=main], div.body, main") || document.body;
  const columnRight = Math.min(column.getBoundingClientRect().right, window.innerWidth);
  const scrolls = (element) => {
    for (let node = element.parentElement; node && node !== column.parentElement;
         node = node.parentElement) {
      const style = getComputedStyle(node);
      if (["auto", "scroll"].includes(style.overflowX)) return true;
    }
    return false;
  };
  const name = (element) => {
    const caption = element.querySelector("caption, figcaption");
    const label = caption ? caption.textContent.trim().slice(0, 40) : "";
    return element.tagName.toLowerCase() + "." + [...element.classList].join(".") +
      (label ? ` "${label}"` : "");
  };
  for (const element of document.querySelectorAll(
      "table.modelsummary, figure.modelsummary-diagram, img.modelsummary-diagram, " +
      "svg.modelsummary-diagram")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0) continue;
    if (box.right > columnRight + 2 && !scrolls(element)) {
      problems.push({kind: "overflow", what: name(element),
                     detail: `right edge ${Math.round(box.right)} px > ` +
                             `column ${Math.round(columnRight)} px`});
    }
  }
  // Key numbers: a table's name and count columns, and its Total row, on screen without
  // scrolling; the whole table in the column when the window is wide; name and counts still
  // in view when its container is scrolled to the far right (by header, so any build is judged).
  const visible = (table) => {
    let [left, right] = [Math.max(column.getBoundingClientRect().left, 0), columnRight];
    for (let node = table.parentElement; node && node !== column; node = node.parentElement) {
      if (["auto", "scroll", "hidden"].includes(getComputedStyle(node).overflowX)) {
        const box = node.getBoundingClientRect();
        [left, right] = [Math.max(left, box.left), Math.min(right, box.right)];
        return {left, right, scroller: node};
      }
    }
    return {left, right, scroller: null};
  };
  const KEY = /^([ab] )?(layer( \(type\))?|params)$|^(difference|non-trainable)$/i;
  const keyCells = (table) => {
    const titles = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    const keys = new Set(titles.flatMap((title, index) => KEY.test(title) ? [index] : []));
    const cells = [...table.querySelectorAll("thead th")].filter((cell, index) => keys.has(index));
    for (const row of table.querySelectorAll("tbody tr")) {
      const total = row.matches(".modelsummary-total") ||
        /^total$/i.test((row.cells[0] || {textContent: ""}).textContent.trim());
      [...row.cells].forEach((cell, index) => {
        if ((keys.has(index) || total) && cell.textContent.trim()) cells.push(cell);
      });
    }
    return cells;
  };
  const offScreen = (table, where, problems) => {
    const {left, right} = visible(table);
    for (const cell of keyCells(table)) {
      const box = cell.getBoundingClientRect();
      if (box.width && (box.left < left - 1 || box.right > right + 1)) {
        problems.push({kind: "key number off screen", what: name(table),
                       detail: `${where}"${cell.textContent.trim().slice(0, 30)}" at ` +
                               `${Math.round(box.left)}-${Math.round(box.right)} px, visible ` +
                               `${Math.round(left)}-${Math.round(right)} px`});
        return;
      }
    }
  };
  for (const table of document.querySelectorAll("table.modelsummary")) {
    const {left, right, scroller} = visible(table);
    const box = table.getBoundingClientRect();
    if (!box.width) continue;
    if (window.innerWidth >= 1200 && box.width > right - left + 1) {
      problems.push({kind: "table wider than the column", what: name(table),
                     detail: `${Math.round(box.width)} px in ${Math.round(right - left)} px`});
    }
    offScreen(table, "", problems);
    if (scroller && scroller.scrollWidth > scroller.clientWidth) {
      const before = scroller.scrollLeft;
      scroller.scrollLeft = scroller.scrollWidth;
      offScreen(table, "scrolled right: ", problems);
      scroller.scrollLeft = before;
    }
  }
  // Shapes and numbers: by class, and by their look (so an older build is judged too).
  const unbreakable = [...document.querySelectorAll("table.modelsummary td")].filter((cell) =>
    cell.matches(".modelsummary-nowrap, .modelsummary-number") ||
    /^\((None|\d)[^()]*\)( ×\d+)?$/.test(cell.textContent.trim()));
  for (const cell of unbreakable) {
    const range = document.createRange();
    range.selectNodeContents(cell);
    const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    if (tops.size > 1) {
      problems.push({kind: "wrapped", what: cell.textContent.trim().slice(0, 40),
                     detail: `${tops.size} lines`});
    }
  }
  for (const cell of document.querySelectorAll("table.modelsummary td.modelsummary-number")) {
    if (getComputedStyle(cell).textAlign !== "right") {
      problems.push({kind: "number not right-aligned", what: cell.textContent.trim(),
                     detail: getComputedStyle(cell).textAlign});
    }
  }
  // A figure as an image file, or inline (linked to its summary): its natural width is the
  // drawing's width in points (the viewBox) at 4/3 px a point.
  const images = "img.modelsummary-diagram, figure.modelsummary-diagram img, " +
    "svg.modelsummary-diagram";
  for (const image of document.querySelectorAll(images)) {
    const inline = image.tagName.toLowerCase() === "svg";
    const natural = inline ? image.viewBox.baseVal.width * 4 / 3 : image.naturalWidth;
    if (!natural) continue;
    const shown = image.getBoundingClientRect();
    const scale = shown.width / natural;
    if (scale < 0.5 && shown.height < 120) {
      problems.push({kind: "unreadable figure",
                     what: inline ? "inline " + (image.getAttribute("aria-label") || "svg")
                                  : image.getAttribute("src"),
                     detail: `shown ${Math.round(shown.width)}x${Math.round(shown.height)} ` +
                             `px, ${Math.round(scale * 100)}% of its size`});
    }
  }
  const rgb = (text) => (text.match(/[\d.]+/g) || []).map(Number);
  const background = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const colour = rgb(getComputedStyle(node).backgroundColor);
      if (colour.length >= 3 && (colour.length === 3 || colour[3] > 0.5)) return colour;
    }
    return [255, 255, 255];
  };
  const luminance = ([r, g, b]) => {
    const channel = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  for (const table of document.querySelectorAll("table.modelsummary")) {
    const cell = table.querySelector("tbody td");
    if (!cell) continue;
    const [a, b] = [luminance(rgb(getComputedStyle(cell).color)), luminance(background(cell))];
    const contrast = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (contrast < 3) {
      problems.push({kind: "low contrast", what: name(table), detail: `${contrast.toFixed(1)}:1`});
    }
  }
  return problems;
}
"""


@dataclass
class Report:
    pages: int = 0
    views: int = 0
    problems: list[str] = field(default_factory=list)
    shots: list[Path] = field(default_factory=list)


def build(source: Path, theme: str, out: Path, doctrees: Path, cache: Path) -> Path:
    """Build the HTML of ``source`` with ``theme``; returns the output folder."""
    folder = out / theme
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        "html",
        "-q",
        str(source),
        str(folder),
        "-d",
        str(doctrees / theme),
        "-D",
        f"html_theme={theme}",
        "-D",
        f"modelsummary_cache_dir={cache}",
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode not in (0, 1):  # 1: a page's promise failed; still worth looking at
        raise SystemExit(f"building with {theme} failed:\n{done.stderr[-3000:]}")
    return folder


def pages_of(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.rglob("*.html")
        if path.name not in SKIPPED_PAGES and "_static" not in path.parts
    )


def diagram_problems(folder: Path) -> list[str]:
    """What reads wrong in each SVG diagram of a built site, one line a problem.

    The files Sphinx copied to ``_images``: a figure shown inline (its model's summary is
    on the page) is the same file with ids prefixed and links laid over its boxes."""
    from sphinx_modelsummary.render.readback import problems, read_svg

    found = []
    for path in sorted((folder / "_images").glob("model-*.svg")):
        found += [
            f"diagram {path.name}: {problem}" for problem in problems(read_svg(path.read_bytes()))
        ]
    return found


def look(
    folders: dict[str, Path], widths=WIDTHS, shots: Path | None = None, shot_page: str = ""
) -> Report:
    """Open every page of every theme's build; measure, and take a few screenshots."""
    from playwright.sync_api import sync_playwright

    report = Report()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for theme, folder in folders.items():
            pages = pages_of(folder)
            report.pages += len(pages)
            report.problems += [f"{theme}: {problem}" for problem in diagram_problems(folder)]
            for scheme in ("light", "dark") if theme in DARK_THEMES else ("light",):
                for width in widths:
                    context = browser.new_context(
                        viewport={"width": width, "height": 900}, color_scheme=scheme
                    )
                    tab = context.new_page()
                    for page in pages:
                        tab.goto(page.as_uri())
                        tab.wait_for_load_state("load")
                        report.views += 1
                        where = f"{theme} {scheme} {width}px {page.relative_to(folder)}"
                        for problem in tab.evaluate(MEASURE):
                            report.problems.append(
                                f"{where}: {problem['kind']}: {problem['what']} "
                                f"({problem['detail']})"
                            )
                        wanted = shot_page and page.relative_to(folder).as_posix() == shot_page
                        if shots is not None and wanted and width == min(widths):
                            report.shots.append(_shot(tab, shots / f"{theme}-{scheme}.png"))
                            diagram = shots / f"{theme}-{scheme}-diagram.png"
                            report.shots.append(_shot(tab, diagram, FIGURES))
                    context.close()
        browser.close()
    return report


def _shot(tab, path: Path, first: str = "table.modelsummary") -> Path:
    """The first ``first`` (a table, a diagram) and what follows, at the page's width."""
    path.parent.mkdir(parents=True, exist_ok=True)
    element = tab.query_selector(first)
    if element is not None:
        element.scroll_into_view_if_needed()
        tab.evaluate("window.scrollBy(0, -80)")
    tab.screenshot(path=str(path), full_page=False)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT / "docs")
    parser.add_argument("--themes", default=",".join(THEMES))
    parser.add_argument("--widths", default=",".join(map(str, WIDTHS)))
    parser.add_argument("--out", type=Path, help="build folder (default: a temporary one)")
    parser.add_argument("--shots", type=Path, default=ROOT / "docs" / "_static" / "screenshots")
    parser.add_argument("--shot-page", default="models/fire.html", help="page to photograph")
    parser.add_argument("--json", action="store_true", help="print the problems as JSON")
    options = parser.parse_args(argv)
    themes = [theme.strip() for theme in options.themes.split(",") if theme.strip()]
    widths = [int(width) for width in options.widths.split(",")]
    with tempfile.TemporaryDirectory() as temporary:
        out = options.out or Path(temporary)
        cache = out / "modelsummary-cache"
        folders = {
            theme: build(options.source, theme, out / "html", out / "doctrees", cache)
            for theme in themes
        }
        report = look(folders, widths, options.shots, options.shot_page)
    if options.json:
        print(
            json.dumps(
                {"pages": report.pages, "views": report.views, "problems": report.problems},
                indent=2,
            )
        )
    else:
        for problem in report.problems:
            print(problem)
        for shot in report.shots:
            print(f"screenshot: {os.path.relpath(shot)}")
        print(
            f"{report.views} page views ({report.pages} pages in {len(themes)} themes): "
            f"{len(report.problems)} problem{'s' if len(report.problems) != 1 else ''}"
        )
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
