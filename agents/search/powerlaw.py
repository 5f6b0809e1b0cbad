"""Log-linear regression with exponents snapped to simple rationals.

For each feature set (see :mod:`features`) the stage fits ``log|y|`` by least squares, then
tries every combination of nearby simple exponents (see :func:`snap_options`: the simplest
rational within three standard errors, the nearest integer, halves, thirds and quarters; zero
drops the factor) with the intercept and the exponential coefficients refitted in closed form. All
combinations are scored at once with matrix algebra, so hundreds cost microseconds. Rather than
accept or reject a snap with a threshold, every good combination becomes a :class:`Solution`
and the Pareto front plus the parsimonious pick decide; the verifier refits only ``C`` params,
so exponents must come out exact.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Sequence

import numpy as np

from discolab.agents.search.data import Dataset, scale_and_loss
from discolab.agents.search.expr import (
    Node,
    binary,
    evaluate,
    func,
    name_params,
    param,
    power,
    product,
    special_exponents,
)
from discolab.agents.search.features import Feature
from discolab.agents.search.front import Solution

logger = logging.getLogger(__name__)

DENOMINATORS = (1, 2, 3, 4, 5, 6, 7, 8, 10, 12)
"""Denominators of the rationals an exponent may snap to, simplest first."""

SPECIAL_EXPONENTS = special_exponents()
"""Irrational exponents offered when the data allow them (see :func:`expr.closed_forms`)."""

MAX_EXPONENT = 6.0
"""Snapped exponents are kept within ±MAX_EXPONENT."""

MIN_TOLERANCE = 1e-6
"""Smallest snapping tolerance: round-off on noise-free data never blocks an exact snap."""

MAX_TOLERANCE = 0.2
"""Largest snapping tolerance, used when the data cannot estimate the exponent's error."""

PRECISE = 1e-4
"""Below this uncertainty the free estimate itself, to the digits the data support, is also
offered: an exponent no simple number explains is then still stated to within the noise."""


def snap_options(value: float, tolerance: float = MAX_TOLERANCE) -> list[float]:
    """Exponents to try for a free estimate ``value`` whose uncertainty is ``tolerance``.

    Offered: the nearest integer (so a factor can be dropped or lose its power); the rational
    with the smallest denominator within ``tolerance`` (Occam: 1.5 before 1.4; 2.6 or 3/7 when
    nothing simpler fits); the nearest multiple of 1/2, 1/3 and 1/4 within 0.15 (robust when the
    tolerance is underestimated); irrational closed forms (``e``, ``pi``, ``sqrt(2)``,
    ``e + 1/2`` ...) within ``tolerance``; the nearest hundredth as a fallback; and, when the
    data pin the exponent down (``tolerance`` below :data:`PRECISE`), the estimate rounded to
    the digits the tolerance supports.
    """
    tolerance = min(max(tolerance, MIN_TOLERANCE), MAX_TOLERANCE)
    raw: list[float] = [float(round(value))]
    for d in DENOMINATORS:
        v = round(value * d) / d
        if abs(v - value) <= tolerance:
            raw.append(v)
            break
    for d in (2, 3, 4):
        v = round(value * d) / d
        if abs(v - value) <= 0.15:
            raw.append(v)
    raw.extend(c for c in SPECIAL_EXPONENTS if abs(c - value) <= tolerance)
    raw.append(round(value, 2))
    if tolerance < PRECISE:
        digits = min(math.ceil(-math.log10(tolerance)) + 1, 12)
        raw.append(round(value, digits))
    options: list[float] = []
    for v in raw:
        v = float(max(-MAX_EXPONENT, min(MAX_EXPONENT, v)))
        if not any(abs(v - o) < 1e-12 for o in options):
            options.append(v)
    return options


