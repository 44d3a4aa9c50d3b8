"""Formulas: why each layer has the parameters it has.

A registry maps a layer class name to a function that explains the layer's
count from its config and input shapes. Every formula is checked against the
layer's real weights; a layer the registry does not know, or a formula that
disagrees, gets the exact fallback (the sum over its weight shapes), so the
table is never wrong.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from .report import Formula, Layer, ModelReport, Term

FormulaFunction = Callable[[Layer], Formula]

#: Layer class name → formula function. Extend it with :func:`register`.
REGISTRY: dict[str, FormulaFunction] = {}


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
    except (KeyError, IndexError, TypeError, ValueError) as error:
        return fallback(layer), f"{layer.path} ({layer.class_name}): formula failed: {error!r}"
    real = _own_weights_total(layer)
    if formula.value != real:
        return fallback(layer), (
            f"{layer.path} ({layer.class_name}): formula gives {formula.value}, "
            f"the weights hold {real}"
        )
    return formula, None


def fallback(layer: Layer) -> Formula:
    """The exact sum over the layer's weight shapes: always right, explains less."""
    terms = tuple(
        Term(name=w.name, shape=w.shape, value=w.size, trainable=w.trainable)
        for w in layer.weights
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


def _own_weights_total(layer: Layer) -> int:
    return sum(weight.size for weight in layer.weights)


def _dims(shape: tuple, separator: str) -> str:
    return separator.join(str(dim) for dim in shape) if shape else "1"
