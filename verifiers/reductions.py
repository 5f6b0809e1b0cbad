"""Simpler versions of a candidate formula, for the removability test of the law judge.

A term the fit switches off is a way of letting the data choose the law: ``law + (C1 - 1)*m1``
and ``law * exp((C1 - 1)*r)`` are the law when ``C1 = 1``, and ``C*(C1*f + (1 - C1)*g)`` is
whichever of ``f`` and ``g`` the data prefer. A candidate therefore only matches when no
simpler version of it matches too. The simpler versions are:

- every additive term of a sum that holds a free parameter, deleted (at any depth of the
  tree; a term without parameters too, since a huge fitted coefficient beside it switches it
  off: ``C*r*(1 + C1*r)`` with ``C1 = 1e18`` is ``C*C1*r**2``);
- every factor that holds a free parameter *and* an input, deleted (a factor free of inputs is
  a scale, and a redundant scale such as ``C1*C2`` changes nothing);
- every free parameter that sits in a sum (see :func:`_in_a_sum`), fixed at 0, 1 and -1.

They are built on the sympy form and written back in the safe formula syntax, so the judge
refits them with the same parser and fitter as any candidate; the text comes from trusted
sympy objects and never reaches ``eval``.
"""

from __future__ import annotations

from collections.abc import Iterator

import sympy
from sympy.printing.str import StrPrinter

FIXED_VALUES = (0, 1, -1)
"""Values a parameter is pinned to when testing whether the fit switched it off."""


class Unprintable(ValueError):
    """A sympy expression with no counterpart in the safe formula syntax (``I``, ``zoo``)."""


class _SafePrinter(StrPrinter):
    """Prints sympy expressions in the safe parser's syntax (``abs``, ``exp(1)``)."""

    def _print_Abs(self, expr: sympy.Abs) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_Exp1(self, expr: sympy.Expr) -> str:
        return "exp(1)"

    def _print_Float(self, expr: sympy.Float) -> str:
        return repr(float(expr))

    def _refuse(self, expr: sympy.Expr) -> str:
        raise Unprintable(f"{expr} has no real formula")

    _print_ImaginaryUnit = _refuse
    _print_ComplexInfinity = _refuse
    _print_Infinity = _refuse
    _print_NegativeInfinity = _refuse
    _print_NaN = _refuse


def to_formula(expr: sympy.Expr) -> str:
    """``expr`` in the safe formula syntax.

    Raises:
        Unprintable: the expression holds a non-real constant.
    """
    return _SafePrinter().doprint(expr)


def _is_scale(factor: sympy.Expr, inputs: frozenset[sympy.Symbol]) -> bool:
    return not factor.free_symbols & inputs


def _in_a_sum(expr: sympy.Expr, p: sympy.Symbol) -> bool:
    """Whether ``p`` occurs as (a factor of) a term of some sum in ``expr``.

    Only such parameters are pinned: a parameter that is a coefficient of a whole product,
    at any depth (``C*m1*m2/r**2``, ``asin(C*n1*sin(theta)/n2)``, ``exp(-C*t)``), is where a
    hidden constant sits, and one that fits to exactly 1 is an honest hedge; a parameter in a
    sum (``(C1 + r)/(1 + r)``, ``(C1*r + 1)/(r + 1)``, ``exp((C1 - 1)*r)``) can switch a piece
    on and off.
    """

    def walk(node: sympy.Basic, in_sum: bool) -> bool:
        if node == p:
            return in_sum
        if isinstance(node, sympy.Add):
            return any(walk(a, True) for a in node.args)
        if isinstance(node, sympy.Mul):
            return any(walk(a, in_sum) for a in node.args)
        if isinstance(node, sympy.Pow):
            return walk(node.base, in_sum) or walk(node.exp, False)
        return any(walk(a, False) for a in node.args)

    return walk(expr, False)


def reductions(
    expr: sympy.Expr, inputs: frozenset[str], parameters: frozenset[str]
) -> Iterator[tuple[str, sympy.Expr]]:
    """Every simpler version of ``expr`` with a description of what was removed."""
    input_symbols = frozenset(s for s in expr.free_symbols if s.name in inputs)
    param_symbols = frozenset(s for s in expr.free_symbols if s.name in parameters)
    seen: set[sympy.Expr] = {expr}
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Add) and node.free_symbols & param_symbols:
            for arg in node.args:  # ``1 + C1*r`` with a huge C1 switches the 1 off
                rest = sympy.Add(*(a for a in node.args if a is not arg))
                reduced = expr.xreplace({node: rest})
                if reduced not in seen:
                    seen.add(reduced)
                    yield f"without the term {arg}", reduced
        elif isinstance(node, sympy.Mul):
            for arg in node.args:
                if arg.free_symbols & param_symbols and not _is_scale(arg, input_symbols):
                    rest = sympy.Mul(*(a for a in node.args if a is not arg))
                    reduced = expr.xreplace({node: rest})
                    if reduced not in seen:
                        seen.add(reduced)
                        yield f"without the factor {arg}", reduced
    for p in sorted(param_symbols, key=lambda s: s.name):
        if not _in_a_sum(expr, p):
            continue
        for value in FIXED_VALUES:
            reduced = expr.xreplace({p: sympy.Integer(value)})
            if reduced not in seen:
                seen.add(reduced)
                yield f"with {p.name} = {value}", reduced
