"""Which project source files a build uses: they key the cache and rebuild the page.

Two views of the same imports. While a build runs, :func:`recording_imports`
and :func:`project_files` see what it really imported. Before anything runs,
:func:`imports_by_level` reads the import statements of a module and of the
project modules it imports (the framework detection in ``frameworks.py`` asks it),
and :func:`find_module` locates a module, both without importing anything.

A builder may import a helper at module level or inside its function, and the
worker may already hold the helper from an earlier build; so every import
statement run during the build is recorded (already imported or not), every
module that appears is added, and from all of them the project modules they
reference are followed. Files of the standard library, of installed packages
and of this extension are not the project's.
"""

from __future__ import annotations

import ast
import builtins
import importlib.machinery
import importlib.util
import inspect
import os
import sys
import types
from collections.abc import Callable, Iterable, Iterator
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
        spec = find_spec(name, path)
        if spec is None:
            return None, name
        path = spec.submodule_search_locations
        if path is None and index < len(parts) - 1:
            return None, ".".join(parts[: index + 2])
    origin = spec.origin if spec else None
    return (origin if origin and os.path.isfile(origin) else None), None


def find_spec(name: str, path: list[str] | None) -> importlib.machinery.ModuleSpec | None:
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


def package_places(top: str) -> list[str] | None:
    """Where a top-level package lies (its file or folders), None when it is not found."""
    spec = find_spec(top, None)
    if spec is None:
        return None
    places = [spec.origin] if spec.has_location and spec.origin else []
    return places + list(spec.submodule_search_locations or ())


def own_files(module: str) -> tuple[str, ...]:
    """The module's own source file, when it is the project's: a page using it depends on it
    even when importing or running it failed."""
    path = module_source(module)
    return (os.path.abspath(path),) if path and is_user_file(path) else ()


def module_source(module: str) -> str | None:
    """The Python source file of a module, found without importing anything."""
    path = find_module(module)[0]
    return path if path and path.endswith(".py") else None


def imports_by_level(module: str, wanted: Callable[[str], bool]) -> Iterator[set[str]]:
    """The top-level packages imported by the module's source that are ``wanted``, then those
    of the project modules it imports, one level of imports at a time (nearest first), read
    statically: nothing is imported or run."""
    level = [module]
    seen: set[str] = set()
    while level and len(seen) < 500:
        found: set[str] = set()
        following = []
        for name in level:
            if name in seen:
                continue
            seen.add(name)
            path = module_source(name)
            if path is None or (name != module and not is_user_file(path)):
                continue
            for imported in _imported_names(name, path):
                root = imported.split(".")[0]
                if wanted(root):
                    found.add(root)
                else:
                    following.append(imported)
        yield found
        level = following


def _imported_names(module: str, path: str) -> list[str]:
    """Every module the source imports, at module level or inside functions."""
    try:
        with open(path, encoding="utf-8") as file:
            tree = ast.parse(file.read(), filename=path)
    except (OSError, SyntaxError, ValueError):
        return []
    is_package = os.path.basename(path) == "__init__.py"
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, is_package, node.module, node.level)
            if base:
                names.append(base)
                names += [f"{base}.{alias.name}" for alias in node.names if alias.name != "*"]
    return names


def _absolute(module: str, is_package: bool, name: str | None, level: int) -> str | None:
    """The absolute name of a ``from .name import`` at ``level`` dots in ``module``."""
    if level == 0:
        return name
    parts = module.split(".")
    package = parts if is_package else parts[:-1]
    if level - 1 > len(package):
        return None
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, name] if name else base) or None
