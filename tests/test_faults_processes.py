"""Fault matrix, processes: what a builder's process does never outlives the build, never
corrupts ``show``'s output, and a worker killed from outside is not the builder's fault."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sphinx_helpers import totals_of
from test_sphinx_engine import ENV, ROOTS, _held_build, _interruptible, _processes_with, _wait_for

ROOT = ROOTS / "test-interrupt"
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _cli(folder: Path, *argv: str) -> subprocess.CompletedProcess:
    """``python -m sphinx_modelsummary`` run in the folder, as a user types it."""
    return subprocess.run(
        [sys.executable, "-m", "sphinx_modelsummary", *argv],
        cwd=folder,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _sphinx_build(folder: Path) -> subprocess.CompletedProcess:
    """``sphinx-build -b html docs out`` in the folder, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "docs", "out"],
        cwd=folder,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )


# show --format json: the builder's output never reaches the JSON, every failure is exit 2 --


@pytest.mark.parametrize(
    ("builder", "timeout"),
    [("prints", "300"), ("writes_to_its_stdout", "300"), ("prints", "86400")],
    ids=["print", "os.write(1)", "timeout-a-day"],
)
def test_a_builders_output_never_reaches_the_json(builder, timeout):
    done = _cli(ROOT, "show", f"faulty_models:{builder}", "--format", "json", "--timeout", timeout)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["totals"]["params"] == 15
    assert ("chatter" if builder == "prints" else "file descriptor 1") in done.stderr


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["faulty_models:exits_quietly"], "exited with status 0"),
        (["faulty_models:exits_with_status_3"], "exited with status 3"),
        (["faulty_models:calls_sys_exit"], "called sys.exit(0) instead of returning a model"),
        (["faulty_models:raises"], "ValueError: the widths do not add up"),
        (["faulty_models:hangs", "--timeout", "2"], "did not finish within 2 s"),
        (["faulty_models:exits_quietly", "held_models:small"], "exited with status 0"),
        (["held_models:small", "faulty_models:hangs", "--timeout=2"], "within 2 s"),
    ],
    ids=[
        "os._exit(0)",
        "os._exit(3)",
        "sys.exit(0)",
        "raises",
        "hangs",
        "compare-exit",
        "compare-hang",
    ],
)
def test_every_failing_builder_is_exit_2_with_nothing_on_stdout(argv, message):
    command = "compare" if "held_models:small" in argv else "show"
    done = _cli(ROOT, command, *argv, "--format", "json")
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert done.stderr.startswith("error: ") and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr.split("faulty_models.py")[0]


@pytest.mark.parametrize(
    ("folder", "value", "builder", "message"),
    [
        (".", "2", "hangs", "did not finish within 2 s"),
        ("docs", "2", "hangs", "did not finish within 2 s"),
        (".", "'ten'", "prints", "conf.py: modelsummary_timeout: 'ten' must be a number of"),
        ("docs", "-1", "prints", "modelsummary_timeout: -1 must be more than 0 and at most"),
        (
            ".",
            "1e10",
            "prints",
            "timeout: 10000000000.0 must be more than 0 and at most",
        ),
    ],
)
def test_show_honours_the_timeout_of_the_docs_conf_py(tmp_path, folder, value, builder, message):
    shutil.copytree(ROOT, tmp_path / folder, dirs_exist_ok=True)
    with (tmp_path / folder / "conf.py").open("a") as conf:
        conf.write(f"modelsummary_timeout = {value}\n")
    done = _cli(tmp_path, "show", f"faulty_models:{builder}")  # docs/conf.py puts docs/ on the path
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert message in done.stderr


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("0", "must be more than 0 and at most 86400 seconds"),
        ("-1", "must be more than 0 and at most 86400 seconds"),
        ("inf", "must be more than 0 and at most 86400 seconds"),
        ("1e10", "must be more than 0 and at most 86400 seconds"),
        ("nan", "must be more than 0 and at most 86400 seconds"),
        ("ten", "must be a number of seconds"),
    ],
)
def test_a_bad_timeout_is_a_usage_error(value, problem):
    """The command line takes the timeouts a directive takes, no more."""
    done = _cli(ROOT, "show", "faulty_models:prints", f"--timeout={value}")
    assert (done.returncode, done.stdout) == (2, "")
    assert f"--timeout: {value!r} {problem}" in done.stderr


# Nothing outlives the build, whatever kills it ------------------------------------------------


@linux_only
@pytest.mark.parametrize(
    ("builder", "how", "jobs"),
    [
        ("starts_a_process", signal.SIGKILL, 1),
        ("starts_a_process", signal.SIGTERM, 1),
        ("starts_a_process", signal.SIGINT, 1),
        ("starts_a_process", signal.SIGKILL, 2),
        ("starts_a_process", signal.SIGTERM, 2),
        ("starts_a_multiprocessing_child", signal.SIGKILL, 1),
    ],
    ids=lambda value: value.name if isinstance(value, signal.Signals) else f"{value}",
)
def test_a_process_a_builder_started_ends_with_the_build(tmp_path, builder, how, jobs):
    """The build is signalled once the builder has started its process (it says so)."""
    token = f"MODELSUMMARY_TEST_{uuid.uuid4().hex}"
    build, marks = _held_build(
        tmp_path,
        "building",
        jobs,
        builder=f"faulty_models:{builder}",
        env={token: "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_interruptible,
    )
    try:
        assert _wait_for(lambda: any(marks.glob("building-*")), 300), build.poll()
        build.send_signal(how)
        build.wait(timeout=60)
        assert _wait_for(lambda: _processes_with(token) == [], 10), _processes_with(token)
    finally:
        build.kill()
        for pid in _processes_with(token):
            os.kill(pid, signal.SIGKILL)


# A worker killed from outside is said so, and tried again on the next build -----------------


@linux_only
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=lambda how: how.name)
def test_a_worker_killed_from_outside_is_said_so_and_retried_on_the_next_build(tmp_path, how):
    page = "Held\n====\n\n.. model-summary:: held_models:builds\n"
    piped = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    build, marks = _held_build(tmp_path, "building", index=page, **piped)
    try:
        assert _wait_for(lambda: any(marks.glob("building-*")), 300), build.poll()
        worker = int(next(marks.glob("building-*")).name.split("-")[1])
        os.kill(worker, how)  # as the out-of-memory killer or a user's kill would
        _, errors = build.communicate(timeout=300)
    finally:
        build.kill()
    assert build.returncode == 1, errors
    said = re.search(r"index\.rst:4: ERROR: (.*)", errors)
    assert said, errors
    assert f"was killed from outside (signal {how.name})" in said.group(1), errors
    assert "crashed" not in said.group(1)
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert f"was killed from outside (signal {how.name})" in page
    again = _sphinx_build(tmp_path)  # unchanged, without -E
    assert again.returncode == 0, again.stderr
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert [block["Total params"] for block in totals_of(page)] == ["15 (60 B)"]


# The closing summary names the error, not only that there was one -----------------------------


def test_the_closing_summary_shows_the_errors_first_meaningful_line(tmp_path):
    source = tmp_path / "docs"
    shutil.copytree(ROOT, source)
    (source / "index.rst").write_text("Raises\n======\n\n.. model-summary:: faulty_models:raises\n")
    done = _sphinx_build(tmp_path)
    assert done.returncode == 1, done.stderr
    summary = done.stdout.split("problem in the documented models:\n")[1].splitlines()[0]
    assert summary == (
        "  index.rst:4: builder: model-summary faulty_models:raises: target "
        "'faulty_models:raises' raised an error: ValueError: the widths do not add up"
    ), summary
