"""Adapters turn a framework's model into a ModelReport; only they import a framework.

Each adapter module is imported lazily, when a builder really runs, so a docs
build whose models are all cached never imports TensorFlow.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import BuildError
from ..report import ModelReport, Shape

#: ``report.framework`` values, one adapter module and one knowledge module each.
FRAMEWORKS = ("keras", "tf_keras", "torch")


def build_report(
    make_model: Callable[[], Any],
    target_text: str,
    input_shapes: Sequence[Shape] | None,
    shape_only: bool,
) -> ModelReport:
    """Build with the framework the model belongs to (Keras 3 for now) and inspect it."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's banner off the page
    try:
        from . import keras3
    except ImportError as error:
        raise BuildError(
            "import",
            f"target {target_text!r} needs Keras 3, which cannot be imported ({error}); "
            "install it with: pip install 'sphinx-modelsummary[keras]'",
        ) from None
    return keras3.build_report(make_model, target_text, input_shapes, shape_only)
