"""The options every model directive shares, parsed into one checked value.

Options are read as plain text and validated here, so a bad value is reported
as an error at the directive's line (failing the build) instead of a docutils
warning.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from docutils.parsers.rst import directives

from ..checks import COUNTS, Expectation, parse_expectation
from ..errors import ModelSummaryError
from ..report import Shape
from ..request import INPUT_DTYPES, BuildRequest, timeout_problem
from ..target import parse_shape_spec, parse_target
from .config import Settings


class OptionError(ModelSummaryError):
    """An option value the directive cannot use."""


class OptionSpec(dict):
    """A directive's options; an unknown one is let through so that the directive itself can
    report it as an error that fails the build (docutils would only log it and go on)."""

    def __missing__(self, name: str):
        return directives.unchanged


def check_known(options: dict[str, str], spec: dict[str, object], directive: str) -> None:
    """Raise OptionError for an option the directive does not have, naming the close ones."""
    for name in options:
        if name not in spec:
            close = difflib.get_close_matches(name, list(spec), n=1, cutoff=0.6)
            hint = f"; did you mean :{close[0]}:?" if close else ""
            raise OptionError(f":{name}: is not an option of {directive}{hint}")


SHARED_OPTIONS = {
    "input-shape": directives.unchanged,
    "input-dtype": directives.unchanged,
    "expect-params": directives.unchanged,
    "expect-trainable": directives.unchanged,
    "expect-non-trainable": directives.unchanged,
    "name": directives.unchanged,
    "expand-nested": directives.unchanged,
    "max-depth": directives.unchanged,
    "full-build": directives.unchanged,
    "timeout": directives.unchanged,
    "caption": directives.unchanged,
    "class": directives.unchanged,
}

#: The table directives' own: only where rows are shown can runs of blocks fold.
TABLE_OPTIONS = {**SHARED_OPTIONS, "fold-repeats": directives.unchanged}

_TRUE = ("", "yes", "true", "on", "1")
_FALSE = ("no", "false", "off", "0")


@dataclass(frozen=True)
class SharedOptions:
    input_shapes: tuple[Shape, ...] | None = None
    input_dtype: str | None = None
    expectations: dict[str, Expectation] = field(default_factory=dict)
    name: str | None = None
    expand_nested: bool = False
    #: How many levels of nested models and composite layers to open (None: all).
    max_depth: int | None = None
    full_build: bool = False
    timeout: float | None = None
    caption: str | None = None
    classes: tuple[str, ...] = ()
    #: Show a run of identical consecutive blocks as one ``×N`` row (the table directives).
    fold_repeats: bool = True


def parse_shared(options: dict[str, str], expand_nested_default: bool) -> SharedOptions:
    """Check every shared option; raise OptionError naming the option and the accepted forms."""
    expectations = {}
    for count in COUNTS:
        text = options.get(f"expect-{count}")
        if text is not None:
            expectations[count] = _parse(f"expect-{count}", text, parse_expectation)
    shapes = options.get("input-shape")
    name = options.get("name")
    if name is not None and (not name.strip() or " " in name.strip()):
        raise OptionError(f":name: {name!r} must be one word, such as fire_module")
    return SharedOptions(
        input_shapes=_parse("input-shape", shapes, parse_shape_spec) if shapes else None,
        input_dtype=_parse_dtype(options.get("input-dtype")),
        expectations=expectations,
        name=name.strip() if name else None,
        expand_nested=parse_flag("expand-nested", options, expand_nested_default),
        max_depth=parse_whole("max-depth", options.get("max-depth"), 0),
        full_build=parse_flag("full-build", options, False),
        timeout=_parse_timeout(options.get("timeout")),
        caption=options.get("caption") or None,
        classes=tuple((options.get("class") or "").split()),
        fold_repeats=parse_flag("fold-repeats", options, True),
    )


def build_request(
    target: str, input_shapes: tuple[Shape, ...] | None, options: SharedOptions, settings: Settings
) -> BuildRequest:
    """What a directive asks to build: its target and options, under the build's settings."""
    return BuildRequest(
        parse_target(target),
        input_shapes,
        input_dtype=options.input_dtype,
        shape_only=settings.shape_only and not options.full_build,
        keras_backend=settings.keras_backend,
    )


def parse_flag(option: str, options: dict[str, str], default: bool) -> bool:
    """A flag option: present alone or with yes/true/on means on; no/false/off means off."""
    if option not in options:
        return default
    value = (options[option] or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise OptionError(f":{option}: takes no value, or one of yes/no, true/false, on/off")


def parse_choice(option: str, text: str | None, choices: tuple[str, ...], default: str) -> str:
    if text is None:
        return default
    value = text.strip().lower()
    if value not in choices:
        raise OptionError(f":{option}: {text!r} is not one of {', '.join(choices)}")
    return value


def parse_names(option: str, text: str | None, known: tuple[str, ...]) -> list[str] | None:
    """A comma-separated list of known names, such as ``:columns: layer, params``."""
    if text is None:
        return None
    names = [item.strip() for item in text.split(",") if item.strip()]
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise OptionError(
            f":{option}: {', '.join(unknown) or 'nothing'} is not known; choose from "
            f"{', '.join(known)}"
        )
    return names


def _parse(option: str, text: str, parse):
    try:
        return parse(text)
    except ModelSummaryError as error:
        raise OptionError(f":{option}: {error}") from None


def parse_whole(option: str, text: str | None, minimum: int) -> int | None:
    """A whole number of at least ``minimum`` written in ASCII digits (``²`` is not one)."""
    if text is None:
        return None
    value = text.strip()
    if not (value.isascii() and value.isdigit()) or int(value) < minimum:
        raise OptionError(f":{option}: {text!r} must be a whole number, {minimum} or more")
    return int(value)


def _parse_dtype(text: str | None) -> str | None:
    if text is None:
        return None
    if text.strip() not in INPUT_DTYPES:
        raise OptionError(f":input-dtype: {text!r} is not one of {', '.join(INPUT_DTYPES)}")
    return text.strip()


def _parse_timeout(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        raise OptionError(f":timeout: {text!r} must be a number of seconds") from None
    problem = timeout_problem(value)
    if problem:
        raise OptionError(f":timeout: {text!r} {problem}")
    return value
