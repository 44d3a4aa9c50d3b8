"""Build-wide events: the closing summary of problems and the exit status."""

from __future__ import annotations

import os

from sphinx.application import Sphinx
from sphinx.util import logging

from ..lifetime import end_forks_with_this_process
from .domain import domain_of
from .engines import close_engine
from .problems import log_problem
from .role import unknown_names
from .state import state_of

logger = logging.getLogger(__name__)

STATIC_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static")


def builder_inited(app: Sphinx) -> None:
    # -j N readers and writers, and the workers they start, end with this sphinx-build
    end_forks_with_this_process()
    if app.builder.format == "html":
        app.config.html_static_path.append(STATIC_DIR)
        app.add_css_file("modelsummary.css")
        app.add_js_file("modelsummary.js", defer="defer")


def pages_to_read(app: Sphinx, env, docnames: list[str]) -> None:
    """``env-before-read-docs``: remember the pages, for the closing count of directives."""
    state_of(app.config).reading = set(docnames)


def pages_to_retry(app: Sphinx, env, added: set, changed: set, removed: set) -> list[str]:
    """Pages whose build failed for a reason outside them (a worker killed from outside):
    read again, also unchanged, until they build."""
    return sorted({problem.docname for problem in domain_of(env).problems() if problem.retry})


def build_finished(app: Sphinx, exception: Exception | None) -> None:
    """List every problem once more and make the exit status say the docs are wrong.

    Like sphinx.ext.doctest, this sets ``app.statuscode`` so the build fails
    without ``-W``; every page has still been built.
    """
    state = state_of(app.config)
    directives = sum(r.docname in state.reading for r in domain_of(app.env).results())
    activity = close_engine(state, directives)
    if activity:
        logger.info(activity)
    if exception is not None:
        return
    domain = domain_of(app.env)
    found_now = unknown_names(app.env) + domain.duplicate_names()
    for problem in found_now:
        log_problem(
            problem.kind, problem.message, (problem.docname, problem.lineno), state.settings
        )
    problems = sorted(domain.problems() + found_now, key=lambda p: (p.docname, p.lineno))
    failing = [problem for problem in problems if problem.fails(state.settings, app.config)]
    if not failing:
        return
    lines = [
        f"  {app.env.doc2path(p.docname, False)}:{p.lineno}: {p.kind}: {p.headline}"
        for p in failing
    ]
    logger.info("")
    logger.info(
        f"modelsummary: {len(failing)} problem{'s' if len(failing) > 1 else ''} "
        "in the documented models:\n" + "\n".join(lines)
    )
    app.statuscode = 1
