"""The engine with real worker processes: timeouts, crashes, and the report cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sphinx_modelsummary.engine import Engine
from sphinx_modelsummary.errors import BuildError
from sphinx_modelsummary.execute import BuildRequest
from sphinx_modelsummary.target import parse_target

TESTS = Path(__file__).parent


def request(text: str) -> BuildRequest:
    return BuildRequest(parse_target(text))


@pytest.fixture
def engine(tmp_path):
    warnings: list[str] = []
    engine = Engine(cache_dir=None, timeout=60, warn=warnings.append)
    engine.warnings = warnings
    yield engine
    engine.close()


def test_hanging_builder_is_stopped_and_the_next_target_still_builds(engine):
    with pytest.raises(BuildError) as caught:
        engine.report(request("builders:hangs"), timeout=2)
    assert caught.value.kind == "timeout"
    assert "did not finish within 2 s and was stopped" in caught.value.message
    assert "builders:hangs" in caught.value.message
    assert engine.report(request("builders:dense_chain")).report.totals.params == 208
    assert engine.workers_started == 2


@pytest.mark.parametrize(
    ("target", "how"),
    [("builders:exits_the_process", "exited with status 3"), ("builders:segfaults", "SIGSEGV")],
)
def test_builder_that_kills_its_process_is_an_error_and_the_build_goes_on(engine, target, how):
    with pytest.raises(BuildError) as caught:
        engine.report(request(target))
    assert caught.value.kind == "crash"
    assert how in caught.value.message
    assert engine.report(request("builders:dense_chain")).report.totals.params == 208


def test_user_output_does_not_corrupt_the_answers(engine):
    outcome = engine.report(request("builders:chatty"))
    assert outcome.report.totals.params == 208
    assert outcome.source_files == (str(TESTS / "builders.py"),)


def test_builder_errors_come_back_with_their_kind(engine):
    with pytest.raises(BuildError) as caught:
        engine.report(request("builders:raising_builder"))
    assert caught.value.kind == "builder"
    assert "width 3 is not supported" in caught.value.message
    assert engine.workers_started == 1


@pytest.mark.parametrize("isolated", [True, False], ids=["worker", "in-process"])
def test_builder_calling_sys_exit_is_a_builder_error_and_the_build_goes_on(isolated):
    engine = Engine(isolated=isolated)
    try:
        with pytest.raises(BuildError) as caught:
            engine.report(request("builders:calls_sys_exit"))
        assert caught.value.kind == "builder"
        assert "'builders:calls_sys_exit' called sys.exit(2)" in caught.value.message
        assert engine.report(request("builders:dense_chain")).report.totals.params == 208
        assert engine.workers_started == (1 if isolated else 0)
    finally:
        engine.close()


def write_model(folder: Path, units: int) -> None:
    (folder / "cached_model.py").write_text(
        textwrap.dedent(
            f"""
            import keras

            def build():
                inputs = keras.Input((4,))
                return keras.Model(inputs, keras.layers.Dense({units})(inputs))
            """
        )
    )


def test_cache_serves_unchanged_models_without_a_worker_and_notices_edits(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    write_model(tmp_path, units=3)
    cache = tmp_path / "cache"
    cold = Engine(cache_dir=str(cache))
    first = cold.report(request("cached_model:build"))
    cold.close()
    assert (first.cached, first.report.totals.params, cold.workers_started) == (False, 15, 1)
    assert first.source_files == (str(tmp_path / "cached_model.py"),)

    warm = Engine(cache_dir=str(cache))
    second = warm.report(request("cached_model:build"))
    assert (second.cached, second.report, warm.workers_started) == (True, first.report, 0)

    write_model(tmp_path, units=5)
    third = warm.report(request("cached_model:build"))
    warm.close()
    assert (third.cached, third.report.totals.params, warm.workers_started) == (False, 25, 1)


@pytest.mark.parametrize(
    "corrupt",
    [
        lambda entry: '{"report": {"schema_version": 1, "name": ',
        lambda entry: "[]",
        lambda entry: json.dumps({**entry, "report": None}),
        lambda entry: json.dumps({**entry, "report": []}),
        lambda entry: json.dumps({**entry, "sources": list(entry["sources"])}),
    ],
    ids=["truncated", "list", "null-report", "list-report", "list-sources"],
)
def test_corrupt_cache_entry_is_ignored_with_a_warning(tmp_path, corrupt):
    """Junk and valid JSON of the wrong shape alike are rebuilt, never a traceback."""
    cache = tmp_path / "cache"
    warnings: list[str] = []
    engine = Engine(cache_dir=str(cache), warn=warnings.append, isolated=False)
    engine.report(request("builders:dense_chain"))
    (entry,) = cache.glob("*.json")
    entry.write_text(corrupt(json.loads(entry.read_text())))
    outcome = engine.report(request("builders:dense_chain"))
    assert not outcome.cached and outcome.report.totals.params == 208
    assert len(warnings) == 1 and "ignoring unreadable cache entry" in warnings[0]
    assert json.loads(entry.read_text())["report"]["totals"]["params"] == 208


def test_unwritable_cache_folder_warns_once_and_the_build_goes_on(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    warnings: list[str] = []
    engine = Engine(cache_dir=str(blocked / "cache"), warn=warnings.append, isolated=False)
    for _ in range(2):
        assert engine.report(request("builders:dense_chain")).report.totals.params == 208
    assert len(warnings) == 1 and "going on without caching" in warnings[0]


def test_two_processes_sharing_a_cache_do_not_corrupt_it(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(TESTS)!r})
        from sphinx_modelsummary.engine import Engine
        from sphinx_modelsummary.execute import BuildRequest
        from sphinx_modelsummary.target import parse_target
        engine = Engine(cache_dir={str(tmp_path / "cache")!r}, isolated=False)
        for _ in range(20):
            report = engine.report(BuildRequest(parse_target("builders:tied_embeddings")))
            assert report.report.totals.params == 800
        """
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    runs = [
        subprocess.Popen([sys.executable, "-c", script], env=env, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for run in runs:
        _, errors = run.communicate(timeout=300)
        assert run.returncode == 0, errors.decode()
    (entry,) = (tmp_path / "cache").glob("*.json")
    assert json.loads(entry.read_text())["report"]["totals"]["params"] == 800
    assert not list((tmp_path / "cache").glob("*.tmp"))
