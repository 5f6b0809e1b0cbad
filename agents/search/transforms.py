"""Output transforms: fit a simple law to ``g(y)`` and state it as a formula for ``y``.

Many laws that are not power laws become one after an invertible transform of the output:
Bose–Einstein occupation ``1/(exp(C*E/T) - 1)`` gives ``log(1 + 1/y) = C*E/T``, Fermi–Dirac
``log(1/y - 1)``, a refraction angle ``asin(n1*sin(t1)/n2)`` gives ``sin(y)``, and a damped
frequency ``sqrt(k/m - C*b**2/m**2)`` gives a two-term ``y**2``. For every transform whose
domain holds the data, the existing power-law or two-term stage runs on ``g(y)``; each member
of that inner Pareto front is wrapped by the inverse transform, its constants are refitted on
``y`` itself (:func:`constants.polish_full`), and it joins the main front with its loss on ``y``
(the same RMS log residual), so it survives only where it beats the direct fits.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from discolab.agents.search.budget import Budget
from discolab.agents.search.combos import screened_sets
from discolab.agents.search.constants import polish_full
from discolab.agents.search.data import Dataset, make_dataset
from discolab.agents.search.expr import Node, binary, func, name_params, num, power
from discolab.agents.search.features import angle_kind, build_library, feature_sets
from discolab.agents.search.front import Solution, pareto_front
from discolab.agents.search.powerlaw import fit_feature_set
from discolab.agents.search.refine import refine
from discolab.agents.search.sums import fit_three_terms
from discolab.agents.search.terms import fit_two_terms, two_term_screen
from discolab.agents.search.treeops import strip_scale
from discolab.types import Variable

logger = logging.getLogger(__name__)

WIDE_PAIR_EXPONENTS = (-3.0, -2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0, 3.0)
"""Two-input monomial exponents for the two-term fit of a transformed output."""


@dataclass(frozen=True)
class OutputTransform:
    """One invertible output transform.

    Attributes:
        name: short label, recorded as the solution's origin ``transform:<name>``.
        applies: whether the outputs lie in the transform's domain.
        forward: ``y -> g(y)``, applied to the data.
        inverse: tree of ``g`` -> tree of ``y``, applied to the inner formulas.
        stage: inner stage run on ``g``: ``powerlaw`` or ``terms``.
        family: transforms of one family are screened against each other and only the most
            promising few are fitted fully; ``""`` means always fitted.
    """

    name: str
    applies: Callable[[np.ndarray], bool]
    forward: Callable[[np.ndarray], np.ndarray]
    inverse: Callable[[Node], Node]
    stage: str
    family: str = ""


POWERS = (0.5, -0.5, -1.0, 2.0, -2.0, 1.5, -1.5, 3.0, 1.0 / 3.0)
"""Powers ``p`` of ``y = (sum of terms)**p``: simple rationals of both signs (a square root
of a damped oscillator, ``1/(a + b)`` of rational laws, ``(a + b)**-0.5`` of resonances);
refinement moves an outer power between them."""

OCCUPATION_POWERS = (1.0, 0.5, 1.5, 2.0, 3.0)
"""Powers ``|q|`` of ``y = (exp(g) + s)**q``, with both signs."""

OCCUPATION_SHIFTS = (-1.0, 1.0, -0.5, 0.5)
"""Shifts ``s`` of ``y = (exp(g) + s)**q``: Bose–Einstein ``-1``, Fermi–Dirac ``+1``, halves."""


def _positive(y: np.ndarray) -> bool:
    return bool(np.all(y > 0))


def _power_transform(p: float) -> OutputTransform:
    """``y = g**p`` with ``g`` a sum of monomials (``sqrt(k/m - C*b**2/m**2)``)."""

    def inverse(t: Node) -> Node:
        if p == 0.5:
            return func("sqrt", t)
        if p < 0:
            return binary("div", num(1.0), func("sqrt", t) if p == -0.5 else power(t, -p))
        return power(t, p)

    family = "" if p == 0.5 else "power"  # square roots are common enough to always fit
    return OutputTransform(
        f"power{p:g}", _positive, lambda y: np.power(y, 1.0 / p), inverse, "terms", family
    )


def _occupation(shift: float, q: float) -> OutputTransform:
    """``y = (exp(g) + shift)**q`` with ``g`` a power law: Bose–Einstein is ``shift = -1,
    q = -1`` (``1/(exp(C*E/T) - 1)``), Fermi–Dirac ``shift = +1, q = -1``."""
    op = "add" if shift > 0 else "sub"

    def inverse(t: Node) -> Node:
        occupied = binary(op, func("exp", t), num(abs(shift)))
        if q > 0:
            return power(occupied, q)
        return binary("div", num(1.0), power(occupied, -q))

    def forward(y: np.ndarray) -> np.ndarray:
        return np.log(np.power(y, 1.0 / q) - shift)

    name = f"occupation{shift:+g}^{q:+g}"
    return OutputTransform(name, _positive, forward, inverse, "powerlaw", "occupation")


def _inverse_trig(name: str, kind: str) -> OutputTransform:
    """``y = asin(g)``, ``acos(g)`` or ``atan(g)`` with ``g`` a power law; ``kind`` ``deg``
    states the angle in degrees (``180/pi*asin(g)``)."""
    to_rad = math.pi / 180 if kind == "deg" else 1.0
    forward = {"asin": np.sin, "acos": np.cos, "atan": np.tan}[name]
    right = math.pi / 2 / to_rad

    def applies(y: np.ndarray) -> bool:
        top = float(np.abs(y).max()) if y.size else 0.0
        if kind == "deg" and top <= math.pi / 2:
            return False  # small outputs read as radians
        if name == "acos":
            return bool(np.all((y > 0) & (y < 2 * right)))
        limit = np.abs(y) < right if name == "atan" else np.abs(y) <= right
        return bool(np.all((np.abs(y) > 0) & limit))

    def inverse(t: Node) -> Node:
        angle = func(name, t)
        return binary("mul", binary("div", num(180.0), num(math.pi)), angle) if kind else angle

    label = f"{name}-deg" if kind else name
    family = "" if (name != "atan" and not kind) else "inverse-trig"
    return OutputTransform(
        label, applies, lambda y: forward(y * to_rad), inverse, "powerlaw", family
    )


TRANSFORMS: tuple[OutputTransform, ...] = (
    *(
        _occupation(shift, sign * p)
        for sign in (-1.0, 1.0)
        for p in OCCUPATION_POWERS
        for shift in OCCUPATION_SHIFTS
    ),
    *(_power_transform(p) for p in POWERS),
    *(_inverse_trig(name, kind) for kind in ("", "deg") for name in ("asin", "acos", "atan")),
)
"""The transforms tried; the occupation, power and inverse-trig families are screened first."""

SCREEN_KEEP = {"occupation": 3, "power": 2, "inverse-trig": 2}
"""How many transforms of each family are fitted fully after screening."""

ANCHORS = 3
"""Best power laws of a transformed output offered as the leading term of a two-term fit."""

REFINE_INNER = 1
"""Two-term fits of a transformed output whose exponents are refined (:mod:`refine`)."""


INNER_SUMS_ABOVE = 1e-9
"""Three-term fits of a transformed output are tried when no two-term fit is below this."""

MAX_AMPLIFICATION = 3.0
"""Rows where the transform multiplies relative noise by more than this are left out of the
inner fit (``log(1/y - 1)`` near ``y = 1/2``), unless that would leave fewer than half."""


def well_conditioned(transform: OutputTransform, y: np.ndarray) -> np.ndarray | None:
    """Mask of the rows used to fit ``g(y)``; ``None`` when too few rows are usable.

    A row is usable when ``g`` is finite, non-zero and has the majority sign; among those, rows
    whose amplification ``|d log|g| / d log y|`` exceeds :data:`MAX_AMPLIFICATION` are dropped,
    keeping at least the better-conditioned half. The structure found on these rows is then
    refitted and scored on every row, in the space of ``y``.
    """
    step = 1e-4
    with np.errstate(all="ignore"):
        g = transform.forward(y)
        up = np.log(np.abs(transform.forward(y * math.exp(step))))
        down = np.log(np.abs(transform.forward(y * math.exp(-step))))
        gain = np.abs(up - down) / (2 * step)
    valid = np.isfinite(g) & (g != 0) & np.isfinite(gain)
    positive, negative = valid & (g > 0), valid & (g < 0)
    valid = positive if positive.sum() >= negative.sum() else negative
    if valid.sum() < max(4, y.size // 2):
        return None
    limit = max(MAX_AMPLIFICATION, float(np.median(gain[valid])))
    return valid & (gain <= limit)


def _inner_solutions(tdata: Dataset, stage: str, variables: Sequence[Variable]) -> list[Solution]:
    """The inner stage's Pareto front on the transformed data."""
    inner: list[Solution] = []
    if stage == "powerlaw":
        library = build_library(tdata, variables)
        for features in [*feature_sets(library), *screened_sets(tdata, library)]:
            inner.extend(fit_feature_set(tdata, features, keep_per_set=4, by_dropped=False))
    else:
        library = build_library(tdata, variables)
        leading = fit_feature_set(tdata, library.inputs, keep_per_set=ANCHORS, by_dropped=False)
        anchors = [strip_scale(s.expr) for s in sorted(leading, key=lambda s: s.loss)[:ANCHORS]]
        terms = fit_two_terms(tdata, keep=4, pair_exponents=WIDE_PAIR_EXPONENTS, anchors=anchors)
        inner.extend(terms)
        if not terms or min(s.loss for s in terms) > INNER_SUMS_ABOVE:
            inner.extend(fit_three_terms(tdata, keep=2))
        for sol in terms[:REFINE_INNER]:
            refined = refine(tdata, sol)
            if refined is not None:
                inner.append(refined)
    return pareto_front(inner)


