"""The ``modelsummary_*`` configuration values: one table, checked once into :class:`Settings`.

:data:`CONFIG_VALUES` gives each value's default, documentation and check; the
docs' configuration reference is checked against it, so a value cannot be added
without being documented. When Sphinx has read ``conf.py`` (``config-inited``)
every value is checked (a wrong type or value is an error that fails the build,
never a silent default) and the table turns the values into one frozen
:class:`Settings`, which the rest of the extension reads instead of ``config``.
"""

from __future__ import annotations

import ast
import difflib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import ENUM, Config, eval_config_file
from sphinx.util import logging
from sphinx.util.tags import Tags

from ..request import KERAS_BACKENDS, timeout_problem

logger = logging.getLogger(__name__)

#: Why a snapshot cannot be written, and what to do.
NO_SNAPSHOT_FOLDER = (
    "modelsummary_snapshot_dir is not set, so there is no snapshot to write; "
    'add modelsummary_snapshot_dir = "_models" to conf.py'
)

#: What is wrong with a config value, given its name and value (None when nothing is).
Check = Callable[[str, Any], str | None]


def _as_given(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class ConfigValue:
    name: str
    default: Any
    #: What a change rebuilds: "env" re-reads every page, "" nothing.
    rebuild: str
    #: Accepted types, or an ENUM of accepted values (Sphinx warns about any other).
    types: tuple | ENUM
    #: What is wrong with a value; checked for every value when the config is read.
    check: Check
    doc: str
    #: The checked value as :class:`Settings` holds it (``-D`` gives yes/no as text).
    convert: Callable[[Any], Any] = _as_given

    @property
    def field(self) -> str:
        """The value's name in :class:`Settings`: without the ``modelsummary_`` prefix."""
        return self.name.removeprefix("modelsummary_")


def switched_on(value: Any) -> bool:
    """A yes/no config value, also as ``-D`` gives it: ``1``, ``yes`` and ``True`` are yes."""
    return str(value).strip().lower() not in ("", "0", "false", "no", "off")


def _one_of(*choices: Any) -> tuple[ENUM, Check]:
    """The ENUM type of a choice, and its check."""

    def check(name: str, value: Any) -> str | None:
        if value in choices and type(value) in {type(choice) for choice in choices}:
            return None
        return f"{name} {value!r} is not one of {', '.join(map(repr, choices))}"

    return ENUM(*choices), check


def _seconds(name: str, value: Any) -> str | None:
    problem = timeout_problem(value)
    return f"{name} {value!r} {problem}" if problem else None


def _true_or_false(name: str, value: Any) -> str | None:
    return None if isinstance(value, bool) else f"{name} {value!r} must be True or False"


#: The spellings of a yes/no value that ``-D name=...`` may give.
_YES_NO = ("", "0", "1", "false", "true", "no", "yes", "off", "on")


def _yes_or_no(name: str, value: Any) -> str | None:
    if isinstance(value, bool) or value in (0, 1) and isinstance(value, int):
        return None
    if isinstance(value, str) and value.strip().lower() in _YES_NO:
        return None
    return f"{name} {value!r} must be yes or no (True/False, 1/0)"


def _path(kind: str) -> Check:
    """A path or None (or "", as ``-D name=`` gives it); ``kind`` says what it names."""

    def check(name: str, value: Any) -> str | None:
        if value is None or value == "" or isinstance(value, str) and value.strip():
            return None
        return f"{name} {value!r} must be a {kind} name (a string) or None"

    return check


def _name_or_none(value: str | None) -> str | None:
    return value or None  # ``-D name=`` gives ""


_MODULE = re.compile(r"[^\W\d]\w*(\.[^\W\d]\w*)*")


def _module_names(name: str, value: Any) -> str | None:
    if isinstance(value, str):
        names = [part.strip().removesuffix(".*") for part in value.split(",") if part.strip()]
        return (
            f"{name} must be a list of module names, such as {names or ['mypackage']!r}, "
            f"not the string {value!r}"
        )
    if not isinstance(value, list | tuple):
        return f"{name} must be a list of module names, not {value!r}"
    for item in value:
        if item == "*" or isinstance(item, str) and _MODULE.fullmatch(item):
            continue
        if isinstance(item, str) and _MODULE.fullmatch(item.removesuffix(".*")):
            return (
                f"{name}: {item!r} is not a module name; write {item.removesuffix('.*')!r} "
                "(a name allows its submodules)"
            )
        return f"{name}: {item!r} is not a module name (such as 'mypackage.models'), nor '*'"
    return None


CONFIG_VALUES = (
    ConfigValue(
        "modelsummary_on_drift",
        "error",
        "",
        *_one_of("error", "warning"),
        '"error" fails the build when a page\'s promise does not match the code; '
        '"warning" only warns (and fails with -W).',
    ),
    ConfigValue(
        "modelsummary_timeout",
        300,  # an int, so that Sphinx turns ``-D modelsummary_timeout=60`` into 60
        "",
        (int, float),
        _seconds,
        "Seconds a builder may run before it is stopped, counted from when its worker begins it; "
        "the `:timeout:` option overrides it.",
        float,
    ),
    ConfigValue(
        "modelsummary_shape_only",
        True,
        "env",
        (bool,),
        _true_or_false,
        "Build models without allocating weights (keras.StatelessScope); False always builds "
        "with real weights, as `:full-build:` does for one directive.",
    ),
    ConfigValue(
        "modelsummary_keras_backend",
        None,
        "env",
        *_one_of(None, *KERAS_BACKENDS),
        'The Keras 3 backend models are built with: "tensorflow", "jax" or "torch"; None uses '
        "the one Keras would pick (the KERAS_BACKEND environment variable, else "
        "~/.keras/keras.json, else TensorFlow).",
    ),
    ConfigValue(
        "modelsummary_cache_dir",
        None,
        "",
        (str, type(None)),
        _path("folder"),
        "Folder of cached model reports; None keeps them in the build's doctree folder.",
        _name_or_none,
    ),
    ConfigValue(
        "modelsummary_lockfile",
        None,
        "",
        (str, type(None)),
        _path("file"),
        "Path, relative to the docs folder, of a JSON file that records every documented "
        "model's counts; a build whose counts differ reports drift.",
        _name_or_none,
    ),
    ConfigValue(
        "modelsummary_update_lockfile",
        False,
        "",
        (bool, int, str),
        _yes_or_no,
        "Rewrite the lockfile with the counts of this build (`-D modelsummary_update_lockfile=1`).",
        switched_on,
    ),
    ConfigValue(
        "modelsummary_formula_render",
        "html",
        "",
        *_one_of("html", "mathjax"),
        'How HTML pages show formulas: "html" writes them as HTML (italic symbols, '
        'subscripts), readable offline and without JavaScript; "mathjax" leaves them to '
        "MathJax, as Sphinx's math does.",
    ),
    ConfigValue(
        "modelsummary_snapshot_dir",
        None,
        "env",
        (str, type(None)),
        _path("folder"),
        "Folder, relative to the docs folder, of the committed snapshot: one JSON report per "
        "documented model, so the docs build without the framework (see execution_mode).",
        _name_or_none,
    ),
    ConfigValue(
        "modelsummary_execution_mode",
        "auto",
        "env",
        *_one_of("auto", "off", "force"),
        '"auto" builds a model when neither the cache nor a fresh snapshot entry has it; '
        '"off" never builds and renders from the snapshot; "force" always builds.',
    ),
    ConfigValue(
        "modelsummary_update_snapshot",
        False,
        "env",
        (bool, int, str),
        _yes_or_no,
        "Build every model and rewrite the snapshot, removing unused entries "
        "(`-D modelsummary_update_snapshot=1`).",
        switched_on,
    ),
    ConfigValue(
        "modelsummary_allowed_modules",
        [],
        "env",
        (list, tuple),
        _module_names,
        "Modules a page may call besides the project's own and the known model zoos "
        "(keras.applications, keras_hub, torchvision.models, ...); a name allows its submodules, "
        '"*" allows everything. Anything else is refused before it is imported.',
        tuple,
    ),
    ConfigValue(
        "modelsummary_diagram_format",
        "svg",
        "env",
        *_one_of("svg", "png"),
        'Image format of `model-diagram` for HTML: "svg" or "png" (LaTeX always gets PDF).',
    ),
)


@dataclass(frozen=True)
class Settings:
    """The ``modelsummary_*`` values of one build, checked and converted once, named without
    the prefix; made only by :meth:`from_config`, so each field is a row of the table."""

    on_drift: str
    timeout: float
    shape_only: bool
    keras_backend: str | None
    cache_dir: str | None
    lockfile: str | None
    update_lockfile: bool
    formula_render: str
    snapshot_dir: str | None
    execution_mode: str
    update_snapshot: bool
    allowed_modules: tuple[str, ...]
    diagram_format: str

    @classmethod
    def from_config(cls, config: Config) -> Settings:
        """The settings of checked config values (see :func:`check_config`)."""
        return cls(
            **{value.field: value.convert(getattr(config, value.name)) for value in CONFIG_VALUES}
        )

    def lockfile_path(self, srcdir: str) -> str | None:
        """``lockfile``, which is relative to the docs folder ``srcdir``."""
        return os.path.join(srcdir, self.lockfile) if self.lockfile else None

    def snapshot_path(self, srcdir: str) -> str | None:
        """``snapshot_dir``, which is relative to the docs folder ``srcdir``."""
        return os.path.join(srcdir, self.snapshot_dir) if self.snapshot_dir else None


def read_conf_py(path: str) -> dict[str, Any]:
    """The names ``conf.py`` sets, read before Sphinx starts: the command line checks a value
    there, since Sphinx reports an extension's error inside its crash report."""
    return eval_config_file(Path(path).absolute(), Tags())


def register(app: Sphinx) -> None:
    for value in CONFIG_VALUES:
        app.add_config_value(value.name, value.default, value.rebuild, types=value.types)


def check_config(app: Sphinx, config: Config) -> Settings:
    """The settings of ``conf.py`` (at ``config-inited``): each wrong ``modelsummary_*`` value,
    and each name in ``conf.py`` that is none of them, is an error at its line that fails the
    build; the build goes on with the default in a wrong value's place (the strictest for the
    allowlist), so every page is still checked and every other problem still reported."""
    path = os.path.join(app.confdir, "conf.py") if app.confdir else ""
    lines = _assigned_lines(path)
    known = [value.name for value in CONFIG_VALUES]
    problems = [(name, _unknown(name, known)) for name in lines if name not in known]
    for value in CONFIG_VALUES:
        problem = value.check(value.name, getattr(config, value.name))
        if problem:
            setattr(config, value.name, value.default)
            problems.append((value.name, problem))
    if switched_on(config.modelsummary_update_snapshot) and not config.modelsummary_snapshot_dir:
        config.modelsummary_update_snapshot = False  # the build goes on; nothing is rewritten
        problems.append(
            (
                "modelsummary_update_snapshot",
                f"modelsummary_update_snapshot is set but {NO_SNAPSHOT_FOLDER}",
            )
        )
    for name, problem in problems:
        logger.error(problem, location=f"{path}:{lines[name]}" if name in lines else None)
    if problems:
        app.connect("build-finished", _fail_build)
    return Settings.from_config(config)


def _unknown(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"{name} is not a configuration value of sphinx-modelsummary{hint}"


def _assigned_lines(path: str) -> dict[str, int]:
    """The line of each ``modelsummary_*`` name assigned at the top of ``conf.py``."""
    try:
        with open(path, encoding="utf-8") as file:
            tree = ast.parse(file.read())
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return {}
    lines: dict[str, int] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign | ast.AnnAssign | ast.AugAssign):
            for target in getattr(statement, "targets", None) or [statement.target]:
                if isinstance(target, ast.Name) and target.id.startswith("modelsummary_"):
                    lines.setdefault(target.id, statement.lineno)
    return lines


def _fail_build(app: Sphinx, exception: BaseException | None) -> None:
    app.statuscode = 1
