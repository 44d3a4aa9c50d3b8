"""Fault matrix: caches and snapshots serve a report only for the files and the request it was
written for, and only as it was written.

Each case is something a careless or hostile user does to a real project: a snapshot entry
edited by hand or half-merged, a cache entry copied under another name, one cache folder
shared by two checkouts, a disk that fills up. Every build is a real ``sphinx-build`` (or
``python -m sphinx_modelsummary``) process, or the real engine building a real Keras model.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from test_snapshot import attempts, project, run, sphinx, written  # noqa: F401 - fixtures

from sphinx_modelsummary.cache import request_key
from sphinx_modelsummary.engine import Engine
from sphinx_modelsummary.report import ModelReport
from sphinx_modelsummary.request import BuildRequest
from sphinx_modelsummary.target import parse_target

ROOTS = Path(__file__).parent / "roots"
REFRESH = "run python -m sphinx_modelsummary snapshot docs to write it again"


#: The layers of ``snapmodels.nets:small``, by path.
SMALL_LAYERS = ("features", "hidden", "out")


def _entry_path(folder: Path) -> Path:
    """The snapshot entry of ``snapmodels.nets:small``."""
    return next((folder / "docs" / "_models").glob("snapmodels.nets.small-*.json"))


def _layer(data: dict, path: str) -> dict:
    return next(layer for layer in data["report"]["layers"] if layer["path"] == path)


def _redigest(data: dict) -> None:
    """What a careful hostile editor does: make the digest fit the edited report."""
    data["digest"] = ModelReport.from_dict(data["report"]).digest()


def _total_999(data: dict) -> None:
    data["report"]["totals"]["params"] = 999


def _total_999_redigested(data: dict) -> None:
    _total_999(data)
    _redigest(data)


def _layer_and_totals_redigested(data: dict) -> None:
    hidden = _layer(data, "hidden")
    hidden["params"] = hidden["trainable"] = 17
    data["report"]["totals"]["params"] = data["report"]["totals"]["trainable"] = 27
    _redigest(data)


def _set(path: tuple, value) -> Callable[[dict], None]:
    """An edit that sets one value, found by keys (a layer by its path)."""

    def edit(data: dict) -> None:
        place = data
        for key in path[:-1]:
            place = _layer(data, key) if key in SMALL_LAYERS else place[key]
        place[path[-1]] = value

    return edit


SNAPSHOT_FAULTS = {
    # The merge conflict: the rows say 16 + 10, the total 999.
    "total-edited": (
        _total_999,
        "cannot be used: its report does not match its digest: it was changed after "
        "`snapshot` wrote it",
    ),
    "layer-count-edited": (
        _set(("hidden", "params"), 17),
        "cannot be used: its report does not match its digest: it was changed after "
        "`snapshot` wrote it",
    ),
    "digest-replaced": (
        _set(("digest",), "0" * 64),
        "cannot be used: its report does not match its digest: it was changed after "
        "`snapshot` wrote it",
    ),
    "total-edited-digest-recomputed": (
        _total_999_redigested,
        "cannot be used: its report contradicts itself: total params 999 is not trainable 26 "
        "+ non-trainable 0",
    ),
    "layer-and-totals-edited-digest-recomputed": (
        _layer_and_totals_redigested,
        "cannot be used: its report contradicts itself: layer 'hidden' says 17 params "
        "(17 trainable), its weights and rows hold 16 (16 trainable)",
    ),
    "params-lots": (
        _set(("report", "totals", "params"), "lots"),
        'cannot be read (ValueError: report.totals.params is "lots", not a count)',
    ),
    "layer-params-lots": (
        _set(("report", "hidden", "params"), "lots"),
        'cannot be read (ValueError: report.layers[hidden].params is "lots", not a count)',
    ),
    "negative-count": (
        _set(("report", "totals", "non_trainable"), -5),
        "cannot be read (ValueError: report.totals.non_trainable is -5, not a count)",
    ),
    "trainable-as-text": (
        _set(("report", "hidden", "trainable"), "yes"),
        'cannot be read (ValueError: report.layers[hidden].trainable is "yes", not a count)',
    ),
    "shape-with-text": (
        _set(("report", "inputs", 0, "shape"), [None, "3"]),
        'cannot be read (ValueError: a shape is a list of sizes (or null), not [null, "3"])',
    ),
    "layers-as-object": (
        _set(("report", "layers"), {"hidden": {}}),
        'cannot be read (ValueError: layers is {"hidden": {}}, not a list)',
    ),
    "totals-missing": (
        lambda data: data["report"].pop("totals"),
        "cannot be read (ValueError: the report has no field 'totals')",
    ),
    "digest-missing": (
        lambda data: data.pop("digest"),
        "cannot be read (ValueError: it records no digest of its report)",
    ),
    "written-before-digests": (
        lambda data: (data.pop("digest"), data.update(format=1)),
        "cannot be read (ValueError: format 1 is not 2)",
    ),
}


#: A page that promises nothing: only the entry's own checks can catch an edit.
PAGE = """Snapshot
========

