"""The snapshot: committed reports, so pages build where no framework is installed.

One JSON file per documented build request, in a folder next to ``conf.py``
that is meant to be committed. A file holds the request, the report (without
its timing, so two writes of the same model are byte-identical), the report's
digest and a hash of every project source file the builder imported. An entry
whose report does not match its digest or contradicts itself (a hand edit, a
merge conflict resolved by hand) is never served. The files are named by the
path of the source inside its package (``example_project/fire.py``), never by
an absolute path, so a snapshot written on one machine is checked on another,
and a source is found again without importing anything (no framework either).

An entry is *fresh* while every recorded source still hashes the same. This
module knows nothing of Sphinx or of any framework.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .engine import BuildOutcome, Engine
from .errors import BuildError, ModelSummaryError
from .files import write_atomically
from .report import ModelReport, report_digest

#: Version of the entry format; an entry of another format is unreadable (2: with a digest).
SNAPSHOT_FORMAT = 2
_SUFFIX = ".json"
#: Report fields that differ between two builds of the same code, and the value stored instead.
_UNSTABLE = {"build_seconds": 0.0}
#: Report fields ``check`` does not compare: another framework version in CI is not drift.
_NOT_COMPARED = ("framework_version",)
_MAX_DIFFERENCES = 5
#: The totals a drift message names first: the counts the pages promise.
_COUNTS_FIRST = ("report.totals.params", "report.totals.trainable", "report.totals.non_trainable")


class SnapshotError(ModelSummaryError):
    """A snapshot entry cannot be read, or the snapshot cannot be written."""


def request_identity(request: Any) -> dict[str, Any]:
    """What keys an entry: the target and the request fields that differ from their defaults.

    Framework versions are not part of it (the snapshot is meant to outlive an
    upgrade; ``check`` finds what an upgrade changes), and a request field added
    later leaves the keys of existing entries as they were.
    """
    identity: dict[str, Any] = {"target": str(request.target)}
    for field in dataclasses.fields(request):
        if field.name == "target":
            continue
        value = getattr(request, field.name)
        if field.default is dataclasses.MISSING or value != field.default:
            identity[field.name] = _plain(value)
    return identity


def entry_name(request: Any) -> str:
    """The entry's file stem: readable (module and builder) and unique (a hash of the identity)."""
    identity = request_identity(request)
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:12]
    readable = re.sub(
        r"[^A-Za-z0-9_.-]+", "_", f"{request.target.module}.{request.target.attribute}"
    )
    return f"{readable[:80]}-{digest}"


def source_hash(path: str) -> str | None:
    """The file's sha256, line endings normalised (a Windows checkout is not a change)."""
    try:
        with open(path, "rb") as file:
            content = file.read()
    except OSError:
        return None
    return hashlib.sha256(content.replace(b"\r\n", b"\n")).hexdigest()


def source_name(path: str) -> str:
    """``/any/checkout/example_project/example_project/fire.py`` → ``example_project/fire.py``.

    The path inside the file's top-level package (the folders that hold an
    ``__init__.py``), the same on every machine and install (editable, wheel,
    source tree); a module that is not in a package is its file name.
    """
    path = os.path.abspath(path)
    root = os.path.dirname(path)
    while os.path.isfile(os.path.join(root, "__init__.py")) and os.path.dirname(root) != root:
        root = os.path.dirname(root)
    return os.path.relpath(path, root).replace(os.sep, "/")


def locate_source(name: str, search_path: Sequence[str] | None = None) -> str | None:
    """The file a :func:`source_name` refers to here, found as ``import`` would, never imported.

    Only the top-level package is looked up (``importlib.util.find_spec`` on a
    top-level name runs no code); the rest of the name is a path inside it.
    """
    parts = name.split("/")
    top = parts[0][:-3] if len(parts) == 1 and parts[0].endswith(".py") else parts[0]
    candidates: list[str] = []
    if top.isidentifier():
        try:
            spec = importlib.util.find_spec(top)
        except (ImportError, ValueError):
            spec = None
        if spec is not None:
            if spec.submodule_search_locations:
                candidates += [
                    os.path.join(folder, *parts[1:]) for folder in spec.submodule_search_locations
                ]
            elif spec.origin and len(parts) == 1:
                candidates.append(spec.origin)
    for folder in search_path if search_path is not None else sys.path:
        candidates.append(os.path.join(os.path.abspath(folder or os.curdir), *parts))
    return next((path for path in candidates if os.path.isfile(path)), None)


