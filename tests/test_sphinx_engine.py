"""The engine seen from Sphinx: timeouts at their line, dependencies, warm builds."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from sphinx_helpers import totals_of, warnings_of

ROOTS = Path(__file__).parent / "roots"
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


def read_docs(app) -> list[str]:
    """Documents re-read by the last build, from Sphinx's own progress output."""
    status = re.sub(r"\x1b\[[0-9;]*m", "", app._status.getvalue())
    return re.findall(r"reading sources\.\.\. \[\s*\d+%\] (\S+)", status)


@pytest.mark.sphinx("html", testroot="engine", freshenv=True)
def test_hanging_builder_is_an_error_at_its_line_and_the_page_goes_on(app):
    app.build()
    assert app.statuscode == 1
    warnings = warnings_of(app)
    assert re.search(
        r"slow\.rst:4: ERROR: model-summary model_b:hangs: .*did not finish within 2 s", warnings
    ), warnings
    page = (app.outdir / "slow.html").read_text(encoding="utf-8")
    assert "could not document model_b:hangs" in page
    # the model after it on the same page was still built, and shows its own count
    assert [block["Total params"] for block in totals_of(page)] == ["15 (60 B)"]


@pytest.mark.sphinx("html", testroot="engine", freshenv=True)
def test_editing_a_model_rebuilds_exactly_its_pages(app, make_app):
    app.build()
    assert set(read_docs(app)) == {"index", "a", "b", "slow"}
    again = make_app("html", srcdir=app.srcdir)
    again.build()
    assert read_docs(again) == []

    model_b = app.srcdir / "model_b.py"
    model_b.write_text(model_b.read_text().replace("Dense(2)", "Dense(5)"))
    edited = make_app("html", srcdir=app.srcdir)
    edited.build()
    assert sorted(read_docs(edited)) == ["b", "slow"]
    assert re.search(
        r"b\.rst:4: ERROR: model_b:build: params: the page promises 10, the code builds 25",
        warnings_of(edited),
    )


def test_warm_build_starts_no_worker_and_imports_no_framework(tmp_path):
    source = tmp_path / "docs"
    shutil.copytree(ROOTS / "test-engine", source)
    (source / "slow.rst").unlink()
    (source / "index.rst").write_text("Engine\n======\n\n.. toctree::\n\n   a\n   b\n")
    # a second directive on model_a's model: one model, not one more from the cache
    (source / "b.rst").write_text(
        (source / "b.rst").read_text() + "\n.. model-formulas:: model_a:build\n"
    )
    doctrees = tmp_path / "doctrees"
    runs = []
    for name in ("cold", "warm"):
        out = tmp_path / name
        command = ["-m", "sphinx", "-E", "-b", "html", "-d", str(doctrees), "docs", str(out)]
        done = subprocess.run(
            [sys.executable, *command], cwd=tmp_path, capture_output=True, text=True, env=ENV
        )
        assert done.returncode == 0, done.stderr
        assert json.loads((out / "frameworks.json").read_text()) == []
        (totals,) = totals_of((out / "a.html").read_text(encoding="utf-8"))
        assert totals["Total params"] == "15 (60 B)"
        runs.append(done.stdout)
    first = "modelsummary: 3 directives, 2 models, 0 from the cache, 1 worker process started"
    assert first in runs[0]
    assert "3 directives, 2 models, 2 from the cache, 0 worker processes started" in runs[1]


# Every build starts from the same state; the cache knows every file a builder used -----------


def page_text(app, name: str = "index") -> str:
    return (app.outdir / f"{name}.html").read_text(encoding="utf-8")


@pytest.mark.sphinx("html", testroot="isolation", freshenv=True)
def test_builders_do_not_leak_configuration_or_environment_into_later_builds(app):
    """channels_first, float16 and an environment variable set by one builder stay there."""
    app.build()
    warnings = warnings_of(app)
    assert "ERROR" not in warnings, warnings  # conv is 76 (not 220), Dense(3) is 15 (not 25)
    assert app.statuscode == 0
    page = page_text(app)
    assert "304 B" in page  # 76 float32 parameters, not 152 B of float16 ones


