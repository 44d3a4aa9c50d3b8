"""The registry of layer knowledge: per framework, each layer class's formula, MACs and kind.

Each framework has one knowledge module in this package (the one its record in
``frameworks.py`` names) that fills the framework's table when it is first asked
for. A user's :func:`register` adds to or replaces entries, field by field, so
a user can give a formula without losing the built-in MAC count, or the other
way round.

Formulas are checked against the layer's real weights (total, trainable split,
and the shape of every term); a layer the registry does not know, or a formula
that disagrees, gets the exact fallback (the sum over its weight shapes), so
the table is never wrong. A layer with no MAC rule has unknown MACs, never 0.
"""

from __future__ import annotations

import dataclasses
import importlib
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..frameworks import NAMES, record_of
from ..report import Formula, Layer, ModelReport, Shape, Term
from .expr import NotApplicable

FormulaFunction = Callable[[Layer], Formula]
#: ``macs(layer, call)``: multiply–accumulates per sample of the layer's call number ``call``.
MacsFunction = Callable[[Layer, int], int]

#: The kinds a diagram colours boxes by.
KINDS = ("input", "conv", "dense", "norm", "pool", "merge", "recurrent", "attention", "other")


class Unknown(Exception):
    """A MAC count cannot be given: a size it needs is unknown, or no rule counts the class."""


@dataclass(frozen=True)
class Rule:
    """What the registry knows about one layer class; None where it knows nothing."""

    formula: FormulaFunction | None = None
    macs: MacsFunction | None = None
    kind: str | None = None


_RULES: dict[str, dict[str, Rule]] = {}
_LOADED: set[str] = set()


def rules(framework: str) -> dict[str, Rule]:
    """The framework's table, class name → rule (its knowledge module loads on first use)."""
    table = _RULES.setdefault(framework, {})
    if framework not in _LOADED:
        _LOADED.add(framework)
        if framework in NAMES:
            importlib.import_module(f"{__package__}.{record_of(framework).knowledge}")
    return table


def define(
    framework: str,
    *class_names: str,
    formula: FormulaFunction | None = None,
    macs: MacsFunction | None = None,
    kind: str | None = None,
) -> None:
    """Set what is given (formula, MACs, kind) for these classes; keep what is not."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    table = rules(framework)
    for name in class_names:
        old = table.get(name, Rule())
        table[name] = Rule(
            formula=formula or old.formula, macs=macs or old.macs, kind=kind or old.kind
        )


def register(
    *class_names: str,
    macs: MacsFunction | None = None,
    kind: str | None = None,
    framework: str | None = None,
) -> Callable[[FormulaFunction], FormulaFunction]:
    """Decorator: explain layers of these classes with the decorated function.

    ``macs(layer, call)`` gives their multiply–accumulates per sample too, and
    ``kind`` the diagram colour. Without ``framework`` the rule holds for every
    framework (a class name of your own is yours in all of them).
    """

    def decorate(function: FormulaFunction) -> FormulaFunction:
        for name in (framework,) if framework else NAMES:
            define(name, *class_names, formula=function, macs=macs, kind=kind)
        return function

    return decorate


def rule_of(class_name: str, framework: str) -> Rule:
    return rules(framework).get(class_name, Rule())


def attach(report: ModelReport) -> ModelReport:
    """Give every layer its MACs and kind, and every layer with weights its formula.

    Done where the model is built, so that the rules a project registers in
    its own modules (which run there) count.
    """
    layers = []
    disagreements = list(report.formula_disagreements)
    for layer in report.layers:
        if not layer.is_container:
            macs, reason = _layer_macs(layer, report.framework)
            kind = kind_of(layer.class_name, report.framework, layer.base_classes)
            layer = dataclasses.replace(layer, macs=macs, macs_unknown=reason, kind=kind)
        if layer.weights:  # a container's weights are its own, not its sublayers'
            formula, problem = explain(layer, report.framework)
            if problem:
                disagreements.append(problem)
            layer = dataclasses.replace(layer, formula=formula)
        layers.append(layer)
    return dataclasses.replace(
        report, layers=tuple(layers), formula_disagreements=tuple(disagreements)
    )


def explain(layer: Layer, framework: str = "keras") -> tuple[Formula, str | None]:
    """The layer's formula and, when a named formula was wrong, why it was replaced."""
    function = rule_of(layer.class_name, framework).formula
    if function is None:
        return _inherited(layer, framework), None
    try:
        formula = function(layer)
    except NotApplicable:
        return fallback(layer), None
    except Exception as error:  # noqa: BLE001 - a broken formula must not break the build
        return fallback(layer), f"{layer.path} ({layer.class_name}): formula failed: {error!r}"
    if not any(weight.trainable for weight in layer.weights):
        formula = _frozen(formula)
    problem = _disagreement(formula, layer)
    if problem:
        return fallback(layer), f"{layer.path} ({layer.class_name}): {problem}"
    return formula, None