@dataclass(frozen=True)
class SnapshotEntry:
    """One request's recorded report and the sources it was built from."""

    name: str
    path: str
    request: dict[str, Any]
    #: Source name (see :func:`source_name`) → sha256 when the entry was written.
    sources: dict[str, str]
    report: ModelReport
    #: The file's text, to tell a hand edit from what a write produces.
    text: str
    #: The report's digest as the entry records it.
    digest: str
    #: The digest of the report as the entry holds it now.
    report_digest: str

    def untrusted(self) -> str | None:
        """Why the report cannot be served (edited after writing, contradicting itself)."""
        if self.digest != self.report_digest:
            return "its report does not match its digest: it was changed after `snapshot` wrote it"
        problems = self.report.inconsistencies()
        if problems:
            return f"its report contradicts itself: {'; '.join(problems)}"
        return None

    def stale_sources(self, search_path: Sequence[str] | None = None) -> list[str]:
        """What makes the entry stale: ``pkg/model.py changed``, ``pkg/model.py is not found``."""
        reasons = []
        for name, digest in sorted(self.sources.items()):
            path = locate_source(name, search_path)
            if path is None:
                reasons.append(f"{name} is not found")
            elif source_hash(path) != digest:
                reasons.append(f"{name} changed")
        return reasons

    def source_files(self, search_path: Sequence[str] | None = None) -> tuple[str, ...]:
        """The recorded sources as files of this machine (the page depends on them)."""
        found = (locate_source(name, search_path) for name in sorted(self.sources))
        return tuple(path for path in found if path)


def entry_data(request: Any, report: ModelReport, source_files: Iterable[str]) -> dict[str, Any]:
    """The JSON content of an entry: the request, the stable report, the sources' hashes."""
    sources = {}
    for path in source_files:
        digest = source_hash(path)
        if digest is not None:
            sources[source_name(path)] = digest
    return {
        "format": SNAPSHOT_FORMAT,
        "request": request_identity(request),
        "sources": sources,
        "report": stable_report(report),
        "digest": report.digest(),
    }


def stable_report(report: ModelReport) -> dict[str, Any]:
    """The report as JSON data without what changes from one build to the next."""
    data = report.to_dict()
    data.update(_UNSTABLE)
    return data


def entry_text(data: dict[str, Any]) -> str:
    """Sorted, indented JSON with a trailing newline: diffs show what changed, nothing else."""
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


class Snapshot:
    """The snapshot folder: read, write and prune entries."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def path_of(self, request: Any) -> str:
        return os.path.join(self.folder, entry_name(request) + _SUFFIX)

    def read(self, request: Any) -> SnapshotEntry | None:
        """The request's entry; None when there is none; SnapshotError when it is unreadable."""
        path = self.path_of(request)
        try:
            with open(path, encoding="utf-8", newline="") as file:
                text = file.read()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as error:
            raise SnapshotError(
                f"the snapshot entry {display_path(path)} cannot be read ({error})"
            ) from None
        try:
            data = json.loads(text)
            if data.get("format") != SNAPSHOT_FORMAT:
                raise ValueError(f"format {data.get('format')!r} is not {SNAPSHOT_FORMAT}")
            sources = {str(name): str(digest) for name, digest in data["sources"].items()}
            report = ModelReport.from_dict(data["report"])
            recorded = dict(data["request"])
            digest = data.get("digest")
            if not isinstance(digest, str):
                raise ValueError("it records no digest of its report")
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise SnapshotError(
                f"the snapshot entry {display_path(path)} cannot be read "
                f"({type(error).__name__}: {error})"
            ) from None
        return SnapshotEntry(
            name=entry_name(request),
            path=path,
            request=recorded,
            sources=sources,
            report=report,
            text=text,
            digest=digest,
            report_digest=report_digest(data["report"]),
        )

    def write(self, request: Any, report: ModelReport, source_files: Iterable[str]) -> bool:
        """Write the request's entry atomically; False when the file already said exactly that.

        An unchanged entry is not rewritten, so the pages that depend on it are
        not read again by the next build.
        """
        path = self.path_of(request)
        text = entry_text(entry_data(request, report, source_files))
        try:
            with open(path, encoding="utf-8", newline="") as file:
                if file.read() == text:
                    return False
        except OSError:
            pass  # absent or unreadable: write it
        try:
            write_atomically(path, text.encode())
        except OSError as error:
            raise SnapshotError(f"cannot write the snapshot entry {path} ({error})") from None
        return True

    def names(self) -> list[str]:
        """The stems of every entry in the folder."""
        try:
            files = os.listdir(self.folder)
        except (FileNotFoundError, NotADirectoryError):
            return []
        return sorted(name[: -len(_SUFFIX)] for name in files if name.endswith(_SUFFIX))

    def prune(self, used: Iterable[str]) -> list[str]:
        """Remove the entries no request used; returns their names."""
        keep = set(used)
        removed = []
        for name in self.names():
            if name not in keep:
                try:
                    os.remove(os.path.join(self.folder, name + _SUFFIX))
                except OSError as error:
                    raise SnapshotError(
                        f"cannot remove the unused entry {name} ({error})"
                    ) from None
                removed.append(name)
        return removed


