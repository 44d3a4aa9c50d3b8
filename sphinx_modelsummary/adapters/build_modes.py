"""The shape-only build and the full build it falls back to, one rule for every adapter.

A builder first runs without weight memory (Keras's ``StatelessScope``, a TF1
graph for Keras 2, PyTorch's meta device), so a large model is summarised in
about a second. A builder that needs real values (it loads weights, calls the
model on data) fails there, or reads values the shape-only build cannot have;
it is then run again normally, and the report says ``full``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ..errors import BuildError

#: ``ModelReport.build_mode`` values.
SHAPE_ONLY = "shape-only"
FULL = "full"

Built = TypeVar("Built")


def failed_in_builder(error: BuildError) -> bool:
    """The user's builder or model failed (not a wrong option): worth a full build."""
    return error.kind == "builder"


def shape_only_or_full(
    shape_only: bool,
    build_shape_only: Callable[[], Built | None],
    build_full: Callable[[], Built],
    needs_real_values: Callable[[BuildError], bool] = failed_in_builder,
) -> tuple[Built, str]:
    """What ``build_shape_only`` gives when ``shape_only`` asks for it and it succeeds, else
    what ``build_full`` gives; with the build mode of the one that gave it.

    ``build_shape_only`` returns None when the builder read real values; a BuildError it
    raises is raised again unless ``needs_real_values`` says the full build may succeed.
    """
    if shape_only:
        try:
            built = build_shape_only()
        except BuildError as error:
            if not needs_real_values(error):
                raise
        else:
            if built is not None:
                return built, SHAPE_ONLY
    return build_full(), FULL
