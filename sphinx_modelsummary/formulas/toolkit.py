"""The toolkit every framework's layer-knowledge module is written with.

A knowledge module (``keras3``, ``tf_keras``, ``torch``) only declares its
layers: a :class:`Knowledge` bound to its framework registers each parts
function as the formula (and MAC rule and kind) of its classes. A formula is
written as :class:`Parts` (name, expression, terms) rather than a finished
:class:`~sphinx_modelsummary.report.Formula`, so a wrapper layer can build on
the parts of the layer it wraps. The helpers below name symbols and read the
shapes a layer was called with the same way in every framework.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from ..report import Formula, Layer, Shape, Term
from .expr import Expr, NotApplicable, as_expression, make_formula, product, symbol
from .registry import FormulaFunction, MacsFunction, Unknown, define, rule_of, rules

#: LaTeX of the symbols whose LaTeX is not their text (a subscript of several letters, a
#: word set in italics); every other symbol is written as it is.
LATEX = {
    "c_in": "c_{in}",
    "c_out": "c_{out}",
    "n_in": "n_{in}",
    "n_out": "n_{out}",
    "d_out": "d_{out}",
    "f_out": "f_{out}",
    "h_out": "h_{out}",
    "h_kv": "h_{kv}",
    "units": r"\mathit{units}",
    "input_dim": r"\mathit{input\_dim}",
    "output_dim": r"\mathit{output\_dim}",
    "scale": r"\mathit{scale}",
    "concat_score_weight": r"\mathit{concat\_score\_weight}",
}

#: The symbols of a convolution window's sizes, by its number of spatial dimensions.
KERNEL_SYMBOLS = {1: ("k",), 2: ("k_h", "k_w"), 3: ("k_d", "k_h", "k_w")}


class Parts(NamedTuple):
    """A formula before it becomes one: wrappers combine these."""

    name: str
    expression: Expr
    terms: tuple[Term, ...]


PartsFunction = Callable[[Layer], Parts]


@dataclass(frozen=True)
class PartsFormula:
    """A built-in formula: a parts function made into the registry's formula function.

    Wrappers see through it to the parts of the layer they wrap.
    """

    parts: PartsFunction

    def __call__(self, layer: Layer) -> Formula:
        return make_formula(*self.parts(layer))


class Knowledge:
    """One framework's layer knowledge, as its knowledge module declares it."""

    def __init__(self, framework: str) -> None:
        self.framework = framework

    def formula(
        self, *class_names: str, macs: MacsFunction | None = None, kind: str | None = None
    ) -> Callable[[PartsFunction], PartsFunction]:
        """Decorator: the parts function explains these classes (with their MACs and kind)."""

        def decorate(function: PartsFunction) -> PartsFunction:
            self.define(*class_names, formula=PartsFormula(function), macs=macs, kind=kind)
            return function

        return decorate

    def define(
        self,
        *class_names: str,
        formula: FormulaFunction | None = None,
        macs: MacsFunction | None = None,
        kind: str | None = None,
    ) -> None:
        """:func:`.registry.define` for this framework: what is not given is kept."""
        define(self.framework, *class_names, formula=formula, macs=macs, kind=kind)

    def take_over(self, other: Knowledge) -> None:
        """Every rule of the other framework holds here too, until this module replaces it."""
        for name, rule in rules(other.framework).items():
            self.define(name, formula=rule.formula, macs=rule.macs, kind=rule.kind)

    def parts_of(self, layer: Layer) -> Parts:
        """The parts of a wrapped layer, by the formula its class has now.

        A class a project registered a formula for is explained by that
        formula, so wrappers compose with a project's own layers too.
        """
        registered = rule_of(layer.class_name, self.framework).formula
        if registered is None:
            raise NotApplicable(f"no formula for the wrapped {layer.class_name}")
        if isinstance(registered, PartsFormula):
            return registered.parts(layer)
        formula = registered(layer)
        return Parts(formula.name, as_expression(formula), formula.terms)


# Symbols ---------------------------------------------------------------------------------


def sym(text: str, value: int) -> Expr:
    """The symbol ``text`` standing for ``value``, with its LaTeX from :data:`LATEX`."""
    return symbol(text, int(value), LATEX.get(text, text))


def kernel_window(sizes: Sequence[int]) -> Expr:
    """A convolution window ``k_h·k_w`` of the given kernel sizes."""
    return product(sym(name, size) for name, size in zip(KERNEL_SYMBOLS[len(sizes)], sizes))


def per_group(channels: Expr, groups: int) -> Expr:
    """``c/g``: the channels each group sees (the channels themselves without groups)."""
    return channels / sym("g", groups) if groups > 1 else channels


def times(count: int | Expr, expression: Expr) -> Expr:
    """``count·expression``, or the expression alone when the count is 1."""
    number = count.value if isinstance(count, Expr) else count
    return count * expression if number > 1 else expression


# Shapes the layer was called with ----------------------------------------------------------


def first_input_shape(layer: Layer) -> Shape:
    """The shape of the layer's first input at its first call."""
    if not layer.input_shapes:
        raise NotApplicable("the layer was never called, so its input shapes are unknown")
    return layer.input_shapes[0][0]


def dim(shape: Shape, axis: int) -> int:
    """One dimension a formula needs; NotApplicable when it is unknown (``None``)."""
    value = shape[axis]
    if value is None:
        raise NotApplicable(f"axis {axis} of input shape {shape} is unknown")
    return int(value)


def call_inputs(layer: Layer, call: int) -> tuple[Shape, ...]:
    """The shapes of the inputs of the layer's call number ``call`` (none when not recorded)."""
    return layer.input_shapes[call] if call < len(layer.input_shapes) else ()


def call_input(layer: Layer, call: int) -> Shape:
    """The shape of the first input of the layer's call number ``call``."""
    inputs = call_inputs(layer, call)
    if not inputs:
        raise Unknown("the layer's inputs were not recorded")
    return inputs[0]


def call_output(layer: Layer, call: int) -> Shape:
    """The shape of the first output of the layer's call number ``call``."""
    if call >= len(layer.output_shapes) or not layer.output_shapes[call]:
        raise Unknown("the layer's outputs were not recorded")
    return layer.output_shapes[call][0]


# MACs ----------------------------------------------------------------------------------------


def no_macs(layer: Layer, call: int) -> int:
    """Layers that move, mask, merge, look up, normalise or activate values: the papers'
    and torchvision's count has no multiply–accumulates for them."""
    return 0


def numel(shape: Shape, what: str) -> int:
    """Elements of the whole shape (batch included); Unknown if any dimension is None."""
    return _known_product(shape, shape, what)


def elements(shape: Shape, what: str) -> int:
    """Elements per sample of a shape (the batch dimension left out); Unknown if any is None."""
    return _known_product(shape[1:], shape, what)


def _known_product(dims: Shape, shape: Shape, what: str) -> int:
    if any(size is None for size in dims):
        raise Unknown(f"{what} {shape} has an unknown dimension; give :input-shape:")
    return math.prod(dims)
