"""Formulas: why each layer has the parameters it has.

A registry maps a layer class name to a function that explains the layer's
count from its config and input shapes. Every formula is checked against the
layer's real weights (total, trainable split, and the shape of every term); a
layer the registry does not know, or a formula that disagrees, gets the exact
fallback (the sum over its weight shapes), so the table is never wrong.

Formula functions build their expression from :func:`symbol` values with
``+``, ``*`` and ``/``; one expression gives the text in symbols, the LaTeX,
the text with the numbers put in and the value, so the four cannot disagree.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .report import Formula, Layer, ModelReport, Shape, Term

FormulaFunction = Callable[[Layer], Formula]

#: Layer class name → formula function. Extend it with :func:`register`.
REGISTRY: dict[str, FormulaFunction] = {}

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


def register(*class_names: str) -> Callable[[FormulaFunction], FormulaFunction]:
    """Decorator: explain layers of these classes with the decorated function."""

    def decorate(function: FormulaFunction) -> FormulaFunction:
        for name in class_names:
            REGISTRY[name] = function
        return function

    return decorate


def attach(report: ModelReport) -> ModelReport:
    """Give every layer with weights its formula, recording formulas that disagree."""
    layers = []
    disagreements = list(report.formula_disagreements)
    for layer in report.layers:
        if layer.is_container or not layer.weights:
            layers.append(layer)
            continue
        formula, problem = explain(layer)
        if problem:
            disagreements.append(problem)
        layers.append(dataclasses.replace(layer, formula=formula))
    return dataclasses.replace(
        report, layers=tuple(layers), formula_disagreements=tuple(disagreements)
    )


def explain(layer: Layer) -> tuple[Formula, str | None]:
    """The layer's formula and, when a named formula was wrong, why it was replaced."""
    function = REGISTRY.get(layer.class_name)
    if function is None:
        return fallback(layer), None
    try:
        formula = function(layer)
    except NotApplicable:
        return fallback(layer), None
    except Exception as error:  # noqa: BLE001 - a broken formula must not break the build
        return fallback(layer), f"{layer.path} ({layer.class_name}): formula failed: {error!r}"
    problem = _disagreement(formula, layer)
    if problem:
        return fallback(layer), f"{layer.path} ({layer.class_name}): {problem}"
    return formula, None


def _disagreement(formula: Formula, layer: Layer) -> str | None:
    """What the formula gets wrong about the layer's real weights, if anything."""
    real = sum(weight.size for weight in layer.weights)
    if formula.value != real:
        return f"formula gives {formula.value}, the weights hold {real}"
    real_trainable = sum(weight.size for weight in layer.weights if weight.trainable)
    if formula.trainable != real_trainable:
        return f"formula says {formula.trainable} trainable, the weights hold {real_trainable}"
    claimed = sorted((tuple(t.shape), t.trainable) for t in formula.terms)
    actual = sorted((tuple(w.shape), w.trainable) for w in layer.weights)
    if claimed != actual:
        return f"formula terms have shapes {claimed}, the weights have {actual}"
    return None


def fallback(layer: Layer) -> Formula:
    """The exact sum over the layer's weight shapes: always right, explains less."""
    terms = tuple(
        Term(name=w.name, shape=w.shape, value=w.size, trainable=w.trainable) for w in layer.weights
    )
    value = sum(term.value for term in terms)
    symbolic = " + ".join(_dims(term.shape, "·") for term in terms) or "0"
    substituted = " + ".join(f"{term.name} {_dims(term.shape, '×')}" for term in terms) or "0"
    latex = " + ".join(_dims(term.shape, r" \cdot ") for term in terms) or "0"
    return Formula(
        name="weights",
        symbolic=symbolic,
        latex=latex,
        substituted=substituted,
        value=value,
        trainable=sum(t.value for t in terms if t.trainable),
        non_trainable=sum(t.value for t in terms if not t.trainable),
        terms=terms,
        fallback=True,
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


def _dims(shape: tuple, separator: str) -> str:
    return separator.join(str(dim) for dim in shape) if shape else "1"


# The built-in formulas register themselves on import.
from . import formula_library  # noqa: E402, F401
