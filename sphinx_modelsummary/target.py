"""Targets: the text that names a model builder, parsed without running anything.

``package.module:callable(32, padding="same")`` is parsed with :mod:`ast`; only
literal arguments are accepted, so a docs page can never make the build
evaluate code. A :class:`Target` knows nothing of Sphinx or of any framework.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from .errors import ModelSummaryError

#: The largest dimension of an input shape, and the most elements one input may have: larger
#: sizes overflow the integers the frameworks (and their C++ kernels) count sizes in.
MAX_DIMENSION = 2**31 - 1
MAX_ELEMENTS = 2**63 - 1


class TargetError(ModelSummaryError):
    """The target text is not a valid ``module:attribute[(literal args)]``."""


@dataclass(frozen=True)
class Target:
    """A parsed target; hashable, so it can key caches and compare equal across pages."""

    module: str
    attribute: str
    #: None when the attribute is used as it is (no parentheses in the text).
    args: tuple[Any, ...] | None = None
    kwargs: tuple[tuple[str, Any], ...] = ()

    @property
    def is_call(self) -> bool:
        return self.args is not None

    def kwargs_dict(self) -> dict[str, Any]:
        return dict(self.kwargs)

    def __str__(self) -> str:
        text = f"{self.module}:{self.attribute}"
        if self.args is None:
            return text
        parts = [repr(_thaw(arg)) for arg in self.args]
        parts += [f"{key}={_thaw(value)!r}" for key, value in self.kwargs]
        return f"{text}({', '.join(parts)})"


def parse_target(text: str) -> Target:
    """Parse ``module:attr`` or ``module:attr(args)``; raise :class:`TargetError` if malformed."""
    source = text.strip()
    if ":" not in source:
        raise TargetError(
            f"target {text!r} has no ':'; write it as 'package.module:builder' "
            "or 'package.module:builder(arg, key=value)'"
        )
    module, _, rest = source.partition(":")
    module = module.strip()
    rest = rest.strip()
    if not all(part.isidentifier() for part in module.split(".")):
        raise TargetError(f"target {text!r}: {module!r} is not a dotted module name")
    attribute, paren, call_text = rest.partition("(")
    attribute = attribute.strip()
    if not attribute.isidentifier():
        raise TargetError(
            f"target {text!r}: {attribute!r} is not a name (expected 'module:name' "
            "or 'module:name(args)')"
        )
    if not paren:
        return Target(module=module, attribute=attribute)
    args, kwargs = _parse_call_arguments(text, f"f({call_text}")
    return Target(module=module, attribute=attribute, args=args, kwargs=kwargs)


def _parse_call_arguments(
    text: str, call_source: str
) -> tuple[tuple[Any, ...], tuple[tuple[str, Any], ...]]:
    try:
        tree = ast.parse(call_source, mode="eval")
    except SyntaxError as error:
        raise TargetError(f"target {text!r}: the arguments do not parse ({error.msg})") from None
    call = tree.body
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
        raise TargetError(f"target {text!r}: expected one call like 'builder(1, key=2)'")
    args = []
    for node in call.args:
        if isinstance(node, ast.Starred):
            raise TargetError(f"target {text!r}: '*' arguments are not allowed")
        args.append(_literal(text, node))
    kwargs = []
    for keyword in call.keywords:
        if keyword.arg is None:
            raise TargetError(f"target {text!r}: '**' arguments are not allowed")
        kwargs.append((keyword.arg, _literal(text, keyword.value)))
    return tuple(args), tuple(kwargs)


def _literal(text: str, node: ast.expr) -> Any:
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        snippet = ast.unparse(node)
        raise TargetError(
            f"target {text!r}: argument {snippet!r} is not a literal; only numbers, strings, "
            "tuples, lists, dicts, True, False and None are allowed (nothing is evaluated)"
        ) from None
    return _freeze(value)


def _freeze(value: Any) -> Any:
    """Make literal containers hashable so a Target can key a dict."""
    if isinstance(value, list):
        return ("__list__", tuple(_freeze(item) for item in value))
    if isinstance(value, dict):
        return ("__dict__", tuple((_freeze(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, set):
        return ("__set__", tuple(sorted((_freeze(item) for item in value), key=repr)))
    if isinstance(value, tuple):
        return tuple(_freeze(item) for item in value)
    return value


def _thaw(value: Any) -> Any:
    """Undo :func:`_freeze`: the builder gets back the lists and dicts the page wrote."""
    if isinstance(value, tuple):
        if len(value) == 2 and value[0] == "__list__":
            return [_thaw(item) for item in value[1]]
        if len(value) == 2 and value[0] == "__dict__":
            return {_thaw(k): _thaw(v) for k, v in value[1]}
        if len(value) == 2 and value[0] == "__set__":
            return {_thaw(item) for item in value[1]}
        return tuple(_thaw(item) for item in value)
    return value


def call_arguments(target: Target) -> tuple[list[Any], dict[str, Any]]:
    """The positional and keyword arguments to call the builder with."""
    args = [_thaw(arg) for arg in target.args or ()]
    kwargs = {key: _thaw(value) for key, value in target.kwargs}
    return args, kwargs


def parse_shape_spec(text: str) -> tuple[tuple[int | None, ...], ...]:
    """Parse an ``:input-shape:`` value into a tuple of shapes (one per model input).

    ``(None, 128, 3)`` is one input; ``[(None, 4), (None, 3)]`` is two.
    """
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise TargetError(
            f"input shape {text!r} is not a literal shape such as '(None, 128, 3)' "
            "or a list of them"
        ) from None
    if isinstance(value, tuple) and not any(isinstance(dim, tuple | list) for dim in value):
        shapes = [value]
    elif isinstance(value, list) and value and all(isinstance(i, (tuple, list)) for i in value):
        shapes = [tuple(item) for item in value]
    else:
        raise TargetError(
            f"input shape {text!r} must be a tuple like '(None, 128, 3)' or a list of tuples"
        )
    for shape in shapes:
        problem = _shape_problem(shape)
        if problem:
            raise TargetError(f"input shape {text!r}: {problem}")
    return tuple(tuple(shape) for shape in shapes)


def _shape_problem(shape: tuple[Any, ...]) -> str | None:
    """What is wrong with one input's shape (None when nothing is)."""
    if not shape:
        return "has no dimensions; write one per axis, such as (None, 128, 3)"
    elements = 1
    for dim in shape:
        if not _is_dim(dim):
            return f"dimension {dim!r} is not a positive integer or None"
        if dim is not None and dim > MAX_DIMENSION:
            return f"dimension {dim} is larger than {MAX_DIMENSION}"
        elements *= dim or 1
    if elements > MAX_ELEMENTS:
        return f"has {elements} elements, more than {MAX_ELEMENTS}"
    return None


def _is_dim(dim: Any) -> bool:
    return dim is None or (isinstance(dim, int) and not isinstance(dim, bool) and dim > 0)
