"""The snapshot store: committed reports, so pages build where no framework is installed.

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
module only reads and writes entries: which one a page gets is
:mod:`.report_source`'s choice, how one differs from a live build
:mod:`.snapshot_diff`'s. It knows nothing of Sphinx, of the engine or of any
framework.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .cache import distrusted
from .errors import ModelSummaryError
from .files import reviewable_json, write_atomically
from .report import ModelReport, report_digest
from .request import BuildRequest

#: Version of the entry format; an entry of another format is unreadable (2: with a digest).
SNAPSHOT_FORMAT = 2
_SUFFIX = ".json"
#: Report fields that differ between two builds of the same code, and the value stored instead.
_UNSTABLE = {"build_seconds": 0.0}


class SnapshotError(ModelSummaryError):
    """A snapshot entry cannot be read, or the snapshot cannot be written."""


def request_identity(request: BuildRequest) -> dict[str, Any]:
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


def entry_name(request: BuildRequest) -> str:
    """The entry's file stem: readable (module and builder) and unique (a hash of the identity)."""
    identity = request_identity(request)
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:12]
    readable = re.sub(
        r"[^A-Za-z0-9_.-]+", "_", f"{request.target.module}.{request.target.attribute}"
    )
    return f"{readable[:80]}-{digest}"


def source_hash(path: str) -> str | None:
    """The file's sha256, line endings normalised (a Windows checkout is not a change).

    Not the cache's hash of the syntax tree: an ``ast`` dump changes with the
    Python version, and an entry is checked on machines other than its writer's.
    """
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
        return distrusted(self.report, self.digest, self.report_digest, "`snapshot` wrote it")

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


def entry_data(
    request: BuildRequest, report: ModelReport, source_files: Iterable[str]
) -> dict[str, Any]:
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


class Snapshot:
    """The snapshot folder: read, write and prune entries."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def path_of(self, request: BuildRequest) -> str:
        """Where the request's entry is (or would be)."""
        return os.path.join(self.folder, entry_name(request) + _SUFFIX)

    def read(self, request: BuildRequest) -> SnapshotEntry | None:
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

    def write(
        self, request: BuildRequest, report: ModelReport, source_files: Iterable[str]
    ) -> bool:
        """Write the request's entry atomically; False when the file already said exactly that.

        An unchanged entry is not rewritten, so the pages that depend on it are
        not read again by the next build.
        """
        path = self.path_of(request)
        text = reviewable_json(entry_data(request, report, source_files))
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


def _plain(value: Any) -> Any:
    """Tuples as lists, so an identity reads the same before and after a JSON round trip."""
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    return value


def display_path(path: str) -> str:
    """A path as the user would type it here: relative to the current folder when inside it."""
    relative = os.path.relpath(path)
    return path if relative.startswith(os.pardir) else relative


def described(request: BuildRequest) -> str:
    """The request as an entry records it: ``pkg.mod:build (input_shapes=[[1, 8]])``."""
    identity = request_identity(request)
    target = identity.pop("target")
    options = ", ".join(f"{key}={value}" for key, value in identity.items())
    return f"{target} ({options})" if options else target
