"""Sphinx side of the snapshot: the execution mode, rewriting the snapshot, and pruning it.

Directives get their reports through :func:`reports_for`, which applies
``modelsummary_execution_mode``. With ``modelsummary_update_snapshot`` every page
is read again, every request's entry is written, and at the end of the build
the entries no page used are removed. The ``modelcheck`` builder compares every
entry with the live build.
"""

from __future__ import annotations

import os

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from ..errors import ModelSummaryError
from ..report_source import ReportSource, SnapshotOutcome, report_source
from ..request import BuildRequest
from ..snapshot_store import Snapshot, SnapshotError, display_path, entry_name
from .config import NO_SNAPSHOT_FOLDER, read_conf_py
from .domain import domain_of
from .problems import ProblemKind
from .state import settings_of

logger = logging.getLogger(__name__)

COMMAND = "python -m sphinx_modelsummary snapshot"


def refresh_hint(srcdir: str) -> str:
    """``run python -m sphinx_modelsummary snapshot docs``, with the docs folder as typed here."""
    folder = os.path.relpath(srcdir)
    if folder.startswith(os.pardir):
        folder = os.path.abspath(srcdir)
    return f"run {COMMAND} {folder}"


def reports_for(env: BuildEnvironment) -> ReportSource:
    """Where this build's directives get reports, under the configured execution mode."""
    from .engines import engine_for

    settings = settings_of(env.config)
    folder = settings.snapshot_path(str(env.srcdir))
    return report_source(
        snapshot=Snapshot(folder) if folder else None,
        mode=settings.execution_mode,
        engine=lambda: engine_for(env),
        refresh=refresh_hint(str(env.srcdir)),
        update=settings.update_snapshot,
        verify=_builder_name(env) == "modelcheck",
    )


def _builder_name(env: BuildEnvironment) -> str:
    # Sphinx 9 deprecates env.app; the builder class it records is what we need.
    builder = getattr(env, "_builder_cls", None) or type(env.app.builder)
    return builder.name


def report_for(
    env: BuildEnvironment, request: BuildRequest, timeout: float | None = None
) -> SnapshotOutcome:
    """The request's report for the current page, which now uses the request's entry.

    The use is recorded before building, so an entry whose builder fails during
    a rewrite is kept, not removed as unused.
    """
    if settings_of(env.config).snapshot_dir:
        domain_of(env).use_snapshot_entry(env.docname, entry_name(request))
    return reports_for(env).report(request, timeout=timeout)


def require_snapshot_dir(sourcedir: str) -> None:
    """The ``snapshot`` command's check of conf.py, before Sphinx starts: Sphinx reports an
    error raised while it runs inside its crash report, as if it were a bug."""
    try:
        namespace = read_conf_py(os.path.join(sourcedir, "conf.py"))
    except Exception:  # noqa: BLE001 - conf.py's own error: Sphinx reports it with its line
        return
    if not namespace.get("modelsummary_snapshot_dir"):
        raise ModelSummaryError(f"{os.path.join(sourcedir, 'conf.py')}: {NO_SNAPSHOT_FOLDER}")


def read_every_page(
    app: Sphinx, env: BuildEnvironment, added: set, changed: set, removed: set
) -> list[str]:
    """A rewrite reads every page (an entry no page asked for is removed at the end), and so
    does ``modelcheck`` with a snapshot: every entry is compared, not only those of edited pages.
    """
    settings = settings_of(app.config)
    verifying = app.builder.name == "modelcheck" and settings.snapshot_dir
    return sorted(env.found_docs) if settings.update_snapshot or verifying else []


def finish_snapshot(app: Sphinx, exception: Exception | None) -> None:
    """After a rewrite, remove unused entries; after ``check``, name the unused ones."""
    settings = settings_of(app.config)
    folder = settings.snapshot_path(str(app.srcdir))
    if exception is not None or folder is None:
        return
    snapshot = Snapshot(folder)
    used = domain_of(app.env).snapshot_entries_used()
    if settings.update_snapshot:
        try:
            removed = snapshot.prune(used)
        except SnapshotError as error:
            logger.error(str(error), type="modelsummary", subtype=ProblemKind.SNAPSHOT)
            app.statuscode = 1
            return
        logger.info(
            f"modelsummary: the snapshot in {display_path(folder)} has {len(used)} entries"
            + (f"; removed {len(removed)} unused: {', '.join(removed)}" if removed else "")
        )
    elif app.builder.name == "modelcheck":
        unused = [name for name in snapshot.names() if name not in used]
        if unused:
            entries = "entry" if len(unused) == 1 else "entries"
            logger.info(
                f"modelsummary: {len(unused)} snapshot {entries} no page uses "
                f"({', '.join(unused)}); {refresh_hint(str(app.srcdir))} to remove them"
            )


def setup(app: Sphinx) -> None:
    app.connect("env-get-outdated", read_every_page)
    app.connect("build-finished", finish_snapshot)
