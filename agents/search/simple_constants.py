"""Simple inner constants: state ``C*(exp(C1*x) + C2*exp(C3*x))`` with ``C2 = 1`` as
``C*(exp(C1*x) + exp(C3*x))``.

Stages fit every inner constant freely, so a law whose inner constant is a simple number
(a sum of two equal terms, a difference, a coefficient of one half) comes out with a
parameter the law does not have. A formula with fewer free parameters is the better
statement of a law (and a judge that caps parameters by the law's constants rejects the
other), so the picked formula's inner constants are tried, one at a time, at the nearest
simple values (integers, halves, thirds, quarters up to 12 in size), the rest refitted; a
value is kept when the loss stays within the pick's tolerance. The outer scale is never
fixed: it is the one constant every law may keep free.
"""

from __future__ import annotations

import math
from dataclasses import replace

from discolab.agents.search.constants import polish_full
from discolab.agents.search.data import Dataset
from discolab.agents.search.expr import Node, binary, literal_cost, name_params, num
from discolab.agents.search.front import Solution
from discolab.agents.search.treeops import Path, get, paths, put, simplify

DENOMINATORS = (1, 2, 3, 4)
"""Denominators of the simple values tried."""

MAX_VALUE = 12.0
"""Largest magnitude of a simple value."""

ROUND_OFF = 1e-9
"""Loss increase allowed on noise-free data (float round-off of a refit)."""

RELATIVE_REACH = 0.05
"""Only values within this relative distance of the fitted constant (or 0.05 absolute for
small constants) are tried."""


SCALING = frozenset({"mul", "div", "pow", "sqrt"})
"""Operators through which a factor of an operand is a factor of the result: a constant
reached from the root through these only rescales the whole formula (``C*f``, ``f/C``,
``sqrt(C*f)``, ``1/(C*f)**2``)."""


def _scale_paths(expr: Node) -> set[Path]:
    """Paths of parameters that only rescale the whole formula (see :data:`SCALING`)."""
    out: set[Path] = set()
    stack: list[tuple[Node, Path]] = [(expr, ())]
    while stack:
        node, path = stack.pop()
        if node.op == "param":
            out.add(path)
        elif node.op in SCALING:
            stack.extend((c, (*path, i)) for i, c in enumerate(node.args))
    return out


def simple_values(value: float) -> list[float]:
    """Simple numbers near ``value``, simplest first (zero is never offered: it would drop a
    term, which is a different law)."""
    reach = RELATIVE_REACH * max(abs(value), 1.0)
    found = set()
    for d in DENOMINATORS:
        v = round(value * d) / d
        if v != 0 and abs(v) <= MAX_VALUE and abs(v - value) <= reach:
            found.add(v)
    return sorted(found, key=lambda v: (literal_cost(v), abs(v - value)))


def _tidy(node: Node) -> Node:
    """``a + -1*b`` as ``a - b`` and ``a - -1*b`` as ``a + b``, then :func:`simplify`."""
    if node.args:
        node = replace(node, args=tuple(_tidy(c) for c in node.args))
    if node.op in ("add", "sub") and node.args[1].op == "mul":
        left, right = node.args[1].args
        if left.op == "num" and left.value == -1:
            return binary("sub" if node.op == "add" else "add", node.args[0], right)
    return node


CHI2_99 = 6.63
"""99% quantile of chi-square with one degree of freedom: fixing a constant that is truly
simple raises the sum of squares by about one noise variance, rarely by more than this many."""


def simplify_constants(data: Dataset, solution: Solution, limit: float) -> Solution:
    """``solution`` with as many inner constants fixed to simple values as keep its loss at
    or below ``limit``; the solution itself when none can be fixed.

    Each fixed constant must also keep the loss within ``sqrt(1 + CHI2_99/n)`` of the loss
    before it (plus round-off), so under noise a constant is only fixed where the data
    cannot tell the simple value from the fitted one.
    """
    if not data.log_mode:
        return solution
    current = solution
    tried: set[str] = set()
    while True:
        expr = current.expr
        scale = _scale_paths(expr)
        inner = [p for p in paths(expr) if get(expr, p).op == "param" and p not in scale]
        best: Solution | None = None
        for path in inner:
            for value in simple_values(get(expr, path).value):
                trial = simplify(_tidy(put(expr, path, num(value))))
                key = repr(trial)
                if key in tried:
                    continue
                tried.add(key)
                fitted, loss = polish_full(data, trial)
                step = current.loss * math.sqrt(1 + CHI2_99 / data.n) + ROUND_OFF
                ok = math.isfinite(loss) and loss <= min(limit, step)
                if ok and (best is None or loss < best.loss):
                    best = Solution(name_params(fitted), loss, origin=current.origin)
                if best is not None:
                    break
            if best is not None:
                break
        if best is None:
            return current
        current = best
