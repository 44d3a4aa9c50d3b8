"""The diagram layout as data: no overlaps, edges that connect the right boxes and avoid others."""

from __future__ import annotations

import io
import os
import string
import subprocess
import sys
import time

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from sphinx_modelsummary.render.diagram import FONT_FAMILY, TextLine, TextLines, render
from sphinx_modelsummary.render.diagram_graph import MAX_LENGTH
from sphinx_modelsummary.render.layered import GROUP_MARGIN
from sphinx_modelsummary.render.layout import Layout, LayoutOptions, alt_text, layout

FIRE_SHAPE = [(None, 128, 128, 50, 1)]
EPSILON = 1e-6


def overlaps(a, b) -> bool:
    return (
        a.x < b.x + b.width
        and b.x < a.x + a.width
        and a.y < b.y + b.height
        and b.y < a.y + a.height
    )


def assert_well_formed(drawing: Layout) -> None:
    boxes = drawing.boxes
    for index, first in enumerate(boxes):
        for second in boxes[index + 1 :]:
            assert not overlaps(first, second), (first.key, second.key)
    by_key = {box.key: box for box in boxes}
    for edge in drawing.edges:
        start, end = edge.points[0], edge.points[-1]
        source, target = by_key[edge.source], by_key[edge.target]
        for box, (x, y) in ((source, start), (target, end)):
            assert box.x - EPSILON <= x <= box.x + box.width + EPSILON, (edge, box)
            assert box.y - EPSILON <= y <= box.y + box.height + EPSILON, (edge, box)
        for a, b in zip(edge.points, edge.points[1:]):  # no segment crosses a box's inside
            for box in boxes:
                if box.key in (edge.source, edge.target):
                    continue
                for step in range(1, 20):
                    x = a[0] + (b[0] - a[0]) * step / 20
                    y = a[1] + (b[1] - a[1]) * step / 20
                    inside = box.x < x < box.x + box.width and box.y < y < box.y + box.height
                    assert not inside, (edge.source, edge.target, box.key)


@pytest.mark.parametrize("direction", ["TB", "LR"])
def test_functional_fire_module(report_of, direction):
    report = report_of("example_project.fire:fire_module_functional")
    drawing = layout(report, LayoutOptions(direction=direction))
    assert_well_formed(drawing)
    assert {box.key for box in drawing.boxes} == {layer.path for layer in report.layers}
    pairs = {(edge.source, edge.target) for edge in drawing.edges}
    assert ("fire_squeeze_1_relu", "fire_expand_2_conv") in pairs
    assert ("fire_expand_1_batch_norm", "fire_concatenate") in pairs
    assert len(pairs) == len(drawing.edges) == len(report.edges)
    first, last = drawing.boxes[0], drawing.boxes[-1]
    if direction == "TB":
        assert first.y < last.y
    else:
        assert first.x < last.x


def test_expanded_subclassed_fire_module_shows_the_slip(report_of):
    report = report_of("example_project.fire:FireModuleWithSlip", FIRE_SHAPE)
    drawing = layout(report, LayoutOptions(expand_nested=True))
    assert_well_formed(drawing)
    pairs = {(edge.source, edge.target) for edge in drawing.edges}
    third_conv = next(b.key for b in drawing.boxes if b.lines[0] == "conv3d_2")
    second_norm = next(b.key for b in drawing.boxes if b.lines[0] == "batch_normalization_1")
    assert (second_norm, third_conv) in pairs  # fed from the second block: the slip
    assert [group.key for group in drawing.groups] == ["conv_block", "conv_block_1", "conv_block_2"]
    for group in drawing.groups:
        for box in drawing.boxes:
            if box.key.startswith(group.key + "/"):
                assert group.x <= box.x and box.x + box.width <= group.x + group.width
    assert not any("not called" in " ".join(box.lines) for box in drawing.boxes)


def test_shared_block_is_drawn_once_with_its_calls(report_of):
    report = report_of("example_project.shared:shared_base_network")
    drawing = layout(report)
    assert_well_formed(drawing)
    shared = [box for box in drawing.boxes if box.key == "base_network"]
    assert len(shared) == 1 and shared[0].calls == 6
    assert shared[0].lines[0] == "base_network ×6"
    assert sum(1 for edge in drawing.edges if edge.target == "base_network") == 6
    assert alt_text(report) == (
        "Architecture of shared_base: 17 layers, 9,394,755 parameters, "
        "base_network shared by 6 calls."
    )


def test_densenet121_lays_out_without_overlaps(report_of):
    report = report_of("keras.applications:DenseNet121(weights=None)")
    drawing = layout(report)
    assert len(drawing.boxes) == 429
    assert_well_formed(drawing)


