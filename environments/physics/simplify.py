"""Simplified forms of law trees: what a law really is once its algebra is collapsed.

A mutated law can look composite and still be a plain power law: ``sqrt(C * m1 * m2 /
r**3)`` is ``C**0.5 * m1**0.5 * m2**0.5 * r**-1.5``. The ``newton-v2`` generator grades
difficulty on this simplified form (a "hard" law must not collapse to a monomial) and
redraws laws with a sign change inside, so the trees are converted to sympy here. The trees
are trusted (built in code, never parsed from text), so no untrusted string reaches sympy.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
import sympy

from discolab.environments.physics.tree import (
    Bin,
    Call,
    Const,
    Neg,
    Node,
    Num,
    Pow,
    Var,
    evaluate,
    positions,
)

__all__ = [
    "crosses_zero",
    "graded_acceptable",
    "input_exponents",
    "is_monomial",
    "simplified",
    "to_sympy",
]

_SYMPY_FUNCTIONS = {
    "sqrt": sympy.sqrt,
    "exp": sympy.exp,
    "log": sympy.log,
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "asin": sympy.asin,
    "atan": sympy.atan,
}


def _symbol(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, positive=True)


def to_sympy(node: Node) -> sympy.Expr:
    """``node`` as a sympy expression; inputs and hidden constants are positive symbols.

    Exponents are made rational (``1.3`` becomes ``13/10``) so that powers of powers
    combine exactly.
    """
    if isinstance(node, Num):
        return sympy.nsimplify(node.value, rational=True)
    if isinstance(node, Var | Const):
        return _symbol(node.name)
    if isinstance(node, Bin):
        left, right = to_sympy(node.left), to_sympy(node.right)
        ops = {"+": left + right, "-": left - right, "*": left * right}
        return ops[node.op] if node.op in ops else left / right
    if isinstance(node, Pow):
        return to_sympy(node.base) ** sympy.nsimplify(node.exponent, rational=True)
    if isinstance(node, Call):
        return _SYMPY_FUNCTIONS[node.fn](to_sympy(node.arg))
    if isinstance(node, Neg):
        return -to_sympy(node.arg)
    raise TypeError(f"not a law node: {node!r}")


def simplified(node: Node, *, full: bool = False) -> sympy.Expr:
    """The simplified law: powers denested, expanded over products and combined, and
    rational parts cancelled; ``full`` adds sympy's ``simplify`` (slow, for reports)."""
    expr = sympy.powdenest(to_sympy(node), force=True)
    expr = sympy.powsimp(sympy.expand_power_base(expr, force=True), force=True)
    expr = sympy.powsimp(sympy.cancel(expr), force=True)
    return sympy.simplify(expr) if full else expr


def is_monomial(node: Node, inputs: Collection[str] | None = None) -> bool:
    """True when the simplified law is a constant times a product of powers of inputs.

    ``inputs`` names the law's inputs; every other symbol is
    a hidden constant. Without it every symbol counts as an input.
    """
    expr = sympy.expand_power_base(simplified(node), force=True)
    for factor in sympy.Mul.make_args(expr):
        base, exponent = factor.as_base_exp()
        if factor.is_number or (inputs is not None and not _mentions_input(factor, inputs)):
            continue
        if not (isinstance(base, sympy.Symbol) and exponent.is_number):
            return False
    return True


def _mentions_input(expr: sympy.Expr, inputs: Collection[str]) -> bool:
    return any(str(s) in inputs for s in expr.free_symbols)


def crosses_zero(
    node: Node, columns: Mapping[str, np.ndarray], constants: Mapping[str, float]
) -> bool:
    """True when the law or any of its subterms changes sign over the sample ``columns``.

    A sign change inside (``m1 - m2``, ``sin(theta) + cos(theta)``) means the law has a
    zero, a pole or a kink on the domain that a squared or rooted outer form may hide.
    Subterms that are plain inputs or constants are skipped.
    """
    for _, sub in positions(node):
        if isinstance(sub, Var | Const | Num):
            continue
        values = evaluate(sub, columns, constants)
        values = values[np.isfinite(values)]
        if values.size and values.min() < 0.0 < values.max():
            return True
    return False


def input_exponents(node: Node, inputs: Collection[str]) -> dict[str, sympy.Expr] | None:
    """``{input: exponent}`` of a law whose simplified form is a monomial, else ``None``."""
    if not is_monomial(node, inputs):
        return None
    powers = sympy.expand_power_base(simplified(node), force=True).as_powers_dict()
    return {name: powers.get(_symbol(name), sympy.Integer(0)) for name in inputs}


def graded_acceptable(
    law_tree: Node,
    canonical_tree: Node,
    difficulty: str,
    inputs: Collection[str],
    columns: Mapping[str, np.ndarray],
    constants: Mapping[str, float],
) -> bool:
    """The ``newton-v2`` grading of a drawn variant on its simplified law.

    Every difficulty: no subterm changes sign on the domain (:func:`crosses_zero`).
    ``medium``: when both the variant and the canonical law simplify to monomials, at least
    two inputs have another exponent (two mutations that net one change are an easy law).
    ``hard``: the simplified law is not a monomial (a composite law that collapses to a
    power law is not hard).
    """
    if crosses_zero(law_tree, columns, constants):
        return False
    if difficulty == "hard":
        return not is_monomial(law_tree, inputs)
    if difficulty == "medium":
        mine, canonical = input_exponents(law_tree, inputs), input_exponents(canonical_tree, inputs)
        if mine is not None and canonical is not None:
            return sum(mine[n] != canonical[n] for n in inputs) >= 2
    return True
