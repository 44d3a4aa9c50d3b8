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

The scan is only a hint, but a safe one: the sources are parsed (docutils for
reStructuredText, markdown-it for MyST), so only a directive the page's parser
really sees is built or has its framework started here, never one in a
comment, a literal block or a ``code-block:: rst`` example. A directive the
scan does not look into (inside another extension's directive, or
``model-compare``) builds its own report when it runs, as it always did. With
a snapshot folder or ``execution_mode = "off"`` nothing is started here: those
builds may not need a framework at all.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from docutils import nodes
from docutils.core import publish_doctree
from docutils.parsers.rst import Directive, directives, roles
from sphinx.errors import FiletypeNotFoundError
from sphinx.util import get_filetype, logging

from ..errors import ModelSummaryError
from ..request import BuildRequest
from .config import Settings
from .options import SHARED_OPTIONS, OptionSpec, build_request, parse_shared
from .state import settings_of

logger = logging.getLogger(__name__)

#: The directives whose one argument is the target (``model-compare`` has two: not scanned).
SCANNED = ("model-summary", "model-formulas", "model-diagram")
#: Directives whose content is always parsed as the page's markup, so that a model directive
#: inside one is really seen; any other directive's content is not looked into.
NESTED = (
    "admonition",
    "attention",
    "caution",
    "container",
    "danger",
    "error",
    "hint",
    "important",
    "note",
    "only",
    "seealso",
    "sidebar",
    "tip",
    "topic",
    "warning",
)
_OPTION = re.compile(r"^[ \t]*:(?P<key>[\w-]+):(?:[ \t]+(?P<value>.*?))?[ \t]*$")
_MYST_NAME = re.compile(r"^\{(?P<name>[\w-]+)\}[ \t]*(?P<argument>\S.*?)[ \t]*$")

#: A scanned directive: its argument and options.
Found = tuple[str, dict[str, str]]


def scan(text: str, filetype: str) -> list[Found]:
    """Each scanned directive that the page's parser really sees, in the order of the source:
    never one in a comment, a literal block, a ``code-block`` or a fenced example. Pages of
    another type than reStructuredText and MyST Markdown are not looked into."""
    lowered = text.lower()
    if not any(name in lowered for name in SCANNED):
        return []  # most pages of a large site: not worth a parse
    if filetype == "restructuredtext":
        return _scan_rst(text)
    return _scan_myst(text) if filetype == "markdown" else []


def _scan_rst(text: str) -> list[Found]:
    """Parsed with docutils, every directive but ours and the containers doing nothing and
    every role giving plain text: nothing of Sphinx or of another extension runs."""
    found: list[Found] = []

    class Container(Directive):
        optional_arguments = 1
        final_argument_whitespace = True
        option_spec = OptionSpec(SHARED_OPTIONS)
        has_content = True

        def run(self) -> list[nodes.Node]:
            self.state.nested_parse(self.content, self.content_offset, nodes.Element())
            return []

    class Seen(Container):
        required_arguments, optional_arguments = 1, 0

        def run(self) -> list[nodes.Node]:
            found.append((self.arguments[0], dict(self.options)))
            return []

    class Ignored(Container):
        def run(self) -> list[nodes.Node]:
            return []

    def directive(name: str, *_: Any) -> tuple[type[Directive], list]:
        name = name.lower()  # as docutils looks names up
        if name in SCANNED:
            return Seen, []
        return (Container if name in NESTED else Ignored), []

    def role(name: str, *_: Any) -> tuple[Callable, list]:
        return (lambda *args, **kwargs: ([nodes.Text(args[1])], [])), []

    settings = {
        "report_level": 5,
        "halt_level": 5,
        "warning_stream": io.StringIO(),
        "file_insertion_enabled": False,
        "raw_enabled": False,
    }
    with _lookups(directive, role):
        publish_doctree(text, settings_overrides=settings)
    return found


@contextmanager
def _lookups(directive: Callable, role: Callable) -> Iterator[None]:
    """docutils' directive and role lookups replaced while the block runs."""
    saved = directives.directive, roles.role
    directives.directive, roles.role = directive, role
    try:
        yield
    finally:
        directives.directive, roles.role = saved


def _scan_myst(text: str) -> list[Found]:
    """The fenced directives markdown-it sees as blocks (a fence inside another fence is its
    text); options written as ``:key: value`` lines only (a YAML block is left to the page)."""
    try:
        from markdown_it import MarkdownIt
    except ImportError:  # no MyST here: the pages build their own reports
        return []
    found: list[Found] = []
    for token in MarkdownIt("commonmark").parse(text):
        match = _MYST_NAME.match(token.info.strip()) if token.type == "fence" else None
        if match is None or match["name"] not in SCANNED:
            continue
        lines = token.content.splitlines()
        if lines and lines[0].strip() == "---":
            continue
        options: dict[str, str] = {}
        for line in lines:
            option = _OPTION.match(line)
            if option is None:
                break
            options[option["key"]] = option["value"] or ""
        found.append((match["argument"], options))
    return found


def requests_in(text: str, settings: Settings, filetype: str) -> dict[BuildRequest, float | None]:
    """The build requests the directives in ``text`` will make (those the scan can read),
    each with the directive's ``:timeout:`` (None: the configured one)."""
    requests: dict[BuildRequest, float | None] = {}
    for argument, options in scan(text, filetype):
        try:
            shared = parse_shared(options, False)
            request = build_request(argument, shared.input_shapes, shared, settings)
        except (ModelSummaryError, ValueError, TypeError):
            continue  # the directive will say what is wrong, at its line
        requests.setdefault(request, shared.timeout)
    return requests


def before_reading(app: Any, env: Any, docnames: list[str]) -> None:
    """``env-before-read-docs``: start (``-j 1``) or do (``-j N``) the builds the pages need."""
    settings = settings_of(app.config)
    if settings.snapshot_dir or settings.execution_mode == "off":
        return
    from .engines import engine_for

    requests: dict[BuildRequest, float | None] = {}
    for docname in docnames:
        try:
            path = env.doc2path(docname)
            filetype = get_filetype(app.config.source_suffix, path)
            with open(path, encoding="utf-8") as file:
                for request, timeout in requests_in(file.read(), settings, filetype).items():
                    requests.setdefault(request, timeout)
        except (OSError, UnicodeDecodeError, FiletypeNotFoundError):
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