def differences(
    entry: SnapshotEntry, request: Any, report: ModelReport, source_files: Iterable[str]
) -> list[str]:
    """How an entry differs from what a fresh write of this live build would hold.

    Empty when the entry is exactly what ``snapshot`` would write (apart from
    the framework version); otherwise one line per difference: first why the
    entry cannot be trusted, then the totals (a changed count never hides
    behind the layers it comes from), the recorded sources, the request, and
    the report's other fields by their JSON path. A changed source whose report is
    the same (a comment was edited) is no difference: the entry is current.
    """
    fresh = json.loads(entry_text(entry_data(request, report, source_files)))
    try:
        recorded = json.loads(entry.text)
    except ValueError:
        return ["the file is not JSON"]
    untrusted = entry.untrusted()
    found = [untrusted] if untrusted else []
    live_report, saved_report = dict(fresh["report"]), dict(recorded.get("report", {}))
    for key in _NOT_COMPARED:
        saved_report.pop(key, None)
        live_report.pop(key, None)
    fields = _differing_paths(saved_report, live_report, "report")
    totals = sorted(
        (field for field in fields if field[0].startswith("report.totals.")),
        key=lambda field: _COUNTS_FIRST.index(field[0]) if field[0] in _COUNTS_FIRST else 3,
    )
    found += [f"{path}: snapshot {saved}, live {live}" for path, saved, live in totals]
    hashes = []
    for name in sorted(set(recorded.get("sources", {})) | set(fresh["sources"])):
        before, after = recorded.get("sources", {}).get(name), fresh["sources"].get(name)
        if before is None:
            found.append(f"{name} is used by the builder but not recorded")
        elif after is None:
            found.append(f"{name} is recorded but the builder no longer uses it")
        elif before != after:
            hashes.append(len(found))
            found.append(f"{name} changed")
    if recorded.get("request") != fresh["request"]:
        found.append(f"request: the entry records {recorded.get('request')}")
    found += [
        f"{path}: snapshot {saved}, live {live}"
        for path, saved, live in fields
        if (path, saved, live) not in totals
    ]
    if len(found) == len(hashes):
        found = []  # an edit that changes no report (a comment): the entry is current
    if not found and entry_text(recorded) != entry.text:
        found.append("the file was edited by hand (it is not as `snapshot` writes it)")
    if len(found) > _MAX_DIFFERENCES:
        found[_MAX_DIFFERENCES:] = [f"and {len(found) - _MAX_DIFFERENCES} more differences"]
    return found


def _differing_paths(saved: Any, live: Any, path: str) -> list[tuple[str, str, str]]:
    if isinstance(saved, dict) and isinstance(live, dict):
        found = []
        for key in sorted(set(saved) | set(live), key=str):
            if key not in saved or key not in live:
                found.append(
                    (f"{path}.{key}", _short(saved.get(key, "(absent)")), _short(live.get(key)))
                )
            else:
                found += _differing_paths(saved[key], live[key], f"{path}.{key}")
        return found
    if isinstance(saved, list) and isinstance(live, list) and len(saved) == len(live):
        found = []
        for index, (left, right) in enumerate(zip(saved, live)):
            found += _differing_paths(left, right, f"{path}[{_item_name(left, index)}]")
        return found
    if saved == live:
        return []
    return [(path, _short(saved), _short(live))]


def _item_name(item: Any, index: int) -> str:
    """Layers are named by their path, so a difference reads ``layers[conv1].params``."""
    if isinstance(item, dict) and isinstance(item.get("path"), str):
        return item["path"]
    return str(index)


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 60 else text[:57] + "..."


def _plain(value: Any) -> Any:
    """Tuples as lists, so an identity reads the same before and after a JSON round trip."""
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    return value


#: ``modelsummary_execution_mode`` values, named as MyST-NB's ``nb_execution_mode``.
EXECUTION_MODES = ("auto", "off", "force")


@dataclass(frozen=True)
class SnapshotOutcome:
    """A report for a request, and what ``check`` found wrong with its snapshot entry."""

    outcome: BuildOutcome
    #: The difference between the entry and the live build, when verifying (one line).
    drift: tuple[str, ...] = ()
    #: What ``check`` says of a current entry whose recorded source hashes are old.
    notes: tuple[str, ...] = ()


