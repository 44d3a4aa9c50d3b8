"""Sphinx side of the lockfile: check each model against it, and rewrite it on request."""

from __future__ import annotations

import os

from sphinx.application import Sphinx
from sphinx.util import logging

from ..lockfile import LockEntry, LockfileError, read_lockfile, write_lockfile
from .domain import domain_of
from .problems import ProblemKind
from .state import BuildState, settings_of, state_of

logger = logging.getLogger(__name__)


def recorded_entries(state: BuildState, path: str) -> dict[str, LockEntry]:
    """The lockfile's entries, read once per build, process and file version."""
    try:
        stamp = os.stat(path).st_mtime
    except FileNotFoundError:
        return {}
    key = (path, stamp)
    if key not in state.lockfiles:
        state.lockfiles[key] = read_lockfile(path)
    return state.lockfiles[key]


def pages_to_reread(app: Sphinx, env, added, changed, removed) -> list[str]:
    """When the lockfile is rewritten, re-read every page that checks a model against it.

    Otherwise a warm build would replay the drift those pages reported before.
    """
    settings = settings_of(app.config)
    if settings.lockfile_path(str(app.srcdir)) is None or not settings.update_lockfile:
        return []
    return sorted(
        {result.docname for result in domain_of(env).results() if result.lock_key} - set(removed)
    )


def update_lockfile(app: Sphinx, exception: Exception | None) -> None:
    """Write the lockfile when asked to or when it does not exist yet; else name missing models.

    A model that is not in an existing lockfile is listed in one warning for the
    whole build, not one per directive.
    """
    state = state_of(app.config)
    path = state.settings.lockfile_path(str(app.srcdir))
    if exception is not None or path is None:
        return
    results = [result for result in domain_of(app.env).results() if result.lock_key]
    if state.settings.update_lockfile or not os.path.exists(path):
        _write(app, path, results, "wrote" if os.path.exists(path) else "started")
        return
    try:
        recorded = recorded_entries(state, path)
    except LockfileError:
        return  # already an error at each directive
    missing = sorted(
        {result.lock_key: result for result in results if result.lock_key not in recorded}.values(),
        key=lambda result: (result.docname, result.lineno),
    )
    if not missing:
        return
    named = [
        f"{app.env.doc2path(result.docname, False)}:{result.lineno} {result.lock_key}"
        for result in missing[:5]
    ]
    more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
    logger.warning(
        f"{len(missing)} model{'s are' if len(missing) > 1 else ' is'} not in the lockfile "
        f"{state.settings.lockfile} ({'; '.join(named)}{more}); add "
        f"{'them' if len(missing) > 1 else 'it'} with -D modelsummary_update_lockfile=1",
        type="modelsummary",
        subtype=ProblemKind.LOCKFILE,
    )


def _write(app: Sphinx, path: str, results: list, verb: str) -> None:
    entries = {
        result.lock_key: LockEntry(
            result.actual["params"], result.actual["trainable"], result.actual["non-trainable"]
        )
        for result in results
        if result.actual
    }
    try:
        write_lockfile(path, entries)
    except LockfileError as error:
        logger.error(
            f"{error}; check modelsummary_lockfile",
            type="modelsummary",
            subtype=ProblemKind.LOCKFILE,
        )
        app.statuscode = 1  # the update that was asked for did not happen
        return
    logger.info(f"modelsummary: {verb} the lockfile {path} with {len(entries)} models")
