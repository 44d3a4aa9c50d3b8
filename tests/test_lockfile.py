"""The lockfile: drift against recorded counts, and rewriting it on request."""

from __future__ import annotations

import json
import re

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
    assert re.search(
        r"index\.rst:4: ERROR: example_project\.basics:rgb_conv: params: the lockfile "
        r"models\.lock\.json promises 432, the code builds 448",
        warnings,
    ), warnings
    assert "index.rst:6: ERROR" not in warnings  # pointwise_conv matches its entry
    assert re.search(
        r"index\.rst:8: WARNING: example_project\.fire:FireModule @ \(None, 128, 128, 50, 1\) "
        r"is not in the lockfile",
        warnings,
    ), warnings


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
