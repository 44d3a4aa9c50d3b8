"""Adapters turn a framework's model into a ModelReport; only they import a framework.

Each framework's adapter is the module its record names
(:data:`~sphinx_modelsummary.frameworks.FRAMEWORKS`), imported lazily, when a
builder really runs: a docs build whose models are all cached never imports
TensorFlow, and a worker imports one framework only. Which framework a target
uses is decided before, without importing anything
(:func:`~sphinx_modelsummary.frameworks.framework_of`).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import random
import sys
from collections.abc import Callable
from typing import Any, Protocol

from ..errors import BuildError
from ..frameworks import record_of
from ..report import ModelReport
from ..request import BuildRequest


class Adapter(Protocol):
    """What each adapter module provides (``adapters/<record.adapter>.py``)."""

    def build_report(self, make_model: Callable[[], Any], request: BuildRequest) -> ModelReport:
        """Call ``make_model`` (shape only unless the request says otherwise) and describe the
        model it returns; a BuildError for anything the user must fix."""

    def configuration(self) -> dict[str, Any]:
        """The framework's global settings a builder may change."""

    def configure(self, settings: dict[str, Any]) -> None:
        """Put back what :meth:`configuration` returned."""


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
    settings = module.configuration()
    generators = _generator_states()
    try:
        return module.build_report(make_model, request)
    finally:
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


def adapter(name: str, target_text: str = "") -> Adapter:
    """The framework's adapter module, imported now; a BuildError when it cannot be."""
    record = record_of(name)
    module = f"{__name__}.{record.adapter}"
    if importlib.util.find_spec(module) is None:
        raise BuildError(
            "framework",
            f"target {target_text!r} builds a {name} model, and this version of "
            f"sphinx-modelsummary has no {name} adapter",
        )
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise BuildError(
            "import",
            f"target {target_text!r} needs {name}, which cannot be imported ({error}); "
            f"install it with: pip install {record.install}",
        ) from None