def _screen(tdata: Dataset, stage: str) -> float:
    """A quick misfit of ``g``: free-exponent power law, or the best unpolished two-term law."""
    if stage == "terms":
        return two_term_screen(tdata, WIDE_PAIR_EXPONENTS)
    logs = [np.log(tdata.columns[n]) for n in tdata.names if tdata.positive(n)]
    for n in tdata.names:  # sines and cosines of angles, so trig laws screen well too
        kind = angle_kind(tdata.columns[n])
        if kind:
            angle = tdata.columns[n] * (math.pi / 180 if kind == "deg" else 1.0)
            with np.errstate(all="ignore"):
                trig = [np.log(np.abs(np.sin(angle))), np.log(np.abs(np.cos(angle)))]
            logs.extend(c for c in trig if np.all(np.isfinite(c)))
    design = np.column_stack([np.ones(tdata.n), *logs])
    coef, *_ = np.linalg.lstsq(design, tdata.log_abs_y, rcond=None)
    return float(np.sqrt(np.mean((tdata.log_abs_y - design @ coef) ** 2)))


def _transformed(data: Dataset, transform: OutputTransform) -> Dataset | None:
    """The well-conditioned rows of ``data`` with outputs ``g(y)``, if usable."""
    if not transform.applies(data.y):
        return None
    keep = well_conditioned(transform, data.y)
    if keep is None:
        return None
    with np.errstate(all="ignore"):
        g = transform.forward(data.y[keep])
    columns = {name: col[keep] for name, col in data.columns.items()}
    tdata = make_dataset(columns, g, data.names)
    return tdata if tdata is not None and tdata.log_mode and tdata.n >= 4 else None


