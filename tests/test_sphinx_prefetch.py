"""Workers started once and early, through real ``sphinx-build`` runs (#15).

Every Python process the build starts loads a ``sitecustomize`` from a folder
put first on ``PYTHONPATH``; in a model worker it appends a line to a log, so
the test counts the worker processes (each one imports the framework) without
looking inside the extension. A probe extension records, as each document is
read, which workers run under the Sphinx process.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup

SITECUSTOMIZE = """
import os, sys
if "sphinx_modelsummary.worker" in " ".join(getattr(sys, "orig_argv", [])):
    with open(os.environ["WORKER_LOG"], "a") as log:
        log.write(f"{os.getpid()}\\n")
"""


def _copy(tmp_path, rootdir, root: str, **variables: str):
    """A copy of a test root, and an environment whose Python processes log each worker."""
    source = tmp_path / "docs"
    shutil.copytree(rootdir / root, source)
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "sitecustomize.py").write_text(SITECUSTOMIZE)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(probe), os.environ.get("PYTHONPATH", "")]),
        "WORKER_LOG": str(tmp_path / "workers.log"),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        **variables,
    }
    return tmp_path, source, env


@pytest.fixture
def project(tmp_path, rootdir):
    return _copy(tmp_path, rootdir, "test-prefetch", PROBE_LOG=str(tmp_path / "probe.log"))


def build(tmp_path, source, env, *extra: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "sphinx", "-b", "html", *extra, str(source)]
    command += [str(tmp_path / "out"), "-d", str(tmp_path / "doctrees")]
    return subprocess.run(command, env=env, capture_output=True, text=True)


def workers_started(tmp_path) -> int:
    log = tmp_path / "workers.log"
    return len(log.read_text().split()) if log.exists() else 0


def test_parallel_readers_share_one_framework_import(project):
    tmp_path, source, env = project
    done = build(tmp_path, source, env, "-j", "2")
    assert done.returncode == 0, done.stderr
    assert "ERROR" not in done.stderr
    assert workers_started(tmp_path) == 1
    for units in range(1, 7):
        page = BeautifulSoup((tmp_path / "out" / f"m{units}.html").read_text(), "html.parser")
        totals = " ".join(page.select_one(".modelsummary-totals").get_text().split())
        assert f"Total params: {5 * units} (" in totals
    # warm: every report in the cache, so no worker at all
    (tmp_path / "workers.log").unlink()
    again = build(tmp_path, source, env, "-j", "2", "-E")
    assert again.returncode == 0, again.stderr
    assert workers_started(tmp_path) == 0


def test_the_worker_starts_before_the_first_page_is_read(project):
    tmp_path, source, env = project
    done = build(tmp_path, source, env)
    assert done.returncode == 0, done.stderr
    assert workers_started(tmp_path) == 1
    reads = [json.loads(line) for line in (tmp_path / "probe.log").read_text().splitlines()]
    assert [read["doc"] for read in reads] == ["index", "m1", "m2", "m3", "m4", "m5", "m6"]
    # the index page has no model: the worker was started for the pages after it
    assert len(reads[0]["workers"]) == 1
    assert all(read["workers"] == reads[0]["workers"] for read in reads)


@pytest.fixture
def hidden(tmp_path, rootdir):
    """The test-prefetch-hidden project, whose builder leaves a mark file when it runs."""
    (tmp_path / "marks").mkdir()
    return _copy(tmp_path, rootdir, "test-prefetch-hidden", MARK_DIR=str(tmp_path / "marks"))


def test_parallel_prefetch_runs_only_directives_the_parser_sees(hidden):
    """Directives in comments, ``code-block:: rst`` examples, literal blocks and MyST fence
    examples are text: the prefetch before ``-j 2`` reading must not run them."""
    tmp_path, source, env = hidden
    done = build(tmp_path, source, env, "-j", "2")
    assert done.returncode == 0, done.stderr
    assert sorted(os.listdir(tmp_path / "marks")) == ["md_shown", "shown"]
    assert workers_started(tmp_path) == 1


def test_no_worker_starts_for_directives_that_are_only_text(hidden):
    """Reading one page at a time, the prefetch starts a worker (importing its framework)
    only for a directive the parser sees; a page of examples needs none."""
    tmp_path, source, env = hidden
    (source / "notes.md").unlink()
    (source / "index.rst").write_text(
        "Examples\n========\n\n..\n   .. model-summary:: marking_models:marked('commented')\n\n"
        ".. code-block:: rst\n\n   .. model-summary:: marking_models:marked('example')\n"
    )
    done = build(tmp_path, source, env)
    assert done.returncode == 0, done.stderr
    assert workers_started(tmp_path) == 0
    assert os.listdir(tmp_path / "marks") == []
