"""Where a page's report comes from: one small strategy per execution mode.

``modelsummary_execution_mode`` (named as MyST-NB's ``nb_execution_mode``)
and the snapshot switches choose one strategy per build, as MyST-NB chooses
one client per mode:

* :class:`LiveBuild`: no snapshot, or ``force``: the engine (its cache, else
  its workers; under ``force`` it is given no cache).
* :class:`CacheThenSnapshot`: ``auto``: the engine's cache, else a fresh
  snapshot entry, else the engine builds.
* :class:`SnapshotOnly`: ``off``: the snapshot only; no builder runs and no
  framework is imported.
* :class:`RewriteSnapshot`: ``update``, whatever the mode: the engine builds,
  and the entry is written.
* :class:`VerifySnapshot`: ``modelcheck`` with a snapshot: the engine builds,
  and how the entry differs is listed as drift.

The strategies ask the engine only through its API (:meth:`Engine.cached`,
:meth:`Engine.report`), and the snapshot only through its store. The engine is
passed as a callable, so ``off`` never creates one.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from .engine import Engine
from .errors import BuildError
from .request import BuildRequest, Built
from .snapshot_diff import differences
from .snapshot_store import Snapshot, SnapshotEntry, SnapshotError, described, display_path

#: ``modelsummary_execution_mode`` values.
EXECUTION_MODES = ("auto", "off", "force")


@dataclass(frozen=True)
class SnapshotOutcome:
    """A report for a request, and what ``check`` found wrong with its snapshot entry."""

    outcome: Built
    #: The difference between the entry and the live build, when verifying (one line).
    drift: tuple[str, ...] = ()
    #: What ``check`` says of a current entry whose recorded source hashes are old.
    notes: tuple[str, ...] = ()


class ReportSource(Protocol):
    """What a directive asks for its reports; raises BuildError for what the author must fix."""

    def report(self, request: BuildRequest, timeout: float | None = None) -> SnapshotOutcome: ...


def report_source(
    snapshot: Snapshot | None,
    mode: str,
    engine: Callable[[], Engine],
    refresh: str,
    update: bool = False,
    verify: bool = False,
) -> ReportSource:
    """The strategy for this build. ``refresh`` is the command that rewrites the snapshot
    (error messages end with it); ``update`` rewrites entries, ``verify`` compares them."""
    if mode not in EXECUTION_MODES:
        raise ValueError(f"execution mode {mode!r} is not one of {', '.join(EXECUTION_MODES)}")
    if snapshot is not None and update:
        return RewriteSnapshot(engine, snapshot, refresh)
    if mode == "off":
        return SnapshotOnly(snapshot, refresh)
    if snapshot is None:
        return LiveBuild(engine)
    if verify:
        return VerifySnapshot(engine, snapshot, refresh)
    if mode == "auto":
        return CacheThenSnapshot(engine, snapshot, refresh)
    return LiveBuild(engine)


@dataclass(frozen=True)
class LiveBuild:
    """The engine's report: from its cache when it has one, else from a builder."""

    engine: Callable[[], Engine]

    def report(self, request: BuildRequest, timeout: float | None = None) -> SnapshotOutcome:
        return SnapshotOutcome(self.engine().report(request, timeout=timeout))


@dataclass(frozen=True)
class SnapshotOnly:
    """The request's fresh, trusted snapshot entry, or an error that says how to write it."""

    snapshot: Snapshot | None
    #: The command that rewrites the snapshot: the error messages end with it.
    refresh: str

    def report(self, request: BuildRequest, timeout: float | None = None) -> SnapshotOutcome:
        target = str(request.target)
        if self.snapshot is None:
            raise BuildError(
                "snapshot",
                f"modelsummary_execution_mode is 'off' but modelsummary_snapshot_dir is not set, "
                f"so {target} has no report; set it and {self.refresh}",
            )
        entry = _read(self.snapshot, request, self.refresh)
        if entry is None:
            raise BuildError("snapshot", _no_entry(self.snapshot, request, self.refresh))
        stale = entry.stale_sources()
        if stale:
            raise BuildError(
                "snapshot",
                f"the snapshot of {target} is stale: {', '.join(stale)}; {self.refresh} to refresh",
            )
        return _served(entry, self.refresh)


