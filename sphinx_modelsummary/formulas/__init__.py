"""Layer knowledge: why a layer has its parameters, how many MACs it costs, how it is drawn.

``expr`` is the expression type formulas are written in, ``registry`` holds
what is known per framework and layer class, and one module per framework
(``keras3``, ``tf_keras``, ``torch``) fills the registry for its layers. A
project adds its own layers with :func:`register`.
"""

from __future__ import annotations

from .expr import Expr, NotApplicable, as_expression, make_formula, product, symbol, term
from .registry import (
    KINDS,
    Rule,
    Unknown,
    attach,
    explain,
    fallback,
    kind_of,
    macs_of,
    register,
    rule_of,
    rules,
)

__all__ = [
    "KINDS",
    "Expr",
    "NotApplicable",
    "Rule",
    "Unknown",
    "as_expression",
    "attach",
    "explain",
    "fallback",
    "kind_of",
    "macs_of",
    "make_formula",
    "product",
    "register",
    "rule_of",
    "rules",
    "symbol",
    "term",
]
