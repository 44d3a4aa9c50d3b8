"""The report cache: one JSON file per build request, valid while its sources are unchanged.

An entry's key covers the target text, the file its module is found in here
(two checkouts sharing a cache folder never share an entry), the options that
change the build and the versions of the frameworks and of this extension; the
entry records a hash of the code of every project source file the builder
imported (of its syntax tree, for Python: comments and layout do not count),
and is used only while all of them still hash the same. Each entry also holds
what it was keyed by and its report's digest, and is verified on read: an
entry of another request, edited or inconsistent is built again, with a
warning. Entries are written atomically, so concurrent builds sharing a folder
never read half a file, and a failed write leaves no file behind.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import os
from collections import OrderedDict
from collections.abc import Callable
from importlib import metadata
from typing import Any

from .files import write_atomically
from .frameworks import cache_distributions
from .report import ModelReport, report_digest
from .request import BuildRequest, project_keras_backend
from .sources import find_module
from .version import __version__

#: How many parsed entries a cache keeps in memory.
_PARSED_KEPT = 8


def framework_versions() -> dict[str, str]:
    """Installed framework versions, read from package metadata (no framework import)."""
    versions = {}
    for name in cache_distributions():
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


@functools.cache
def extension_fingerprint() -> str:
    """Our version and a hash of our own source: a new formula or adapter fix refreshes entries."""
    digest = hashlib.sha256(__version__.encode())
    package = os.path.dirname(os.path.abspath(__file__))
    for folder, subfolders, files in sorted(os.walk(package)):
        subfolders.sort()
        for name in sorted(files):
            if name.endswith(".py"):
                with open(os.path.join(folder, name), "rb") as file:
                    digest.update(file.read())
    return digest.hexdigest()[:16]


def entry_identity(request: BuildRequest) -> dict[str, Any]:
    """What an entry is for: the request, the module file it names here, and the versions;
    as JSON data, equal to what an entry read back holds."""
    module_file = find_module(request.target.module)[0]
    identity = {
        "target": str(request.target),
        "module_file": module_file and os.path.realpath(module_file),
        "input_shapes": request.input_shapes,
        "input_dtype": request.input_dtype,
        "shape_only": request.shape_only,
        "keras_backend": request.keras_backend or project_keras_backend(),
        "frameworks": framework_versions(),
        "extension": extension_fingerprint(),
    }
    return json.loads(json.dumps(identity))


def request_key(request: BuildRequest) -> str:
    """The name of the request's entry in the cache folder."""
    return _key(entry_identity(request))


def _key(identity: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:32]


def file_hash(path: str) -> str | None:
    """A hash of the file's code. For Python, of its syntax tree: editing a comment, a blank
    line or the layout of a model file keeps the cached report; any change to the code (a
    docstring included) does not. Other files, and Python that does not parse, byte for byte."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _code_hash(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4096)
def _code_hash(path: str, mtime_ns: int, size: int) -> str | None:
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError:
        return None
    if path.endswith(".py"):
        try:
            data = b"ast:" + ast.dump(ast.parse(data, filename=path)).encode()
        except (SyntaxError, ValueError):
            pass
    return hashlib.sha256(data).hexdigest()


def distrusted(
    report: ModelReport, recorded_digest: object, digest: str, written: str = "writing"
) -> str | None:
    """Why a report read back from a file must not be served: it is not the one written
    (``digest``, of the data as read, is not the ``recorded_digest``; ``written`` says by
    whom), or it contradicts itself. None when it can be served."""
    if recorded_digest != digest:
        return f"its report does not match its digest: it was changed after {written}"
    problems = report.inconsistencies()
    if problems:
        return f"its report contradicts itself: {'; '.join(problems)}"
    return None


class ReportCache:
    """Reads and writes entries under ``folder``; problems become warnings, never failures."""

    def __init__(self, folder: str, warn: Callable[[str], None]) -> None:
        self.folder = folder
        self.warn = warn
        self.enabled = True
        #: The last entries parsed, by path, with the file's identity when it was read: a page
        #: showing a model's summary and its diagram reads the entry once. A few only, so a
        #: site of many models does not hold all their reports.
        self._parsed: OrderedDict[str, tuple[tuple[int, int, int], ModelReport, dict]] = (
            OrderedDict()
        )

    def _path(self, identity: dict[str, Any]) -> str:
        return os.path.join(self.folder, f"{_key(identity)}.json")

    def has(self, request: BuildRequest) -> bool:
        """Whether an entry exists (it may still be stale: ``get`` checks its sources)."""
        return self.enabled and os.path.exists(self._path(entry_identity(request)))

    def get(self, request: BuildRequest) -> tuple[ModelReport, tuple[str, ...]] | None:
        """The cached report and its source files, if present, verified and still valid."""
        if not self.enabled:
            return None
        identity = entry_identity(request)
        path = self._path(identity)
        try:
            report, sources = self._read(path, identity)
        except (FileNotFoundError, NotADirectoryError):
            return None  # not cached yet (or no cache folder at all)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            # Valid JSON of the wrong shape (a hand edit, another tool) is as unreadable as junk.
            self.warn(f"ignoring unreadable cache entry {path} ({error}); building again")
            return None
        if any(file_hash(source) != digest for source, digest in sources.items()):
            return None
        return report, tuple(sorted(sources))

    def _read(self, path: str, identity: dict[str, Any]) -> tuple[ModelReport, dict[str, str]]:
        """The entry's report and sources; ValueError when it is not this request's, or its
        report is not the one written (an edit, a half-merged file, another tool)."""
        stat = os.stat(path)
        version = (stat.st_ino, stat.st_mtime_ns, stat.st_size)  # writes replace the file
        known = self._parsed.get(path)
        if known is not None and known[0] == version:
            return known[1], known[2]
        with open(path, encoding="utf-8") as file:
            entry = json.load(file)
        report = ModelReport.from_dict(entry["report"])
        if entry.get("request") != identity or report.target != identity["target"]:
            raise ValueError(f"it holds a report of {report.target!r} written for another request")
        distrust = distrusted(report, entry.get("digest"), report_digest(entry["report"]))
        if distrust:
            raise ValueError(distrust)
        sources: dict[str, str] = dict(entry["sources"])
        self._parsed[path] = (version, report, sources)
        self._parsed.move_to_end(path)
        while len(self._parsed) > _PARSED_KEPT:
            self._parsed.popitem(last=False)
        return report, sources

    def put(self, request: BuildRequest, report: ModelReport, sources: tuple[str, ...]) -> None:
        if not self.enabled:
            return
        identity = entry_identity(request)
        entry: dict[str, Any] = {
            "request": identity,
            "digest": report.digest(),
            "report": report.to_dict(),
            "sources": {source: file_hash(source) for source in sources},
        }
        try:
            write_atomically(self._path(identity), json.dumps(entry, sort_keys=True).encode())
        except OSError as error:
            self.enabled = False
            self.warn(
                f"cannot write the model cache in {self.folder} ({error}); going on without caching"
            )
