"""Errors that speak to the user: what went wrong in their code, and what to do."""

from __future__ import annotations

import os
import site
import sys
import sysconfig
import traceback
import unicodedata
from enum import StrEnum


class ModelSummaryError(Exception):
    """A problem the docs author can fix; its message is shown as it is, without our traceback."""


class BuildKind(StrEnum):
    """What went wrong when a model was built (listed in docs/checks.rst)."""

    IMPORT = "import"
    ATTRIBUTE = "attribute"
    BUILDER = "builder"
    NOT_A_MODEL = "not-a-model"
    INPUT_SHAPE = "input-shape"
    TIMEOUT = "timeout"
    CRASH = "crash"
    KILLED = "killed"
    FRAMEWORK = "framework"
    SNAPSHOT = "snapshot"
    NOT_ALLOWED = "not-allowed"


class BuildError(ModelSummaryError):
    """Running a builder failed: import, lookup, the builder itself, or its result.

    ``kind`` (a :class:`BuildKind`) says which, for reports such as modelcheck.json.
    """

    def __init__(self, kind: str, message: str, source_files: tuple[str, ...] = ()) -> None:
        message = printable(message)
        super().__init__(message)
        self.kind = BuildKind(kind)
        self.message = message
        #: Project files the failed build used: fixing one must re-check the page.
        self.source_files = source_files


def printable(text: str) -> str:
    """Text from a builder with its control characters written out (``\\x1b``), so that
    terminal colour codes and NUL bytes reach neither the terminal nor HTML nor XML."""
    return "".join(
        char
        if char in "\n\t" or not unicodedata.category(char).startswith("C")
        else repr(char)[1:-1]
        for char in text
    )


def no_module_error(target: str, module: str, missing: str) -> BuildError:
    """The target's module (or a module it needs) cannot be found."""
    where = "" if missing == module else f" (while importing {module!r})"
    entries = [entry or "." for entry in sys.path[:6]]
    searched = ", ".join(entries) + (", ..." if len(sys.path) > 6 else "")
    return BuildError(
        "import",
        f"target {target!r}: no module named {missing!r}{where}; check the name and "
        f"that the project is installed or on sys.path (searched: {searched})",
    )


def not_a_model_error(target: str, result: object, wanted: str, hint: str = "") -> BuildError:
    """The builder gave ``result``, which is not ``wanted`` (the framework's model class)."""
    kind = type(result)
    return BuildError(
        "not-a-model",
        f"target {target!r} gave a {kind.__module__}.{kind.__qualname__}, not a model{hint}; "
        f"the target must name a {wanted}, a subclass of it, an instance of one, or a function "
        "that returns one",
    )


def user_traceback(error: BaseException, frames: int = 4) -> str:
    """The last frames of the user's code, then the error: never our own internals.

    Frames from this package, the standard library and installed packages are
    dropped, so what is left points into the project being documented.
    """
    summary = traceback.extract_tb(error.__traceback__)
    user_frames = [frame for frame in summary if is_user_file(frame.filename)]
    lines = [
        f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}\n'
        + (f"    {frame.line}\n" if frame.line else "")
        for frame in user_frames[-frames:]
    ]
    message = "".join(traceback.format_exception_only(type(error), error)).strip()
    return "".join(lines) + message


def is_user_file(filename: str) -> bool:
    path = os.path.abspath(filename)
    if path.startswith(_PACKAGE_DIR) or filename.startswith("<") or _GENERATED in filename:
        return False
    return not any(path.startswith(prefix) for prefix in _LIBRARY_DIRS)


#: TensorFlow's autograph runs a converted copy of the user's ``call`` from a file of its own.
_GENERATED = "__autograph_generated_file"
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_LIBRARY_DIRS = tuple(
    sorted(
        {
            os.path.abspath(p) + os.sep
            for p in (
                sysconfig.get_paths()["stdlib"],
                sysconfig.get_paths()["platstdlib"],
                *site.getsitepackages(),
                site.getusersitepackages(),
            )
        }
    )
)