def test_drawing_is_byte_identical_and_keeps_text(report_of):
    report = report_of("example_project.fire:fire_module_functional")
    drawing = layout(report)
    svg = render(drawing, "svg")
    assert svg == render(layout(report), "svg")
    assert b"<text" in svg and b"fire_expand_2_conv" in svg and b"32,032 params" in svg
    first = {fmt: render(drawing, fmt) for fmt in ("svg", "png", "pdf")}
    time.sleep(1.1)  # a date written into a file would now differ
    assert {fmt: render(drawing, fmt) for fmt in ("svg", "png", "pdf")} == first
    assert b"/CreationDate" not in first["pdf"] and b"/ModDate" not in first["pdf"]
    assert b"<dc:date>" not in first["svg"]
    with pytest.raises(ValueError, match="not one of svg, png, pdf"):
        render(drawing, "gif")


def test_options_change_what_boxes_say(report_of):
    report = report_of("example_project.basics:rgb_conv")
    plain = layout(report, LayoutOptions(show_shapes=False, show_params=False, show_types=False))
    assert [box.lines for box in plain.boxes] == [("rgb",), ("conv",)]
    full = layout(report)
    assert full.boxes[1].lines == ("conv", "Conv2D", "(None, None, None, 16)", "448 params")


def rect_overlap(a: tuple, b: tuple) -> bool:
    """Whether two (x, y, width, height) rectangles share inner points."""
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def inside(inner: tuple, outer: tuple) -> bool:
    return (
        outer[0] - EPSILON <= inner[0]
        and inner[0] + inner[2] <= outer[0] + outer[2] + EPSILON
        and outer[1] - EPSILON <= inner[1]
        and inner[1] + inner[3] <= outer[1] + outer[3] + EPSILON
    )


def segment_crosses(a: tuple, b: tuple, rect: tuple) -> bool:
    """Whether the segment a-b passes through the rectangle's inside (Liang-Barsky clipping)."""
    x0, y0 = a
    dx, dy = b[0] - x0, b[1] - y0
    low, high = 0.0, 1.0
    for p, q in (
        (-dx, x0 - rect[0]),
        (dx, rect[0] + rect[2] - x0),
        (-dy, y0 - rect[1]),
        (dy, rect[1] + rect[3] - y0),
    ):
        if p == 0:
            if q <= 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
    return high - low > EPSILON


def frame(group) -> tuple:
    return (group.x, group.y, group.width, group.height)


def label(group) -> tuple:
    return (group.label_x, group.label_y, group.label_width, group.label_height)


def assert_frames_and_labels_clear(drawing: Layout) -> None:
    """Frames nest or stay apart; labels sit in their frame, clear of boxes, frames and edges."""
    groups = drawing.groups
    for group in groups:
        assert inside(label(group), frame(group)), group.key
        for box in drawing.boxes:
            assert not rect_overlap(label(group), (box.x, box.y, box.width, box.height))
            if box.key.startswith(group.key + "/"):
                assert inside((box.x, box.y, box.width, box.height), frame(group)), box.key
        for edge in drawing.edges:
            for a, b in zip(edge.points, edge.points[1:]):
                assert not segment_crosses(a, b, label(group)), (group.key, edge)
        for other in groups:
            if other is group:
                continue
            assert not rect_overlap(label(group), label(other)), (group.key, other.key)
            if other.key.startswith(group.key + "/"):
                assert inside(frame(other), frame(group)), (other.key, group.key)
                assert not rect_overlap(frame(other), label(group)), (other.key, group.key)
            elif not group.key.startswith(other.key + "/"):
                assert not rect_overlap(frame(group), frame(other)), (group.key, other.key)


@pytest.mark.parametrize("direction", ["TB", "LR"])
@pytest.mark.parametrize(
    "target, shapes",
    [
        ("example_project.fire:FireModuleWithSlip", FIRE_SHAPE),
        ("example_project.shared:shared_base_network", None),
    ],
)
def test_nested_frames_never_overlap_and_labels_stay_clear(report_of, target, shapes, direction):
    report = report_of(target, shapes)
    drawing = layout(report, LayoutOptions(direction=direction, expand_nested=True))
    assert_well_formed(drawing)
    assert_frames_and_labels_clear(drawing)
    containers = [layer.path for layer in report.layers if layer.is_container and layer.calls]
    assert sorted(group.key for group in drawing.groups) == sorted(containers)


