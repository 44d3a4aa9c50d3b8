"""The base of every model directive: options parsed once, models built, problems reported.

:class:`ModelsDirective` does what every model directive shares: it parses
its options once into one frozen value, makes one or more build requests,
gets their reports (honouring ``:timeout:``), notes every source file the
builders used as a dependency (also when a build failed, so fixing the model
re-checks the page), checks the page's promises and records the outcome for
the role and the modelcheck builder. A subclass says which requests it makes,
which promises it checks, and renders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from ..checks import Finding, check_expectations, drift_message
from ..errors import BuildError, BuildKind, ModelSummaryError
from ..lockfile import LockfileError, compare, lock_key
from ..render.nodes import model_table, problem_node
from ..report import ModelReport, Shape
from ..request import BuildRequest
from ..sources import own_files
from .domain import CheckResult, ModelRecord, domain_of
from .lockfile import recorded_entries
from .options import (
    SHARED_OPTIONS,
    OptionSpec,
    SharedOptions,
    build_request,
    check_known,
    parse_shared,
)
from .problems import ProblemKind, report_problem
from .snapshot import report_for
from .state import settings_of, state_of

logger = logging.getLogger(__name__)

#: A request and the report it gave.
Model = tuple[BuildRequest, ModelReport]


@dataclass(frozen=True)
class Drift:
    """The promises a page broke: one message each, and the one line the error says."""

    messages: tuple[str, ...] = ()
    summary: str = ""


class ModelsDirective(SphinxDirective):
    """Base of the directives that build one or more models and render them."""

    has_content = False
    final_argument_whitespace = True
    option_spec: ClassVar[dict[str, Any]] = OptionSpec(SHARED_OPTIONS)
    expand_nested_default = False
    #: What the failure box says the directive could not do.
    verb = "document"

    def run(self) -> list[nodes.Node]:
        result = CheckResult(
            docname=self.env.docname,
            lineno=self.lineno,
            directive=self.name,
            target=self.described_target(),
            name=str(self.options.get("name", "")).strip(),
        )
        domain_of(self.env).add_result(result)
        try:
            check_known(self.options, self.option_spec, self.name)
            options = self.parse_options()
            requests = self.requests(options)
        except ModelSummaryError as error:
            return self.fail(result, ProblemKind.OPTION, str(error))
        found = []
        for request in requests:
            try:
                found.append(report_for(self.env, request, timeout=options.timeout))
            except BuildError as error:
                for path in (*error.source_files, *own_files(request.target.module)):
                    self.env.note_dependency(path)  # fixing the model must re-check this page
                retry = error.kind == BuildKind.KILLED  # not the page's fault: read it again
                return self.fail(result, ProblemKind.BUILDER, error.message, retry)
        for item in found:
            for path in item.outcome.source_files:
                self.env.note_dependency(path)
        reports = [item.outcome.report for item in found]
        try:
            output = self.render_reports(reports, options)
            drift = self.check(list(zip(requests, reports)), options, result)
        except ModelSummaryError as error:  # reports that contradict themselves
            return self.fail(result, ProblemKind.BUILDER, str(error))
        for table in (found for node in output for found in node.findall(model_table)):
            self.set_source_info(table)  # a writer's warning about a table names this line
        snapshot = [line for item in found for line in item.drift]
        for note in (line for item in found for line in item.notes):
            logger.info(f"{result.target}: {note}", location=(self.env.docname, self.lineno))
        messages = [*drift.messages, *snapshot]
        if messages:
            result.status = "drift"
            result.messages = messages
            summary = "; ".join(part for part in (drift.summary, *snapshot) if part)
            report_problem(self, ProblemKind.DRIFT, f"{result.target}: {summary}")
            output.insert(0, problem_node("The code no longer matches this page", messages))
        return output

    def described_target(self) -> str:
        return self.arguments[0].strip()

    def parse_options(self) -> SharedOptions:
        """Every option, checked, in one frozen value; subclasses add their own fields."""
        return parse_shared(self.options, self.expand_nested_default)

    def requests(self, options: SharedOptions) -> list[BuildRequest]:
        return [self.request(self.arguments[0], options.input_shapes, options)]

    def request(
        self, target: str, input_shapes: tuple[Shape, ...] | None, options: SharedOptions
    ) -> BuildRequest:
        return build_request(target, input_shapes, options, settings_of(self.config))

    def render_reports(self, reports: list[ModelReport], options: Any) -> list[nodes.Node]:
        raise NotImplementedError

    def check(self, models: list[Model], options: Any, result: CheckResult) -> Drift:
        """The page's promises about the models; record what the modelcheck builder shows."""
        return Drift()

    def fail(
        self, result: CheckResult, kind: ProblemKind, message: str, retry: bool = False
    ) -> list[nodes.Node]:
        result.status = "error"
        result.messages = [message]
        headline, _, detail = message.partition("\n")
        report_problem(self, kind, f"{self.name} {result.target}: {message}", retry)
        title = f"{self.name} could not {self.verb} {result.target}"
        return [problem_node(title, [headline], detail or None)]

    def add_label(self, node: nodes.Element, options: SharedOptions) -> None:
        """``:name:`` also makes the table a target for :ref: (with a caption)."""
        if options.name:
            self.options["name"] = options.name
            self.add_name(node)


class ModelDirective(ModelsDirective):
    """Base of every directive that documents one model: its counts are the page's promises."""

    required_arguments = 1

    def render_reports(self, reports: list[ModelReport], options: Any) -> list[nodes.Node]:
        return self.render(reports[0], options)

    def render(self, report: ModelReport, options: Any) -> list[nodes.Node]:
        raise NotImplementedError

    def check(self, models: list[Model], options: Any, result: CheckResult) -> Drift:
        request, report = models[0]
        self.record(report, options, result)
        findings = check_expectations(report, options.expectations)
        result.expected = {f.count: f.expected for f in findings}
        result.lock_key = lock_key(request)
        findings += self.lockfile_findings(result.lock_key, report)
        messages = tuple(finding.message for finding in findings if not finding.ok)
        return Drift(messages, drift_message(findings))

    def lockfile_findings(self, key: str, report: ModelReport) -> list[Finding]:
        """Compare with ``modelsummary_lockfile``, unless this build rewrites it."""
        state = state_of(self.config)
        path = state.settings.lockfile_path(str(self.env.srcdir))
        if path is None:
            return []
        self.env.note_dependency(path)  # also when rewriting it: a later hand edit re-checks
        if state.settings.update_lockfile:
            return []
        try:
            recorded = recorded_entries(state, path).get(key)
        except LockfileError as error:
            report_problem(self, ProblemKind.LOCKFILE, str(error))
            return []
        if recorded is None:  # named, with the others missing, once at the end of the build
            return []
        return compare(recorded, report, state.settings.lockfile)

    def record(self, report: ModelReport, options: SharedOptions, result: CheckResult) -> None:
        totals = report.totals
        result.actual = {
            "params": totals.params,
            "trainable": totals.trainable,
            "non-trainable": totals.non_trainable,
        }
        if options.name is None:
            return
        domain = domain_of(self.env)
        existing = domain.models.get(options.name)
        if existing and (existing.docname, existing.lineno) != (self.env.docname, self.lineno):
            return  # the first keeps the name; the build's end reports the second (any -j)
        domain.models[options.name] = ModelRecord(
            docname=self.env.docname,
            lineno=self.lineno,
            target=result.target,
            params=totals.params,
            trainable=totals.trainable,
            non_trainable=totals.non_trainable,
            layers=sum(1 for layer in report.layers if not layer.is_container),
            bytes=totals.bytes,
        )
