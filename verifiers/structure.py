"""How a formula's free parameters enter it: linearly, as a pure scale, or nonlinearly.

The fit solves linear parameters exactly instead of searching for them, which is what makes
constants like G = 6.674e-11 come out to machine precision. The analysis reads the checked
syntax tree directly (a few microseconds) instead of differentiating the sympy form (tens of
milliseconds). It is conservative: a parameter is only called linear when the formula is
provably affine in it, so a wrong answer can only cost speed, never correctness.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass

from discolab.verifiers.expressions import ParsedExpression

NONLINEAR = math.inf


@dataclass(frozen=True)
class Roles:
    """How the free parameters of a formula enter it.

    Attributes:
        linear: parameters the formula is jointly affine in (solved exactly by least squares).
        nonlinear: the rest (searched numerically).
        scale: set when ``linear`` is a single parameter ``C`` and the formula is ``C * g`` or
            ``g / C`` with ``g`` free of ``C``; the fit then solves it in closed form.
        reciprocal: the scale enters as ``g / C``.
    """

    linear: tuple[str, ...]
    nonlinear: tuple[str, ...]
    scale: str | None = None
    reciprocal: bool = False


def polynomial_degree(node: ast.AST, names: frozenset[str]) -> float:
    """Total degree of ``node`` as a polynomial in ``names``; ``inf`` when it is not one.

    Other names count as constants. Division by anything involving ``names`` and functions of
    them are not polynomial.
    """
    if isinstance(node, ast.Expression):
        return polynomial_degree(node.body, names)
    if isinstance(node, ast.Name):
        return 1.0 if node.id in names else 0.0
    if isinstance(node, ast.Constant):
        return 0.0
    if isinstance(node, ast.UnaryOp):
        return polynomial_degree(node.operand, names)
    if isinstance(node, ast.Call):
        return 0.0 if all(polynomial_degree(a, names) == 0 for a in node.args) else NONLINEAR
    if isinstance(node, ast.BinOp):
        left = polynomial_degree(node.left, names)
        right = polynomial_degree(node.right, names)
        if isinstance(node.op, ast.Add | ast.Sub):
            return max(left, right)
        if isinstance(node.op, ast.Mult):
            return left + right
        if isinstance(node.op, ast.Div):
            return left if right == 0 else NONLINEAR
        if isinstance(node.op, ast.Pow):
            return _power_degree(node, left, right)
    return NONLINEAR


def _power_degree(node: ast.BinOp, base: float, exponent: float) -> float:
    if base == 0 and exponent == 0:
        return 0.0
    power = node.right
    if exponent == 0 and isinstance(power, ast.Constant) and isinstance(power.value, int):
        return base * power.value if power.value >= 0 else NONLINEAR
    return NONLINEAR


def product_factors(node: ast.AST, numerator: bool = True) -> list[tuple[ast.AST, bool]]:
    """The factors of a top-level product chain, each with whether it is in the numerator.

    ``a * b / (c * d)`` gives ``[(a, True), (b, True), (c, False), (d, False)]``; signs are
    dropped (they do not change which factors there are).
    """
    if isinstance(node, ast.Expression):
        return product_factors(node.body, numerator)
    if isinstance(node, ast.UnaryOp):
        return product_factors(node.operand, numerator)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return product_factors(node.left, numerator) + product_factors(node.right, numerator)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return product_factors(node.left, numerator) + product_factors(node.right, not numerator)
    return [(node, numerator)]


def _mentions(node: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))


def _scale_position(tree: ast.AST, name: str) -> bool | None:
    """True/False when ``name`` is a pure scale in the numerator/denominator, else None."""
    factors = product_factors(tree)
    direct = [up for f, up in factors if isinstance(f, ast.Name) and f.id == name]
    elsewhere = [f for f, _ in factors if not (isinstance(f, ast.Name) and f.id == name)]
    if len(direct) != 1 or any(_mentions(f, name) for f in elsewhere):
        return None
    return direct[0]


def parameter_roles(parsed: ParsedExpression) -> Roles:
    """Sort the parameters of ``parsed`` into jointly linear and nonlinear ones.

    Linear parameters are chosen greedily in ``parsed.parameters`` order, so in the redundant
    ``C1*C2*x`` the first is solved exactly and the second left to the search (it is flat).
    """
    tree = parsed.tree
    linear: list[str] = []
    for name in parsed.parameters:
        if polynomial_degree(tree, frozenset([*linear, name])) <= 1:
            linear.append(name)
    scale, reciprocal = None, False
    if len(linear) == 1 and _scale_position(tree, linear[0]) is True:
        scale = linear[0]
    if not linear:
        for name in parsed.parameters:
            if _scale_position(tree, name) is False:
                linear, scale, reciprocal = [name], name, True
                break
    nonlinear = tuple(p for p in parsed.parameters if p not in linear)
    return Roles(tuple(linear), nonlinear, scale, reciprocal)