def exponent_errors(design: np.ndarray, z: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """Standard errors of the least-squares coefficients (``inf`` without spare points)."""
    resid = z - design @ coef
    rank = np.linalg.matrix_rank(design)
    dof = design.shape[0] - rank
    if dof <= 0:
        return np.full(design.shape[1], np.inf)
    sigma2 = float(resid @ resid) / dof
    cov = sigma2 * np.linalg.pinv(design.T @ design)
    return np.sqrt(np.clip(np.diag(cov), 0.0, None))


def _orthonormal_basis(columns: np.ndarray) -> np.ndarray:
    """Orthonormal basis of the span of ``columns`` (n x k), rank-revealing."""
    q, r = np.linalg.qr(columns)
    keep = np.abs(np.diag(r)) > 1e-10 * max(1.0, float(np.abs(r).max(initial=0.0)))
    return q[:, keep]


def _standardise(block: np.ndarray) -> np.ndarray:
    """Columns scaled to unit spread (the fit is scale-invariant; this keeps it well-posed)."""
    spread = block.std(axis=0)
    spread[spread == 0] = 1.0
    return (block - block.mean(axis=0)) / spread


def fit_feature_set(
    data: Dataset,
    features: Sequence[Feature],
    keep_per_set: int = 6,
    max_combos: int = 4096,
    by_dropped: bool = True,
) -> list[Solution]:
    """Solutions from one feature set: the best snapped exponent combinations.

    ``keep_per_set`` bounds how many combinations by loss are turned into solutions, on top of
    (when ``by_dropped``) the best combination for each count of dropped factors, which feeds
    the simple end of the front. ``max_combos`` caps the enumeration; beyond it only the two
    nearest snaps of each exponent are tried.
    """
    if not data.log_mode or data.n == 0:
        return []
    z = data.log_abs_y
    powers = [f for f in features if not f.linear]
    linears = [f for f in features if f.linear]
    n = data.n
    p_block = np.column_stack([f.column for f in powers]) if powers else np.zeros((n, 0))
    l_block = np.column_stack([f.column for f in linears]) if linears else np.zeros((n, 0))
    design = np.column_stack([np.ones(n), _standardise(p_block), _standardise(l_block)])
    coef, *_ = np.linalg.lstsq(design, z, rcond=None)
    p_spread = p_block.std(axis=0) if powers else np.zeros(0)
    p_spread[p_spread == 0] = 1.0
    free = coef[1 : 1 + len(powers)] / p_spread
    if not np.all(np.isfinite(free)):
        return []
    errors = exponent_errors(design, z, coef)[1 : 1 + len(powers)] / p_spread
    options = [snap_options(a, 3.0 * e) for a, e in zip(free, errors, strict=True)]
    if math.prod(len(o) for o in options) > max_combos:
        pairs = zip(options, free, strict=True)
        options = [sorted(o, key=lambda v, a=a: abs(v - a))[:2] for o, a in pairs]
    combos = np.array(list(itertools.product(*options)), dtype=float)
    if not powers:
        combos = np.zeros((1, 0))
    basis = _orthonormal_basis(np.column_stack([np.ones(n), l_block]))
    targets = z[None, :] - combos @ p_block.T
    resid = targets - (targets @ basis) @ basis.T
    losses = np.sqrt(np.mean(resid**2, axis=1))
    chosen = set(np.argsort(losses, kind="stable")[:keep_per_set].tolist())
    zeros = (combos == 0).sum(axis=1)
    for k in np.unique(zeros) if by_dropped else ():
        idx = np.flatnonzero(zeros == k)
        chosen.add(int(idx[np.argmin(losses[idx])]))
    solutions = []
    for i in sorted(chosen):
        sol = _solution(data, powers, linears, combos[i], targets[i], l_block, float(losses[i]))
        if sol is not None:
            solutions.append(sol)
    return solutions


def _solution(
    data: Dataset,
    powers: Sequence[Feature],
    linears: Sequence[Feature],
    exponents: np.ndarray,
    target: np.ndarray,
    l_block: np.ndarray,
    loss: float,
) -> Solution | None:
    """Refit the exponential coefficients for one combination and build its tree.

    The loss is recomputed on the built formula, which also rejects sign patterns the formula
    cannot produce (a fractional power of an input that takes negative values).
    """
    design = np.column_stack([np.ones(data.n), l_block])
    coef, *_ = np.linalg.lstsq(design, target, rcond=None)
    if not np.all(np.isfinite(coef)):
        return None
    factors = [
        (_magnitude(f) if a != round(a) else f.base, float(a))
        for f, a in zip(powers, exponents, strict=True)
        if a != 0
    ]
    for f, b in zip(linears, coef[1:], strict=True):
        factors.append((func("exp", binary("mul", param(float(b)), f.base)), 1.0))
    scale, loss = scale_and_loss(data, evaluate(power_product(None, factors), data.columns))
    if not (math.isfinite(scale) and math.isfinite(loss)):
        return None
    expr = name_params(power_product(param(scale), factors))
    return Solution(expr, loss, origin="powerlaw")


def _magnitude(feature: Feature) -> Node:
    """``abs(base)`` for a feature that takes negative values (fractional powers need it)."""
    return func("abs", feature.base) if feature.signed else feature.base


def power_product(scale: Node | None, factors: Sequence[tuple[Node, float]]) -> Node:
    """``scale · Π base**exponent`` written as a readable fraction.

    Negative exponents go to the denominator; bases sharing the same non-unit exponent are
    grouped inside one power, so ``q1**1.5*q2**1.5`` reads ``(q1*q2)**1.5``.
    """
    groups: dict[float, list[Node]] = {}
    for base, a in factors:
        groups.setdefault(a, []).append(base)
    numerator: list[Node] = [] if scale is None else [scale]
    denominator: list[Node] = []
    for a, bases in groups.items():
        side = numerator if a > 0 else denominator
        if abs(a) == 1:
            side.extend(bases)
        else:
            side.append(power(product(bases), abs(a)))
    top = product(numerator)
    return binary("div", top, product(denominator)) if denominator else top
