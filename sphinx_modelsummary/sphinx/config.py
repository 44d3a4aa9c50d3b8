"""The ``modelsummary_*`` configuration values, with their defaults and documentation.

The docs' configuration reference is checked against :data:`CONFIG_VALUES`, so
a value cannot be added without being documented.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import ENUM


@dataclass(frozen=True)
class ConfigValue:
    name: str
    default: Any
    #: What a change rebuilds: "env" re-reads every page, "" nothing.
    rebuild: str
    #: Accepted types, or an ENUM of accepted values (Sphinx warns about any other).
    types: tuple | ENUM
    doc: str


CONFIG_VALUES = (
    ConfigValue(
        "modelsummary_on_drift",
        "error",
        "",
        ENUM("error", "warning"),
        '"error" fails the build when a page\'s promise does not match the code; '
        '"warning" only warns (and fails with -W).',
    ),
    ConfigValue(
        "modelsummary_timeout",
        300.0,
        "",
        (int, float),
        "Seconds a builder may run before it is stopped, counted from when its worker begins it; "
        "the `:timeout:` option overrides it.",
    ),
    ConfigValue(
        "modelsummary_shape_only",
        True,
        "env",
        (bool,),
        "Build models without allocating weights (keras.StatelessScope); False always builds "
        "with real weights, as `:full-build:` does for one directive.",
    ),
    ConfigValue(
        "modelsummary_keras_backend",
        None,
        "env",
        ENUM(None, "tensorflow", "jax", "torch"),
        'The Keras 3 backend models are built with: "tensorflow", "jax" or "torch"; None uses '
        "the one Keras would pick (the KERAS_BACKEND environment variable, else "
        "~/.keras/keras.json, else TensorFlow).",
    ),
    ConfigValue(
        "modelsummary_cache_dir",
        None,
        "",
        (str, type(None)),
        "Folder of cached model reports; None keeps them in the build's doctree folder.",
    ),
    ConfigValue(
        "modelsummary_lockfile",
        None,
        "",
        (str, type(None)),
        "Path, relative to the docs folder, of a JSON file that records every documented "
        "model's counts; a build whose counts differ reports drift.",
    ),
    ConfigValue(
        "modelsummary_update_lockfile",
        False,
        "",
        (bool, int, str),
        "Rewrite the lockfile with the counts of this build (`-D modelsummary_update_lockfile=1`).",
    ),
    ConfigValue(
        "modelsummary_formula_render",
        "html",
        "",
        ENUM("html", "mathjax"),
        'How HTML pages show formulas: "html" writes them as HTML (italic symbols, '
        'subscripts), readable offline and without JavaScript; "mathjax" leaves them to '
        "MathJax, as Sphinx's math does.",
    ),
    ConfigValue(
        "modelsummary_snapshot_dir",
        None,
        "env",
        (str, type(None)),
        "Folder, relative to the docs folder, of the committed snapshot: one JSON report per "
        "documented model, so the docs build without the framework (see execution_mode).",
    ),
    ConfigValue(
        "modelsummary_execution_mode",
        "auto",
        "env",
        ENUM("auto", "off", "force"),
        '"auto" builds a model when neither the cache nor a fresh snapshot entry has it; '
        '"off" never builds and renders from the snapshot; "force" always builds.',
    ),
    ConfigValue(
        "modelsummary_update_snapshot",
        False,
        "env",
        (bool, int, str),
        "Build every model and rewrite the snapshot, removing unused entries "
        "(`-D modelsummary_update_snapshot=1`).",
    ),
    ConfigValue(
        "modelsummary_allowed_modules",
        [],
        "env",
        (list, tuple),
        "Modules a page may call besides the project's own and the known model zoos "
        "(keras.applications, keras_hub, torchvision.models, ...); a name allows its submodules, "
        '"*" allows everything. Anything else is refused before it is imported.',
    ),
    ConfigValue(
        "modelsummary_diagram_format",
        "svg",
        "env",
        ENUM("svg", "png"),
        'Image format of `model-diagram` for HTML: "svg" or "png" (LaTeX always gets PDF).',
    ),
)


def register(app: Sphinx) -> None:
    for value in CONFIG_VALUES:
        app.add_config_value(value.name, value.default, value.rebuild, types=value.types)
