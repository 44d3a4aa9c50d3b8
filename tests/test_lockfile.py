"""The lockfile: drift against recorded counts, and rewriting it on request."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from sphinx_helpers import warnings_of

from sphinx_modelsummary.lockfile import LockEntry, LockfileError, read_lockfile, write_lockfile


def test_lockfile_is_sorted_stable_and_round_trips(tmp_path):
    path = tmp_path / "models.lock.json"
    entries = {"b:m": LockEntry(3, 2, 1), "a:m @ (None, 4)": LockEntry(10, 10, 0)}
    write_lockfile(str(path), entries)
    first = path.read_text()
    write_lockfile(str(path), dict(reversed(list(entries.items()))))
    assert path.read_text() == first
    assert first.endswith("}\n") and first.index('"a:m @ (None, 4)"') < first.index('"b:m"')
    assert read_lockfile(str(path)) == entries
    assert read_lockfile(str(tmp_path / "absent.json")) == {}


@pytest.mark.parametrize(
    "text",
    ['{"models": {"a:m": {"params": 1}}}', '{"models": []}', "[]", '{"models": {"a:m": 5}}'],
)
def test_unreadable_lockfile_says_how_to_fix_it(tmp_path, text):
    path = tmp_path / "models.lock.json"
    path.write_text(text)
    with pytest.raises(LockfileError, match="modelsummary_update_lockfile=1"):
        read_lockfile(str(path))


@pytest.mark.sphinx("html", testroot="lockfile", freshenv=True)
def test_counts_that_differ_from_the_lockfile_are_drift(app):
    app.build()
    assert app.statuscode == 1
    warnings = warnings_of(app)
    errors = [line for line in warnings.splitlines() if "ERROR" in line]
    assert len(errors) == 1, warnings  # one drift, one error, the lockfile named once
    assert errors[0] == (
        f"{app.srcdir / 'index.rst'}:4: ERROR: example_project.basics:rgb_conv: params: the "
        "lockfile models.lock.json promises 432, the code builds 448; trainable: promises 432, "
        "builds 448; if the new counts are right, rewrite the lockfile with "
        "-D modelsummary_update_lockfile=1 [modelsummary.drift]"
    )
    missing = [line for line in warnings.splitlines() if "not in the lockfile" in line]
    assert missing == [
        "WARNING: 1 model is not in the lockfile models.lock.json (index.rst:8 "
        "example_project.fire:FireModule @ (None, 128, 128, 50, 1)); add it with "
        "-D modelsummary_update_lockfile=1 [modelsummary.lockfile]"
    ], warnings


def _project(rootdir, tmp_path, lockfile: str | None):
    source = tmp_path / "lockfile"
    shutil.copytree(rootdir / "test-lockfile", source)
    if lockfile is None:
        (source / "models.lock.json").unlink()
    else:
        (source / "models.lock.json").write_text(lockfile)
    return source


def test_models_missing_from_the_lockfile_are_one_warning(make_app, rootdir, tmp_path):
    only = '{"models": {"example_project.basics:pointwise_conv": {"non_trainable": 0, '
    only += '"params": 524544, "trainable": 524544}}}'
    app = make_app("html", srcdir=_project(rootdir, tmp_path, only), freshenv=True)
    app.build()
    assert app.statuscode == 0
    warnings = warnings_of(app)
    assert warnings.count("WARNING") == 1, warnings
    assert "WARNING: 2 models are not in the lockfile models.lock.json (index.rst:4 " in warnings
    assert "index.rst:8 example_project.fire:FireModule @ (None, 128, 128, 50, 1)); add them" in (
        warnings
    )


def test_first_use_of_a_lockfile_writes_it(make_app, rootdir, tmp_path):
    source = _project(rootdir, tmp_path, None)
    app = make_app("html", srcdir=source, freshenv=True)
    app.build()
    assert app.statuscode == 0
    assert warnings_of(app) == ""
    assert "started the lockfile" in app._status.getvalue()
    data = json.loads((source / "models.lock.json").read_text())
    assert sorted(data["models"]) == [
        "example_project.basics:pointwise_conv",
        "example_project.basics:rgb_conv",
        "example_project.fire:FireModule @ (None, 128, 128, 50, 1)",
    ]
    again = make_app("html", srcdir=source)
    again.build()
    assert again.statuscode == 0 and "[modelsummary" not in warnings_of(again)


def test_updating_after_a_warm_build_exits_0_without_replaying_drift(make_app, rootdir, tmp_path):
    source = _project(rootdir, tmp_path, (rootdir / "test-lockfile/models.lock.json").read_text())
    first = make_app("html", srcdir=source, freshenv=True)
    first.build()
    assert first.statuscode == 1  # rgb_conv drifted from the lockfile
    update = make_app("html", srcdir=source, confoverrides={"modelsummary_update_lockfile": "1"})
    update.build()
    assert update.statuscode == 0, warnings_of(update)
    assert "[modelsummary" not in warnings_of(update)
    assert "problem" not in update._status.getvalue()
    checked = make_app("html", srcdir=source)
    checked.build()
    assert checked.statuscode == 0
    assert "[modelsummary" not in warnings_of(checked)


@pytest.mark.sphinx(
    "html",
    testroot="lockfile",
    freshenv=True,
    confoverrides={"modelsummary_update_lockfile": "1"},
)
def test_update_rewrites_the_lockfile_and_the_next_build_passes(app, make_app):
    app.build()
    assert app.statuscode == 0, warnings_of(app)
    data = json.loads((app.srcdir / "models.lock.json").read_text())
    assert data == {
        "models": {
            "example_project.basics:pointwise_conv": {
                "non_trainable": 0,
                "params": 524_544,
                "trainable": 524_544,
            },
            "example_project.basics:rgb_conv": {
                "non_trainable": 0,
                "params": 448,
                "trainable": 448,
            },
            "example_project.fire:FireModule @ (None, 128, 128, 50, 1)": {
                "non_trainable": 144,
                "params": 32_624,
                "trainable": 32_480,
            },
        }
    }
    checked = make_app("html", srcdir=app.srcdir, freshenv=True)
    checked.build()
    assert checked.statuscode == 0
    assert "[modelsummary" not in warnings_of(checked)


@pytest.mark.sphinx(
    "html",
    testroot="lockfile",
    freshenv=True,
    confoverrides={
        "modelsummary_update_lockfile": "1",
        "modelsummary_lockfile": "no-such-folder/models.lock.json",
    },
)
def test_lockfile_that_cannot_be_written_fails_the_build_naming_it(app):
    app.build()
    assert app.statuscode == 1
    assert re.search(
        r"ERROR: cannot write the lockfile \S*no-such-folder/models\.lock\.json .*"
        r"check modelsummary_lockfile",
        warnings_of(app),
    ), warnings_of(app)
    assert not (app.srcdir / "no-such-folder").exists()