@pytest.mark.sphinx("html", testroot="isolation", freshenv=True)
def test_a_helper_imported_inside_the_builder_keys_the_cache(app, make_app):
    app.build()
    assert app.statuscode == 0, warnings_of(app)
    helper = app.srcdir / "isolation_helper.py"
    helper.write_text(helper.read_text().replace("Dense(4)", "Dense(7)"))
    for fresh in (False, True):  # an incremental build re-reads the page; -E does not use the cache
        again = make_app("html", srcdir=app.srcdir, freshenv=fresh)
        again.build()
        assert re.search(
            r"index\.rst:\d+: ERROR: isolation_models:uses_helper: params: the page promises 36, "
            r"the code builds 63",
            warnings_of(again),
        ), warnings_of(again)


# Processes: hangs paid once, interrupts and crashes told in the user's words ----------------


@pytest.mark.sphinx("html", testroot="process", freshenv=True)
def test_hangs_interrupts_and_crashes_are_errors_in_the_users_words(app):
    app.build()
    warnings = warnings_of(app)
    hang = re.findall(
        r"index\.rst:(\d+): ERROR: model-\w+ process_models:hangs: .*within 3 s", warnings
    )
    assert hang == ["4", "7"], warnings
    interrupt = re.search(r"index\.rst:10: ERROR: (.*process_models:interrupts.*)", warnings)
    assert interrupt and "raised KeyboardInterrupt" in interrupt.group(1), warnings
    assert (
        "sphinx_modelsummary"
        not in warnings.split("process_models:interrupts")[1].split("index.rst:12")[0]
    )  # no frame of ours in what the page says
    crash = warnings.split("index.rst:12: ERROR: ")[1].split("index.rst:")[0]
    assert "crashed the process that ran it (killed by signal SIGKILL)" in crash, crash
    assert "the builder's last words" in crash
    assert "oneDNN" not in crash and "cuda" not in crash  # TensorFlow's start-up log is not it
    assert "15" in page_text(app)
    # The hanging target is stopped once: the second directive is told the same at once, so
    # only the first hang, the crash and the rest each needed a worker.
    status = re.sub(r"\x1b\[[0-9;]*m", "", app._status.getvalue())
    assert "3 worker processes started" in status, status


def _processes_with(token: str) -> list[int]:
    """Ids of live processes whose environment holds the token (workers inherit it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environment = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if token.encode() in environment and state != "Z":
            found.append(int(entry.name))
    return found


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _interruptible() -> None:
    """Give the build the SIGINT of a terminal's Ctrl-C: a background job of a
    non-interactive shell (as CI may start the suite) inherits SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


#: Each moment at which an interrupt must stop the build, and the pages that reach it:
#: Sphinx before it reads (no worker yet), a worker starting (before its framework), a worker
#: importing the builder's module, a builder running, and a replacement worker starting after
#: the first ended between two jobs. With ``-j 2`` the pages are comparisons, which the
#: forked readers build with workers of their own.
INTERRUPTED_AT = {
    "reading": "builds",
    "starting": "builds",
    "importing": "builds",
    "building": "builds",
    "replacing": "ends_its_worker",
}


def _held_build(
    tmp_path: Path,
    moment: str,
    jobs: int = 1,
    index: str | None = None,
    builder: str | None = None,
    **popen: Any,
) -> tuple[subprocess.Popen, Path]:
    """A ``sphinx-build`` of test-interrupt that holds at ``moment`` (see its hold.py), with
    the moment's pages (or the builder's) or the given index page; and the folder where it
    leaves its marks."""
    source = tmp_path / "docs"
    shutil.copytree(ROOTS / "test-interrupt", source)
    if index is None:
        _interrupt_pages(source, builder or f"held_models:{INTERRUPTED_AT[moment]}", moment, jobs)
    else:
        (source / "index.rst").write_text(index)
    marks = tmp_path / "marks"
    marks.mkdir()
    environment = {
        **ENV,
        # the root's sitecustomize holds a starting worker
        "PYTHONPATH": os.pathsep.join(filter(None, [str(source), ENV.get("PYTHONPATH")])),
        "MODELSUMMARY_TEST_HOLD": moment,
        "MODELSUMMARY_TEST_MARKS": str(marks),
        **popen.pop("env", {}),
    }
    command = ["-m", "sphinx", "-E", "-j", str(jobs), "-b", "html", "docs", "out"]
    build = subprocess.Popen([sys.executable, *command], cwd=tmp_path, env=environment, **popen)
    return build, marks


