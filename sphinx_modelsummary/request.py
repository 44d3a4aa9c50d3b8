"""The build request: everything that changes what building a target produces.

Plain data, no framework and no Sphinx: the directives and the command line
make requests, the engine and the cache key on them, the worker receives them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from .errors import BuildError, ModelSummaryError, printable
from .report import ModelReport, Shape
from .target import Target

#: Input dtypes a page may ask for (``:input-dtype:``, ``--input-dtype``).
INPUT_DTYPES = (
    "bfloat16",
    "bool",
    "float16",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
)
#: Keras 3 backends a request may choose (None: the project's default).
KERAS_BACKENDS = ("jax", "tensorflow", "torch")
#: The longest timeout accepted, in seconds (a day): longer ones overflow the system's timers.
MAX_TIMEOUT = 86400


def timeout_problem(value: object) -> str | None:
    """What is wrong with a timeout in seconds (None when nothing is)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "must be a number of seconds"
    if not 0 < value <= MAX_TIMEOUT:  # also false for nan
        return f"must be more than 0 and at most {MAX_TIMEOUT} seconds (a day)"
    return None


@dataclass(frozen=True)
class BuildRequest:
    """One target to build, and how; hashable, and the cache's key."""

    target: Target
    input_shapes: tuple[Shape, ...] | None = None
    #: ``"int64"`` etc.; None lets the adapter choose (float32).
    input_dtype: str | None = None
    shape_only: bool = True
    #: ``"tensorflow"``, ``"jax"`` or ``"torch"``; None is the project's default.
    keras_backend: str | None = None

    def __post_init__(self) -> None:
        for name in ("input_dtype", "keras_backend"):
            if not isinstance(getattr(self, name), str | None):
                raise TypeError(f"{name} must be a string or None (pass shape_only by keyword)")
        if self.input_dtype is not None and self.input_dtype not in INPUT_DTYPES:
            raise ModelSummaryError(
                f"input dtype {self.input_dtype!r} is not one of {', '.join(INPUT_DTYPES)}"
            )
        if self.keras_backend is not None and self.keras_backend not in KERAS_BACKENDS:
            raise ModelSummaryError(
                f"Keras backend {self.keras_backend!r} is not one of {', '.join(KERAS_BACKENDS)}"
            )
        if not isinstance(self.shape_only, bool):
            raise TypeError("shape_only must be True or False (pass it by keyword)")


@dataclass(frozen=True)
class Failed:
    """A request could not be built: why (a problem kind such as ``builder``) and what to do."""

    kind: str
    message: str
    #: Project source files the failed build used: fixing one must re-check the page.
    source_files: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", printable(self.message))

    def error(self) -> BuildError:
        """The failure as the error that callers raise."""
        return BuildError(self.kind, self.message, self.source_files)


@dataclass(frozen=True)
class Built:
    """A request's model was built: its report and the project files the builder used."""

    report: ModelReport
    #: Project source files the builder used: editing one must rebuild the page.
    source_files: tuple[str, ...]
    #: True when the report came from the cache (or a snapshot), not from running the builder.
    cached: bool = False


#: What executing a request gives.
Outcome = Built | Failed


def project_keras_backend() -> str:
    """The Keras 3 backend a build without ``keras_backend`` gets, found as Keras finds it
    (without importing it): ``KERAS_BACKEND``, else ``keras.json`` in ``KERAS_HOME`` (or
    ``~/.keras``), else TensorFlow."""
    chosen = os.environ.get("KERAS_BACKEND")
    if chosen:
        return chosen
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    try:
        with open(os.path.join(home, "keras.json"), encoding="utf-8") as file:
            chosen = json.load(file).get("backend")
    except (OSError, ValueError, AttributeError):
        chosen = None
    return chosen if isinstance(chosen, str) and chosen else "tensorflow"