def test_a_long_model_drawn_left_to_right_wraps_into_rows(report_of):
    report = report_of("keras.applications:MobileNetV2(weights=None)")
    drawing = layout(report, LayoutOptions(direction="LR"))
    assert len(drawing.boxes) == 156
    assert_well_formed(drawing)
    widest = max(box.width for box in drawing.boxes)
    assert drawing.width <= MAX_LENGTH + widest + 6 * GROUP_MARGIN
    tops = sorted({round(box.y) for box in drawing.boxes})
    rows = 1 + sum(1 for a, b in zip(tops, tops[1:]) if b - a > 60)
    assert rows >= 20
    assert 4 <= drawing.height / drawing.width <= 12


def test_an_eleven_layer_chain_fits_the_column(report_of, rootdir, monkeypatch):
    monkeypatch.syspath_prepend(str(rootdir / "test-diagram"))
    report = report_of("chains:chain(11)")
    drawing = layout(report, LayoutOptions(direction="LR"))
    assert len(drawing.boxes) == 12
    assert_well_formed(drawing)
    assert drawing.width <= MAX_LENGTH
    assert 0.4 <= drawing.height / drawing.width <= 2.5
    assert [box.key for box in sorted(drawing.boxes, key=lambda b: (round(b.y), b.x))] == [
        "features",
        *(f"dense_layer_{index}" for index in range(11)),
    ]


def test_a_tall_model_drawn_top_down_folds_into_columns(report_of):
    report = report_of("keras.applications:DenseNet121(weights=None)")
    drawing = layout(report)
    widest = max(box.width for box in drawing.boxes)
    lefts = sorted({round(box.x) for box in drawing.boxes})
    columns = 1 + sum(1 for a, b in zip(lefts, lefts[1:]) if b - a > widest)
    assert columns == 2
    assert drawing.width <= MAX_LENGTH + widest
    unfolded = layout(report, LayoutOptions(max_length=None))
    assert drawing.height <= 0.55 * unfolded.height
    assert unfolded.width < 2 * widest + 6 * GROUP_MARGIN


def test_png_glyphs_sit_in_the_middle_of_their_cells():
    """Every printable character's ink, pasted by the PNG's text artist, is centred in its
    monospace cell within a quarter of the advance: its left side bearing is kept.

    Seen failing when bitmaps were pasted at the pen, so that 16 narrow glyphs (``(``,
    ``,``, ``.``, ``r``...) sat at the left of their cells ("Transfor mer", "( Linear")."""
    chars = [char for char in string.printable if char.strip()]
    assert len(chars) == 94
    height = 20 * len(chars) + 20
    with matplotlib.rc_context({"font.family": FONT_FAMILY}):
        figure = Figure(figsize=(40 / 72, height / 72), dpi=72)
        FigureCanvasAgg(figure)
        axes = figure.add_axes((0, 0, 1, 1))
        axes.set_xlim(0, 40)
        axes.set_ylim(height, 0)
        axes.set_axis_off()
        lines = [
            TextLine(10, 20 * (i + 1), c, 9.0, False, "#000000", i) for i, c in enumerate(chars)
        ]
        axes.add_artist(TextLines(lines))
        output = io.BytesIO()
        figure.savefig(output, format="png", dpi=144)
    ink = 255 - np.asarray(Image.open(output).convert("L"), dtype=float)
    advance = 0.602 * 18  # DejaVu Sans Mono at 9 pt, 2 pixels a point
    off = {}
    for index, char in enumerate(chars):
        columns = ink[2 * (20 * (index + 1) - 10) : 2 * (20 * (index + 1) + 5)].sum(axis=0)
        centre = (np.arange(len(columns)) * columns).sum() / columns.sum()
        off[char] = centre - (20 + advance / 2)
    assert [char for char, shift in off.items() if abs(shift) > advance / 4] == []


def test_boxes_drawn_once_per_call_come_in_the_same_order_whatever_the_hash_seed(
    report_of, tmp_path
):
    """Same code, same page: the order of per-call boxes must not follow set iteration,
    which changes with ``PYTHONHASHSEED`` from one process to the next."""
    report = report_of("builders:two_layers_reused_in_a_loop")
    assert {box.key for box in layout(report).boxes} >= {"first#1", "first#2", "second#2"}
    saved = tmp_path / "report.json"
    saved.write_text(report.to_json())
    script = (
        "import sys\n"
        "from sphinx_modelsummary.report import ModelReport\n"
        "from sphinx_modelsummary.render.layout import layout\n"
        "report = ModelReport.from_json(open(sys.argv[1]).read())\n"
        "drawn = layout(report)\n"
        "print([(box.key, box.x, box.y) for box in drawn.boxes])\n"
    )
    seen = set()
    for seed in range(8):
        done = subprocess.run(
            [sys.executable, "-c", script, str(saved)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        )
        assert done.returncode == 0, done.stderr
        seen.add(done.stdout)
    assert len(seen) == 1, seen
