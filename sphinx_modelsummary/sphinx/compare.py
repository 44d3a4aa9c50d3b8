"""``.. model-compare:: TARGET_A TARGET_B``: two models side by side, layer by layer."""

from __future__ import annotations

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
    input_shapes_b: tuple[Shape, ...] | None = None
    columns: tuple[str, ...] = ("layer", "output_shape", "params")
    only_differences: bool = False
    #: The signed difference the page promises, and how it was written.
    expected_difference: int | None = None
    expected_text: str = ""


class ModelCompareDirective(ModelsDirective):
    """Aligns two models by structure and marks the rows that differ; the base builds them."""

    required_arguments = 2
    final_argument_whitespace = False
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
        return " vs ".join(self.arguments)

    def parse_options(self) -> CompareOptions:
        shared = parse_shared({k: v for k, v in self.options.items() if k != "input-shape"}, False)
        shapes = [self._shapes(own) for own in ("input-shape-a", "input-shape-b")]
        text = self.options.get("expect-difference")
        columns = parse_names("columns", self.options.get("columns"), COMPARE_COLUMNS)
        return CompareOptions(
            **{**vars(shared), "input_shapes": shapes[0]},
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
            self.request(self.arguments[0], options.input_shapes, options),
            self.request(self.arguments[1], options.input_shapes_b, options),
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


def _parse_difference(text: str) -> int:
    """``+96,000``, ``96000`` or ``-1,680``: an exact signed count."""
    value = text.strip()
    sign = -1 if value.startswith("-") else 1
    try:
        expectation = parse_expectation(value.lstrip("+-"))
    except ModelSummaryError as error:
        raise OptionError(f":expect-difference: {error}") from None
    if expectation.unit is not None:
        raise OptionError(f":expect-difference: {text!r} must be exact, such as +96,000")
    return sign * expectation.value