.. model-summary:: snapmodels.nets:small
   :name: small

.. model-formulas:: snapmodels.nets:small

The small model has :model-params:`small` parameters.
"""


@pytest.fixture
def unguarded(project):  # noqa: F811 - the fixture of test_snapshot
    """The snapshot project without ``expect`` options and lockfile, as many projects are."""
    (project / "docs" / "index.rst").write_text(PAGE)
    conf = project / "docs" / "conf.py"
    conf.write_text(conf.read_text().replace('modelsummary_lockfile = "models.lock.json"', ""))
    return project


@pytest.mark.parametrize("fault", sorted(SNAPSHOT_FAULTS))
def test_a_snapshot_entry_edited_by_hand_is_an_error_at_the_directive_never_a_page(
    unguarded, fault
):
    """The default ``auto`` mode, no framework at hand: the entry is all there is to show."""
    folder = unguarded
    edit, expected = SNAPSHOT_FAULTS[fault]
    entry = _entry_path(folder)
    data = json.loads(entry.read_text())
    edit(data)
    entry.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")

    done = sphinx(folder)
    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        f"index.rst:4: ERROR: model-summary snapmodels.nets:small: the snapshot entry "
        f"docs/_models/{entry.name} {expected}; {REFRESH}"
    ) in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "sphinx-doc" not in done.stderr
    assert attempts(folder) == []
    page = re.sub(r"<[^>]+>", "", (folder / "html" / "index.html").read_text(encoding="utf-8"))
    assert page.count("could not document snapmodels.nets:small") == 2
    assert "Total" not in page  # neither the summary's totals nor the formulas' total row
    assert "The small model has [not built model 'small'] parameters." in page


def test_a_half_merged_snapshot_entry_is_an_error_at_the_directive(unguarded):
    folder = unguarded
    entry = _entry_path(folder)
    text = entry.read_text().replace(
        '    "params": 26,\n',
        '<<<<<<< HEAD\n    "params": 26,\n=======\n    "params": 27,\n>>>>>>> wide\n',
        1,
    )
    entry.write_text(text)
    done = sphinx(folder)
    assert done.returncode == 1
    assert re.search(
        rf"index\.rst:4: ERROR: model-summary snapmodels\.nets:small: the snapshot entry "
        rf"docs/_models/{re.escape(entry.name)} cannot be read \(JSONDecodeError: "
        rf"Expecting .*\); {REFRESH}",
        done.stderr,
    ), done.stderr


def _engine_request(target: str) -> BuildRequest:
    return BuildRequest(parse_target(target))


def _foreign(cache: Path, data: dict) -> None:
    """Another model's entry copied under this request's name (by hand, by another tool)."""
    other = _engine_request("builders:dense_chain(8)")
    Engine(cache_dir=str(cache), isolated=False).report(other)
    foreign = json.loads((cache / f"{request_key(other)}.json").read_text())
    data.clear()
    data.update(foreign)


CACHE_FAULTS = {
    "another-models-entry": (
        _foreign,
        "it holds a report of 'builders:dense_chain(8)' written for another request",
    ),
    "total-edited": (
        lambda cache, data: _total_999(data),
        "its report does not match its digest: it was changed after writing",
    ),
    "total-edited-digest-recomputed": (
        lambda cache, data: _total_999_redigested(data),
        "its report contradicts itself: total params 999 is not trainable 88 + non-trainable 0",
    ),
    "params-lots": (
        lambda cache, data: data["report"]["totals"].update(params="lots"),
        'report.totals.params is "lots", not a count',
    ),
}


@pytest.mark.parametrize("fault", sorted(CACHE_FAULTS))
def test_a_cache_entry_not_as_written_for_this_request_is_built_again_with_a_warning(
    tmp_path, fault
):
    """The real engine, a real Keras model: the entry is verified when it is read."""
    cache = tmp_path / "cache"
    request = _engine_request("builders:dense_chain(4)")
    first = Engine(cache_dir=str(cache), isolated=False).report(request)
    assert first.report.totals.params == 88
    path = cache / f"{request_key(request)}.json"
    data = json.loads(path.read_text())
    edit, reason = CACHE_FAULTS[fault]
    edit(cache, data)
    path.write_text(json.dumps(data))

    warnings: list[str] = []
    outcome = Engine(cache_dir=str(cache), warn=warnings.append, isolated=False).report(request)
    assert not outcome.cached and outcome.report.totals.params == 88
    assert warnings == [f"ignoring unreadable cache entry {path} ({reason}); building again"]
    assert json.loads(path.read_text())["report"]["totals"]["params"] == 88  # written again


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_two_worktrees_sharing_a_cache_folder_each_show_their_own_model(tmp_path):
    """As CI caches and ``git worktree`` do: one ``modelsummary_cache_dir`` for both."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    main = tmp_path / "main"
    shutil.copytree(ROOTS / "test-sharedcache", main)
    _git(main, "init", "-q", "-b", "main")
    _git(main, "add", ".")
    _git(main, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "width 4")
    wider = tmp_path / "wider"
    _git(main, "worktree", "add", "-q", "-b", "wider", str(wider))
    nets = wider / "sharedmodels" / "nets.py"
    nets.write_text(nets.read_text().replace("WIDTH = 4", "WIDTH = 6"))

    shared = tmp_path / "shared-cache"
    shown = {}
    for checkout in (main, wider):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "sphinx",
                "-b",
                "text",
                "-D",
                f"modelsummary_cache_dir={shared}",
                ".",
                "_build",
            ],
            cwd=checkout,
            capture_output=True,
            text=True,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        )
        assert done.returncode == 0, done.stderr
        text = (checkout / "_build" / "index.txt").read_text()
        shown[checkout.name] = re.search(r"The net has (\S+) parameters", text).group(1)
    assert shown == {"main": "16", "wider": "24"}


