"""Problems at a page's line: their kinds, how they are logged, and how they are kept.

Every problem is logged with ``type="modelsummary"`` and its kind as the
subtype (so ``suppress_warnings = ["modelsummary.drift"]`` works), and kept in
the domain for the closing summary and the exit status.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sphinx.config import Config
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.logging import is_suppressed_warning

from .config import Settings
from .state import settings_of

logger = logging.getLogger(__name__)


class ProblemKind(StrEnum):
    """The subtypes of the extension's warnings and errors (listed in docs/checks.rst)."""

    #: A promise of the page (an ``:expect-*:`` option, the lockfile, the snapshot) is broken.
    DRIFT = "drift"
    #: A builder could not be run: import, lookup, error, hang, crash, no model, no framework.
    BUILDER = "builder"
    #: A malformed or unknown option, or a ``:name:`` used twice.
    OPTION = "option"
    #: A ``:model-params:`` role naming no model, or written wrongly.
    ROLE = "role"
    #: A lockfile that cannot be read or written, or models missing from it.
    LOCKFILE = "lockfile"
    #: The report cache cannot be read or written (a warning: the build goes on without it).
    CACHE = "cache"
    #: A snapshot that cannot be read or written.
    SNAPSHOT = "snapshot"
    #: Layer names the LaTeX engine cannot set (pdflatex and CJK), printed as code points.
    LATEX = "latex"


@dataclass(frozen=True)
class Problem:
    """A drift, a failing builder, a bad option or an unknown role name, at its line."""

    docname: str
    lineno: int
    kind: str
    message: str
    #: The page is read again on the next build, also unchanged: its failure was not the
    #: page's or the builder's (a worker killed from outside).
    retry: bool = False

    @property
    def headline(self) -> str:
        """The message's first meaningful line: a message that ends its first line with a
        colon (``raised an error:``) goes on with what follows the traceback's frames."""
        first, *rest = self.message.splitlines() or [""]
        if not first.endswith(":"):
            return first
        meaningful = (
            line
            for line in rest
            if line.strip() and not line[0].isspace() and not line.startswith("Traceback (")
        )
        return f"{first} {next(meaningful, '')}".rstrip()

    def fails(self, settings: Settings, config: Config) -> bool:
        """Whether it fails the build: not when only warned about, nor when suppressed."""
        if _only_warned(self.kind, settings):
            return False
        return not is_suppressed_warning("modelsummary", self.kind, config.suppress_warnings)


def _only_warned(kind: str, settings: Settings) -> bool:
    """Drift under ``on_drift = "warning"`` is a warning; every other problem an error."""
    return kind == ProblemKind.DRIFT and settings.on_drift == "warning"


def log_problem(kind: ProblemKind, message: str, location, settings: Settings) -> None:
    """Log at the location: an error, or a warning for drift under ``on_drift = "warning"``."""
    log = logger.warning if _only_warned(kind, settings) else logger.error
    log(message, location=location, type="modelsummary", subtype=str(kind))


def report_problem(
    directive: SphinxDirective, kind: ProblemKind, message: str, retry: bool = False
) -> None:
    """Log a problem at the directive's line and record it for the closing summary (and,
    with ``retry``, for reading the page again on the next build)."""
    log_problem(kind, message, directive.get_location(), settings_of(directive.config))
    problem = Problem(directive.env.docname, directive.lineno, kind, message, retry)
    directive.env.get_domain("modelsummary").add_problem(problem)
