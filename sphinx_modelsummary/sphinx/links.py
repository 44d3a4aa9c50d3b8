"""In HTML, a diagram's boxes link to the rows of the same model's summary on the page, and back.

The diagram is a :class:`diagram_image`: an image everywhere (LaTeX, text, PNG
and every other builder show the file as before), which also holds its boxes'
places and tooltips. When the HTML pages are written, :class:`LinkDiagrams`
pairs each SVG diagram with the first summary table of the same model (the
same report: target and build options) on its page, gives the boxes and rows
ids unique on the page, and the HTML visitor writes the figure inline with a
link over each box and each frame of an opened model; the table's visitor links
each row back to the first diagram's box or frame. A diagram without a summary
of its model stays a plain image.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

from ..render.interactive import BoxArea, inline_svg
from ..render.nodes import model_table
from ..report import ModelReport


class diagram_image(nodes.image):  # noqa: N801 - docutils node naming
    """A model diagram: an image, which HTML may show inline with links.

    Attributes besides the image's: ``model`` (:func:`model_key` of its report),
    and for SVG ``svg_file`` (the drawn file) and ``areas`` (one
    :class:`~..render.interactive.BoxArea` per frame and box). :class:`LinkDiagrams` adds
    ``prefix``, ``box_ids`` and ``hrefs`` when the page has the model's summary.
    Builders without a visitor of their own show it as the image it is (Sphinx's
    translators look a node's visitor up along its classes).
    """


def model_key(report: ModelReport) -> str:
    """The same model built the same way, the same key: what pairs a diagram with its table."""
    return report.digest()[:16]


class LinkDiagrams(SphinxPostTransform):
    """Pair each SVG diagram of a page with the first summary of its model there."""

    default_priority = 450
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        diagrams = [node for node in self.document.findall(diagram_image) if node.get("areas")]
        tables = [node for node in self.document.findall(model_table) if node.get("model")]
        if not diagrams or not tables:
            return
        first_table: dict[str, tuple[int, model_table]] = {}
        for number, table in enumerate(tables, start=1):
            first_table.setdefault(table["model"], (number, table))
        first_diagram: dict[str, diagram_image] = {}
        for number, diagram in enumerate(diagrams, start=1):
            found = first_table.get(diagram["model"])
            if found is None:
                continue
            table_number, table = found
            prefix = f"modelsummary-diagram-{number}"
            areas = [BoxArea(*area) for area in diagram["areas"]]
            rows = {path: index for index, path in enumerate(table["paths"]) if path}
            diagram["prefix"] = prefix
            diagram["box_ids"] = [
                f"{prefix}-{'frame' if area.frame else 'box'}-{index}"
                for index, area in enumerate(areas)
            ]
            diagram["hrefs"] = [_row_href(table_number, rows, area.rows) for area in areas]
            first_diagram.setdefault(diagram["model"], diagram)
        for number, table in enumerate(tables, start=1):
            diagram = first_diagram.get(table["model"])
            if diagram is None:
                continue
            boxes: dict[str, str] = {}
            for box_id, area in zip(diagram["box_ids"], diagram["areas"]):
                key = area[0]
                boxes.setdefault(key, box_id)
                if key.endswith("#1"):  # a layer drawn once per call: its row shows the first
                    boxes.setdefault(key[:-2], box_id)
            table["row_ids"] = [_row_id(number, index) for index in range(len(table["paths"]))]
            table["row_links"] = [
                f"#{boxes[path]}" if path in boxes else None for path in table["paths"]
            ]


def _row_id(table: int, index: int) -> str:
    return f"modelsummary-table-{table}-row-{index}"


def _row_href(table: int, rows: dict[str, int], candidates: Any) -> str | None:
    """The row of a box's layer: its own, its call's layer's, or the nearest model around it."""
    for path in candidates:
        if path in rows:
            return f"#{_row_id(table, rows[path])}"
    return None


def visit_diagram_html(self: Any, node: diagram_image) -> None:
    """Inline with its links when paired with a table; the plain image otherwise."""
    if not node.get("box_ids"):
        self.visit_image(node)
        return
    try:
        svg = Path(node["svg_file"]).read_text(encoding="utf-8")
    except OSError:
        self.visit_image(node)
        return
    width = node.get("width", "")
    if re.fullmatch(r"[\d.]+", width):
        width += "px"
    classes = list(node["classes"])
    if node.get("align"):
        classes.append(f"align-{node['align']}")
    self.body.append(
        inline_svg(
            svg,
            node["prefix"],
            [BoxArea(*area) for area in node["areas"]],
            node["box_ids"],
            node["hrefs"],
            classes=classes,
            label=node.get("alt", ""),
            style=f"width: {width}; height: auto" if width else "",
        )
    )
    raise nodes.SkipNode


def depart_diagram_html(self: Any, node: diagram_image) -> None:
    self.depart_image(node)


def setup(app: Sphinx) -> None:
    app.add_node(diagram_image, html=(visit_diagram_html, depart_diagram_html))
    app.add_post_transform(LinkDiagrams)
