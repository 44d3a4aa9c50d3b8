"""The engine: the one door through which Sphinx and the CLI get reports.

Callers hand it a :class:`~sphinx_modelsummary.execute.BuildRequest` and get
back a :class:`BuildOutcome`; how the model is built (in this process for now)
is the engine's business.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from .errors import is_user_file
from .execute import BuildRequest, build_report
from .report import ModelReport


@dataclass(frozen=True)
class BuildOutcome:
    report: ModelReport
    #: Project source files the builder imported: editing one must rebuild the page.
    source_files: tuple[str, ...]
    cached: bool = False


class Engine:
    """Builds reports for requests; one engine serves a whole docs build."""

    def __init__(self, cache_dir: str | None = None, timeout: float | None = None) -> None:
        self.cache_dir = cache_dir
        self.timeout = timeout

    def report(self, request: BuildRequest, timeout: float | None = None) -> BuildOutcome:
        """Build (or fetch) the report; raises BuildError for anything the user must fix."""
        before = set(sys.modules)
        report = build_report(request)
        return BuildOutcome(report=report, source_files=_project_files(set(sys.modules) - before))

    def close(self) -> None:
        """Release whatever the engine holds (worker processes, open caches)."""


def _project_files(module_names: set[str]) -> tuple[str, ...]:
    files = set()
    for name in module_names:
        path = getattr(sys.modules.get(name), "__file__", None)
        if path and is_user_file(path):
            files.add(path)
    return tuple(sorted(files))
