"""The engine of a docs build: one per application and process, closed at the end."""

from __future__ import annotations

import os

from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from ..engine import Engine
from .problems import ProblemKind
from .state import BuildState, state_of

logger = logging.getLogger(__name__)


def engine_for(env: BuildEnvironment) -> Engine:
    """The build's engine, made on first use from its settings."""
    state = state_of(env.config)
    if state.engine is None:
        settings = state.settings
        cache_dir = settings.cache_dir or os.path.join(env.doctreedir, "modelsummary-cache")
        state.engine = Engine(
            cache_dir=None if settings.execution_mode == "force" else cache_dir,  # force: no cache
            timeout=settings.timeout,
            warn=_warn_about_engine,
            allowed_modules=settings.allowed_modules,
        )
    return state.engine


def _warn_about_engine(message: str) -> None:
    logger.warning(message, type="modelsummary", subtype=str(ProblemKind.CACHE))


def close_engine(state: BuildState, directives: int) -> str | None:
    """Stop what the engine holds (worker processes); say what it did, if anything:
    ``directives`` read in this build, the models they share, how many came from the cache."""
    engine, state.engine = state.engine, None
    if engine is None:
        return None
    models, cached, workers = len(engine.models), engine.from_cache, engine.workers_started
    engine.close()
    if not models:
        return None
    return (
        f"modelsummary: {_count(directives, 'directive')}, {_count(models, 'model')}, "
        f"{cached} from the cache, {_count(workers, 'worker process', 'es')} started"
    )


def _count(number: int, noun: str, plural: str = "s") -> str:
    return f"{number} {noun}{plural if number != 1 else ''}"
