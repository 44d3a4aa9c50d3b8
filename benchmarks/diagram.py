"""Layout and render time of the model-diagram of DenseNet121 and ResNet50.

The report is built once per model (shape-only, as the directive does); then
the layout and its SVG and PNG renderings are timed, median of several runs.

    .venv/bin/python benchmarks/diagram.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

from sphinx_modelsummary.execute import BuildRequest, build_report
from sphinx_modelsummary.render.diagram import render
from sphinx_modelsummary.render.layout import LayoutOptions, layout
from sphinx_modelsummary.target import parse_target


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    print("| model | layers | boxes | build s | layout s | SVG s | PNG s | SVG KB | figure pt |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name in ("DenseNet121", "ResNet50"):
        started = time.perf_counter()
        report = build_report(
            BuildRequest(parse_target(f"keras.applications:{name}(weights=None)"))
        )
        build_seconds = time.perf_counter() - started
        timings: dict[str, list[float]] = {"layout": [], "svg": [], "png": []}
        sizes: dict[str, int] = {}
        for _ in range(runs):
            started = time.perf_counter()
            drawing = layout(report, LayoutOptions())
            timings["layout"].append(time.perf_counter() - started)
            for fmt in ("svg", "png"):
                started = time.perf_counter()
                sizes[fmt] = len(render(drawing, fmt))
                timings[fmt].append(time.perf_counter() - started)
        median = {key: statistics.median(values) for key, values in timings.items()}
        print(
            f"| {name} | {len(report.layers)} | {len(drawing.boxes)} | {build_seconds:.1f} "
            f"| {median['layout']:.3f} | {median['svg']:.3f} | {median['png']:.3f} "
            f"| {sizes['svg'] / 1024:,.0f} | {drawing.width:.0f} × {drawing.height:.0f} |"
        )


if __name__ == "__main__":
    main()
