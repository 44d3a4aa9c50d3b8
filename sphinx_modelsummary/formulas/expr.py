"""Expressions: a parameter count in symbols, LaTeX and numbers at once.

Formula functions build their expression from :func:`symbol` values with
``+``, ``*`` and ``/``; one expression gives the text in symbols, the LaTeX,
the text with the numbers put in and the value, so the four cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..report import Formula, Shape, Term

_ATOM, _PRODUCT, _SUM = 0, 1, 2


class NotApplicable(ValueError):
    """Raised by a formula when the report lacks what it needs (a layer never called).

    The layer gets the exact fallback, and no disagreement is recorded: nothing was wrong.
    """


@dataclass(frozen=True)
class Expr:
    """An arithmetic expression over named symbols, kept in three notations at once."""

    text: str
    latex: str
    numbers: str
    value: int
    level: int = _ATOM

    def __add__(self, other: Expr | int) -> Expr:
        return _join([self, _expr(other)], " + ", " + ", _SUM, sum)

    def __radd__(self, other: int) -> Expr:
        return _expr(other) + self

    def __mul__(self, other: Expr | int) -> Expr:
        return _join([self, _expr(other)], "·", r" \cdot ", _PRODUCT, _product)

    def __rmul__(self, other: int) -> Expr:
        return _expr(other) * self

    def __truediv__(self, other: Expr | int) -> Expr:
        divisor = _expr(other)
        if divisor.value == 0 or self.value % divisor.value:
            raise ValueError(f"{self.numbers} is not divisible by {divisor.numbers}")

        def side(part: Expr, text: str, bracket_at: int) -> str:
            return f"({text})" if part.level >= bracket_at else text

        return Expr(
            text=side(self, self.text, _SUM) + "/" + side(divisor, divisor.text, _PRODUCT),
            latex=side(self, self.latex, _SUM) + "/" + side(divisor, divisor.latex, _PRODUCT),
            numbers=side(self, self.numbers, _SUM) + "/" + side(divisor, divisor.numbers, _PRODUCT),
            value=self.value // divisor.value,
            level=_PRODUCT,
        )


def symbol(text: str, value: int, latex: str | None = None) -> Expr:
    """A named quantity, e.g. ``symbol("c_in", 2048, "c_{in}")``."""
    return Expr(
        text=text, latex=latex if latex is not None else text, numbers=str(value), value=int(value)
    )


def product(factors: Iterable[Expr | int]) -> Expr:
    """The product of several factors (1 when there are none)."""
    result: Expr | None = None
    for factor in factors:
        result = _expr(factor) if result is None else result * factor
    return result if result is not None else _expr(1)


def term(name: str, shape: Iterable[int], trainable: bool = True) -> Term:
    """One weight the formula says the layer has, e.g. ``term("bias", (256,))``."""
    dims = tuple(int(dim) for dim in shape)
    return Term(name=name, shape=dims, value=_size(dims), trainable=trainable)


def make_formula(name: str, expression: Expr, terms: Iterable[Term]) -> Formula:
    """A formula from its expression and the weights it accounts for.

    Raises ValueError when the expression and the terms do not add up, so an
    inconsistent formula falls back instead of being shown.
    """
    terms = tuple(terms)
    total = sum(item.value for item in terms)
    if expression.value != total:
        raise ValueError(
            f"expression {expression.numbers} = {expression.value} but its terms sum to {total}"
        )
    return Formula(
        name=name,
        symbolic=expression.text,
        latex=expression.latex,
        substituted=expression.numbers,
        value=expression.value,
        trainable=sum(item.value for item in terms if item.trainable),
        non_trainable=sum(item.value for item in terms if not item.trainable),
        terms=terms,
    )


def as_expression(formula: Formula) -> Expr:
    """A formula as an expression that others build on (bracketed wherever it goes)."""
    return Expr(
        text=formula.symbolic,
        latex=formula.latex,
        numbers=formula.substituted,
        value=formula.value,
        level=_SUM,
    )


def _expr(value: Expr | int) -> Expr:
    if isinstance(value, Expr):
        return value
    number = int(value)
    return Expr(text=str(number), latex=str(number), numbers=str(number), value=number)


def _join(
    parts: list[Expr],
    separator: str,
    latex_separator: str,
    level: int,
    combine: Callable[[list[int]], int],
) -> Expr:
    """Join operands, bracketing those that bind more loosely than the operator."""

    def wrap(part: Expr, text: str) -> str:
        return f"({text})" if part.level > level else text

    return Expr(
        text=separator.join(wrap(p, p.text) for p in parts),
        latex=latex_separator.join(wrap(p, p.latex) for p in parts),
        numbers=separator.join(wrap(p, p.numbers) for p in parts),
        value=combine([p.value for p in parts]),
        level=level,
    )


def _product(values: list[int]) -> int:
    result = 1
    for value in values:
        result *= value
    return result


def _size(shape: Shape) -> int:
    return _product([int(dim) for dim in shape])
