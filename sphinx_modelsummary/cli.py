"""Command line: ``python -m sphinx_modelsummary show TARGET ...``.

Exit status 0 on success and 2, with one paragraph on stderr, for a bad
target or a failing builder; never a traceback from our internals. Builders run
in worker processes, as in a docs build: what they print, how they exit and how
long they hang cannot reach the output or outlast the timeout.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence

from .compare import compare
from .costs import costs
from .engine import DEFAULT_TIMEOUT, Engine
from .errors import ModelSummaryError
from .render.compare import comparison_json, comparison_text
from .render.text import formulas_text, summary_text
from .report import ModelReport
from .request import INPUT_DTYPES, BuildRequest, timeout_problem
from .target import parse_shape_spec, parse_target

EXIT_USER_ERROR = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    options = parser.parse_args(argv)
    try:
        return options.run(options)
    except ModelSummaryError as error:
        print(f"error: {_in_flags(str(error), _flags(parser))}", file=sys.stderr)
        return EXIT_USER_ERROR


def _flags(parser: argparse.ArgumentParser) -> set[str]:
    """Every ``--flag`` of the parser and its commands."""
    found = set()
    for action in parser._actions:
        found.update(name for name in action.option_strings if name.startswith("--"))
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                found |= _flags(command)
    return found


def _in_flags(message: str, flags: set[str]) -> str:
    """The message with a directive option (``:input-shape: (1, 3)``) written as the flag
    that does the same here (``--input-shape "(1, 3)"``): the CLI names its own flags."""

    def flag(match: re.Match[str]) -> str:
        name = f"--{match[1]}"
        if name not in flags:
            return match[0]
        return f'{name} "{match[2]}"' if match[2] else name

    return re.sub(r":([a-z][a-z-]*):(?: (\([^']*\)|\[[^']*\]))?", flag, message)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sphinx_modelsummary",
        description="Summarise the models your code builds, as the docs pages do.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("show", help="print a model's summary, formulas or JSON report")
    show.add_argument("targets", nargs="+", metavar="TARGET", help="package.module:builder(args)")
    show.add_argument("--input-shape", help="shape to build an unbuilt model with")
    show.add_argument("--input-dtype", choices=INPUT_DTYPES, help="dtype of the inputs (float32)")
    show.add_argument("--expand-nested", action="store_true", help="show layers of nested models")
    show.add_argument(
        "--max-depth",
        type=_whole_number,
        metavar="N",
        help="with --expand-nested (and for --formulas), open N levels of nested blocks",
    )
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.add_argument("--formulas", action="store_true", help="also print the formula table")
    show.add_argument(
        "--full-build", action="store_true", help="build with real weights, not shapes only"
    )
    show.add_argument("--costs", action="store_true", help="add MACs and memory columns")
    show.add_argument(
        "--batch-size", type=int, default=1, help="batch size for the memory figures (1)"
    )
    _add_timeout(show)
    show.set_defaults(run=_show)
    pair = commands.add_parser(
        "compare", help="two models side by side, layer by layer, with what differs"
    )
    pair.add_argument("target_a", metavar="A")
    pair.add_argument("target_b", metavar="B")
    pair.add_argument("--input-shape", help="shape to build both unbuilt models with")
    pair.add_argument("--input-shape-a", help="shape for A only")
    pair.add_argument("--input-shape-b", help="shape for B only")
    pair.add_argument("--input-dtype", choices=INPUT_DTYPES, help="dtype of the inputs (float32)")
    pair.add_argument("--only-differences", action="store_true", help="hide identical rows")
    pair.add_argument("--format", choices=("text", "json"), default="text")
    _add_timeout(pair)
    pair.set_defaults(run=_compare)
    check = commands.add_parser(
        "check", help="run every model directive's checks in a docs folder (for CI)"
    )
    check.add_argument("sourcedir", help="the docs folder (where conf.py is)")
    check.add_argument(
        "outdir", nargs="?", help="folder of modelcheck.json/.xml (SOURCEDIR/_build/modelcheck)"
    )
    check.add_argument("-j", "--jobs", default="1", help="parallel processes, as sphinx-build -j")
    check.set_defaults(run=_check)
    snapshot = commands.add_parser(
        "snapshot",
        help="build every documented model and rewrite the docs' snapshot",
    )
    snapshot.add_argument("sourcedir", help="the docs folder (where conf.py is)")
    snapshot.add_argument(
        "--force",
        action="store_true",
        help="run every builder, even for models whose cached report is up to date",
    )
    snapshot.add_argument(
        "-j", "--jobs", default="1", help="parallel processes, as sphinx-build -j"
    )
    snapshot.set_defaults(run=_snapshot)
    return parser


def _add_timeout(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--timeout",
        type=_seconds,
        metavar="SECONDS",
        help="stop a builder after this long (modelsummary_timeout of ./conf.py or "
        f"./docs/conf.py, else {DEFAULT_TIMEOUT:g})",
    )


def _seconds(value: object) -> float:
    """A timeout in the range the directives take (text from the command line is read as a
    number first), else a usage error that says what is wrong."""
    seconds = value
    if isinstance(value, str):
        try:
            seconds = float(value)
        except ValueError:
            pass
    problem = timeout_problem(seconds)
    if problem:
        raise argparse.ArgumentTypeError(f"{value!r} {problem}")
    return float(seconds)  # type: ignore[arg-type]  # timeout_problem saw a number


def _timeout(given: float | None) -> float:
    """``--timeout``, else the docs' ``modelsummary_timeout`` (``conf.py`` here or in
    ``docs/``), else the default: ``show`` stops a hanging builder as the docs build does."""
    if given is not None:
        return given
    from sphinx.errors import ConfigError

    from .sphinx.config import read_conf_py

    for conf in ("conf.py", os.path.join("docs", "conf.py")):
        if not os.path.isfile(conf):
            continue
        try:
            value = read_conf_py(conf).get("modelsummary_timeout")
            return DEFAULT_TIMEOUT if value is None else _seconds(value)
        except (ConfigError, argparse.ArgumentTypeError) as error:
            raise ModelSummaryError(f"{conf}: modelsummary_timeout: {error}") from None
    return DEFAULT_TIMEOUT


def _reports(requests: list[BuildRequest], timeout: float | None) -> list[ModelReport]:
    """Build in workers, where targets in the current folder import (as `python -m`)."""
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    engine = Engine(timeout=_timeout(timeout), builder_output=sys.stderr)
    try:
        return [engine.report(request).report for request in requests]
    finally:
        engine.close()


def _whole_number(text: str) -> int:
    """``--max-depth``'s value: 0 or more, else a usage error that says so."""
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"{text!r} must be a whole number, 0 or more")
    return int(text)


