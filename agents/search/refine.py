"""Exponent refinement: free the fixed exponents of a near-miss formula, fit, then snap.

The other stages draw exponents from small grids (``k/m**1.5``, ``exp(C1*t**1.5)``,
``(...)**1.5``). A law whose exponents fall between grid points (``k/m**0.7`` inside a square
root, ``b/m**2.4``, ``exp(-C*t**1.7)``) then comes out with the right structure but the wrong
numbers, or not at all. Refinement takes a finished formula, turns every exponent into a free
number (bare positive inputs get an exponent 1 that may move, so ``sin(theta)`` may become
``sin(theta**0.5)``), fits exponents and constants together by least squares on the log loss,
and then fixes the exponents one at a time to simple values (:func:`powerlaw.snap_options`),
refitting the rest after each choice. The simplest value that keeps the loss within a small
tolerance wins, so a structure that was right up to its exponents becomes exact, and one that
was wrong gains nothing the pick would prefer.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from scipy.optimize import least_squares

from discolab.agents.search.constants import direct_loss, polish_full
from discolab.agents.search.data import Dataset
from discolab.agents.search.expr import Node, evaluate, literal_cost, name_params, num, power
from discolab.agents.search.front import Solution
from discolab.agents.search.powerlaw import snap_options
from discolab.agents.search.treeops import Path, get, paths, put, simplify

logger = logging.getLogger(__name__)

MAX_SLOTS = 8
"""Formulas with more free exponents than this are not refined (too slow, too loose)."""

SNAP_SLACK = 1.1
"""A simpler exponent is kept when its refitted loss is within this factor of the best option."""

PENALTY = 1e3
"""Residual of a point where the formula is invalid (NaN, wrong sign)."""


def _open(expr: Node, data: Dataset) -> Node:
    """``expr`` with every bare positive input ``x`` written ``x**1``, so its exponent can move."""

    def rebuild(node: Node, under_pow: bool) -> Node:
        if node.op == "var":
            if not under_pow and data.positive(node.name):
                return Node("pow", (node,), value=1.0)
            return node
        if not node.args:
            return node
        args = tuple(rebuild(c, node.op == "pow") for c in node.args)
        return replace(node, args=args)

    return rebuild(expr, False)


class _Model:
    """A formula whose parameters and selected exponents are one vector of unknowns."""

    def __init__(self, data: Dataset, expr: Node, free: Sequence[Path]) -> None:
        self.data = data
        self.expr = expr
        self.params = [p for p in paths(expr) if get(expr, p).op == "param"]
        self.free = list(free)

    def vector(self) -> np.ndarray:
        return np.array([get(self.expr, p).value for p in (*self.params, *self.free)], float)

    def tree(self, theta: np.ndarray) -> Node:
        """The formula with the unknowns set to ``theta``, rebuilt in one pass."""
        values = dict(zip((*self.params, *self.free), (float(v) for v in theta), strict=True))

        def rebuild(node: Node, path: Path) -> Node:
            args = tuple(rebuild(c, (*path, i)) for i, c in enumerate(node.args))
            value = values.get(path, node.value)
            if args == node.args and value == node.value:
                return node
            return replace(node, args=args, value=value)

        return rebuild(self.expr, ())

    def residuals(self, theta: np.ndarray) -> np.ndarray:
        values = evaluate(self.tree(theta), self.data.columns)
        with np.errstate(all="ignore"):
            resid = self.data.log_abs_y - np.log(np.abs(values))
        bad = ~np.isfinite(resid) | (np.sign(values) != self.data.sign)
        return np.where(bad, PENALTY, resid)

    def fit(self, max_nfev: int) -> tuple[Node, float]:
        """Least-squares fit of all unknowns from the current values; never worse."""
        x0 = self.vector()
        start = direct_loss(self.data, evaluate(self.expr, self.data.columns))
        if x0.size == 0 or not np.all(np.isfinite(x0)) or self.data.n <= x0.size:
            return self.expr, start
        unit = np.where(x0 != 0, np.abs(x0), 1.0)
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                result = least_squares(
                    lambda u: self.residuals(x0 + unit * u),
                    np.zeros_like(x0),
                    method="trf",
                    x_scale="jac",
                    max_nfev=max_nfev,
                )
        except (ValueError, FloatingPointError, np.linalg.LinAlgError) as exc:
            logger.debug("refinement fit failed for %s: %s", self.expr, exc)
            return self.expr, start
        fitted = self.tree(x0 + unit * result.x)
        loss = direct_loss(self.data, evaluate(fitted, self.data.columns))
        if math.isfinite(loss) and (not math.isfinite(start) or loss < start):
            return fitted, loss
        return self.expr, start


def _options(value: float) -> list[float]:
    """Snap candidates for a fitted exponent, simplest (fewest digits, then nearest) first."""
    return sorted(snap_options(value), key=lambda v: (literal_cost(v), abs(v - value)))


def _close(expr: Node) -> Node:
    """Fixed exponents written plainly: ``x**1`` is ``x``, ``x**0`` is ``1``; then simplified."""

    def rebuild(node: Node) -> Node:
        if not node.args:
            return node
        args = tuple(rebuild(c) for c in node.args)
        if node.op == "pow":
            if node.value == 0:
                return num(1.0)
            return power(args[0], node.value)
        return replace(node, args=args)

    return simplify(rebuild(expr))


def refine(
    data: Dataset, solution: Solution, *, max_nfev: int = 150, snap_nfev: int = 40
) -> Solution | None:
    """``solution`` with its exponents refitted and snapped, or ``None`` when nothing improves.

    ``max_nfev`` bounds the joint fit, ``snap_nfev`` each refit after fixing one exponent.
    """
    if not data.log_mode or data.n < 6:
        return None
    expr = _open(solution.expr, data)
    slots = [p for p in paths(expr) if get(expr, p).op == "pow"]
    if not slots or len(slots) > MAX_SLOTS:
        return None
    fitted, free_loss = _Model(data, expr, slots).fit(max_nfev)
    if not free_loss < solution.loss:
        return None
    tol = free_loss * SNAP_SLACK + 1e-10
    remaining = sorted(slots, key=lambda p: _snap_distance(get(fitted, p).value))
    current = fitted
    while remaining:
        slot, remaining = remaining[0], remaining[1:]
        value = get(current, slot).value
        best: tuple[float, Node] | None = None
        for option in _options(value):
            trial = put(current, slot, replace(get(current, slot), value=option))
            trial, loss = _Model(data, trial, remaining).fit(snap_nfev)
            if best is None or loss < best[0]:
                best = (loss, trial)
            if loss <= tol:
                best = (loss, trial)
                break
        assert best is not None
        tol = max(tol, best[0] * SNAP_SLACK + 1e-10)
        current = best[1]
    closed, loss = polish_full(data, _close(current))
    if not (math.isfinite(loss) and loss < solution.loss):
        return None
    return Solution(name_params(closed), loss, origin=f"refine:{solution.origin}")


def fit_free(data: Dataset, expr: Node, max_nfev: int = 80) -> tuple[Node, float]:
    """Fit every parameter and every fixed exponent of the complete formula ``expr`` jointly
    on the log loss, from their current values; returns the tree and its loss, never worse.

    Used to fit templates whose exponents are unknown (``C*(x**a + C1)``) before
    :func:`refine` snaps them.
    """
    if not data.log_mode:
        return expr, math.inf
    slots = [p for p in paths(expr) if get(expr, p).op == "pow"]
    return _Model(data, expr, slots).fit(max_nfev)


def _snap_distance(value: float) -> float:
    """How far an exponent is from the nearest quarter (snapped first when close)."""
    return abs(value * 4 - round(value * 4)) / 4


def _structure(expr: Node) -> str:
    """The rendered tree with every exponent blanked: formulas that differ only in their
    exponents share a structure, and refining one of them is enough."""

    def blank(node: Node) -> Node:
        if not node.args:
            return replace(node, value=0.0) if node.op == "param" else node
        args = tuple(blank(c) for c in node.args)
        return replace(node, args=args, value=0.0 if node.op == "pow" else node.value)

    return repr(blank(expr))


def refine_best(
    data: Dataset,
    pool: Sequence[Solution],
    *,
    top: int = 4,
    extra: int = 2,
    max_size: int = 30,
) -> list[Solution]:
    """Refined versions of the most promising solutions of ``pool``.

    Candidates are the best solution of each origin (so one stage's many near-duplicates do
    not crowd out the others), by increasing loss, at most ``top``, then up to ``extra`` more
    of the lowest-loss solutions whose structure (exponents aside) differs from every one
    chosen so far (a right structure with a grid exponent often ranks below a wrong one that
    bends to the data); larger trees than ``max_size`` are skipped.
    """
    ranked = sorted(
        (s for s in pool if math.isfinite(s.loss) and s.complexity <= max_size),
        key=lambda s: (s.loss, s.complexity, s.source),
    )
    by_origin: dict[str, Solution] = {}
    for s in ranked:
        by_origin.setdefault(s.origin, s)
    chosen = sorted(by_origin.values(), key=lambda s: (s.loss, s.complexity, s.source))[:top]
    structures = {_structure(s.expr) for s in chosen}
    for s in ranked:
        if len(chosen) >= top + extra:
            break
        key = _structure(s.expr)
        if key not in structures:
            structures.add(key)
            chosen.append(s)
    out = []
    for s in chosen:
        refined = refine(data, s)
        if refined is not None:
            logger.debug(
                "refined %s (%.3g) -> %s (%.3g)", s.source, s.loss, refined.source, refined.loss
            )
            out.append(refined)
    return out
