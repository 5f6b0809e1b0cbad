"""A symbolic-regression model as a discolab formula whose fitted constants are free parameters.

Baselines (gplearn, Operon) return a model with numeric constants fitted to the data. To score
them like any submission, under the same judge that refits every free parameter, the model
is converted here into the project's formula syntax with its fitted constants replaced by
``C``, ``C1``, ``C2`` … The rule, applied the same way to every baseline:

1. The model is built as a sympy expression with its constants as floats. Inputs whose range
   is positive are positive symbols, so ``sqrt(abs(x))`` and ``log(abs(x))`` lose the ``abs``.
2. Constants are folded before they are freed, so that one fitted number becomes one
   parameter: sympy folds numbers within a product or a sum (``(-0.7*m1)/(-0.03*r)`` is
   ``23.3*m1/r``) and distributes a number over a sum; exponentials of sums are split
   (``exp(x + 3)`` is ``20.1*exp(x)``) and logs of products expanded (``log(3*x)`` is
   ``log(x) + 1.1``), so such constants merge with the scale and the offset.
3. A number that is an exponent (``x**1.2999``, also ``exp(1.3*log x)``, which sympy writes
   as ``x**1.3``) is structure, not a constant, and stays a literal: the judge does not let a
   fit choose an exponent (an exponent left to the fit has not stated the law), and the
   built-in proposer states its exponents too. Like the built-in's, it is snapped to the
   simplest of ``p/q`` with ``q <= 4``, ``±e``, ``±pi``, ``p/q`` with ``q`` up to 12 (the
   built-in's denominators), within :data:`EXPONENT_SNAP` (0.01; the built-in snaps within up to
   0.2 and lets its data choose), else kept as fitted.
4. Every other float becomes a free parameter, except a number within a relative 1e-9 of a
   non-zero integer ``n`` with ``|n| <= 10``, which stays. An exact zero drops its term; a
   tiny fitted number (``6.7e-11``) is a parameter. Structure-made numbers (``log a + log a``
   is ``2 log a``) are exact and stay. Parameters are named ``C``, ``C1``, ``C2`` … in the
   order the printed formula meets them.
5. The overall scale is always free, as for the built-in's laws: a formula that is not a
   product with a parameter factor (or a sum of such products) is multiplied by one, so a
   model whose fitted scale happened to be 1 or 2 is not held to that number.
6. A model that sympy turns complex or infinite (``log`` of a negative constant) cannot be
   exported: :class:`ExportError`.

Nothing here parses text with sympy: models are built node by node from the baseline's tree.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import sympy
from sympy.printing.str import StrPrinter

SIMPLE_INTEGER = 10
"""Largest ``|n|`` of an integer constant kept as a literal."""
LITERAL_TOLERANCE = 1e-9
"""Relative distance within which a fitted constant counts as a small integer."""
EXPONENT_SNAP = 0.01
"""Distance within which a fitted exponent is snapped to a simple number."""
DENOMINATORS = (1, 2, 3, 4, 5, 6, 7, 8, 10, 12)
"""Denominators an exponent may snap to, simplest first (the built-in search's)."""


class ExportError(ValueError):
    """The model has no real-valued formula (a complex or infinite constant, an unknown node)."""


@dataclass(frozen=True)
class Node:
    """One node of a baseline's model: a function with arguments, an input, or a constant.

    Attributes:
        name: ``add``, ``sub``, ``mul``, ``div``, ``neg``, ``inv``, ``pow``, ``square``,
            ``exp``, ``log``, ``sqrt``, ``sin``, ``cos``, ``tan``, ``abs``, ``const`` or ``var``.
        args: the arguments of a function.
        value: a constant's value; the weight of a ``var`` (Operon scales its inputs).
        feature: the input's index for ``var``.
    """

    name: str
    args: tuple[Node, ...] = ()
    value: float | None = None
    feature: int | None = None


_FUNCTIONS = {
    "exp": sympy.exp,
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "abs": sympy.Abs,
}


def to_sympy(
    node: Node,
    names: Sequence[str],
    *,
    positive: Collection[str] = (),
    log_inputs: Collection[str] = (),
    protected: bool = False,
) -> sympy.Expr:
    """The model as a sympy expression over ``names``, constants as floats.

    Args:
        node: the model's root.
        names: the task's input names, in feature order.
        positive: inputs whose declared range is positive.
        log_inputs: inputs the model saw as ``log(x)``.
        protected: gplearn's protected ``sqrt``/``log`` (of ``|x|``).

    Raises:
        ExportError: an unknown node or a feature index outside ``names``.
    """
    symbols = {
        n: sympy.Symbol(n, positive=True) if n in positive else sympy.Symbol(n) for n in names
    }

    def build(n: Node) -> sympy.Expr:
        if n.name == "const":
            return sympy.Float(float(n.value or 0.0))
        if n.name == "var":
            if n.feature is None or not 0 <= n.feature < len(names):
                raise ExportError(f"input index {n.feature!r} outside {list(names)}")
            name = names[n.feature]
            x = sympy.log(symbols[name]) if name in log_inputs else symbols[name]
            weight = 1.0 if n.value is None else float(n.value)
            return x if weight == 1.0 else sympy.Float(weight) * x
        args = [build(a) for a in n.args]
        arity = {"add": 2, "sub": 2, "mul": 2, "div": 2, "pow": 2}.get(n.name, 1)
        if len(args) != arity:
            raise ExportError(f"node {n.name!r} takes {arity} arguments, got {len(args)}")
        a = args[0]
        match n.name:
            case "add":
                return a + args[1]
            case "sub":
                return a - args[1]
            case "mul":
                return a * args[1]
            case "div":
                return a / args[1]
            case "pow":
                return a ** args[1]
            case "neg":
                return -a
            case "inv":
                return 1 / a
            case "square":
                return a**2
            case "sqrt":
                return sympy.sqrt(sympy.Abs(a) if protected else a)
            case "log":
                return sympy.log(sympy.Abs(a) if protected else a)
        if n.name in _FUNCTIONS:
            return _FUNCTIONS[n.name](a)
        raise ExportError(f"unknown model node {n.name!r}")

    return build(node)


def simple_literal(value: float, *, exponent: bool) -> sympy.Number | None:
    """The literal a fitted number stays as (rules 3 and 4), or None to free it.

    An exponent is always a literal: a simple number when near one, else the float.
    """
    if not math.isfinite(value):
        return None
    if value == 0.0:
        return sympy.Integer(0)
    nearest = round(value)
    if 0 < abs(nearest) <= SIMPLE_INTEGER and abs(value - nearest) <= LITERAL_TOLERANCE * abs(
        nearest
    ):
        return sympy.Integer(nearest)
    if not exponent:
        return None
    if abs(value) <= SIMPLE_INTEGER:
        for option in _exponent_options(value):
            if abs(value - float(option)) <= EXPONENT_SNAP:
                return option
    return sympy.Float(value)


def _exponent_options(value: float) -> list[sympy.Expr]:
    """Simple exponents near ``value``, simplest first: p/q for q up to 4, ±e, ±pi, then p/q
    for the larger denominators."""
    small = [q for q in DENOMINATORS if q <= 4]
    large = [q for q in DENOMINATORS if q > 4]
    rational = [sympy.Rational(round(value * q), q) for q in small]
    special = [sympy.E, -sympy.E, sympy.pi, -sympy.pi]
    return [*rational, *special, *(sympy.Rational(round(value * q), q) for q in large)]


class _FormulaPrinter(StrPrinter):
    """sympy's ``str`` spelled in the project's formula language (``abs``, ``exp(1)``)."""

    def _print_Abs(self, expr: sympy.Abs) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_Exp1(self, expr: sympy.Expr) -> str:
        return "exp(1)"

    def _print_Pi(self, expr: sympy.Expr) -> str:
        return "pi"


def formula_text(expr: sympy.Expr) -> str:
    """``expr`` printed in the project's formula syntax."""
    return _FormulaPrinter({"order": "none"}).doprint(expr)


def fold_constants(expr: sympy.Expr) -> sympy.Expr:
    """Rule 2: merge constants through exponentials of sums and logs of products."""
    expr = sympy.expand_power_exp(expr)
    return sympy.expand_log(expr)


def _has_free_scale(expr: sympy.Expr, params: set[sympy.Symbol]) -> bool:
    """Whether scaling ``expr`` is already a change of its parameters (rule 5)."""
    if expr.is_Add:
        return all(_has_free_scale(term, params) for term in expr.args)
    factors = expr.args if expr.is_Mul else (expr,)
    return any(f in params for f in factors)


def free_constants(expr: sympy.Expr, *, free_scale: bool = True) -> tuple[str, int]:
    """Rules 2–6: the formula text with fitted constants as ``C``, ``C1`` …, and their count.

    Raises:
        ExportError: the expression is complex, infinite or NaN somewhere (rule 6).
    """
    expr = fold_constants(expr)
    temporary: list[sympy.Symbol] = []

    def walk(e: sympy.Expr, exponent: bool) -> sympy.Expr:
        if e.is_Float:
            literal = simple_literal(float(e), exponent=exponent)
            if literal is not None:
                return literal
            temporary.append(sympy.Symbol(f"_P{len(temporary)}"))
            return temporary[-1]
        if e.is_Pow:
            return walk(e.base, False) ** walk(e.exp, True)
        if not e.args:
            return e
        return e.func(*(walk(a, False) for a in e.args))

    if expr.has(sympy.I, sympy.zoo, sympy.oo, -sympy.oo, sympy.nan):
        raise ExportError(f"the model is not real and finite: {expr}")
    freed = walk(expr, False)
    if free_scale and not _has_free_scale(freed, set(temporary)):
        temporary.append(sympy.Symbol(f"_P{len(temporary)}"))
        freed = temporary[-1] * freed.as_coeff_Mul()[1]  # the scale absorbs a literal factor
    if freed.has(sympy.I, sympy.zoo, sympy.oo, -sympy.oo, sympy.nan):
        raise ExportError(f"the model is not real and finite: {freed}")
    printer = _FormulaPrinter({"order": "none"})
    draft = printer.doprint(freed)

    def first_seen(symbol: sympy.Symbol) -> int:
        found = re.search(rf"{symbol.name}\b", draft)
        return found.start() if found else len(draft)

    used = sorted((s for s in temporary if s in freed.free_symbols), key=first_seen)
    names = {s: sympy.Symbol("C" if i == 0 else f"C{i}") for i, s in enumerate(used)}
    return printer.doprint(freed.xreplace(names)), len(used)
