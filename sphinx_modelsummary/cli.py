"""Command line: ``python -m sphinx_modelsummary show TARGET ...``.

Exit status 0 on success and 2, with one paragraph on stderr, for a bad
target or a failing builder; never a traceback from our internals.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from .engine import Engine
from .errors import ModelSummaryError
from .execute import BuildRequest
from .render.text import formulas_text, summary_text
from .target import parse_shape_spec, parse_target

EXIT_USER_ERROR = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    options = parser.parse_args(argv)
    try:
        return options.run(options)
    except ModelSummaryError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sphinx_modelsummary",
        description="Summarise the models your code builds, as the docs pages do.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("show", help="print a model's summary, formulas or JSON report")
    show.add_argument("targets", nargs="+", metavar="TARGET", help="package.module:builder(args)")
    show.add_argument("--input-shape", help="shape to build an unbuilt model with")
    show.add_argument("--expand-nested", action="store_true", help="show layers of nested models")
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.add_argument("--formulas", action="store_true", help="also print the formula table")
    show.add_argument(
        "--full-build", action="store_true", help="build with real weights, not shapes only"
    )
    show.set_defaults(run=_show)
    check = commands.add_parser(
        "check", help="run every model directive's checks in a docs folder (for CI)"
    )
    check.add_argument("sourcedir", help="the docs folder (where conf.py is)")
    check.add_argument(
        "outdir", nargs="?", help="folder of modelcheck.json/.xml (SOURCEDIR/_build/modelcheck)"
    )
    check.add_argument("-j", "--jobs", default="1", help="parallel processes, as sphinx-build -j")
    check.set_defaults(run=_check)
    return parser


def _show(options: argparse.Namespace) -> int:
    shapes = parse_shape_spec(options.input_shape) if options.input_shape else None
    requests = [
        BuildRequest(
            target=parse_target(text), input_shapes=shapes, shape_only=not options.full_build
        )
        for text in options.targets
    ]
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # as `python -m` does: targets in this folder import
    engine = Engine(isolated=False)
    try:
        reports = [engine.report(request).report for request in requests]
    finally:
        engine.close()
    if options.format == "json":
        data = [report.to_dict() for report in reports]
        print(json.dumps(data[0] if len(data) == 1 else data, indent=2, sort_keys=True))
        return 0
    for report in reports:
        print(summary_text(report, expand_nested=options.expand_nested))
        if options.formulas:
            print(formulas_text(report))
    return 0


def _check(options: argparse.Namespace) -> int:
    """``sphinx-build -b modelcheck``: exit status 1 when any page's promise fails."""
    from sphinx.cmd.build import build_main

    outdir = options.outdir or os.path.join(options.sourcedir, "_build", "modelcheck")
    return build_main(["-b", "modelcheck", "-j", options.jobs, options.sourcedir, outdir])
