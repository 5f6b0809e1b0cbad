"""What a free parameter may be in a law, checked on the formula's canonical form.

A free parameter stands for a hidden physical constant, and hidden constants sit in a few
places: a scale (``C*m1*m2/r**2``), an additive constant (``I0*(C*cos(theta)**2 + C1)``), or a
coefficient of an input inside a function or a sum (``exp(-C*t)``, ``(k*m + C1*b/m**2)**2``).
They never sit in the *exponent of an input*: a fit that chooses the power of ``r`` has stated
the law's structure for the candidate. That position has many spellings — ``r**C1``,
``exp(C1*log(r))``, ``C1**log(r)``, ``sqrt(r)**C1``, ``exp(log(r)*sin(C1))``,
``exp(C1*(log(r*m) - log(m)))`` — and all of them are one thing once every power is read as
``exp(exponent * log(base))`` and logarithms of products are split (``expand_log(force)``):
a parameter and the logarithm of an input-dependent quantity multiplied together in an
exponent. The check below finds exactly that, on any spelling, by differentiation rather than
expansion (so ``exp((a + b + c)**10)`` costs no more than its tree):

    an exponent argument ``u`` is refused when ``d²u / (dp dL) != 0`` for a free parameter
    ``p`` and a logarithm ``L = log(g)`` of an input-dependent ``g``.

A base free of inputs is fine (``C1**t`` is ``exp(t*log(C1))``, a decay rate), and so is an
input in an exponent with no parameter attached (``r**m``).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy


@dataclass(frozen=True)
class PolicyVerdict:
    """Which parameters sit where a hidden constant cannot, and why.

    Attributes:
        exponent_parameters: parameters that act as the exponent of an input.
        reason: one sentence for reports; empty when the formula is within the policy.
    """

    exponent_parameters: tuple[str, ...]
    reason: str = ""

    @property
    def allowed(self) -> bool:
        return not self.exponent_parameters


def _input_logs(expr: sympy.Expr, inputs: frozenset[sympy.Symbol]) -> list[sympy.Expr]:
    return [a for a in expr.atoms(sympy.log) if a.free_symbols & inputs]


def _exponent_offenders(
    argument: sympy.Expr, inputs: frozenset[sympy.Symbol], params: frozenset[sympy.Symbol]
) -> set[sympy.Symbol]:
    """Parameters multiplied with the log of an input-dependent quantity in ``argument``."""
    used = argument.free_symbols & params
    if not used or not argument.free_symbols & inputs:
        return set()
    split = sympy.expand_log(argument, force=True)
    logs = _input_logs(split, inputs)
    if not logs:
        return set()
    stand_ins = {log: sympy.Dummy(f"L{k}") for k, log in enumerate(logs)}
    flat = split.xreplace(stand_ins)
    if flat.atoms(sympy.log) and _input_logs(flat, inputs):
        return set(used)  # a logarithm nested where no stand-in reaches: refuse conservatively
    offenders = set()
    for p in used:
        by_p = sympy.diff(flat, p)
        if by_p == 0:
            continue
        if any(sympy.diff(by_p, dummy) != 0 for dummy in stand_ins.values()):
            offenders.add(p)
    return offenders


def _exponent_arguments(expr: sympy.Expr) -> list[sympy.Expr]:
    """Every exponent of the tree, as the argument ``u`` of ``exp(u)``."""
    found = []
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.exp):
            found.append(node.args[0])
        elif isinstance(node, sympy.Pow) and not node.exp.is_Number:
            found.append(node.exp * sympy.log(node.base))
    return found


def check_parameter_policy(
    expr: sympy.Expr, inputs: frozenset[str], parameters: frozenset[str]
) -> PolicyVerdict:
    """The parameters of ``expr`` that sit in the exponent of an input (see module doc)."""
    input_symbols = frozenset(s for s in expr.free_symbols if s.name in inputs)
    param_symbols = frozenset(s for s in expr.free_symbols if s.name in parameters)
    if not param_symbols or not input_symbols:
        return PolicyVerdict(())
    offenders: set[sympy.Symbol] = set()
    for argument in _exponent_arguments(expr):
        offenders |= _exponent_offenders(argument, input_symbols, param_symbols)
    if not offenders:
        return PolicyVerdict(())
    names = tuple(sorted((s.name for s in offenders), key=lambda n: (len(n), n)))
    reason = (
        f"free parameter(s) {', '.join(names)} set the power of an input (an exponent left to "
        "the fit, however it is spelled); state the exponent as a number"
    )
    return PolicyVerdict(names, reason)