class SnapshotReports:
    """Where a report comes from under an execution mode: cache, snapshot or a builder.

    ``auto``: the cache, else a fresh snapshot entry, else the builder.
    ``off``: the snapshot only; no builder runs and no framework is imported.
    ``force``: the builder (the engine it is given has no cache).
    ``update`` builds every request live, whatever the mode (from the cache
    when its sources are unchanged, in ``force`` not even that) and writes its
    entry; ``verify``
    also builds live and lists how the entry differs, for ``check``.
    """

    def __init__(
        self,
        snapshot: Snapshot | None,
        mode: str,
        engine: Callable[[], Engine],
        refresh: str,
        update: bool = False,
        verify: bool = False,
    ) -> None:
        self.snapshot = snapshot
        self.mode = mode
        self.engine = engine
        self.refresh = refresh
        self.update = update and snapshot is not None
        self.verify = verify and snapshot is not None and mode != "off" and not self.update

    def report(self, request: Any, timeout: float | None = None) -> SnapshotOutcome:
        """The request's report; raises BuildError for what the page author must fix."""
        if self.mode == "off" and not self.update:
            return self._from_snapshot(request)
        if self.snapshot is not None and not (self.update or self.verify):
            if self.mode == "auto":
                engine = self.engine()
                cached = engine.cache.get(request) if engine.cache else None
                if cached is not None:
                    engine.count_from_cache(request)
                    return SnapshotOutcome(BuildOutcome(cached[0], cached[1], cached=True))
                fresh = self._fresh_entry(request)
                if fresh is not None:
                    return fresh
        outcome = self.engine().report(request, timeout=timeout)
        if self.snapshot is None:
            return SnapshotOutcome(outcome)
        if self.update:
            try:
                self.snapshot.write(request, outcome.report, outcome.source_files)
            except SnapshotError as error:
                raise BuildError("snapshot", str(error)) from None
            return SnapshotOutcome(outcome)
        if self.verify:
            # Editing the entry by hand must re-check the page.
            files = (*outcome.source_files, self.snapshot.path_of(request))
            checked = dataclasses.replace(outcome, source_files=files)
            return SnapshotOutcome(checked, *self._drift(request, outcome))
        return SnapshotOutcome(outcome)

    def _read(self, request: Any) -> SnapshotEntry | None:
        try:
            return self.snapshot.read(request)
        except SnapshotError as error:
            raise BuildError("snapshot", f"{error}; {self.refresh} to write it again") from None

    def _fresh_entry(self, request: Any) -> SnapshotOutcome | None:
        entry = self._read(request)
        if entry is None or entry.stale_sources():
            return None
        return self._outcome_of(entry)

    def _outcome_of(self, entry: SnapshotEntry) -> SnapshotOutcome:
        """The entry's report, once verified: an entry that fails is an error, never a page."""
        # The page depends on the entry and on the sources: editing either re-reads it.
        files = (*entry.source_files(), entry.path)
        untrusted = entry.untrusted()
        if untrusted:
            raise BuildError(
                "snapshot",
                f"the snapshot entry {display_path(entry.path)} cannot be used: {untrusted}; "
                f"{self.refresh} to write it again",
                files,
            )
        outcome = BuildOutcome(report=entry.report, source_files=files, cached=True)
        return SnapshotOutcome(outcome)

    def _from_snapshot(self, request: Any) -> SnapshotOutcome:
        target = str(request.target)
        if self.snapshot is None:
            raise BuildError(
                "snapshot",
                f"modelsummary_execution_mode is 'off' but modelsummary_snapshot_dir is not set, "
                f"so {target} has no report; set it and {self.refresh}",
            )
        entry = self._read(request)
        if entry is None:
            raise BuildError(
                "snapshot",
                f"the snapshot has no entry for {_described(request)} "
                f"({os.path.basename(self.snapshot.path_of(request))}); {self.refresh} to add it",
            )
        stale = entry.stale_sources()
        if stale:
            raise BuildError(
                "snapshot",
                f"the snapshot of {target} is stale: {', '.join(stale)}; {self.refresh} to refresh",
            )
        return self._outcome_of(entry)

    def _drift(
        self, request: Any, outcome: BuildOutcome
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """How the entry differs from the live build, and notes on a current entry."""
        path = self.snapshot.path_of(request)
        try:
            entry = self.snapshot.read(request)
        except SnapshotError as error:
            return (f"{error}; {self.refresh} to write it again",), ()
        if entry is None:
            return (
                f"the snapshot has no entry for {_described(request)} ({os.path.basename(path)}); "
                f"{self.refresh} to add it",
            ), ()
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


def display_path(path: str) -> str:
    """A path as the user would type it here: relative to the current folder when inside it."""
    relative = os.path.relpath(path)
    return path if relative.startswith(os.pardir) else relative


def _described(request: Any) -> str:
    identity = request_identity(request)
    target = identity.pop("target")
    options = ", ".join(f"{key}={value}" for key, value in identity.items())
    return f"{target} ({options})" if options else target
