"""Solutions, the Pareto front of (complexity, loss), and the parsimonious pick.

Every search stage produces :class:`Solution` values: a complete formula (outer scale included,
parameters named) with its loss on the data. The front keeps, for each complexity, the best
loss, and drops anything a simpler solution already beats. The *pick* is the simplest front
member whose loss is within a relative tolerance of the best loss: at noise 0 only exact laws
qualify, with noise it refuses to trade structure for fitting the noise.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from discolab.agents.search.expr import Node, render, size


@dataclass(frozen=True)
class Solution:
    """One formula found by the search.

    Attributes:
        expr: the full tree, parameters named ``C``, ``C1`` ... with their fitted values.
        loss: RMS log residual (or normalised RMS error for sign-changing data).
        origin: which stage found it (``powerlaw``, ``gp``), for logs and metadata.
        source: rendered formula, filled in automatically.
        complexity: rendered node count of ``expr`` (see :func:`expr.size`), filled in
            automatically.
        fitted: parameter name -> fitted value, filled in automatically.
    """

    expr: Node
    loss: float
    origin: str = ""
    source: str = field(init=False)
    complexity: int = field(init=False)
    fitted: Mapping[str, float] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "source", render(self.expr))
        object.__setattr__(self, "complexity", size(self.expr))
        fitted = {n.name: n.value for n in _params(self.expr)}
        object.__setattr__(self, "fitted", fitted)


def _params(node: Node) -> list[Node]:
    out: list[Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if n.op == "param":
            out.append(n)
        stack.extend(reversed(n.args))
    return out


def pareto_front(solutions: Iterable[Solution]) -> list[Solution]:
    """Non-dominated solutions sorted by complexity (loss strictly falls along the front).

    Duplicate sources keep the lower loss; invalid (non-finite) losses never enter.
    """
    best_by_source: dict[str, Solution] = {}
    for s in solutions:
        if not math.isfinite(s.loss):
            continue
        old = best_by_source.get(s.source)
        if old is None or s.loss < old.loss:
            best_by_source[s.source] = s
    ordered = sorted(best_by_source.values(), key=lambda s: (s.complexity, s.loss, s.source))
    front: list[Solution] = []
    for s in ordered:
        if not front or (s.loss < front[-1].loss and s.complexity > front[-1].complexity):
            front.append(s)
    return front


SMALL_SAMPLE_PENALTY = 6.0
"""On ``n`` points a simpler law may be worse by a factor ``sqrt(1 + 6/n)`` and still be picked:
with few points, extra terms fit the noise by roughly that much (an AIC-like allowance)."""


def pick(
    front: list[Solution], rel_tol: float = 0.1, abs_tol: float = 1e-9, n_points: int = 0
) -> int:
    """Index in ``front`` of the simplest solution whose loss is within tolerance of the best.

    The tolerance is ``best·max(1 + rel_tol, sqrt(1 + 6/n_points)) + abs_tol``: ``rel_tol`` is
    how much worse than the best loss a simpler law may be and still be preferred, the square
    root widens it on small samples, where extra structure fits noise more easily, and
    ``abs_tol`` is the floating-point floor that makes noise-free data work. ``-1`` when empty.
    """
    if not front:
        return -1
    threshold = pick_threshold(front, rel_tol, abs_tol, n_points)
    for i, s in enumerate(front):
        if s.loss <= threshold:
            return i
    return len(front) - 1


def pick_threshold(
    front: list[Solution], rel_tol: float = 0.1, abs_tol: float = 1e-9, n_points: int = 0
) -> float:
    """The loss up to which :func:`pick` accepts a solution (``inf`` for an empty front)."""
    if not front:
        return math.inf
    best = min(s.loss for s in front)
    factor = 1.0 + rel_tol
    if n_points > 0:
        factor = max(factor, math.sqrt(1.0 + SMALL_SAMPLE_PENALTY / n_points))
    return best * factor + abs_tol
