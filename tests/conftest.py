"""Shared fixtures: real Sphinx test projects and real Keras models built once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sphinx_modelsummary.execute import build_report
from sphinx_modelsummary.report import ModelReport
from sphinx_modelsummary.request import BuildRequest
from sphinx_modelsummary.target import parse_target

pytest_plugins = ["sphinx.testing.fixtures"]

# Sphinx colours its output whenever CI=true is set (as on the CI machine), also into a pipe;
# the tests read the plain text of real sphinx-build processes, ours escaped within it.
os.environ["NO_COLOR"] = "1"

ROOTS = Path(__file__).parent / "roots"

_REPORTS: dict[tuple, ModelReport] = {}


#: Frameworks whose tests run in a pytest process of their own (``pytest -m torch``).
OWN_PROCESS = ("torch", "flax")


def pytest_ignore_collect(collection_path: Path, config) -> bool | None:
    """A torch run (``-m torch``) collects only the test modules that have torch tests:
    the others may import Keras or TensorFlow (directly or through a helper module), and
    importing TensorFlow and then torch in one process crashes. Likewise for Flax, and a
    run without them (``-m "not flax"``) does not even import their modules: JAX's threads
    would be forked with Sphinx's ``-j`` processes."""
    if collection_path.suffix != ".py" or not collection_path.name.startswith("test_"):
        return None
    expression = config.option.markexpr.strip()
    text = collection_path.read_text(encoding="utf-8")
    if expression in OWN_PROCESS:
        return f"mark.{expression}" not in text
    excluded = [name for name in OWN_PROCESS if f"not {name}" in expression]
    return any(f"pytestmark = pytest.mark.{name}" in text for name in excluded) or None


@pytest.fixture(scope="session")
def rootdir() -> Path:
    """Where ``@pytest.mark.sphinx(testroot="x")`` finds ``tests/roots/test-x``."""
    return ROOTS


@pytest.fixture(scope="session")
def report_of():
    """Build a target once per test session: ``report_of("pkg.mod:build", [(None, 3)])``."""

    def build(target: str, input_shapes=None, shape_only: bool = True) -> ModelReport:
        shapes = tuple(tuple(s) for s in input_shapes) if input_shapes else None
        key = (target, shapes, shape_only)
        if key not in _REPORTS:
            request = BuildRequest(parse_target(target), shapes, shape_only=shape_only)
            _REPORTS[key] = build_report(request)
        return _REPORTS[key]

    return build
