"""Which modules a page may call: the project's own, the known model zoos and those allowed.

Decided from a module's name and where its package lies, before anything is
imported, so a page cannot make the build import (and run) an arbitrary module.
"""

from __future__ import annotations

import sys

from .errors import is_user_file
from .frameworks import model_zoos
from .sources import find_module, package_places


def refusal(module: str, allowed: tuple[str, ...]) -> str | None:
    """Why a page may not call into ``module`` (None when it may), decided before importing.

    A page may call the project's own modules, the known model zoos, and the
    modules listed in ``allowed`` (a name allows its submodules; ``*`` allows
    everything). Whose a module is is decided by its name: by where its
    top-level package lies (outside the standard library, the installed
    packages and this extension), so a module without a file of its own
    (``os.path``, ``torch.ops``, ``__main__``) is judged by its package.
    """
    if "*" in allowed or any(_within(module, prefix) for prefix in (*model_zoos(), *allowed)):
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
    places = package_places(top)
    if places is None:
        return True
    if not any(is_user_file(place) for place in places):
        return False
    path = find_module(module)[0]
    return path is None or is_user_file(path)


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")
