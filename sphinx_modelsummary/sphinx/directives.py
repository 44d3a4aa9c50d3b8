"""The table directives: ``model-summary`` and ``model-formulas``; the base does the rest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives

from ..costs import costs
from ..render.nodes import formulas_nodes, summary_nodes
from ..render.rows import COST_COLUMNS, SUMMARY_COLUMNS, default_columns
from ..report import ModelReport
from .base import ModelDirective
from .links import model_key
from .options import TABLE_OPTIONS, OptionSpec, SharedOptions, parse_names, parse_whole


@dataclass(frozen=True)
class SummaryOptions(SharedOptions):
    columns: tuple[str, ...] | None = None
    batch_size: int | None = None
    #: In HTML, how deep composite rows start opened (None: all open).
    open_depth: int | None = None


class ModelSummaryDirective(ModelDirective):
    """``.. model-summary:: TARGET``: the layer table and the totals."""

    option_spec: ClassVar[dict[str, Any]] = OptionSpec(
        TABLE_OPTIONS,
        columns=directives.unchanged,
        **{"batch-size": directives.unchanged, "open-depth": directives.unchanged},
    )
    known_columns = (*SUMMARY_COLUMNS, "calls", *COST_COLUMNS)

    def parse_options(self) -> SummaryOptions:
        columns = parse_names("columns", self.options.get("columns"), self.known_columns)
        return SummaryOptions(
            **vars(super().parse_options()),
            columns=tuple(columns) if columns else None,
            batch_size=parse_whole("batch-size", self.options.get("batch-size"), 1),
            open_depth=parse_whole("open-depth", self.options.get("open-depth"), 0),
        )

    def render(self, report: ModelReport, options: SummaryOptions) -> list[nodes.Node]:
        columns = list(options.columns or default_columns(report))
        batch_size = options.batch_size
        wants_costs = batch_size is not None or any(c in COST_COLUMNS for c in columns)
        model_costs = costs(report, batch_size or 1) if wants_costs else None
        output = summary_nodes(
            report,
            columns,
            options.expand_nested,
            options.caption,
            model_costs,
            options.max_depth,
            options.fold_repeats,
        )
        output[0]["classes"].extend(options.classes)
        output[0]["model"] = model_key(report)  # a diagram of the model links to its rows
        output[0]["open_depth"] = options.open_depth
        self.add_label(output[0], options)
        return output


class ModelFormulasDirective(ModelDirective):
    """``.. model-formulas:: TARGET``: every weighted layer's count, explained."""

    option_spec: ClassVar[dict[str, Any]] = OptionSpec(TABLE_OPTIONS)
    expand_nested_default = True

    def render(self, report: ModelReport, options: SharedOptions) -> list[nodes.Node]:
        output = formulas_nodes(
            report, options.caption, options.expand_nested, options.max_depth, options.fold_repeats
        )
        output[0]["classes"].extend(options.classes)
        self.add_label(output[0], options)
        return output
