"""``.. model-compare:: TARGET_A TARGET_B``: two models side by side, layer by layer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives

from ..checks import parse_expectation
from ..compare import compare
from ..errors import ModelSummaryError
from ..render.nodes import compare_nodes
from ..report import ModelReport, Shape
from ..request import BuildRequest
from ..target import parse_shape_spec
from .base import Drift, Model, ModelsDirective
from .domain import CheckResult
from .options import (
    OptionError,
    OptionSpec,
    SharedOptions,
    parse_flag,
    parse_names,
    parse_shared,
)

COMPARE_COLUMNS = ("layer", "output_shape", "params", "input_shape")


@dataclass(frozen=True)
class CompareOptions(SharedOptions):
    #: The two targets, A and B, as written.
    targets: tuple[str, str] = ("", "")
    input_shapes_b: tuple[Shape, ...] | None = None
    columns: tuple[str, ...] = ("layer", "output_shape", "params")
    only_differences: bool = False
    #: The signed difference the page promises, and how it was written.
    expected_difference: int | None = None
    expected_text: str = ""


class ModelCompareDirective(ModelsDirective):
    """Aligns two models by structure and marks the rows that differ; the base builds them."""

    #: Both targets in one argument, split by :func:`split_targets`: a call may hold spaces.
    required_arguments = 1
    final_argument_whitespace = True
    verb = "compare"
    option_spec: ClassVar[dict[str, Any]] = OptionSpec(
        {
            "input-shape": directives.unchanged,
            "input-shape-a": directives.unchanged,
            "input-shape-b": directives.unchanged,
            "input-dtype": directives.unchanged,
            "columns": directives.unchanged,
            "only-differences": directives.unchanged,
            "caption": directives.unchanged,
            "expect-difference": directives.unchanged,
            "full-build": directives.unchanged,
            "timeout": directives.unchanged,
            "class": directives.unchanged,
        }
    )

    def described_target(self) -> str:
        try:
            return " vs ".join(split_targets(self.arguments[0]))
        except OptionError:
            return self.arguments[0].strip()

    def parse_options(self) -> CompareOptions:
        shared = parse_shared({k: v for k, v in self.options.items() if k != "input-shape"}, False)
        shapes = [self._shapes(own) for own in ("input-shape-a", "input-shape-b")]
        text = self.options.get("expect-difference")
        columns = parse_names("columns", self.options.get("columns"), COMPARE_COLUMNS)
        return CompareOptions(
            **{**vars(shared), "input_shapes": shapes[0]},
            targets=split_targets(self.arguments[0]),
            input_shapes_b=shapes[1],
            columns=tuple(columns) if columns else CompareOptions.columns,
            only_differences=parse_flag("only-differences", self.options, False),
            expected_difference=_parse_difference(text) if text is not None else None,
            expected_text=(text or "").strip(),
        )

    def _shapes(self, own: str) -> tuple[Shape, ...] | None:
        """The model's own ``:input-shape-a:`` (or ``-b``), else the shared ``:input-shape:``."""
        option = own if own in self.options else "input-shape"
        text = self.options.get(option)
        try:
            return parse_shape_spec(text) if text else None
        except ModelSummaryError as error:
            raise OptionError(f":{option}: {error}") from None

    def requests(self, options: CompareOptions) -> list[BuildRequest]:
        return [
            self.request(options.targets[0], options.input_shapes, options),
            self.request(options.targets[1], options.input_shapes_b, options),
        ]

    def render_reports(
        self, reports: list[ModelReport], options: CompareOptions
    ) -> list[nodes.Node]:
        comparison = compare(reports[0], reports[1])
        return compare_nodes(
            comparison, options.columns, options.only_differences, options.caption, options.classes
        )

    def check(self, models: list[Model], options: CompareOptions, result: CheckResult) -> Drift:
        difference = compare(models[0][1], models[1][1]).totals_difference.params
        result.actual = {"params": difference}
        expected = options.expected_difference
        if expected is None:
            return Drift()
        result.expected = {"params": options.expected_text}
        if difference == expected:
            return Drift()
        message = f"difference: the page promises {expected:+,}, the code gives {difference:+,}"
        return Drift((message,), message)


#: A signed count: the sign (if any) right before the first digit.
_SIGNED = re.compile(r"([+-]?)(\d.*)", re.DOTALL)


def _parse_difference(text: str) -> int:
    """``+96,000``, ``96000``, ``-1,680`` or ``0``: an exact signed count; ``+-25`` and
    ``--25`` are errors, not +25."""
    signed = _SIGNED.fullmatch(text.strip())
    if signed is None:
        raise OptionError(
            f":expect-difference: {text.strip()!r} is not a signed count; write the difference "
            "B − A as +96,000, -1,680 or 0"
        )
    sign, number = signed.groups()
    try:
        expectation = parse_expectation(number)
    except ModelSummaryError as error:
        raise OptionError(f":expect-difference: {error}") from None
    if expectation.unit is not None:
        raise OptionError(f":expect-difference: {text!r} must be exact, such as +96,000")
    return -expectation.value if sign == "-" else expectation.value


_CLOSERS = {"(": ")", "[": "]", "{": "}"}


def split_targets(text: str) -> tuple[str, str]:
    """The two targets of ``model-compare``, split at the whitespace outside brackets and
    quotes, so a call may hold spaces: ``m:build(units=8, depth=2) m:build(units=8, depth=3)``.
    """
    pieces: list[str] = []
    start: int | None = None
    closers: list[str] = []
    quote, escaped = "", False
    for index, char in enumerate(text):
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
            continue
        if char.isspace() and not closers:
            # ``m:build (8)`` is one target: a call may follow its name after a space.
            if start is not None and not text[index:].lstrip().startswith("("):
                pieces.append(text[start:index])
                start = None
            continue
        if start is None:
            start = index
        if char in "'\"":
            quote = char
        elif char in _CLOSERS:
            closers.append(_CLOSERS[char])
        elif char in ")]}":
            if not closers or closers.pop() != char:
                raise OptionError(
                    f"the targets {text.strip()!r} cannot be split: {char!r} at character "
                    f"{index + 1} closes no bracket"
                )
    if quote or closers:
        unclosed = quote or {v: k for k, v in _CLOSERS.items()}[closers[-1]]
        raise OptionError(
            f"the targets {text.strip()!r} cannot be split: a {unclosed!r} is never closed"
        )
    if start is not None:
        pieces.append(text[start:])
    if len(pieces) != 2:
        raise OptionError(
            "two targets are needed, A and B, separated by a space (spaces inside a call's "
            "brackets or quotes are part of it); "
            f"found {len(pieces)} in {text.strip()!r}"
        )
    return pieces[0], pieces[1]