def _shapes(text: str | None):
    return parse_shape_spec(text) if text else None


def _show(options: argparse.Namespace) -> int:
    shapes = _shapes(options.input_shape)
    reports = _reports(
        [
            BuildRequest(
                parse_target(text),
                shapes,
                input_dtype=options.input_dtype,
                shape_only=not options.full_build,
            )
            for text in options.targets
        ],
        options.timeout,
    )
    if options.batch_size < 1:
        raise ModelSummaryError(f"--batch-size {options.batch_size} must be 1 or more")
    if options.format == "json":
        data = [_with_costs(report, options.batch_size) for report in reports]
        print(json.dumps(data[0] if len(data) == 1 else data, indent=2, sort_keys=True))
        return 0
    for report in reports:
        model_costs = costs(report, options.batch_size) if options.costs else None
        print(summary_text(report, options.expand_nested, model_costs, max_depth=options.max_depth))
        if options.formulas:
            print(formulas_text(report, max_depth=options.max_depth))
    return 0


def _check(options: argparse.Namespace) -> int:
    """``sphinx-build -b modelcheck``: exit status 1 when any page's promise fails.

    With a snapshot, every entry is also compared with the live build.
    """
    from sphinx.cmd.build import build_main

    _docs_folder(options.sourcedir)
    outdir = options.outdir or os.path.join(options.sourcedir, "_build", "modelcheck")
    # -E: every page is read again (the model cache keeps that fast), so no result is left
    # over from a build before this extension or a framework changed.
    return build_main(["-b", "modelcheck", "-E", "-j", options.jobs, options.sourcedir, outdir])


def _snapshot(options: argparse.Namespace) -> int:
    """Read every page with ``modelsummary_update_snapshot``: each entry is (re)written.

    Uses the ``modelcheck`` builder (no pages are written) and the docs' own
    model cache, so models whose sources did not change are not built again
    unless ``--force``.
    """
    from sphinx.cmd.build import build_main

    from .sphinx.snapshot import require_snapshot_dir

    _docs_folder(options.sourcedir)
    require_snapshot_dir(options.sourcedir)
    outdir = os.path.join(options.sourcedir, "_build", "modelcheck")  # as check: one cache
    mode = "force" if options.force else "auto"  # whatever conf.py says (it may say "off")
    settings = ["-D", "modelsummary_update_snapshot=1", "-D", f"modelsummary_execution_mode={mode}"]
    return build_main(
        [
            "-b",
            "modelcheck",
            "-E",
            *settings,
            "-j",
            options.jobs,
            options.sourcedir,
            outdir,
        ]
    )


def _docs_folder(folder: str) -> None:
    if not os.path.isfile(os.path.join(folder, "conf.py")):
        raise ModelSummaryError(
            f"{folder} is not a Sphinx docs folder: it has no conf.py; "
            "give the folder where conf.py is"
        )


def _with_costs(report: ModelReport, batch_size: int) -> dict:
    """The report as JSON, with MACs per layer and the cost totals for this batch size."""
    model_costs = costs(report, batch_size)
    data = report.to_dict()
    data["totals"]["macs"] = model_costs.macs
    data["totals"]["activation_bytes"] = model_costs.activation_bytes
    data["totals"]["batch_size"] = batch_size
    for layer in data["layers"]:
        if not layer["is_container"]:
            layer["macs"] = model_costs.of(layer["path"]).macs
    return data


def _compare(options: argparse.Namespace) -> int:
    shared = _shapes(options.input_shape)
    report_a, report_b = _reports(
        [
            BuildRequest(
                parse_target(target),
                _shapes(own) or shared,
                input_dtype=options.input_dtype,
            )
            for target, own in (
                (options.target_a, options.input_shape_a),
                (options.target_b, options.input_shape_b),
            )
        ],
        options.timeout,
    )
    comparison = compare(report_a, report_b)
    if options.format == "json":
        print(json.dumps(comparison_json(comparison), indent=2, sort_keys=True))
    else:
        print(comparison_text(comparison, only_differences=options.only_differences))
    return 0
