"""Adapters turn a framework's model into a ModelReport; only they import a framework.

:func:`framework_of` decides which framework a target builds with, before
anything runs and without importing any framework: from the names of known
model zoos, else from the imports in the source of the target's module and of
the project modules it imports. Each adapter module is imported lazily, when a
builder really runs, so a docs build whose models are all cached never
imports TensorFlow, and a worker imports one framework only.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import random
import sys
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import BuildError, is_user_file, no_module_error
from ..report import ModelReport
from ..request import BuildRequest
from ..sources import find_module, module_source
from ..target import Target

#: ``report.framework`` values, one adapter module and one knowledge module each.
FRAMEWORKS = ("keras", "tf_keras", "torch")
#: Adapter modules whose name is not the framework's.
_MODULES = {"keras": "keras3"}
#: Top-level packages that tell the framework: the frameworks and their model zoos.
_ROOTS = {
    "keras": "keras",
    "keras_hub": "keras",
    "keras_nlp": "keras",
    "keras_cv": "keras",
    "tf_keras": "tf_keras",
    "torch": "torch",
    "torchvision": "torch",
    "torchaudio": "torch",
    "timm": "torch",
}
#: A module importing several frameworks builds with the first of them here (Keras on the
#: torch backend imports torch too); TensorFlow alone means tf.keras: Keras 3 since TF 2.16,
#: Keras 2 with TF_USE_LEGACY_KERAS.
_PREFERENCE = ("tf_keras", "keras", "torch", "tensorflow")
_INSTALL = {"keras": "keras", "tf_keras": "tf-keras", "torch": "torch"}


def framework_of(target: Target) -> str:
    """The framework the target builds with, found without importing anything."""
    root = target.module.split(".")[0]
    if root in _ROOTS:
        return _ROOTS[root]
    missing = find_module(target.module)[1]
    if missing:
        raise no_module_error(str(target), target.module, missing)
    for found in _frameworks_imported(target):
        for name in _PREFERENCE:
            if name in found:
                return _keras_of_tensorflow() if name == "tensorflow" else name
    raise BuildError(
        "framework",
        f"target {str(target)!r}: cannot tell which framework it builds with: neither "
        f"{target.module!r} nor the project modules it imports import one of "
        f"{', '.join(sorted({*_ROOTS, 'tensorflow'}))}; sphinx-modelsummary documents "
        "Keras 3, Keras 2 (tf_keras) and PyTorch models",
    )


def _keras_of_tensorflow() -> str:
    """What ``tf.keras`` is: Keras 2 (tf_keras) when ``TF_USE_LEGACY_KERAS`` says so, as
    TensorFlow itself decides, else Keras 3."""
    legacy = os.environ.get("TF_USE_LEGACY_KERAS") in ("true", "True", "1")
    return "tf_keras" if legacy else "keras"


def build_report(
    framework: str, make_model: Callable[[], Any], request: BuildRequest
) -> ModelReport:
    """Build with the framework's adapter and inspect the model (formulas not attached).

    The framework's global settings that a builder may change (Keras's image
    data format, float type, dtype policy; PyTorch's default dtype, device,
    generator and switches) are put back afterwards, and so are the generators
    of Python's ``random`` and of NumPy that ``keras.utils.set_random_seed``
    and careless builders reseed: every build starts from the same state.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's banner off the page
    module = adapter(framework, str(request.target))
    settings = module.configuration() if hasattr(module, "configuration") else None
    generators = _generator_states()
    try:
        return module.build_report(make_model, request)
    finally:
        if settings is not None:
            module.configure(settings)
        _put_back_generators(generators)


def _generator_states() -> tuple[Any, Any]:
    """Python's and NumPy's global generators (NumPy came with the framework's import)."""
    numpy = sys.modules.get("numpy")
    return random.getstate(), numpy.random.get_state() if numpy else None


def _put_back_generators(states: tuple[Any, Any]) -> None:
    python_state, numpy_state = states
    random.setstate(python_state)
    if numpy_state is not None:
        sys.modules["numpy"].random.set_state(numpy_state)


def adapter(framework: str, target_text: str = "") -> Any:
    """The framework's adapter module, imported now; a BuildError when it cannot be."""
    if framework not in FRAMEWORKS:
        raise BuildError("framework", f"no adapter for the framework {framework!r}")
    name = f"{__name__}.{_MODULES.get(framework, framework)}"
    if importlib.util.find_spec(name) is None:
        raise BuildError(
            "framework",
            f"target {target_text!r} builds a {framework} model, and this version of "
            f"sphinx-modelsummary has no {framework} adapter",
        )
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise BuildError(
            "import",
            f"target {target_text!r} needs {framework}, which cannot be imported ({error}); "
            f"install it with: pip install {_INSTALL[framework]}",
        ) from None


def _frameworks_imported(target: Target) -> Iterator[set[str]]:
    """Frameworks imported by the target's module, then by the project modules it imports,
    one level of imports at a time (the nearest import decides)."""
    level = [target.module]
    seen: set[str] = set()
    while level and len(seen) < 500:
        found: set[str] = set()
        following = []
        for module in level:
            if module in seen:
                continue
            seen.add(module)
            path = module_source(module)
            if path is None or (module != target.module and not is_user_file(path)):
                continue
            for name in _imports(module, path):
                root = name.split(".")[0]
                if root in _ROOTS or root == "tensorflow":
                    found.add(_ROOTS.get(root, root))
                else:
                    following.append(name)
        yield found
        level = following


def _imports(module: str, path: str) -> list[str]:
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
    if level == 0:
        return name
    parts = module.split(".")
    package = parts if is_package else parts[:-1]
    if level - 1 > len(package):
        return None
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, name] if name else base) or None
