"""The model directives: a base that builds and checks, and the summary and formula tables.

:class:`ModelDirective` does what every model directive shares: it parses the
shared options, gets the report from the engine, notes the model's source
files as dependencies, checks the page's promises and records the outcome for
the role and the modelcheck builder. A subclass only renders.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from ..checks import Finding, check_expectations, drift_message
from ..costs import costs
from ..engine import Engine
from ..errors import BuildError, ModelSummaryError
from ..lockfile import LockfileError, compare, lock_key
from ..render.nodes import formulas_nodes, problem_node, summary_nodes
from ..render.rows import COST_COLUMNS, SUMMARY_COLUMNS, default_columns
from ..report import ModelReport, format_bytes, format_count
from ..request import BuildRequest
from ..sources import own_files
from ..target import parse_target
from .domain import CheckResult, ModelRecord, Problem, domain_of
from .lockfile import lockfile_path, recorded_entries, updating
from .options import SHARED_OPTIONS, OptionError, SharedOptions, parse_names, parse_shared
from .snapshot import report_for

logger = logging.getLogger(__name__)


_ENGINES: dict[tuple[str, float], Engine] = {}


def engine_for(env: Any) -> Engine:
    """One engine per process and configuration, created on first use."""
    config = env.config
    cache_dir = config.modelsummary_cache_dir or os.path.join(env.doctreedir, "modelsummary-cache")
    if config.modelsummary_execution_mode == "force":
        cache_dir = ""  # force ignores the cache
    key = (str(cache_dir), float(config.modelsummary_timeout))
    if key not in _ENGINES:
        _ENGINES[key] = Engine(cache_dir=key[0] or None, timeout=key[1], warn=_warn_about_engine)
    return _ENGINES[key]


def _warn_about_engine(message: str) -> None:
    logger.warning(message, type="modelsummary", subtype="cache")


def close_engines() -> str | None:
    """Stop what the engines hold (worker processes); say what they did, if anything."""
    built = cached = workers = 0
    while _ENGINES:
        engine = _ENGINES.popitem()[1]
        built, cached = built + engine.built, cached + engine.from_cache
        workers += engine.workers_started
        engine.close()
    if not built + cached:
        return None
    return (
        f"modelsummary: {built + cached} models, {cached} from the cache, "
        f"{workers} worker process{'es' if workers != 1 else ''} started"
    )


def report_problem(directive: SphinxDirective, kind: str, message: str) -> None:
    """Log a problem at the directive's line and record it for the closing summary."""
    config = directive.config
    as_warning = kind == "drift" and config.modelsummary_on_drift == "warning"
    log = logger.warning if as_warning else logger.error
    log(message, location=directive.get_location(), type="modelsummary", subtype=kind)
    problem = Problem(directive.env.docname, directive.lineno, kind, message)
    domain_of(directive.env).add_problem(problem)


