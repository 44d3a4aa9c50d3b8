"""Layout and render time of model-diagram: real models, and how it grows with depth.

Part 1: DenseNet121, ResNet50 (top-down) and MobileNetV2 (left to right) from
keras.applications, ``weights=None``. The report is built once per model
(shape-only, as the directive does); then the layout and its SVG, PNG (144 dpi)
and PDF renderings are timed, median of ``--runs`` runs.

Part 2: the curve. ``benchmarks/big_models.py:residual_tower(N)`` for N = 500,
1,000, 2,000 and 5,000 layers: layout, SVG and PNG time, median of runs, and
the time per layer (constant per layer = linear time).

    .venv/bin/python benchmarks/diagram.py [--runs 5] [--sizes 500,1000,2000,5000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sphinx_modelsummary.execute import BuildRequest, build_report  # noqa: E402
from sphinx_modelsummary.render.diagram import render  # noqa: E402
from sphinx_modelsummary.render.layout import LayoutOptions, layout  # noqa: E402
from sphinx_modelsummary.target import parse_target  # noqa: E402

#: Wall time by default; ``--cpu`` times the process's CPU (steadier on a shared machine).
CLOCK = time.perf_counter


def timed(report, options: LayoutOptions, formats: tuple[str, ...], runs: int) -> dict:
    timings: dict[str, list[float]] = {"layout": [], **{fmt: [] for fmt in formats}}
    sizes: dict[str, int] = {}
    for _ in range(runs):
        started = CLOCK()
        drawing = layout(report, options)
        timings["layout"].append(CLOCK() - started)
        for fmt in formats:
            started = CLOCK()
            sizes[fmt] = len(render(drawing, fmt))
            timings[fmt].append(CLOCK() - started)
    medians = {key: statistics.median(values) for key, values in timings.items()}
    return {"median": medians, "sizes": sizes, "drawing": drawing}


def deep_report(size: int):
    """The report of ``residual_tower(size)``, built in a thread with a deep stack.

    Keras walks a functional graph recursively; 5,000 layers overflow the main
    thread's C stack before they reach Python's recursion limit.
    """
    found = {}

    def build() -> None:
        found["report"] = build_report(
            BuildRequest(parse_target(f"big_models:residual_tower({size})"))
        )

    threading.stack_size(512 * 1024 * 1024)
    worker = threading.Thread(target=build)
    worker.start()
    worker.join()
    return found["report"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="500,1000,2000,5000")
    parser.add_argument("--skip-models", action="store_true")
    parser.add_argument("--cpu", action="store_true", help="CPU seconds instead of wall")
    arguments = parser.parse_args()
    global CLOCK
    CLOCK = time.process_time if arguments.cpu else time.perf_counter
    runs = arguments.runs
    if not arguments.skip_models:
        print(
            "| model | direction | boxes | layout s | SVG s | PNG s | PDF s | SVG KB | figure pt |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for name, direction in (("DenseNet121", "TB"), ("ResNet50", "TB"), ("MobileNetV2", "LR")):
            target = parse_target(f"keras.applications:{name}(weights=None)")
            report = build_report(BuildRequest(target))
            result = timed(report, LayoutOptions(direction=direction), ("svg", "png", "pdf"), runs)
            median, drawing = result["median"], result["drawing"]
            print(
                f"| {name} | {direction} | {len(drawing.boxes)} | {median['layout']:.3f} "
                f"| {median['svg']:.3f} | {median['png']:.3f} | {median['pdf']:.3f} "
                f"| {result['sizes']['svg'] / 1024:,.0f} "
                f"| {drawing.width:,.0f} × {drawing.height:,.0f} |"
            )
    print()
    print("| layers | boxes | edges | layout s | SVG s | PNG s | layout+SVG ms/box | figure pt |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for size in (int(text) for text in arguments.sizes.split(",")):
        report = deep_report(size)
        result = timed(report, LayoutOptions(), ("svg", "png"), max(runs // 2, 1))
        median, drawing = result["median"], result["drawing"]
        per_box = (median["layout"] + median["svg"]) / len(drawing.boxes) * 1000
        print(
            f"| {size:,} | {len(drawing.boxes):,} | {len(drawing.edges):,} "
            f"| {median['layout']:.3f} | {median['svg']:.3f} | {median['png']:.3f} "
            f"| {per_box:.2f} | {drawing.width:,.0f} × {drawing.height:,.0f} |"
        )


if __name__ == "__main__":
    main()
