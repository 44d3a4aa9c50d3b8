"""Execution: import a target's module, call its builder, and get a ModelReport.

This module runs in whatever process builds the model; it is framework
neutral and hands the framework work to :mod:`sphinx_modelsummary.adapters`.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import inspect
import os
import sys
from dataclasses import dataclass
from typing import Any

from . import adapters, formulas
from .errors import BuildError, user_traceback
from .report import ModelReport, Shape
from .target import Target, call_arguments


@dataclass(frozen=True)
class BuildRequest:
    """Everything that changes what a build produces (and so keys the cache)."""

    target: Target
    input_shapes: tuple[Shape, ...] | None = None
    shape_only: bool = True


def build_report(request: BuildRequest) -> ModelReport:
    """Build the target's model in this process and describe it, formulas included."""
    target_text = str(request.target)
    report = adapters.build_report(
        make_model=lambda: _call_builder(request.target),
        target_text=target_text,
        input_shapes=request.input_shapes,
        shape_only=request.shape_only,
    )
    return formulas.attach(report)


def resolve(target: Target) -> Any:
    """Import the module and look up the attribute, with errors that say what to fix."""
    try:
        module = importlib.import_module(target.module)
    except ModuleNotFoundError as error:
        missing = error.name or target.module
        where = "" if missing == target.module else f" (while importing {target.module!r})"
        raise BuildError(
            "import",
            f"target {str(target)!r}: no module named {missing!r}{where}; check the name and "
            f"that the project is installed or on sys.path (searched: {_short_path()})",
        ) from None
    except Exception as error:  # noqa: BLE001 - any failure of user code is reported
        raise BuildError(
            "import",
            f"target {str(target)!r}: importing {target.module!r} failed:\n{user_traceback(error)}",
        ) from None
    try:
        return getattr(module, target.attribute)
    except AttributeError:
        names = [name for name in dir(module) if not name.startswith("_")]
        close = difflib.get_close_matches(target.attribute, names, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(n) for n in close)}?" if close else ""
        raise BuildError(
            "attribute",
            f"target {str(target)!r}: module {target.module!r} has no attribute "
            f"{target.attribute!r}{hint}",
        ) from None


def module_file(target: Target) -> str | None:
    """The file of the target's module, found without running it (its parents may be)."""
    try:
        spec = importlib.util.find_spec(target.module)
    except (ImportError, ValueError):
        return None
    return spec.origin if spec and spec.origin and os.path.isfile(spec.origin) else None


def _call_builder(target: Target) -> Any:
    attribute = resolve(target)
    if not target.is_call and not _is_builder(attribute):
        return attribute
    if not callable(attribute):
        raise BuildError(
            "not-a-model",
            f"target {str(target)!r}: {target.attribute!r} is a {type(attribute).__name__}, "
            "which cannot be called with arguments",
        )
    args, kwargs = call_arguments(target)
    try:
        return attribute(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - any failure of user code is reported
        raise BuildError(
            "builder", f"target {str(target)!r} raised an error:\n{user_traceback(error)}"
        ) from None


def _is_builder(attribute: Any) -> bool:
    """Functions and classes are called with no arguments; model objects are used as they are."""
    return inspect.isfunction(attribute) or inspect.isclass(attribute)


def _short_path() -> str:
    entries = [entry or "." for entry in sys.path[:6]]
    return ", ".join(entries) + (", ..." if len(sys.path) > 6 else "")
