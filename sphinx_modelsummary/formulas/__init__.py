"""Layer knowledge: why a layer has its parameters, how many MACs it costs, how it is drawn.

``expr`` is the expression type formulas are written in, ``registry`` holds
what is known per framework and layer class, ``toolkit`` is what a framework's
knowledge is declared with (the decorator, symbols, parts, shape helpers), and
one module per framework (``keras3``, ``tf_keras``, ``torch``) declares its
layers with it. A project adds its own layers with :func:`register`.
"""

from __future__ import annotations

# The names a project uses to register its own layers (and the tests to look inside).
from .expr import (  # noqa: F401
    Expr,
    NotApplicable,
    as_expression,
    make_formula,
    product,
    symbol,
    term,
)
from .registry import (  # noqa: F401
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