@dataclass(frozen=True)
class _BuildAndSnapshot:
    """What the strategies that use both the engine and the snapshot hold."""

    engine: Callable[[], Engine]
    snapshot: Snapshot
    #: The command that rewrites the snapshot: the error messages end with it.
    refresh: str


@dataclass(frozen=True)
class CacheThenSnapshot(_BuildAndSnapshot):
    """The engine's cache, else a fresh snapshot entry, else the engine builds."""

    def report(self, request: BuildRequest, timeout: float | None = None) -> SnapshotOutcome:
        engine = self.engine()
        cached = engine.cached(request)
        if cached is not None:
            return SnapshotOutcome(cached)
        entry = _read(self.snapshot, request, self.refresh)
        if entry is not None and not entry.stale_sources():
            return _served(entry, self.refresh)
        return SnapshotOutcome(engine.report(request, timeout=timeout))


@dataclass(frozen=True)
class RewriteSnapshot(_BuildAndSnapshot):
    """The engine's report, written as the request's entry (an unchanged entry is kept as is)."""

    def report(self, request: BuildRequest, timeout: float | None = None) -> SnapshotOutcome:
        outcome = self.engine().report(request, timeout=timeout)
        try:
            self.snapshot.write(request, outcome.report, outcome.source_files)
        except SnapshotError as error:
            raise BuildError("snapshot", str(error)) from None
        return SnapshotOutcome(outcome)


@dataclass(frozen=True)
class VerifySnapshot(_BuildAndSnapshot):
    """The engine's report, and how the request's entry differs from it (for ``check``)."""

    def report(self, request: BuildRequest, timeout: float | None = None) -> SnapshotOutcome:
        outcome = self.engine().report(request, timeout=timeout)
        # Editing the entry by hand must re-check the page.
        files = (*outcome.source_files, self.snapshot.path_of(request))
        checked = dataclasses.replace(outcome, source_files=files)
        return SnapshotOutcome(checked, *self._drift(request, outcome))

    def _drift(
        self, request: BuildRequest, outcome: Built
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """How the entry differs from the live build, and notes on a current entry."""
        path = self.snapshot.path_of(request)
        try:
            entry = self.snapshot.read(request)
        except SnapshotError as error:
            return (f"{error}; {self.refresh} to write it again",), ()
        if entry is None:
            return (_no_entry(self.snapshot, request, self.refresh),), ()
        found = differences(entry, request, outcome.report, outcome.source_files)
        if found:
            drift = f"the snapshot entry {display_path(path)} differs from the live build: "
            return (f"{drift}{'; '.join(found)}; {self.refresh} to refresh it",), ()
        stale = entry.stale_sources()
        if not stale:
            return (), ()
        return (), (
            f"the snapshot entry {display_path(path)} is current; only its recorded source "
            f"hashes changed ({', '.join(stale)}); {self.refresh} to record them",
        )


def _read(snapshot: Snapshot, request: BuildRequest, refresh: str) -> SnapshotEntry | None:
    """The request's entry, or None; an unreadable one is the page's error."""
    try:
        return snapshot.read(request)
    except SnapshotError as error:
        raise BuildError("snapshot", f"{error}; {refresh} to write it again") from None


def _served(entry: SnapshotEntry, refresh: str) -> SnapshotOutcome:
    """The entry's report, once verified: an entry that fails is an error, never a page."""
    # The page depends on the entry and on the sources: editing either re-reads it.
    files = (*entry.source_files(), entry.path)
    untrusted = entry.untrusted()
    if untrusted:
        raise BuildError(
            "snapshot",
            f"the snapshot entry {display_path(entry.path)} cannot be used: {untrusted}; "
            f"{refresh} to write it again",
            files,
        )
    return SnapshotOutcome(Built(report=entry.report, source_files=files, cached=True))


def _no_entry(snapshot: Snapshot, request: BuildRequest, refresh: str) -> str:
    return (
        f"the snapshot has no entry for {described(request)} "
        f"({os.path.basename(snapshot.path_of(request))}); {refresh} to add it"
    )
