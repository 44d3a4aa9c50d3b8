"""Per-document data of the extension, kept in a Sphinx domain so ``-j`` builds merge it.

A domain gives the two things parallel builds need: ``clear_doc`` when a page is
re-read and ``merge_domaindata`` when worker processes hand back what they read.
This is where everything a page produced is kept (see :mod:`.state` for the rest).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sphinx.domains import Domain
from sphinx.environment import BuildEnvironment

from .problems import Problem, ProblemKind


@dataclass(frozen=True)
class ModelRecord:
    """What a ``:name:`` label makes available to the role on any page."""

    docname: str
    lineno: int
    target: str
    params: int
    trainable: int
    non_trainable: int
    layers: int
    bytes: int


@dataclass
class CheckResult:
    """One directive's outcome, as the modelcheck builder reports it."""

    docname: str
    lineno: int
    directive: str
    target: str
    expected: dict[str, str] = field(default_factory=dict)
    actual: dict[str, int] = field(default_factory=dict)
    status: str = "ok"  # "ok", "drift" or "error"
    messages: list[str] = field(default_factory=list)
    #: The model's name in the lockfile (target and input shapes).
    lock_key: str = ""
    #: The directive's ``:name:``, so a role naming a model that failed can say so.
    name: str = ""


class ModelSummaryDomain(Domain):
    name = "modelsummary"
    label = "Model summary"
    #: 1: the snapshot entries each page uses are kept here (an older environment is re-read).
    data_version = 1
    initial_data: dict[str, Any] = {
        "models": {},  # name → ModelRecord
        "results": {},  # docname → [CheckResult]
        "problems": {},  # docname → [Problem]
        "role_uses": {},  # docname → [(lineno, name)]
        "snapshot_uses": {},  # docname → {snapshot entry name}
    }
    #: The data kept per page: cleared when the page is read again, merged from ``-j`` readers.
    _PER_PAGE: ClassVar[tuple[str, ...]] = ("results", "problems", "role_uses", "snapshot_uses")

    @property
    def models(self) -> dict[str, ModelRecord]:
        return self.data["models"]

    def add_result(self, result: CheckResult) -> None:
        self.data["results"].setdefault(result.docname, []).append(result)

    def add_problem(self, problem: Problem) -> None:
        self.data["problems"].setdefault(problem.docname, []).append(problem)

    def add_role_use(self, docname: str, lineno: int, name: str) -> None:
        self.data["role_uses"].setdefault(docname, []).append((lineno, name))

    def use_snapshot_entry(self, docname: str, entry: str) -> None:
        self.data["snapshot_uses"].setdefault(docname, set()).add(entry)

    def snapshot_entries_used(self) -> set[str]:
        """The snapshot entries some page uses; a rewrite removes the others."""
        return set().union(*self.data["snapshot_uses"].values())

    def results(self) -> list[CheckResult]:
        return sorted(
            (result for results in self.data["results"].values() for result in results),
            key=lambda result: (result.docname, result.lineno),
        )

    def failed(self, name: str) -> CheckResult | None:
        """The directive labelled ``name`` that could not document its model, if any."""
        return next((r for r in self.results() if r.name == name and r.status == "error"), None)

    def problems(self) -> list[Problem]:
        return sorted(
            (problem for problems in self.data["problems"].values() for problem in problems),
            key=lambda problem: (problem.docname, problem.lineno),
        )

    def duplicate_names(self) -> list[Problem]:
        """A ``:name:`` given to a second directive, wherever ``-j`` read the two."""
        first: dict[str, CheckResult] = {}
        problems = []
        for result in self.results():
            if not result.name:
                continue
            if result.name not in first:
                first[result.name] = result
                continue
            earlier = first[result.name]
            message = (
                f":name: {result.name!r} is already used at {earlier.docname}:{earlier.lineno}"
            )
            problems.append(Problem(result.docname, result.lineno, ProblemKind.OPTION, message))
        return problems

    def clear_doc(self, docname: str) -> None:
        for key in self._PER_PAGE:
            self.data[key].pop(docname, None)
        for name, record in list(self.models.items()):
            if record.docname == docname:
                del self.models[name]

    def merge_domaindata(self, docnames: Iterable[str], otherdata: dict[str, Any]) -> None:
        wanted = set(docnames)
        for name, record in otherdata["models"].items():
            if record.docname in wanted:
                self.models[name] = record
        for key in self._PER_PAGE:
            for docname, items in otherdata[key].items():
                if docname in wanted:
                    self.data[key][docname] = items

    def resolve_any_xref(self, *args: Any, **kwargs: Any) -> list:
        return []


def domain_of(env: BuildEnvironment) -> ModelSummaryDomain:
    return env.get_domain("modelsummary")  # type: ignore[return-value]
