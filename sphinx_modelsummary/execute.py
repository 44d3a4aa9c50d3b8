"""Execution: import a target's module, call its builder, and get a ModelReport.

This module runs in whatever process builds the model (a worker, or the
command line's own process); it is framework neutral and hands the framework
work to :mod:`sphinx_modelsummary.adapters`.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import inspect
import os
from typing import Any

from . import adapters, formulas
from .errors import BuildError, ModelSummaryError, no_module_error, user_traceback
from .frameworks import framework_of
from .report import ModelReport
from .request import BuildRequest, Built, Failed, Outcome
from .sources import own_files, project_files, recording_imports
from .target import Target, call_arguments


def execute(request: BuildRequest) -> Outcome:
    """Build the request's model in this process: the request in, the outcome out.

    The one entry that the worker and the in-process engine both call. What a
    user must fix comes back as :class:`Failed`, never as an exception; so does
    a builder that calls ``sys.exit()`` or raises ``KeyboardInterrupt``.
    """
    target = request.target
    imported: set[str] = set()
    environment = dict(os.environ)
    try:
        with recording_imports() as imported:
            framework = framework_of(target)
            report = adapters.build_report(framework, lambda: _call_builder(target), request)
        report = formulas.attach(report)
    except BuildError as error:
        return Failed(error.kind, error.message, _sources(target, imported))
    except ModelSummaryError as error:
        return Failed("builder", str(error), _sources(target, imported))
    except SystemExit as stop:
        message = (
            f"target {str(target)!r} called sys.exit({stop.code!r}) instead of returning a model"
        )
        return Failed("builder", message, _sources(target, imported))
    except KeyboardInterrupt as interrupt:
        message = f"target {str(target)!r} raised KeyboardInterrupt:\n{user_traceback(interrupt)}"
        return Failed("builder", message, _sources(target, imported))
    finally:  # a builder's os.environ changes must not reach the next build
        os.environ.clear()
        os.environ.update(environment)
    return Built(report=report, source_files=_sources(target, imported))


def build_report(request: BuildRequest) -> ModelReport:
    """:func:`execute` for scripts and tests: the report, or the BuildError to fix."""
    outcome = execute(request)
    if isinstance(outcome, Failed):
        raise outcome.error()
    return outcome.report


def _sources(target: Target, imported: set[str]) -> tuple[str, ...]:
    """Project files the build used; the target's own file even when importing it failed."""
    found = {*project_files([target.module, *sorted(imported)]), *own_files(target.module)}
    return tuple(sorted(found))


def resolve(target: Target) -> Any:
    """Import the module and look up the attribute, with errors that say what to fix."""
    try:
        module = importlib.import_module(target.module)
    except ModuleNotFoundError as error:
        raise no_module_error(str(target), target.module, error.name or target.module) from None
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
