"""The engine with real worker processes: timeouts, crashes, and the report cache."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from sphinx_modelsummary.engine import Engine
from sphinx_modelsummary.errors import BuildError
from sphinx_modelsummary.frameworks import FRAMEWORKS
from sphinx_modelsummary.request import BuildRequest, project_keras_backend
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


def test_a_cache_entry_read_before_is_read_again_when_its_file_changes(tmp_path):
    """An entry is parsed once per process while its file stays the same; an edit in place or a
    replaced file (another process's write) is read again, also with the same size and time."""
    cache = tmp_path / "cache"
    engine = Engine(cache_dir=str(cache), isolated=False)
    engine.report(request("builders:dense_chain"))
    (entry,) = cache.glob("*.json")
    assert engine.report(request("builders:dense_chain")).report.totals.params == 208
    # Only the timing may change without the entry's digest refusing it.
    text = re.sub(r'"build_seconds": [0-9.e-]+', '"build_seconds": 1.5', entry.read_text())
    entry.write_text(text)
    assert engine.report(request("builders:dense_chain")).report.build_seconds == 1.5
    before = entry.stat()

    entry.write_text(text.replace('"build_seconds": 1.5', '"build_seconds": 2.5'))  # in place
    os.utime(entry, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    assert engine.report(request("builders:dense_chain")).report.build_seconds == 2.5

    stamp = entry.stat()
    replacement = cache / "replacement"
    replacement.write_text(text.replace('"build_seconds": 1.5', '"build_seconds": 3.5'))
    os.utime(replacement, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # same time and size
    os.replace(replacement, entry)
    assert engine.report(request("builders:dense_chain")).report.build_seconds == 3.5


def test_unwritable_cache_folder_warns_once_and_the_build_goes_on(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    warnings: list[str] = []
    engine = Engine(cache_dir=str(blocked / "cache"), warn=warnings.append, isolated=False)
    for _ in range(2):
        assert engine.report(request("builders:dense_chain")).report.totals.params == 208
    assert len(warnings) == 1 and "going on without caching" in warnings[0]


#: Run in a second process: a "slow disk" that stops every write into the cache folder after
#: its first half until the test says go on, so the moment the race needs is not left to chance.
_PAUSED_WRITER = """
import builtins, io, os, sys
sys.path.insert(0, {tests!r})
from sphinx_modelsummary.engine import Engine
from sphinx_modelsummary.request import BuildRequest
from sphinx_modelsummary.target import parse_target

folder, real_open, paused = {folder!r}, io.open, []

class PausingFile:
    def __init__(self, file):
        self._file = file
    def write(self, data):
        if paused:
            return self._file.write(data)
        paused.append(True)
        half = max(1, len(data) // 2)
        self._file.write(data[:half])
        self._file.flush()
        print("paused", flush=True)
        sys.stdin.readline()
        return half + self._file.write(data[half:])
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return self._file.__exit__(*exc)
    def __getattr__(self, name):
        return getattr(self._file, name)

def pausing_open(file, mode="r", *args, **kwargs):
    opened = real_open(file, mode, *args, **kwargs)
    path = os.readlink(f"/proc/self/fd/{{file}}") if isinstance(file, int) else os.fspath(file)
    writing = any(flag in mode for flag in "wax+")
    return PausingFile(opened) if writing and os.path.abspath(path).startswith(folder) else opened

builtins.open = io.open = pausing_open
engine = Engine(cache_dir=folder, isolated=False)
outcome = engine.report(BuildRequest(parse_target("builders:tied_embeddings")))
assert outcome.report.totals.params == 800
"""


def test_two_processes_sharing_a_cache_do_not_corrupt_it(tmp_path):
    """One process is stopped halfway through writing an entry while another reads and writes.

    Whatever the reader finds under an entry's name is a whole entry or nothing, and the two
    writers do not trip over each other's temporary files.
    """
    cache = tmp_path / "cache"
    script = _PAUSED_WRITER.format(tests=str(TESTS), folder=str(cache))
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    writer = subprocess.Popen(
        [sys.executable, "-c", script],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline() == "paused\n", writer.communicate(timeout=300)[1]
        for entry in cache.glob("*.json"):  # a half-written entry must not be under its name
            json.loads(entry.read_text())
        warnings: list[str] = []
        reader = Engine(cache_dir=str(cache), warn=warnings.append, isolated=False)
        outcome = reader.report(request("builders:tied_embeddings"))
        assert not outcome.cached and outcome.report.totals.params == 800
        assert warnings == []
        writer.stdin.write("go on\n")
        writer.stdin.flush()
        _, errors = writer.communicate(timeout=300)
    finally:
        writer.kill()
        writer.wait()
    assert writer.returncode == 0, errors
    assert not [line for line in errors.splitlines() if line.startswith("warning: ")], errors
    (entry,) = cache.glob("*.json")
    assert json.loads(entry.read_text())["report"]["totals"]["params"] == 800
    assert not list(cache.glob("*.tmp"))
    again = Engine(cache_dir=str(cache), isolated=False).report(request("builders:tied_embeddings"))
    assert again.cached and again.report.totals.params == 800


# Frameworks: decided before anything runs, one worker each ---------------------------------


def write_modules(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


FRAMEWORK_CASES = {
    "keras.applications:VGG16": "keras",
    "keras_hub.models:BertBackbone": "keras",
    "tf_keras.applications:MobileNet": "tf_keras",
    "torchvision.models:resnet18": "torch",
    "plain_keras:build": "keras",
    "via_tensorflow:build": "keras",
    "legacy:build": "tf_keras",
    "torch_inside_function:build": "torch",
    "proj.models.net:build": "torch",  # a relative import of a project module that imports torch
    "keras_on_torch:build": "keras",
    # an installed library that is no framework nor zoo: by the framework its distribution
    # declares (tensorflow-text requires tensorflow, which is tf.keras: Keras 3 here)
    "text_model:build": "keras",
    "uses_text_model:build": "keras",  # through a project module, beside numpy and json
}


def test_framework_is_told_from_the_source_without_importing_anything(tmp_path):
    write_modules(
        tmp_path,
        {
            "plain_keras.py": "import keras\ndef build(): ...\n",
            "text_model.py": "import tensorflow_text as text\ndef build(): ...\n",
            "uses_text_model.py": "import json, numpy\nimport text_model\ndef build(): ...\n",
            "via_tensorflow.py": "import tensorflow as tf\ndef build(): ...\n",
            "legacy.py": "import tensorflow as tf\nimport tf_keras\ndef build(): ...\n",
            "torch_inside_function.py": "def build():\n    import helper\n    return helper.x\n",
            "helper.py": "from torch import nn\nx = 1\n",
            "proj/__init__.py": "raise RuntimeError('a package __init__ must not run')\n",
            "proj/models/__init__.py": "",
            "proj/models/net.py": "from ..layers import block\ndef build(): ...\n",
            "proj/layers.py": "import torch.nn\nblock = 1\n",
            "keras_on_torch.py": "import keras\nimport torch\ndef build(): ...\n",
            "nothing.py": "import json\ndef build(): ...\n",
        },
    )
    cases = json.dumps(FRAMEWORK_CASES)
    script = textwrap.dedent(
        f"""
        import json, sys
        sys.path.insert(0, {str(tmp_path)!r})
        from sphinx_modelsummary.frameworks import framework_of
        from sphinx_modelsummary.errors import BuildError
        from sphinx_modelsummary.target import parse_target
        found = {{t: framework_of(parse_target(t)) for t in json.loads({cases!r})}}
        try:
            framework_of(parse_target("nothing:build"))
        except BuildError as error:
            found["nothing:build"] = error.kind + ": " + error.message
        frameworks = ("keras", "tensorflow", "torch", "tf_keras", "tensorflow_text", "numpy")
        loaded = sorted(m for m in frameworks if m in sys.modules)
        print(json.dumps({{"found": found, "loaded": loaded}}))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    nothing = answer["found"].pop("nothing:build")
    assert answer["found"] == FRAMEWORK_CASES
    assert nothing.startswith("framework: target 'nothing:build': cannot tell which framework")
    assert answer["loaded"] == []


def test_a_module_only_an_editable_install_finds_is_found_without_importing_it():
    """From the repository root (where ``python -m pytest`` and ``sphinx-build`` run) the
    folder ``example_project/`` is first seen as a namespace package; only the editable
    install's finder on ``sys.meta_path`` knows ``example_project.fire``."""
    root = Path(__file__).resolve().parents[1]
    script = textwrap.dedent(
        """
        import json, sys
        from sphinx_modelsummary.frameworks import framework_of
        from sphinx_modelsummary.sources import find_module
        from sphinx_modelsummary.target import parse_target
        found = find_module("example_project.fire")
        framework = framework_of(parse_target("example_project.fire:fire_module_functional"))
        print(json.dumps([found, framework, "keras" in sys.modules]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    (path, missing), framework, keras_loaded = json.loads(done.stdout)
    assert Path(path) == root / "example_project" / "example_project" / "fire.py"
    assert missing is None
    assert framework == "keras"
    assert keras_loaded is False


def test_a_requested_keras_backend_reaches_the_worker_that_builds(engine, tmp_path, monkeypatch):
    (tmp_path / "backend_named.py").write_text(
        "import keras\n"
        "def build():\n"
        "    name = 'on_' + keras.backend.backend()\n"
        "    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name=name)])\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    target = parse_target("backend_named:build")
    on_jax = engine.report(BuildRequest(target, keras_backend="jax")).report
    assert [layer.name for layer in on_jax.layers] == ["on_jax"]
    assert on_jax.totals.params == 8
    by_default = engine.report(BuildRequest(target)).report
    assert [layer.name for layer in by_default.layers] == ["on_" + project_keras_backend()]


def wait_until_dead(pid: int) -> None:
    """Until the process's main thread is a zombie. The kernel may still be ending its other
    threads then, and until it has, the process cannot be reaped: the engine sees it running."""
    for _ in range(200):
        with open(f"/proc/{pid}/stat") as stat:
            if stat.read().rpartition(")")[2].split()[0] == "Z":
                return
        time.sleep(0.05)
    raise AssertionError(f"process {pid} is still running")


def test_a_worker_killed_between_builds_is_replaced(engine, tmp_path, monkeypatch):
    """A worker that died while idle (the OOM killer, a user's kill) is not asked again, also
    while the kernel is still ending it (seen failing before the engine asked a new worker
    when the old one ended without announcing the job)."""
    (tmp_path / "pid_named.py").write_text(
        "import os\n"
        "import keras\n"
        "def build(units=1):\n"
        "    name = f'pid_{os.getpid()}'\n"
        "    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(units, name=name)])\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    def worker_pid(text: str) -> int:
        (layer,) = engine.report(request(text)).report.layers
        return int(layer.name.removeprefix("pid_"))

    first = worker_pid("pid_named:build")
    os.kill(first, signal.SIGKILL)
    wait_until_dead(first)
    second = worker_pid("pid_named:build(units=2)")
    assert second != first
    assert engine.workers_started == 2


def test_a_model_of_no_supported_framework_is_a_clear_error(engine):
    with pytest.raises(BuildError) as caught:
        engine.report(request("json:loads('{}')"))
    assert caught.value.kind == "framework"
    documented = caught.value.message.split("sphinx-modelsummary documents ")[1]
    assert documented.endswith(" models") and " and " in documented
    assert all(record.title in documented for record in FRAMEWORKS)
    assert engine.workers_started == 0  # refused before any process started


def test_each_framework_is_built_in_a_worker_of_its_own(engine, tmp_path, monkeypatch):
    """A Keras build never imports torch and a torch build never imports TensorFlow."""
    probe = textwrap.dedent(
        """
        import sys
        def build():
            loaded = [m for m in ("tensorflow", "keras", "torch") if m in sys.modules]
            raise ValueError(f"loaded: {loaded}")
        """
    )
    write_modules(
        tmp_path,
        {"keras_probe.py": "import keras\n" + probe, "torch_probe.py": "import torch\n" + probe},
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    keras_side = engine.outcome(request("keras_probe:build"))
    assert "loaded: ['tensorflow', 'keras']" in keras_side.message
    torch_side = engine.outcome(request("torch_probe:build"))
    assert "loaded: ['torch']" in torch_side.message
    assert engine.workers_started == 2


def test_request_fields_reach_the_cache_key_and_the_worker_unchanged():
    from sphinx_modelsummary.cache import request_key
    from sphinx_modelsummary.messages import Job, decode, encode

    plain = BuildRequest(parse_target("builders:dense_chain(4)"), ((None, 3),))
    #: Another value for every field: a field added to requests must be added here, and so
    #: shown to reach the cache key (else two builds that differ would share an entry).
    other_values = {
        "target": parse_target("builders:dense_chain(5)"),
        "input_shapes": ((None, 4),),
        "input_dtype": "int64",
        "shape_only": False,
        "keras_backend": "jax",
    }
    assert set(other_values) == {field.name for field in dataclasses.fields(BuildRequest)}
    variants = [dataclasses.replace(plain, **{name: value}) for name, value in other_values.items()]
    keys = {request_key(item) for item in [plain, *variants]}
    assert len(keys) == 1 + len(variants)
    for item in [plain, *variants]:
        job = Job(request=item, sys_path=("a", "b"), cwd="/x")
        assert decode(encode(job)) == job
    with pytest.raises(TypeError):
        BuildRequest(plain.target, None, True)  # the old positional shape_only is refused
