"""The names ``sphinx/snapshot.py`` imports from here, kept at their old address.

The snapshot's three jobs live in three modules: the entry store
(:mod:`.snapshot_store`), the diff against a live build (:mod:`.snapshot_diff`)
and the execution modes (:mod:`.report_source`). Import from those; this module
goes once the Sphinx glue does.
"""

from __future__ import annotations

from .report_source import EXECUTION_MODES, SnapshotOutcome
from .report_source import report_source as SnapshotReports
from .snapshot_store import Snapshot, SnapshotError, display_path, entry_name

__all__ = [
    "EXECUTION_MODES",
    "Snapshot",
    "SnapshotError",
    "SnapshotOutcome",
    "SnapshotReports",
    "display_path",
    "entry_name",
]
