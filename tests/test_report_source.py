"""Where reports come from: one strategy per execution mode, one door into the engine, one
atomic writer. Fast: no framework, no builder, no Sphinx."""

from __future__ import annotations

import ast
import os
import stat
from pathlib import Path

import pytest

from sphinx_modelsummary.errors import BuildError
from sphinx_modelsummary.files import write_atomically
from sphinx_modelsummary.report_source import (
    CacheThenSnapshot,
    LiveBuild,
    RewriteSnapshot,
    SnapshotOnly,
    VerifySnapshot,
    report_source,
)
from sphinx_modelsummary.request import BuildRequest
from sphinx_modelsummary.snapshot_store import Snapshot
from sphinx_modelsummary.target import parse_target

PACKAGE = Path(__file__).parent.parent / "sphinx_modelsummary"
REQUEST = BuildRequest(parse_target("no_such_package.models:build"))


def _no_engine():
    raise AssertionError("this mode must not create an engine")


def _modules(*skipped: str) -> dict[str, ast.Module]:
    return {
        str(path.relative_to(PACKAGE)): ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGE.rglob("*.py"))
        if str(path.relative_to(PACKAGE)) not in skipped
    }


@pytest.mark.parametrize(
    ("mode", "has_snapshot", "update", "verify", "strategy"),
    [
        ("auto", False, False, False, LiveBuild),
        ("force", False, False, False, LiveBuild),
        ("force", True, False, False, LiveBuild),
        ("auto", True, False, False, CacheThenSnapshot),
        ("off", True, False, False, SnapshotOnly),
        ("off", False, False, False, SnapshotOnly),
        ("off", True, False, True, SnapshotOnly),  # ``check`` in off mode builds nothing
        ("auto", True, False, True, VerifySnapshot),
        ("force", True, False, True, VerifySnapshot),
        ("auto", False, False, True, LiveBuild),  # nothing to verify without a snapshot
        ("off", True, True, False, RewriteSnapshot),  # a rewrite builds, whatever the mode
        ("auto", True, True, True, RewriteSnapshot),
        ("off", False, True, False, SnapshotOnly),  # no snapshot to rewrite
    ],
)
def test_each_mode_gets_its_strategy(tmp_path, mode, has_snapshot, update, verify, strategy):
    snapshot = Snapshot(str(tmp_path)) if has_snapshot else None
    chosen = report_source(snapshot, mode, _no_engine, "run refresh", update, verify)
    assert type(chosen) is strategy


def test_an_unknown_mode_is_refused_not_treated_as_another():
    with pytest.raises(ValueError, match="'of' is not one of auto, off, force"):
        report_source(None, "of", _no_engine, "run refresh")


def test_off_reads_only_the_snapshot_and_says_how_to_write_it(tmp_path):
    source = report_source(Snapshot(str(tmp_path)), "off", _no_engine, "run refresh")
    with pytest.raises(BuildError, match=r"no entry for no_such_package\.models:build .*refresh"):
        source.report(REQUEST)
    without = report_source(None, "off", _no_engine, "run refresh")
    with pytest.raises(BuildError, match="modelsummary_snapshot_dir is not set"):
        without.report(REQUEST)


def test_only_the_engine_touches_its_cache():
    """The report sources ask the engine (``cached``, ``report``), never its cache or counting."""
    reached = []
    for name, tree in _modules("engine.py").items():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("cache", "_cache", "count_from_cache")
                and "engine" in ast.unparse(node.value).lower()
            ):
                reached.append(f"{name}:{node.lineno} {ast.unparse(node)}")
    assert reached == []


def test_one_atomic_writer():
    """Every file the package writes for others to read goes through files.write_atomically."""
    writers = {"replace", "rename", "mkstemp", "NamedTemporaryFile"}
    found = []
    for name, tree in _modules("files.py").items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in writers and ast.unparse(node.func.value) in ("os", "tempfile"):
                    found.append(f"{name}:{node.lineno} {ast.unparse(node.func)}")
    assert found == []


def test_a_missing_folder_is_made_or_refused_and_nothing_is_left_behind(tmp_path):
    write_atomically(str(tmp_path / "made" / "entry.json"), b"{}")
    assert (tmp_path / "made" / "entry.json").read_bytes() == b"{}"
    with pytest.raises(OSError):
        write_atomically(str(tmp_path / "typo" / "models.lock.json"), b"{}", create_folder=False)
    assert not (tmp_path / "typo").exists()
    with pytest.raises(TypeError):
        write_atomically(str(tmp_path / "made" / "half.json"), "not bytes")  # type: ignore[arg-type]
    assert sorted(path.name for path in (tmp_path / "made").iterdir()) == ["entry.json"]


def test_a_file_gets_the_mode_open_would_give_it(tmp_path):
    """Not mkstemp's private 0600: a lockfile or a diagram is read by others (git, a server)."""
    umask = os.umask(0o027)
    try:
        write_atomically(str(tmp_path / "models.lock.json"), b"{}")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "models.lock.json").stat().st_mode) == 0o640