def test_snapshot_without_a_snapshot_folder_is_a_clean_error(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(ROOTS / "test-sharedcache", docs)
    done = run(["-m", "sphinx_modelsummary", "snapshot", "docs"], tmp_path)
    assert done.returncode == 2
    assert done.stderr == (
        "error: docs/conf.py: modelsummary_snapshot_dir is not set, so there is no snapshot "
        'to write; add modelsummary_snapshot_dir = "_models" to conf.py\n'
    )
    assert not (docs / "_build").exists()


@pytest.fixture
def full_disk(tmp_path):
    """A real filesystem with no space left: a 64 KB tmpfs, filled up (needs root)."""
    folder = tmp_path / "full"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    try:
        (folder / "cache").mkdir()
        with open(folder / "filler", "wb", buffering=0) as filler:
            with pytest.raises(OSError, match="No space left"):
                while True:
                    filler.write(b"\0" * 4096)
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_full_disk_leaves_no_temporary_file_in_the_cache(full_disk):
    cache = full_disk / "cache"
    warnings: list[str] = []
    for _ in range(2):  # one build after another: nothing piles up
        engine = Engine(cache_dir=str(cache), warn=warnings.append, isolated=False)
        outcome = engine.report(_engine_request("builders:dense_chain(4)"))
        assert outcome.report.totals.params == 88
    assert (
        warnings
        == [
            f"cannot write the model cache in {cache} ([Errno 28] No space left on device); "
            "going on without caching"
        ]
        * 2
    )
    assert sorted(path.name for path in full_disk.iterdir()) == ["cache", "filler"]
    assert list(cache.iterdir()) == []


def test_a_drift_message_names_the_changed_totals_first(project):  # noqa: F811
    """Five differences are shown: the counts a page promises must be among them."""
    nets = project / "docs" / "snapmodels" / "nets.py"
    nets.write_text(nets.read_text().replace("blocks.head(4)", "blocks.head(5)"))
    done = run(["-m", "sphinx_modelsummary", "check", "docs"], project)
    assert done.returncode == 1
    entry = _entry_path(project)
    assert re.search(
        rf"index\.rst:4: ERROR: .*the snapshot entry docs/_models/{re.escape(entry.name)} "
        r"differs from the live build: report\.totals\.params: snapshot 26, live 32; "
        r"report\.totals\.trainable: snapshot 26, live 32; report\.totals\.bytes: snapshot "
        r"104, live 128; report\.totals\.bytes_by_dtype\.float32: snapshot 104, live 128; "
        r"snapmodels/nets\.py changed; and \d+ more differences; run python -m "
        r"sphinx_modelsummary snapshot docs to refresh it",
        done.stderr,
    ), done.stderr


def test_a_diagram_and_its_table_are_paired_by_the_report_digest(written):  # noqa: F811
    """One digest for all: the link id and the figure's file name follow the report, not
    its timing, and differ between two models."""
    from sphinx_modelsummary.sphinx.diagram import _file_stem
    from sphinx_modelsummary.sphinx.links import model_key

    folder, entries = written
    reports = [
        ModelReport.from_json(json.dumps(json.loads(text)["report"])) for text in entries.values()
    ]
    small, wide = reports
    slower = dataclasses.replace(small, build_seconds=12.5)
    assert model_key(small) == model_key(slower) == small.digest()[:16] != model_key(wide)
    assert _file_stem(small, "drawing", "svg") == _file_stem(slower, "drawing", "svg")
    assert _file_stem(small, "drawing", "svg") not in (
        _file_stem(small, "drawing", "pdf"),
        _file_stem(wide, "drawing", "svg"),
    )
