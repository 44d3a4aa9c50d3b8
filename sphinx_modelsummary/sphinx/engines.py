"""The engines of a docs build: one per process and configuration, closed at the end."""

from __future__ import annotations

import os
from typing import Any

from sphinx.util import logging

from ..engine import Engine
from .problems import ProblemKind

logger = logging.getLogger(__name__)

_ENGINES: dict[tuple[str, float, tuple[str, ...]], Engine] = {}


def engine_for(env: Any) -> Engine:
    """One engine per process and configuration, created on first use."""
    config = env.config
    cache_dir = config.modelsummary_cache_dir or os.path.join(env.doctreedir, "modelsummary-cache")
    if config.modelsummary_execution_mode == "force":
        cache_dir = ""  # force ignores the cache
    allowed = tuple(config.modelsummary_allowed_modules or ())
    key = (str(cache_dir), float(config.modelsummary_timeout), allowed)
    if key not in _ENGINES:
        _ENGINES[key] = Engine(
            cache_dir=key[0] or None,
            timeout=key[1],
            warn=_warn_about_engine,
            allowed_modules=allowed,
        )
    return _ENGINES[key]


def _warn_about_engine(message: str) -> None:
    logger.warning(message, type="modelsummary", subtype=str(ProblemKind.CACHE))


def close_engines(directives: int) -> str | None:
    """Stop what the engines hold (worker processes); say what they did, if anything:
    ``directives`` read in this build, the models they share, how many came from the cache."""
    models = cached = workers = 0
    while _ENGINES:
        engine = _ENGINES.popitem()[1]
        models, cached = models + len(engine.models), cached + engine.from_cache
        workers += engine.workers_started
        engine.close()
    if not models:
        return None
    return (
        f"modelsummary: {_count(directives, 'directive')}, {_count(models, 'model')}, "
        f"{cached} from the cache, {_count(workers, 'worker process', 'es')} started"
    )


def _count(number: int, noun: str, plural: str = "s") -> str:
    return f"{number} {noun}{plural if number != 1 else ''}"
