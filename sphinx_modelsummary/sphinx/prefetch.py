"""Start model builds before the pages ask for them, once per build.

When Sphinx knows which documents it will read (``env-before-read-docs``),
their sources are scanned for the model directives and the requests they will
make. If any request has no entry in the model cache, the build is certain to
need a worker, and:

- reading one document at a time, the workers of the frameworks those requests
  need are started now, so each imports its framework while Sphinx goes on
  with its own work instead of when the first page asks;
- reading in parallel (``-j N``), the missing reports are built now, by this
  process's workers, before Sphinx forks its readers: each reader then finds
  them in the cache instead of starting a worker (and importing the framework)
  of its own.

The scan is only a hint: a directive it misreads, or one that it does not know
how to read (``model-compare``), builds its own report when it runs, as it
always did. With a snapshot folder or ``execution_mode = "off"`` nothing is
started here: those builds may not need a framework at all.
"""

from __future__ import annotations

import re
from typing import Any

from sphinx.util import logging

from ..errors import ModelSummaryError
from ..request import BuildRequest
from ..target import parse_target
from .options import parse_shared

logger = logging.getLogger(__name__)

#: The directives whose one argument is the target (``model-compare`` has two: not scanned).
SCANNED = ("model-summary", "model-formulas", "model-diagram")
_RST = re.compile(
    r"^(?P<indent>[ \t]*)\.\.[ \t]+(?P<name>[\w-]+)::[ \t]*(?P<argument>\S.*?)[ \t]*$"
)
_MYST = re.compile(
    r"^(?P<indent>[ \t]*)(?:`{3,}|~{3,})\{(?P<name>[\w-]+)\}[ \t]*(?P<argument>\S.*?)[ \t]*$"
)
_OPTION = re.compile(r"^[ \t]*:(?P<key>[\w-]+):(?:[ \t]+(?P<value>.*?))?[ \t]*$")


def scan(text: str) -> list[tuple[str, dict[str, str]]]:
    """Each scanned directive's argument and options, in the order of the source."""
    found = []
    lines = text.splitlines()
    for index, line in enumerate(lines):
        match = _RST.match(line) or _MYST.match(line)
        if match is None or match["name"] not in SCANNED:
            continue
        options: dict[str, str] = {}
        for following in lines[index + 1 :]:
            option = _OPTION.match(following)
            if option is None:
                break
            options[option["key"]] = option["value"] or ""
        found.append((match["argument"], options))
    return found


def requests_in(text: str, config: Any) -> dict[BuildRequest, float | None]:
    """The build requests the directives in ``text`` will make (those the scan can read),
    each with the directive's ``:timeout:`` (None: the configured one)."""
    requests: dict[BuildRequest, float | None] = {}
    for argument, options in scan(text):
        try:
            shared = parse_shared(options, False)
            request = BuildRequest(
                parse_target(argument),
                shared.input_shapes,
                input_dtype=shared.input_dtype,
                shape_only=config.modelsummary_shape_only and not shared.full_build,
                keras_backend=config.modelsummary_keras_backend,
            )
        except (ModelSummaryError, ValueError, TypeError):
            continue  # the directive will say what is wrong, at its line
        requests.setdefault(request, shared.timeout)
    return requests


def before_reading(app: Any, env: Any, docnames: list[str]) -> None:
    """``env-before-read-docs``: start (``-j 1``) or do (``-j N``) the builds the pages need."""
    config = app.config
    if config.modelsummary_snapshot_dir or config.modelsummary_execution_mode == "off":
        return
    from .engines import engine_for

    requests: dict[BuildRequest, float | None] = {}
    for docname in docnames:
        try:
            with open(env.doc2path(docname), encoding="utf-8") as file:
                for request, timeout in requests_in(file.read(), config).items():
                    requests.setdefault(request, timeout)
        except (OSError, UnicodeDecodeError):
            continue
    if not requests:
        return
    engine = engine_for(env)
    missing = {request: t for request, t in requests.items() if not engine.has_entry(request)}
    if not missing:
        return
    if app.parallel > 1 and app.is_parallel_allowed("read"):
        for request, timeout in missing.items():
            # into the cache, or remembered as failed, for every reader Sphinx forks next
            engine.outcome(request, timeout)
    else:
        engine.prestart(list(missing))


def setup(app: Any) -> None:
    app.connect("env-before-read-docs", before_reading)
