"""Fault matrix (#22): config values, directive options and targets a careless or hostile user
writes. Each case is a real Sphinx project (or the real engine) and asserts what the user sees."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sphinx_helpers import warnings_of

from sphinx_modelsummary.allowlist import refusal
from sphinx_modelsummary.engine import Engine
from sphinx_modelsummary.request import BuildRequest, Failed
from sphinx_modelsummary.target import TargetError, parse_target

CONF = 'extensions = ["sphinx_modelsummary"]\n'


def _project(path: Path, conf_line: str, page: str = "Empty\n=====\n") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "conf.py").write_text(CONF + conf_line + "\n", encoding="utf-8")
    (path / "index.rst").write_text(page, encoding="utf-8")
    return path


BAD_CONFIG = [
    (
        'modelsummary_allowed_modules = "rp.*"',
        "modelsummary_allowed_modules must be a list of module names, such as ['rp'], "
        "not the string 'rp.*'",
    ),
    (
        'modelsummary_allowed_modules = ["rp.*"]',
        "modelsummary_allowed_modules: 'rp.*' is not a module name; write 'rp' "
        "(a name allows its submodules)",
    ),
    (
        "modelsummary_allowed_modules = [3]",
        "modelsummary_allowed_modules: 3 is not a module name",
    ),
    (
        'modelsummary_timeout = "ten"',
        "modelsummary_timeout 'ten' must be a number of seconds",
    ),
    (
        "modelsummary_timeout = -1",
        "modelsummary_timeout -1 must be more than 0 and at most 86400 seconds",
    ),
    (
        "modelsummary_timeout = 0",
        "modelsummary_timeout 0 must be more than 0 and at most 86400 seconds",
    ),
    (
        "modelsummary_timeout = 1e10",
        "modelsummary_timeout 10000000000.0 must be more than 0 and at most 86400 seconds",
    ),
    (
        "modelsummary_timeout = True",
        "modelsummary_timeout True must be a number of seconds",
    ),
    (
        'modelsummary_diagram_format = "jpg"',
        "modelsummary_diagram_format 'jpg' is not one of 'svg', 'png'",
    ),
    (
        'modelsummary_execution_mode = "never"',
        "modelsummary_execution_mode 'never' is not one of 'auto', 'off', 'force'",
    ),
    (
        'modelsummary_on_drift = "ignore"',
        "modelsummary_on_drift 'ignore' is not one of 'error', 'warning'",
    ),
    (
        'modelsummary_keras_backend = "theano"',
        "modelsummary_keras_backend 'theano' is not one of None, 'jax', 'tensorflow', 'torch'",
    ),
    (
        'modelsummary_formula_render = "latex"',
        "modelsummary_formula_render 'latex' is not one of 'html', 'mathjax'",
    ),
    (
        'modelsummary_shape_only = "no"',
        "modelsummary_shape_only 'no' must be True or False",
    ),
    (
        'modelsummary_update_lockfile = "maybe"',
        "modelsummary_update_lockfile 'maybe' must be yes or no (True/False, 1/0)",
    ),
    (
        "modelsummary_cache_dir = 5",
        "modelsummary_cache_dir 5 must be a folder name (a string) or None",
    ),
    (
        'modelsummary_snapshot_dir = "  "',
        "modelsummary_snapshot_dir '  ' must be a folder name (a string) or None",
    ),
    (
        'modelsummary_lockfile = ["models.lock.json"]',
        "modelsummary_lockfile ['models.lock.json'] must be a file name (a string) or None",
    ),
    (
        "modelsummary_update_snapshot = True",
        "modelsummary_update_snapshot is set but modelsummary_snapshot_dir is not set, so there "
        'is no snapshot to write; add modelsummary_snapshot_dir = "_models" to conf.py',
    ),
]


@pytest.mark.parametrize(("conf_line", "message"), BAD_CONFIG, ids=[c[0] for c in BAD_CONFIG])
def test_a_wrong_config_value_is_an_error_at_its_line(make_app, tmp_path, conf_line, message):
    app = make_app("html", srcdir=_project(tmp_path / "docs", conf_line), freshenv=True)
    app.build()
    warnings = warnings_of(app)
    assert re.search(rf"conf\.py:2: ERROR: {re.escape(message)}", warnings), warnings
    assert warnings.count("ERROR") == 1, warnings
    assert app.statuscode == 1


@pytest.mark.parametrize(
    ("conf_line", "message"),
    [
        (
            "modelsummary_timout = 10",
            "modelsummary_timout is not a configuration value of sphinx-modelsummary; "
            "did you mean modelsummary_timeout?",
        ),
        (
            'modelsummary_allowed_module = ["rp"]',
            "modelsummary_allowed_module is not a configuration value of sphinx-modelsummary; "
            "did you mean modelsummary_allowed_modules?",
        ),
    ],
)
def test_a_misspelled_config_value_is_an_error_not_ignored(make_app, tmp_path, conf_line, message):
    """Sphinx ignores a name it does not know; a misspelled allowlist or timeout would then
    silently be the default."""
    app = make_app("html", srcdir=_project(tmp_path / "docs", conf_line), freshenv=True)
    app.build()
    warnings = warnings_of(app)
    assert re.search(rf"conf\.py:2: ERROR: {re.escape(message)}", warnings), warnings
    assert app.statuscode == 1


def test_a_wrong_value_given_with_d_is_an_error_too(make_app, tmp_path):
    """``-D modelsummary_diagram_format=jpg`` has no line in conf.py: the error still fails."""
    srcdir = _project(tmp_path / "docs", "")
    app = make_app(
        "html", srcdir=srcdir, freshenv=True, confoverrides={"modelsummary_diagram_format": "jpg"}
    )
    app.build()
    warnings = warnings_of(app)
    assert "ERROR: modelsummary_diagram_format 'jpg' is not one of 'svg', 'png'" in warnings
    assert app.statuscode == 1


def test_a_wrong_config_value_stops_nothing_from_being_checked(tmp_path):
    """The allowlist as one string once allowed every module. Now it is an error at its line,
    the strict default stands in, and every page is still checked: sphinx-build lists both."""
    page = "Page\n====\n\n.. model-summary:: os:system('touch ran.txt')\n"
    conf = 'modelsummary_allowed_modules = "rp.*"\nmodelsummary_timeout = "ten"'
    srcdir = _project(tmp_path / "docs", conf, page)
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", str(srcdir), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stderr
    assert (
        "conf.py:2: ERROR: modelsummary_allowed_modules must be a list of module names, "
        "such as ['rp'], not the string 'rp.*'" in done.stderr
    )
    assert "conf.py:3: ERROR: modelsummary_timeout 'ten' must be a number of seconds" in (
        done.stderr
    )
    assert "index.rst:4: ERROR: model-summary os:system('touch ran.txt')" in done.stderr
    assert "'os' is neither one of the project's own modules nor a known model zoo" in done.stderr
    assert done.stderr.count("ERROR") == 3, done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "ran.txt").exists()


REFUSED_MODULES = ["os.path", "torch.ops", "torch.classes", "__main__", "sys", "json.decoder"]


@pytest.mark.parametrize("module", REFUSED_MODULES)
def test_a_module_of_the_standard_library_or_an_installed_package_is_refused(module):
    """Refused by its name, before anything is imported, also when it has no file."""
    outcome = Engine(allowed_modules=()).outcome(BuildRequest(parse_target(f"{module}:load('x')")))
    assert isinstance(outcome, Failed)
    assert outcome.kind == "not-allowed"
    assert f"{module!r} is neither one of the project's own modules nor a known model zoo" in (
        outcome.message
    )


@pytest.mark.parametrize(
    "module",
    ["example_project.models", "keras.applications.mobilenet", "torchvision.models", "rp.models"],
)
def test_project_modules_the_zoos_and_the_allowlist_stay_allowed(module):
    assert refusal(module, ("rp",)) is None


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (":timeout: inf", ":timeout: 'inf' must be more than 0 and at most 86400 seconds"),
        (":timeout: 1e10", ":timeout: '1e10' must be more than 0 and at most 86400 seconds"),
        (":timeout: nan", ":timeout: 'nan' must be more than 0 and at most 86400 seconds"),
        (":timeout: 0", ":timeout: '0' must be more than 0 and at most 86400 seconds"),
        (":timeout: -5", ":timeout: '-5' must be more than 0 and at most 86400 seconds"),
        (":timeout: ten", ":timeout: 'ten' must be a number of seconds"),
        (
            ":input-shape: (1, 1000000000000000000000000000000)",
            "dimension 1000000000000000000000000000000 is larger than 2147483647",
        ),
        (
            ":input-shape: (1, 2147483647, 2147483647, 2147483647)",
            "has 9903520300447984150353281023 elements, more than 9223372036854775807",
        ),
        (":input-shape: (1, -10)", "dimension -10 is not a positive integer or None"),
        (":input-shape: (1, 2.5)", "dimension 2.5 is not a positive integer or None"),
        (":input-shape: ()", "has no dimensions"),
    ],
)
def test_an_option_out_of_range_is_an_error_at_its_line(make_app, tmp_path, option, message):
    page = f"Page\n====\n\n.. model-summary:: nothere.models:build\n   {option}\n"
    app = make_app("html", srcdir=_project(tmp_path / "docs", "", page), freshenv=True)
    app.build()
    warnings = warnings_of(app)
    assert re.search(rf"index\.rst:4: ERROR: .*{re.escape(message)}", warnings), warnings
    assert warnings.count("ERROR") == 1, warnings
    assert "Traceback" not in warnings and "Overflow" not in warnings
    assert app.statuscode == 1


@pytest.mark.parametrize(
    "text", ["models:Ünïcode", "módulo.paquete:construir(1)", "m:Straße", "m:名前"]
)
def test_every_python_identifier_is_a_name(text):
    module, attribute = text.split("(")[0].split(":")
    target = parse_target(text)
    assert (target.module, target.attribute) == (module, attribute)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("m:1abc", "'1abc' is not a name"),
        ("m:a-b", "'a-b' is not a name"),
        ("m:²", "'²' is not a name"),
        ("m.:f", "'m.' is not a dotted module name"),
    ],
)
def test_what_is_not_an_identifier_is_still_refused(text, message):
    with pytest.raises(TargetError, match=re.escape(message)):
        parse_target(text)


def test_the_command_line_says_what_is_wrong_with_a_shape():
    message = "input shape '(1, -10)': dimension -10 is not a positive integer or None"
    done = subprocess.run(
        [sys.executable, "-m", "sphinx_modelsummary", "show", "m:f", "--input-shape", "(1, -10)"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_a_timeout_given_with_d_is_used(tmp_path, rootdir):
    """``-D`` gives every value as text: ``-D modelsummary_timeout=2`` must set the timeout,
    not be ignored with a warning while the builder runs for its full 30 s."""
    shutil.copytree(rootdir / "test-timeout", tmp_path / "docs")
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q"]
    command += ["-D", "modelsummary_timeout=2", str(tmp_path / "docs"), str(tmp_path / "out")]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert re.search(
        r"index\.rst:4: ERROR: .*the builder did not finish within 2 s", done.stderr
    ), done.stderr
    assert done.stderr.count("ERROR") == 1, done.stderr
    assert "WARNING" not in done.stderr