def _interrupt_pages(source: Path, builder: str, moment: str, jobs: int) -> None:
    if jobs == 1:
        directives = f".. model-summary:: {builder}\n   :timeout: 600\n"
        if moment == "replacing":
            directives += "\n.. model-summary:: held_models:builds\n   :timeout: 600\n"
        (source / "index.rst").write_text(f"Held\n====\n\n{directives}")
        return
    pages = [f"page{index}" for index in range(8)]  # more than 5: Sphinx reads in parallel
    for page in pages:
        (source / f"{page}.rst").write_text(
            f"{page}\n{'=' * len(page)}\n\n"
            f".. model-compare:: {builder} held_models:small\n   :timeout: 600\n"
        )
    (source / "index.rst").write_text(
        "Held\n====\n\n.. toctree::\n\n" + "".join(f"   {page}\n" for page in pages)
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize(
    "how, moment, jobs",
    [(signal.SIGINT, moment, 1) for moment in INTERRUPTED_AT]
    + [(signal.SIGINT, moment, 2) for moment in ("starting", "importing", "building")]
    + [(how, "building", jobs) for how in (signal.SIGTERM, signal.SIGKILL) for jobs in (1, 2)],
    ids=lambda value: value.name if isinstance(value, signal.Signals) else f"{value}",
)
def test_an_interrupt_stops_the_build_at_every_moment_and_leaves_no_process(
    tmp_path, how, moment, jobs
):
    """The signal is sent when the build says it reached the moment, never after a guess."""
    token = f"MODELSUMMARY_TEST_{uuid.uuid4().hex}"
    build, marks = _held_build(
        tmp_path,
        moment,
        jobs,
        env={token: "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=_interruptible,
    )
    try:
        reached = _wait_for(lambda: any(marks.glob(f"{moment}-*")), 300)
        assert reached, f"the build never reached {moment}: {build.poll()}"
        build.send_signal(how)
        _, errors = build.communicate(timeout=60)
        if how == signal.SIGINT:
            assert build.returncode == 2 and b"Interrupted!" in errors, errors[-2000:]
        else:
            assert build.returncode == -how
        assert _wait_for(lambda: _processes_with(token) == [], 10), _processes_with(token)
    finally:
        build.kill()
        for pid in _processes_with(token):
            os.kill(pid, signal.SIGKILL)


def test_a_held_build_told_to_go_builds_every_page(tmp_path):
    """The holds stop only where asked: released, the build documents its models."""
    build, marks = _held_build(
        tmp_path, "replacing", stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert _wait_for(lambda: any(marks.glob("replacing-*")), 300)
        (marks / "go").touch()
        _, errors = build.communicate(timeout=300)
    finally:
        build.kill()  # its workers die with it
    assert build.returncode == 0, errors
    assert len(list(marks.glob("start-*"))) == 2  # the first worker was replaced
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert [block["Total params"] for block in totals_of(page)] == ["15 (60 B)", "15 (60 B)"]


def test_a_timeout_is_the_builders_time_not_the_workers_start_up(tmp_path):
    """A worker held while it starts (as a busy machine importing TensorFlow would) for
    longer than the page's :timeout: 2 still builds the model: the clock starts when the
    worker begins the job (seen failing when it started as the job was sent)."""
    build, marks = _held_build(
        tmp_path,
        "starting",
        index="Held\n====\n\n.. model-summary:: held_models:small\n   :timeout: 2\n",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert _wait_for(lambda: any(marks.glob("starting-*")), 300)
        time.sleep(4)  # past the page's timeout: waiting longer can only make this fail
        (marks / "go").touch()
        _, errors = build.communicate(timeout=300)
    finally:
        build.kill()
    assert build.returncode == 0, errors
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert [block["Total params"] for block in totals_of(page)] == ["15 (60 B)"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_parallel_build_with_a_builder_leaving_a_thread_leaves_no_worker(tmp_path):
    source = tmp_path / "docs"
    shutil.copytree(ROOTS / "test-process", source)
    pages = [f"page{index}" for index in range(8)]
    for page in pages:
        (source / f"{page}.rst").write_text(
            f"{page}\n{'=' * len(page)}\n\n.. model-summary:: process_models:leaves_a_thread\n"
        )
    (source / "index.rst").write_text(
        "Threads\n=======\n\n.. toctree::\n\n" + "".join(f"   {page}\n" for page in pages)
    )
    token = f"MODELSUMMARY_TEST_{uuid.uuid4().hex}"
    try:
        done = subprocess.run(
            [sys.executable, "-m", "sphinx", "-E", "-j", "2", "-b", "html", "docs", "out"],
            cwd=tmp_path,
            env={**ENV, token: "1"},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
        assert _wait_for(lambda: _processes_with(token) == [], 10), _processes_with(token)
    finally:
        for pid in _processes_with(token):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_problems_found_across_pages_are_reported_on_every_build(tmp_path, jobs):
    """An unknown role name and a :name: used twice fail every build until fixed, any -j."""
    shutil.copytree(ROOTS / "test-names", tmp_path / "docs")
    for options in (["-E"], [], []):  # a fresh build, then two that re-read nothing
        done = subprocess.run(
            [sys.executable, "-m", "sphinx", *options, "-j", jobs, "-b", "html", "docs", "out"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=ENV,
        )
        errors = re.sub(r"\x1b\[[0-9;]*m", "", done.stderr)
        assert done.returncode == 1, (options, done.stdout, errors)
        assert re.search(r"c\.rst:4: ERROR: :model-params: names 'nope'", errors), errors
        assert re.search(r"e\.rst:4: ERROR: .*:name: 'twin' is already used at a:4", errors), errors
        assert errors.count("ERROR") == 2, errors


def test_a_hand_edited_lockfile_is_checked_again_after_an_update_build(tmp_path):
    shutil.copytree(ROOTS / "test-relock", tmp_path / "docs")

    def sphinx(*options: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "sphinx", *options, "-b", "html", "docs", "out"]
        return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=ENV)

    assert sphinx("-D", "modelsummary_update_lockfile=1").returncode == 0
    lockfile = tmp_path / "docs" / "models.lock.json"
    assert json.loads(lockfile.read_text())["models"]["option_models:small"]["params"] == 15
    lockfile.write_text(lockfile.read_text().replace('"params": 15', '"params": 16'))
    done = sphinx()
    assert done.returncode == 1, done.stderr
    assert re.search(
        r"index\.rst:4: ERROR: option_models:small: params: the lockfile models\.lock\.json "
        r"promises 16, the code builds 15",
        re.sub(r"\x1b\[[0-9;]*m", "", done.stderr),
    ), done.stderr


@pytest.mark.parametrize("builder", ["modelcheck", "html"])
def test_control_characters_of_a_builders_error_are_written_out(tmp_path, builder):
    shutil.copytree(ROOTS / "test-control", tmp_path / "docs")
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", builder, "docs", "out"],
        cwd=tmp_path,
        capture_output=True,
        env=ENV,
    )
    assert done.returncode == 1
    assert b"\x1b" not in done.stderr and b"\x00" not in done.stderr
    assert b"ValueError: \\x1b[31mred\\x1b[0m and a \\x00 byte" in done.stderr, done.stderr
    if builder == "modelcheck":
        report = ElementTree.parse(tmp_path / "out" / "modelcheck.xml")  # well-formed
        (error,) = report.getroot().iter("error")
        assert "\\x00 byte" in error.text
    else:
        page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
        assert "\x1b" not in page and "\x00" not in page
        assert "\\x00 byte" in BeautifulSoup(page, "html.parser").get_text()


def test_a_page_may_call_only_the_project_and_the_model_zoos(tmp_path):
    shutil.copytree(ROOTS / "test-allowed", tmp_path / "docs")
    doomed = tmp_path / "doomed"
    doomed.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "docs", "out"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=ENV,
    )
    errors = re.sub(r"\x1b\[[0-9;]*m", "", done.stderr)
    assert doomed.is_dir() and not (tmp_path / "ran.txt").exists()
    for line, module in ((4, "shutil"), (6, "os"), (14, "keras.utils")):
        assert re.search(
            rf"index\.rst:{line}: ERROR: .*'{module}' is neither one of the project's own "
            "modules nor a known model zoo, so a page may not call it",
            errors,
        ), errors
    assert errors.count("ERROR") == 3, errors  # the project's model and the zoo's are built
    assert done.returncode == 1
    allowing = tmp_path / "docs" / "conf.py"
    allowing.write_text(allowing.read_text() + 'modelsummary_allowed_modules = ["shutil"]\n')
    again = subprocess.run(
        [sys.executable, "-m", "sphinx", "-E", "-b", "html", "docs", "out"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=ENV,
    )
    # let through now, and refused by the next guard: shutil builds with no framework
    assert re.search(r"index\.rst:4: ERROR: .*cannot tell which framework", again.stderr)
    assert "'shutil' is neither" not in again.stderr and "'os' is neither" in again.stderr
    assert doomed.is_dir()
