"""The lockfile: every documented model's counts, recorded in a reviewable JSON file.

A build compares what the code builds with what the lockfile records; a
difference is drift, as with ``:expect-params:``, but for every model at once
and without writing numbers into the pages. The file is sorted and stable, so
a change of architecture shows up as a small diff in review.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .checks import Finding
from .errors import ModelSummaryError
from .files import reviewable_json, write_atomically
from .report import ModelReport
from .request import BuildRequest

LOCK_COUNTS = ("params", "trainable", "non_trainable")


class LockfileError(ModelSummaryError):
    """The lockfile exists but cannot be read, or cannot be written."""


@dataclass(frozen=True)
class LockEntry:
    params: int
    trainable: int
    non_trainable: int


def lock_key(request: BuildRequest) -> str:
    """The entry's name: the target, and the input shapes when the page gives them."""
    key = str(request.target)
    if request.input_shapes:
        key += " @ " + ", ".join(str(tuple(shape)) for shape in request.input_shapes)
    return key


def entry_of(report: ModelReport) -> LockEntry:
    totals = report.totals
    return LockEntry(totals.params, totals.trainable, totals.non_trainable)


def read_lockfile(path: str) -> dict[str, LockEntry]:
    """The entries of the lockfile; an absent file has none."""
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
        entries = {key: LockEntry(**value) for key, value in data["models"].items()}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise LockfileError(
            f"the lockfile {path} cannot be read ({error}); fix it, or rewrite it with "
            "-D modelsummary_update_lockfile=1"
        ) from None
    for key, entry in entries.items():
        for count in LOCK_COUNTS:
            value = getattr(entry, count)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise LockfileError(
                    f"the lockfile {path} cannot be read: {key!r} has {count} {value!r}, "
                    "not a count; fix it, or rewrite it with -D modelsummary_update_lockfile=1"
                )
    return entries


def write_lockfile(path: str, entries: dict[str, LockEntry]) -> None:
    """Write sorted, indented JSON with a trailing newline, atomically."""
    data = {
        "models": {
            key: {count: getattr(entry, count) for count in LOCK_COUNTS}
            for key, entry in sorted(entries.items())
        }
    }
    try:
        write_atomically(path, reviewable_json(data).encode(), create_folder=False)
    except OSError as error:
        raise LockfileError(f"cannot write the lockfile {path} ({error})") from None


#: How a drift from the lockfile is accepted when the new count is meant.
REFRESH = "if the new counts are right, rewrite the lockfile with -D modelsummary_update_lockfile=1"


def compare(recorded: LockEntry, report: ModelReport, name: str) -> list[Finding]:
    """One Finding per count the lockfile records for this model."""
    actual = entry_of(report)
    return [
        Finding(
            count=count.replace("_", "-"),
            expected=f"{getattr(recorded, count):,}",
            actual=getattr(actual, count),
            ok=getattr(recorded, count) == getattr(actual, count),
            source=f"lockfile {name}",
            refresh=REFRESH,
        )
        for count in LOCK_COUNTS
    ]
