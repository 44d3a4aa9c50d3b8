"""Which project source files a build used: they key the cache and rebuild the page.

A builder may import a helper at module level or inside its function, and the
worker may already hold the helper from an earlier build; so every import
statement run during the build is recorded (already imported or not), every
module that appears is added, and from all of them the project modules they
reference are followed. Files of the standard library, of installed packages
and of this extension are not the project's.
"""

from __future__ import annotations

import builtins
import importlib.machinery
import importlib.util
import inspect
import os
import sys
import types
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from .errors import is_user_file


@contextmanager
def recording_imports() -> Iterator[set[str]]:
    """Names of the modules imported while the block runs (filled in when it ends)."""
    names: set[str] = set()
    before = set(sys.modules)
    original = builtins.__import__
    calls: list[tuple[str, str | None, int, tuple[str, ...]]] = []

    def recording(name, globals=None, locals=None, fromlist=(), level=0):  # noqa: A002
        package = (globals or {}).get("__package__") if level else None
        calls.append((name, package, level, tuple(fromlist or ())))
        return original(name, globals, locals, fromlist, level)

    builtins.__import__ = recording
    try:
        yield names
    finally:
        builtins.__import__ = original
        names.update(set(sys.modules) - before)
        for name, package, level, fromlist in calls:
            try:
                full = importlib.util.resolve_name("." * level + name, package) if level else name
            except (ImportError, ValueError):
                continue
            parts = full.split(".")
            names.update(".".join(parts[: index + 1]) for index in range(len(parts)))
            names.update(f"{full}.{item}" for item in fromlist)


def project_files(module_names: Iterable[str]) -> list[str]:
    """Project source files of these modules and of the project modules they reference.

    Follows each module's globals (imported modules, and the modules that
    defined its functions and classes) but only through project files, so
    editing a model re-renders exactly the pages that use it.
    """
    found: set[str] = set()
    pending = [sys.modules.get(name) for name in module_names]
    seen: set[str] = set()
    while pending:
        module = pending.pop()
        if module is None or module.__name__ in seen:
            continue
        seen.add(module.__name__)
        path = getattr(module, "__file__", None)
        if not path or not is_user_file(path):
            continue
        found.add(os.path.abspath(path))
        for value in list(vars(module).values()):
            pending.append(_defining_module(value))
    return sorted(found)


def _defining_module(value: Any) -> types.ModuleType | None:
    if isinstance(value, types.ModuleType):
        return value
    if inspect.isclass(value) or inspect.isfunction(value):
        return sys.modules.get(getattr(value, "__module__", "") or "")
    return None


def find_module(module: str) -> tuple[str | None, str | None]:
    """The module's file (None for a module without one) and the name that is missing, if any.

    Found without importing the module or its parent packages, so asking
    never runs the project's code nor imports a framework. Every finder on
    ``sys.meta_path`` is asked in turn, as the import system does: an editable
    install's finder may be the only one that knows the module, for instance
    when a directory of the same name in the working directory is seen first
    as a namespace package.
    """
    path = None
    spec = None
    parts = module.split(".")
    for index in range(len(parts)):
        name = ".".join(parts[: index + 1])
        spec = _find_spec(name, path)
        if spec is None:
            return None, name
        path = spec.submodule_search_locations
        if path is None and index < len(parts) - 1:
            return None, ".".join(parts[: index + 2])
    origin = spec.origin if spec else None
    return (origin if origin and os.path.isfile(origin) else None), None


def _find_spec(name: str, path: list[str] | None) -> importlib.machinery.ModuleSpec | None:
    """The spec the first finder on ``sys.meta_path`` gives, without importing ``name``."""
    for finder in sys.meta_path:
        find_spec = getattr(finder, "find_spec", None)
        if find_spec is None:
            continue
        try:
            spec = find_spec(name, path)
        except (ImportError, ValueError, TypeError):
            continue
        if spec is not None:
            return spec
    return None


def own_files(module: str) -> tuple[str, ...]:
    """The module's own source file, when it is the project's: a page using it depends on it
    even when importing or running it failed."""
    path = module_source(module)
    return (os.path.abspath(path),) if path and is_user_file(path) else ()


def module_source(module: str) -> str | None:
    """The Python source file of a module, found without importing anything."""
    path = find_module(module)[0]
    return path if path and path.endswith(".py") else None


#: Model libraries a page may call by default, besides the project's own modules.
MODEL_ZOOS = (
    "keras.applications",
    "keras_hub",
    "keras_nlp",
    "keras_cv",
    "tf_keras.applications",
    "torchvision.models",
    "timm",
)


def refusal(module: str, allowed: tuple[str, ...]) -> str | None:
    """Why a page may not call into ``module`` (None when it may), decided before importing.

    A page may call the project's own modules, the known model zoos, and the
    modules listed in ``allowed`` (a name allows its submodules; ``*`` allows
    everything). Whose a module is is decided by its name: by where its
    top-level package lies (outside the standard library, the installed
    packages and this extension), so a module without a file of its own
    (``os.path``, ``torch.ops``, ``__main__``) is judged by its package.
    """
    if "*" in allowed or any(_within(module, prefix) for prefix in (*MODEL_ZOOS, *allowed)):
        return None
    if _is_projects(module):
        return None
    return (
        f"{module!r} is neither one of the project's own modules nor a known model zoo, so "
        "a page may not call it; if it really builds a model to document, add it to "
        "modelsummary_allowed_modules in conf.py"
    )


def _is_projects(module: str) -> bool:
    """Whether the module's top-level package is the project's (or nowhere to be found, which
    the build then says), and the module's own file too when it has one."""
    top = module.partition(".")[0]
    if top == "__main__" or top in sys.stdlib_module_names:
        return False
    spec = _find_spec(top, None)
    if spec is None:
        return True
    places = [spec.origin] if spec.has_location and spec.origin else []
    places += list(spec.submodule_search_locations or ())
    if not any(is_user_file(place) for place in places):
        return False
    path = find_module(module)[0]
    return path is None or is_user_file(path)


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")
