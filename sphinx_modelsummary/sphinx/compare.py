"""``.. model-compare:: TARGET_A TARGET_B``: two models side by side, layer by layer."""

from __future__ import annotations

from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from ..checks import parse_expectation
from ..compare import compare
from ..errors import BuildError, ModelSummaryError
from ..render.nodes import compare_nodes, problem_node
from ..request import BuildRequest
from ..target import parse_shape_spec, parse_target
from .directives import report_problem
from .domain import CheckResult, domain_of
from .options import OptionError, parse_flag, parse_names
from .snapshot import report_for

COMPARE_COLUMNS = ("layer", "output_shape", "params", "input_shape")


class ModelCompareDirective(SphinxDirective):
    """Aligns two models by structure and marks the rows that differ."""

    required_arguments = 2
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {
        "input-shape": directives.unchanged,
        "input-shape-a": directives.unchanged,
        "input-shape-b": directives.unchanged,
        "columns": directives.unchanged,
        "only-differences": directives.unchanged,
        "caption": directives.unchanged,
        "expect-difference": directives.unchanged,
        "full-build": directives.unchanged,
        "timeout": directives.unchanged,
        "class": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        target_a, target_b = self.arguments
        result = CheckResult(
            docname=self.env.docname,
            lineno=self.lineno,
            directive=self.name,
            target=f"{target_a} vs {target_b}",
        )
        domain_of(self.env).add_result(result)
        try:
            requests = self._requests(target_a, target_b)
            columns = tuple(
                parse_names("columns", self.options.get("columns"), COMPARE_COLUMNS)
                or ("layer", "output_shape", "params")
            )
            only_differences = parse_flag("only-differences", self.options, False)
            text = self.options.get("expect-difference")
            expected = _parse_difference(text) if text is not None else None
        except ModelSummaryError as error:
            return self._fail(result, "option", str(error))
        try:
            found = [report_for(self.env, request) for request in requests]
        except BuildError as error:
            return self._fail(result, "builder", error.message)
        outcomes = [item.outcome for item in found]
        for outcome in outcomes:
            for path in outcome.source_files:
                self.env.note_dependency(path)
        comparison = compare(outcomes[0].report, outcomes[1].report)
        difference = comparison.totals_difference.params
        result.actual = {"params": difference}
        output = self._render(comparison, columns, only_differences)
        snapshot_drift = [line for item in found for line in item.drift]
        if snapshot_drift:
            result.status = "drift"
            result.messages = snapshot_drift
            report_problem(self, "drift", f"{result.target}: " + "; ".join(snapshot_drift))
            output.insert(
                0, problem_node("The snapshot no longer matches the code", snapshot_drift)
            )
        if expected is not None:
            result.expected = {"params": text.strip()}
            if difference != expected:
                result.status = "drift"
                message = (
                    f"difference: the page promises {expected:+,}, the code gives {difference:+,}"
                )
                result.messages.append(message)
                report_problem(self, "drift", f"{result.target}: {message}")
                output.insert(0, problem_node("The code no longer matches this page", [message]))
        return output

    def _requests(self, target_a: str, target_b: str) -> list[BuildRequest]:
        shared = self.options.get("input-shape")
        shape_only = self.config.modelsummary_shape_only and not parse_flag(
            "full-build", self.options, False
        )
        requests = []
        for target, own in ((target_a, "input-shape-a"), (target_b, "input-shape-b")):
            text = self.options.get(own, shared)
            option = own if own in self.options else "input-shape"
            try:
                shapes = parse_shape_spec(text) if text else None
            except ModelSummaryError as error:
                raise OptionError(f":{option}: {error}") from None
            requests.append(
                BuildRequest(
                    parse_target(target),
                    shapes,
                    shape_only=shape_only,
                    keras_backend=self.config.modelsummary_keras_backend,
                )
            )
        return requests

    def _render(self, comparison, columns, only_differences) -> list[nodes.Node]:
        classes = self.options.get("class", "").split()
        caption = self.options.get("caption")
        return compare_nodes(comparison, columns, only_differences, caption, classes)

    def _fail(self, result: CheckResult, kind: str, message: str) -> list[nodes.Node]:
        result.status = "error"
        result.messages = [message]
        report_problem(self, kind, f"{self.name} {result.target}: {message}")
        headline, _, detail = message.partition("\n")
        return [problem_node(f"{self.name} could not compare", [headline], detail or None)]


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
