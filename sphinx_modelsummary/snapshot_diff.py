"""How a snapshot entry differs from a live build, in lines ``check`` can print.

The store (:mod:`.snapshot_store`) says what a fresh write would hold; this
module compares that with the entry as it is, counts first, so a changed count
never hides behind the layers it comes from.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .files import reviewable_json
from .report import ModelReport
from .request import BuildRequest
from .snapshot_store import SnapshotEntry, entry_data

#: Report fields ``check`` does not compare: another framework version in CI is not drift.
_NOT_COMPARED = ("framework_version",)
_MAX_DIFFERENCES = 5
#: The totals a drift message names first: the counts the pages promise.
_COUNTS_FIRST = ("report.totals.params", "report.totals.trainable", "report.totals.non_trainable")


def differences(
    entry: SnapshotEntry, request: BuildRequest, report: ModelReport, source_files: Iterable[str]
) -> list[str]:
    """How an entry differs from what a fresh write of this live build would hold.

    Empty when the entry is exactly what ``snapshot`` would write (apart from
    the framework version); otherwise one line per difference: first why the
    entry cannot be trusted, then the totals (a changed count never hides
    behind the layers it comes from), the recorded sources, the request, and
    the report's other fields by their JSON path. A changed source whose report is
    the same (a comment was edited) is no difference: the entry is current.
    """
    fresh = json.loads(reviewable_json(entry_data(request, report, source_files)))
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
    if not found and reviewable_json(recorded) != entry.text:
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