def _inherited(layer: Layer, framework: str) -> Formula:
    """An unknown class explained by its nearest known base class, when that formula gives
    the real count (keras-hub's CachedMultiHeadAttention is a MultiHeadAttention)."""
    for base in layer.base_classes:
        function = rule_of(base, framework).formula
        if function is None:
            continue
        try:
            formula = function(dataclasses.replace(layer, class_name=base))
        except Exception:  # noqa: BLE001 - the subclass differs: not an error of ours
            break
        if _disagreement(formula, layer) is None:
            return formula
        break
    return fallback(layer)


def macs_of(layer: Layer, call: int, framework: str) -> int:
    """MACs per sample of one call of the layer; raises Unknown when they cannot be counted.

    A class without a rule of its own is counted by its nearest base class that has one."""
    count = None
    for name in (layer.class_name, *layer.base_classes):
        count = rule_of(name, framework).macs
        if count is not None:
            layer = dataclasses.replace(layer, class_name=name)
            break
    if count is None:
        raise Unknown(f"no MAC rule for {layer.class_name}")
    return int(count(layer, call))


def kind_of(class_name: str, framework: str, base_classes: Iterable[str] = ()) -> str:
    """The diagram kind: the class's rule (or its nearest base class's), else the knowledge
    module's name words, else other."""
    for name in (class_name, *base_classes):
        kind = rule_of(name, framework).kind
        if kind is not None:
            return kind
    for word_kind, names in _kind_words(framework):
        if any(name in class_name for name in names):
            return word_kind
    return "other"


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


def _layer_macs(layer: Layer, framework: str) -> tuple[int | None, str | None]:
    try:
        return sum(
            macs_of(layer, call, framework) for call in range(len(layer.output_shapes))
        ), None
    except Unknown as unknown:
        return None, str(unknown)
    except Exception as error:  # noqa: BLE001 - a broken MAC rule must not break the build
        return None, f"the MAC rule for {layer.class_name} failed: {error!r}"


def _kind_words(framework: str) -> Iterable[tuple[str, tuple[str, ...]]]:
    """The knowledge module's ``KIND_WORDS``: kinds of classes it has no rule for, by name."""
    if framework not in NAMES:
        return ()
    rules(framework)
    module = sys.modules[f"{__package__}.{record_of(framework).knowledge}"]
    return getattr(module, "KIND_WORDS", ())


def _frozen(formula: Formula) -> Formula:
    """The formula of a layer set not trainable: the same weights, none of them trained."""
    terms = tuple(dataclasses.replace(term, trainable=False) for term in formula.terms)
    return dataclasses.replace(
        formula, terms=terms, trainable=0, non_trainable=formula.trainable + formula.non_trainable
    )


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


def _dims(shape: Shape, separator: str) -> str:
    return separator.join(str(dim) for dim in shape) if shape else "1"
