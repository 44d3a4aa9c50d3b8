"""Sphinx side of the lockfile: check each model against it, and rewrite it on request."""

from __future__ import annotations

import os

from sphinx.application import Sphinx
from sphinx.util import logging

from ..lockfile import LockEntry, LockfileError, read_lockfile, write_lockfile
from .domain import domain_of

logger = logging.getLogger(__name__)

_READ: dict[tuple[str, float], dict[str, LockEntry]] = {}


def lockfile_path(config, srcdir: str) -> str | None:
    name = config.modelsummary_lockfile
    return os.path.join(srcdir, name) if name else None


def switched_on(value) -> bool:
    """A yes/no config value, also as ``-D`` gives it: ``1``, ``yes`` and ``True`` are yes."""
    return str(value).strip().lower() not in ("", "0", "false", "no", "off")


def updating(config) -> bool:
    return switched_on(config.modelsummary_update_lockfile)


def recorded_entries(path: str) -> dict[str, LockEntry]:
    """The lockfile's entries, read once per process and file version."""
    try:
        stamp = os.stat(path).st_mtime
    except FileNotFoundError:
        return {}
    key = (path, stamp)
    if key not in _READ:
        _READ[key] = read_lockfile(path)
    return _READ[key]


def update_lockfile(app: Sphinx, exception: Exception | None) -> None:
    """With ``modelsummary_update_lockfile``, write this build's counts into the lockfile."""
    path = lockfile_path(app.config, str(app.srcdir))
    if exception is not None or path is None or not updating(app.config):
        return
    entries = {
        result.lock_key: LockEntry(
            result.actual["params"], result.actual["trainable"], result.actual["non-trainable"]
        )
        for result in domain_of(app.env).results()
        if result.actual and result.lock_key
    }
    try:
        write_lockfile(path, entries)
    except LockfileError as error:
        logger.error(
            f"{error}; check modelsummary_lockfile", type="modelsummary", subtype="lockfile"
        )
        app.statuscode = 1  # the update that was asked for did not happen
        return
    logger.info(f"modelsummary: wrote {len(entries)} models to {path}")
