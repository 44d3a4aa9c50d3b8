"""The report cache: one JSON file per build request, valid while its sources are unchanged.

An entry's key covers the target text, the options that change the build and
the versions of the frameworks and of this extension; the entry records a hash
of the code of every project source file the builder imported (of its syntax
tree, for Python: comments and layout do not count), and is used only while all
of them still hash the same. Entries are written atomically, so concurrent
builds sharing a folder never read half a file.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import os
import tempfile
from collections import OrderedDict
from collections.abc import Callable
from importlib import metadata
from typing import Any

from . import __version__
from .report import ModelReport
from .request import BuildRequest, project_keras_backend

#: How many parsed entries a cache keeps in memory.
_PARSED_KEPT = 8

FRAMEWORK_DISTRIBUTIONS = ("keras", "tensorflow", "tensorflow-cpu", "tf-keras", "torch", "jax")


def framework_versions() -> dict[str, str]:
    """Installed framework versions, read from package metadata (no framework import)."""
    versions = {}
    for name in FRAMEWORK_DISTRIBUTIONS:
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


def request_key(request: BuildRequest) -> str:
    identity = {
        "target": str(request.target),
        "input_shapes": request.input_shapes,
        "input_dtype": request.input_dtype,
        "shape_only": request.shape_only,
        "keras_backend": request.keras_backend or project_keras_backend(),
        "frameworks": framework_versions(),
        "extension": extension_fingerprint(),
    }
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

    def _path(self, request: BuildRequest) -> str:
        return os.path.join(self.folder, f"{request_key(request)}.json")

    def has(self, request: BuildRequest) -> bool:
        """Whether an entry exists (it may still be stale: ``get`` checks its sources)."""
        return self.enabled and os.path.exists(self._path(request))

    def get(self, request: BuildRequest) -> tuple[ModelReport, tuple[str, ...]] | None:
        """The cached report and its source files, if present and still valid."""
        if not self.enabled:
            return None
        path = self._path(request)
        try:
            report, sources = self._read(path)
        except (FileNotFoundError, NotADirectoryError):
            return None  # not cached yet (or no cache folder at all)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            # Valid JSON of the wrong shape (a hand edit, another tool) is as unreadable as junk.
            self.warn(f"ignoring unreadable cache entry {path} ({error}); building again")
            return None
        if any(file_hash(source) != digest for source, digest in sources.items()):
            return None
        return report, tuple(sorted(sources))

    def _read(self, path: str) -> tuple[ModelReport, dict[str, str]]:
        stat = os.stat(path)
        identity = (stat.st_ino, stat.st_mtime_ns, stat.st_size)  # writes replace the file
        known = self._parsed.get(path)
        if known is not None and known[0] == identity:
            return known[1], known[2]
        with open(path, encoding="utf-8") as file:
            entry = json.load(file)
        report = ModelReport.from_dict(entry["report"])
        sources: dict[str, str] = dict(entry["sources"])
        self._parsed[path] = (identity, report, sources)
        self._parsed.move_to_end(path)
        while len(self._parsed) > _PARSED_KEPT:
            self._parsed.popitem(last=False)
        return report, sources

    def put(self, request: BuildRequest, report: ModelReport, sources: tuple[str, ...]) -> None:
        if not self.enabled:
            return
        entry: dict[str, Any] = {
            "report": report.to_dict(),
            "sources": {source: file_hash(source) for source in sources},
        }
        try:
            os.makedirs(self.folder, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(entry, file, sort_keys=True)
            os.replace(temporary, self._path(request))
        except OSError as error:
            self.enabled = False
            self.warn(
                f"cannot write the model cache in {self.folder} ({error}); going on without caching"
            )