class ModelDirective(SphinxDirective):
    """Base of every directive that documents one model."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = dict(SHARED_OPTIONS)
    expand_nested_default = False

    def run(self) -> list[nodes.Node]:
        target_text = self.arguments[0].strip()
        result = CheckResult(
            docname=self.env.docname,
            lineno=self.lineno,
            directive=self.name,
            target=target_text,
            name=str(self.options.get("name", "")).strip(),
        )
        domain_of(self.env).add_result(result)
        try:
            options = parse_shared(self.options, self.expand_nested_default)
            self.check_options(options)
            shape_only = self.config.modelsummary_shape_only and not options.full_build
            request = BuildRequest(
                parse_target(target_text),
                options.input_shapes,
                input_dtype=options.input_dtype,
                shape_only=shape_only,
                keras_backend=self.config.modelsummary_keras_backend,
            )
        except ModelSummaryError as error:
            return self.fail(result, "option", str(error))
        try:
            found = report_for(self.env, request, timeout=options.timeout)
        except BuildError as error:
            for path in own_files(request.target.module):  # fixing it must re-check this page
                self.env.note_dependency(path)
            return self.fail(result, "builder", error.message)
        outcome = found.outcome
        for path in outcome.source_files:
            self.env.note_dependency(path)
        report = outcome.report
        output = self.render(report, options)
        self.record(report, options, result)
        findings = check_expectations(report, options.expectations)
        result.expected = {f.count: f.expected for f in findings}
        result.lock_key = lock_key(request)
        findings += self.lockfile_findings(result.lock_key, report)
        drift = [finding.message for finding in findings if not finding.ok] + list(found.drift)
        if drift:
            result.status = "drift"
            result.messages = drift
            message = "; ".join(part for part in [drift_message(findings), *found.drift] if part)
            report_problem(self, "drift", f"{target_text}: {message}")
            output.insert(0, problem_node("The code no longer matches this page", result.messages))
        return output

    def lockfile_findings(self, key: str, report: ModelReport) -> list[Finding]:
        """Compare with ``modelsummary_lockfile``, unless this build rewrites it."""
        path = lockfile_path(self.config, str(self.env.srcdir))
        if path is None or updating(self.config):
            return []
        self.env.note_dependency(path)
        try:
            recorded = recorded_entries(path).get(key)
        except LockfileError as error:
            report_problem(self, "lockfile", str(error))
            return []
        if recorded is None:  # named, with the others missing, once at the end of the build
            return []
        return compare(recorded, report, self.config.modelsummary_lockfile)

    def check_options(self, options: SharedOptions) -> None:
        """Subclasses validate their own options here (raise OptionError)."""

    def render(self, report: ModelReport, options: SharedOptions) -> list[nodes.Node]:
        raise NotImplementedError

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
            report_problem(
                self,
                "option",
                f":name: {options.name!r} is already used at {existing.docname}:{existing.lineno}",
            )
            return
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

    def fail(self, result: CheckResult, kind: str, message: str) -> list[nodes.Node]:
        result.status = "error"
        result.messages = [message]
        headline, _, detail = message.partition("\n")
        report_problem(self, kind, f"{self.name} {result.target}: {message}")
        title = f"{self.name} could not document {result.target}"
        return [problem_node(title, [headline], detail or None)]

    def add_label(self, node: nodes.Element, options: SharedOptions) -> None:
        """``:name:`` also makes the table a target for :ref: (with a caption)."""
        if options.name:
            self.options["name"] = options.name
            self.add_name(node)


class ModelSummaryDirective(ModelDirective):
    """``.. model-summary:: TARGET``: the layer table and the totals."""

    option_spec: ClassVar[dict[str, Any]] = {
        **SHARED_OPTIONS,
        "columns": directives.unchanged,
        "batch-size": directives.unchanged,
    }
    known_columns = (*SUMMARY_COLUMNS, "calls", *COST_COLUMNS)

    def check_options(self, options: SharedOptions) -> None:
        parse_names("columns", self.options.get("columns"), self.known_columns)
        self.batch_size()

    def batch_size(self) -> int | None:
        text = self.options.get("batch-size")
        if text is None:
            return None
        if not text.strip().isdigit() or int(text) < 1:
            raise OptionError(f":batch-size: {text!r} must be a whole number, 1 or more")
        return int(text)

    def render(self, report: ModelReport, options: SharedOptions) -> list[nodes.Node]:
        columns = parse_names(
            "columns", self.options.get("columns"), self.known_columns
        ) or default_columns(report)
        batch_size = self.batch_size()
        wants_costs = batch_size is not None or any(c in COST_COLUMNS for c in columns)
        model_costs = costs(report, batch_size or 1) if wants_costs else None
        output = summary_nodes(
            report, columns, options.expand_nested, options.caption, model_costs, options.max_depth
        )
        output[0]["classes"].extend(options.classes)
        self.add_label(output[0], options)
        return output


class ModelFormulasDirective(ModelDirective):
    """``.. model-formulas:: TARGET``: every weighted layer's count, explained."""

    expand_nested_default = True

    def render(self, report: ModelReport, options: SharedOptions) -> list[nodes.Node]:
        output = formulas_nodes(report, options.caption, options.expand_nested, options.max_depth)
        output[0]["classes"].extend(options.classes)
        self.add_label(output[0], options)
        return output


def describe_count(record: ModelRecord, field: str) -> str:
    """The text the role writes for one figure of a labelled model."""
    values = {
        "params": format_count(record.params),
        "trainable": format_count(record.trainable),
        "non-trainable": format_count(record.non_trainable),
        "layers": format_count(record.layers),
        "size": format_bytes(record.bytes),
    }
    return values[field]
