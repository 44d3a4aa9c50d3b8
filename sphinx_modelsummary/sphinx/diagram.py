"""``.. model-diagram:: TARGET``: the architecture drawn with matplotlib.

The image files are named by a hash of the report and the drawing options and
written once; an SVG (or PNG) for HTML and a PDF for LaTeX are offered as
candidates of one image, so every builder picks what it can show, and the
text builder prints the alt text.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives

from ..files import write_atomically
from ..render.interactive import box_areas
from ..render.layout import LayoutOptions, alt_text, layout
from ..report import ModelReport
from .base import ModelDirective
from .links import diagram_image, model_key
from .options import (
    SHARED_OPTIONS,
    OptionError,
    OptionSpec,
    SharedOptions,
    parse_choice,
    parse_flag,
)
from .state import settings_of

DIAGRAM_OPTIONS = {
    "direction": directives.unchanged,
    "show-shapes": directives.unchanged,
    "show-params": directives.unchanged,
    "show-types": directives.unchanged,
    "max-depth": directives.unchanged,
    "collapse": directives.unchanged,
    "alt": directives.unchanged,
    "width": directives.unchanged,
    "align": directives.unchanged,
    "format": directives.unchanged,
}


@dataclass(frozen=True)
class DiagramOptions(SharedOptions):
    drawing: LayoutOptions = field(default_factory=LayoutOptions)
    image_format: str = "svg"
    width: str | None = None
    #: ``left``, ``center`` or ``right``; empty: the theme's own placement.
    align: str = ""
    alt: str | None = None


class ModelDiagramDirective(ModelDirective):
    """The architecture as a figure: one box per layer, arrows for connections."""

    option_spec: ClassVar[dict[str, Any]] = OptionSpec({**SHARED_OPTIONS, **DIAGRAM_OPTIONS})

    def parse_options(self) -> DiagramOptions:
        shared = super().parse_options()
        width = self.options.get("width")
        if width is not None:
            try:
                directives.length_or_percentage_or_unitless(width)
            except ValueError:
                raise OptionError(
                    f":width: {width!r} is not a length such as 600px or 80%"
                ) from None
        collapse = tuple(
            name.strip() for name in (self.options.get("collapse") or "").split(",") if name.strip()
        )
        if "collapse" in self.options and not collapse:
            collapse = ("all",)
        drawing = LayoutOptions(
            direction=parse_choice(
                "direction", self.options.get("direction"), ("tb", "lr"), "tb"
            ).upper(),
            expand_nested=shared.expand_nested,
            max_depth=shared.max_depth,
            show_shapes=parse_flag("show-shapes", self.options, True),
            show_params=parse_flag("show-params", self.options, True),
            show_types=parse_flag("show-types", self.options, True),
            collapse=collapse,
        )
        return DiagramOptions(
            **vars(shared),
            drawing=drawing,
            image_format=parse_choice(
                "format",
                self.options.get("format"),
                ("svg", "png"),
                settings_of(self.config).diagram_format,
            ),
            width=width,
            align=parse_choice("align", self.options.get("align"), ("left", "center", "right"), ""),
            alt=self.options.get("alt"),
        )

    def render(self, report: ModelReport, options: DiagramOptions) -> list[nodes.Node]:
        drawing = layout(report, options.drawing)
        stem = _file_stem(report, drawing, options.image_format)
        folder = os.path.join(self.env.doctreedir, "modelsummary-diagrams")
        os.makedirs(folder, exist_ok=True)
        for fmt in (options.image_format, "pdf"):
            path = os.path.join(folder, f"{stem}.{fmt}")
            if not is_complete(path, fmt):
                # matplotlib is imported only when a file is drawn: it costs 0.4 s a build
                from ..render.diagram import render

                try:
                    write_atomically(path, render(drawing, fmt))
                except OSError as error:
                    raise self.error(f"cannot write the diagram file {path} ({error})") from None
        document_folder = os.path.dirname(self.env.doc2path(self.env.docname))
        uri = os.path.relpath(os.path.join(folder, f"{stem}.*"), document_folder)
        image = diagram_image(
            uri=uri.replace(os.sep, "/"),
            alt=options.alt or alt_text(report),
            classes=["modelsummary-diagram", *options.classes],
            model=model_key(report),
        )
        if options.image_format == "svg":  # HTML may show it inline, linked to the summary
            image["svg_file"] = os.path.join(folder, f"{stem}.svg")
            image["areas"] = [tuple(area) for area in box_areas(report, drawing)]
        if options.width is not None:
            image["width"] = options.width
        align = options.align
        # shown at its own size, scrolled sideways in HTML where wider than the column
        frame = nodes.container("", image, classes=["modelsummary-diagram-frame"])
        if not options.caption:
            if align:
                image["align"] = align
            self.add_label(image, options)
            return [frame]
        figure = nodes.figure("", frame, classes=["modelsummary-diagram"])
        figure += nodes.caption(options.caption, options.caption)
        if align:
            figure["align"] = align
        self.add_label(figure, options)
        return [figure]


def _file_stem(report: ModelReport, drawing: Any, fmt: str) -> str:
    """Same report, drawing and format, same name: files are written once and never go stale.

    The format is part of the name, so that a page showing one model both as SVG
    and as PNG gets each (HTML builders pick the first candidate they know).
    """
    digest = hashlib.sha256((report.digest() + repr(drawing) + fmt).encode()).hexdigest()[:16]
    return f"model-{digest}"


#: How each format's file ends: a file without its ending was cut short.
_ENDINGS = {"svg": b"</svg>", "png": b"IEND\xaeB`\x82", "pdf": b"%%EOF"}


def is_complete(path: str, fmt: str) -> bool:
    """Whether ``path`` holds a whole figure: an empty or truncated file is drawn again."""
    try:
        with open(path, "rb") as file:
            file.seek(0, os.SEEK_END)
            size = file.tell()
            file.seek(max(size - 64, 0))
            tail = file.read()
    except OSError:
        return False
    return size > 0 and tail.rstrip().endswith(_ENDINGS[fmt])