def fit_transformed(
    data: Dataset,
    variables: Sequence[Variable] = (),
    *,
    budget: Budget | None = None,
    transforms: Sequence[OutputTransform] = TRANSFORMS,
    max_inner: int = 6,
) -> list[Solution]:
    """Solutions for ``y`` found by fitting transformed outputs ``g(y)``.

    Transforms of a family are ranked by :func:`_screen` and only the best
    :data:`SCREEN_KEEP` of those that screen better than ``y`` itself are fitted.
    ``max_inner`` bounds how many inner front members (lowest inner loss first) are wrapped
    and refitted per transform; the wall-clock safety net of ``budget`` stops starting new
    transforms (the transforms are few and bounded, so its count is not spent here).
    """
    if not data.log_mode or data.n < 4:
        return []
    # Every transform is screened; the screened families keep their best few, and all that
    # are kept run most promising first, so a binding time limit cuts the least likely ones.
    ranked: list[tuple[float, int, OutputTransform, Dataset]] = []
    baseline = {stage: _screen(data, stage) for stage in ("powerlaw", "terms")}
    screened: dict[str, list[tuple[float, int, OutputTransform, Dataset]]] = {}
    for k, transform in enumerate(transforms):
        tdata = _transformed(data, transform)
        if tdata is None:
            continue
        score = _screen(tdata, transform.stage)
        score = score if math.isfinite(score) else math.inf
        if not transform.family:
            ranked.append((score, k, transform, tdata))
        elif score < baseline[transform.stage]:
            screened.setdefault(transform.family, []).append((score, k, transform, tdata))
    for family, entries in screened.items():
        entries.sort(key=lambda e: (e[0], e[1]))
        ranked.extend(entries[: SCREEN_KEEP.get(family, 1)])
    ranked.sort(key=lambda e: (e[0], e[1]))
    chosen = [(t, d) for _, _, t, d in ranked]
    out: list[Solution] = []
    for transform, tdata in chosen:
        if budget is not None and budget.timed_out:
            logger.warning(
                "output transforms stopped by the wall-clock safety limit before %s", transform.name
            )
            break
        inner = sorted(_inner_solutions(tdata, transform.stage, variables), key=lambda s: s.loss)
        for sol in inner[:max_inner]:
            expr, loss = polish_full(data, transform.inverse(sol.expr))
            if math.isfinite(loss):
                out.append(Solution(name_params(expr), loss, origin=f"transform:{transform.name}"))
        logger.debug("transform %s: %d inner solutions", transform.name, len(inner))
    return out
