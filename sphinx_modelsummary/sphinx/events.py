"""Build-wide events: the closing summary of problems and the exit status."""

from __future__ import annotations

import os

from sphinx.application import Sphinx
from sphinx.util import logging

from ..lifetime import end_forks_with_this_process
from .domain import domain_of
from .engines import close_engines
from .problems import log_problem
from .role import unknown_names

logger = logging.getLogger(__name__)

STATIC_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static")


def builder_inited(app: Sphinx) -> None:
    # -j N readers and writers, and the workers they start, end with this sphinx-build
    end_forks_with_this_process()
    if app.builder.format == "html":
        app.config.html_static_path.append(STATIC_DIR)
        app.add_css_file("modelsummary.css")
        app.add_js_file("modelsummary.js", defer="defer")


#: The pages this build reads (``env-before-read-docs``), for the closing count of directives.
_READING: set[str] = set()


def pages_to_read(app: Sphinx, env, docnames: list[str]) -> None:
    _READING.clear()
    _READING.update(docnames)


def pages_to_retry(app: Sphinx, env, added: set, changed: set, removed: set) -> list[str]:
    """Pages whose build failed for a reason outside them (a worker killed from outside):
    read again, also unchanged, until they build."""
    return sorted({problem.docname for problem in domain_of(env).problems() if problem.retry})


def build_finished(app: Sphinx, exception: Exception | None) -> None:
    """List every problem once more and make the exit status say the docs are wrong.

    Like sphinx.ext.doctest, this sets ``app.statuscode`` so the build fails
    without ``-W``; every page has still been built.
    """
    directives = sum(r.docname in _READING for r in domain_of(app.env).results())
    activity = close_engines(directives)
    if activity:
        logger.info(activity)
    if exception is not None:
        return
    domain = domain_of(app.env)
    found_now = unknown_names(app.env) + domain.duplicate_names()
    for problem in found_now:
        log_problem(problem.kind, problem.message, (problem.docname, problem.lineno), app.config)
    problems = sorted(domain.problems() + found_now, key=lambda p: (p.docname, p.lineno))
    failing = [problem for problem in problems if problem.fails(app.config)]
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
