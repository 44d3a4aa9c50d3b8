"""``:model-params:`NAME [field]```: a labelled model's live figure inside a sentence.

The role leaves a placeholder; it is filled once every page has been read (so
page order does not matter and ``-j`` works), and an unknown name is an error
at the role's line.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

from ..report import format_bytes, format_count
from .domain import ModelRecord, domain_of
from .problems import Problem, ProblemKind

logger = logging.getLogger(__name__)

FIELDS = ("params", "trainable", "non-trainable", "layers", "size")
_ALIASES = {"total": "params"}


class model_params(nodes.Inline, nodes.TextElement):  # noqa: N801 - docutils node naming
    """Placeholder for a figure, replaced when the doctree is resolved."""


class ModelParamsRole(SphinxRole):
    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        words = self.text.split()
        name = words[0] if words else ""
        field = _ALIASES.get(words[1], words[1]) if len(words) > 1 else "params"
        if not words or len(words) > 2 or field not in FIELDS:
            message = (
                f":model-params:`{self.text}`: write a model's :name: and optionally one of "
                f"{', '.join(FIELDS)}"
            )
            kind = ProblemKind.ROLE
            logger.error(message, location=self.get_location(), type="modelsummary", subtype=kind)
            domain_of(self.env).add_problem(Problem(self.env.docname, self.lineno, kind, message))
            return [nodes.literal(self.rawtext, self.text)], []
        domain_of(self.env).add_role_use(self.env.docname, self.lineno, name)
        node = model_params(self.rawtext, name, classes=["modelsummary-param"])
        node["model"] = name
        node["field"] = field
        return [node], []


def unknown_names(env: BuildEnvironment) -> list[Problem]:
    """Every role naming no labelled model, found from the whole environment.

    Computed at the end of every build (also one that re-read nothing, and
    after ``-j`` merged what its processes read), so the problem is reported
    until it is fixed.
    """
    domain = domain_of(env)
    problems = []
    for docname, uses in sorted(domain.data["role_uses"].items()):
        for lineno, name in uses:
            if name not in domain.models and not domain.failed(name):
                known = ", ".join(sorted(domain.models)) or "none"
                message = (
                    f":model-params: names {name!r}, but no directive has ':name: {name}' "
                    f"(known: {known})"
                )
                problems.append(Problem(docname, lineno, ProblemKind.ROLE, message))
    return problems


def fill_figures(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    domain = domain_of(app.env)
    for node in list(doctree.findall(model_params)):
        record = domain.models.get(node["model"])
        if record is None:  # already an error (here or at the directive); mark the spot
            state = "not built" if domain.failed(node["model"]) else "unknown"
            text = f"[{state} model {node['model']!r}]"
            classes = ["modelsummary-param", "modelsummary-unknown"]
        else:
            text = describe_count(record, node["field"])
            classes = ["modelsummary-param"]
        node.replace_self(nodes.inline(text, text, classes=classes))


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
