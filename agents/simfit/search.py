"""The simulation-fit search: which structures to try, in what order, within the budget.

Stages, each warm-started from the best monomial found so far:

1. **scale scan** of a constant law over a wide log grid (finds the order of magnitude);
2. **monomials** ``C·Π x^p`` refined by least squares from the zero-exponent start and from
   seeded random integer starts (until one comes close), the best polished further, then
   snapped to simple exponents;
3. **extensions**: an exponential factor in each input, a sine or cosine factor of each angle
   input, an outer ``asin``/``atan``/``exp``, and a sum of two monomials; each is refined and
   snapped when it beats the monomial.

The search ends when the simulation budget is spent or an exact law (loss at the noise floor)
is in hand. The same records and seed give the same result.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from discolab.agents.search.front import Solution, pareto_front, pick
from discolab.agents.simfit.fit import Fitted, refine, scan_scale, snapped
from discolab.agents.simfit.forms import Form, Grammar, is_angle
from discolab.agents.simfit.records import BudgetExhausted, RecordSet
from discolab.types import Variable

logger = logging.getLogger(__name__)

SCALE_GRID = tuple(float(v) for v in np.arange(-92.0, 92.1, 2 * math.log(10.0)))
"""Log-scale values scanned for the law's magnitude: 1e-40 to 1e40 by two decades (least
squares on the asinh-compressed residuals closes the remaining gap)."""

SNAP_RESERVE = 30
"""Simulations a monomial refinement leaves for snapping its exponents."""

CLOSE = 1e-3
"""A start whose fit reaches this loss ends the random starts: it is polished instead."""

POLISH = 2
"""The polish of the best monomial may use this many times ``calls_per_fit``."""


@dataclass(frozen=True)
class SimSearchConfig:
    """Settings of one search.

    Attributes:
        random_starts: seeded random integer-exponent starts of the monomial stage.
        calls_per_fit: simulations one least-squares refinement may use.
        extensions: run the extension stage (exp, trig, outer functions, two terms).
        pick_rel_tol: relative loss slack within which a simpler formula is preferred.
        floor: loss treated as exact (the noise floor of the records).
    """

    random_starts: int = 4
    calls_per_fit: int = 120
    extensions: bool = True
    pick_rel_tol: float = 0.1
    floor: float = 1e-6


@dataclass
class SimSearchResult:
    """What a search found.

    Attributes:
        front: the Pareto front of (complexity, loss), by complexity.
        pick: index of the chosen formula in ``front`` (-1 when empty).
        calls: simulations used.
        reason: why it ended (``exact``, ``budget``, ``time``, ``done``).
        origins: source -> family and stage that found it.
        runs: recorded runs the laws were fitted on.
    """

    front: list[Solution]
    pick: int
    calls: int
    reason: str
    origins: dict[str, str] = field(default_factory=dict)
    runs: int = 0


def search_by_simulation(
    records: RecordSet,
    inputs: Sequence[Variable],
    rng: np.random.Generator,
    config: SimSearchConfig,
    *,
    sign: float = 1.0,
) -> SimSearchResult:
    """Search law structures over ``inputs`` by fitting them through the apparatus."""
    grammar = Grammar(inputs, sign)
    found: list[Fitted] = []
    reason = "done"
    try:
        _run(grammar, records, rng, config, found)
    except BudgetExhausted:
        reason = "time" if records.budget.timed_out else "budget"
    except _Exact:
        reason = "exact"
    solutions, origins = [], {}
    for fit in found:
        if not math.isfinite(fit.loss):
            continue
        try:
            sol = Solution(fit.form.node(np.asarray(fit.theta)), fit.loss, fit.stage)
        except (ValueError, OverflowError):
            continue
        if not all(math.isfinite(v) and v != 0 for v in sol.fitted.values()):
            continue
        solutions.append(sol)
        origins.setdefault(sol.source, f"{fit.form.name}:{fit.stage}")
    front = pareto_front(solutions)
    index = pick(front, config.pick_rel_tol, abs_tol=config.floor) if front else -1
    return SimSearchResult(front, index, records.budget.used, reason, origins, records.runs)


class _Exact(Exception):
    """An exact, fully snapped law was found: nothing simpler can do better."""


def _keep(found: list[Fitted], fits: Sequence[Fitted], floor: float, records: RecordSet) -> None:
    """Record ``fits``; stop the search when one is an exact snapped law or the budget is
    spent (steps return what they found when the budget runs out under them)."""
    found.extend(fits)
    if any(f.stage == "snap" and f.loss <= floor for f in fits):
        raise _Exact
    if records.budget.left == 0 or records.budget.timed_out:
        raise BudgetExhausted("simulation budget spent")


def _run(
    grammar: Grammar,
    records: RecordSet,
    rng: np.random.Generator,
    config: SimSearchConfig,
    found: list[Fitted],
) -> None:
    d, floor = grammar.d, config.floor
    mono = grammar.power()
    scan = scan_scale(mono, np.zeros(mono.size), records, SCALE_GRID)
    _keep(found, [scan], floor, records)
    starts = [np.zeros(d)] + [
        rng.integers(-2, 3, size=d).astype(float) for _ in range(config.random_starts)
    ]
    best: Fitted = scan
    for p in starts:
        theta = np.concatenate([[scan.theta[0]], p])
        if p.any():  # a new exponent vector moves the magnitude: rescan near the old one
            local = [scan.theta[0] + k * math.log(10.0) for k in range(-3, 4)]
            theta = np.asarray(scan_scale(mono, theta, records, local).theta)
        share = max(10, min(config.calls_per_fit, records.budget.left - SNAP_RESERVE))
        records.set_horizon(records.points // 4)  # the early record first (see set_horizon)
        early = refine(mono, theta, records, max_calls=share // 2, stage="refine")
        records.set_horizon(records.points)
        fit = refine(mono, early.theta, records, max_calls=share - share // 2, stage="refine")
        if fit.loss < best.loss:
            best = fit
        _keep(found, [fit], floor, records)
        if fit.loss <= CLOSE:
            break
    if best.loss > floor:  # polish the best start: rough records need more iterations
        share = max(10, min(POLISH * config.calls_per_fit, records.budget.left - SNAP_RESERVE))
        best = refine(mono, best.theta, records, max_calls=share, stage="refine")
        _keep(found, [best], floor, records)
    _keep(found, snapped(best, records, floor=floor), floor, records)
    if not config.extensions:
        return
    for form, theta in _extensions(grammar, best):
        if form.name.startswith(("asin", "atan", "exp(")):
            theta = np.asarray(scan_scale(form, theta, records, SCALE_GRID).theta)
        fit = refine(form, theta, records, max_calls=config.calls_per_fit, stage="refine")
        _keep(found, [fit], floor, records)
        if fit.loss < 0.5 * best.loss:
            _keep(found, snapped(fit, records, floor=floor), floor, records)


def _extensions(grammar: Grammar, best: Fitted) -> list[tuple[Form, np.ndarray]]:
    """Extension families with warm starts taken from the best monomial ``best``."""
    base = np.asarray(best.theta, dtype=float)
    p = base[1:]
    out: list[tuple[Form, np.ndarray]] = []
    for j, v in enumerate(grammar.inputs):
        if is_angle(v):
            for trig in ("sin", "cos"):
                out.append((grammar.power_trig(j, trig), np.concatenate([base, [1.0]])))
    for j in range(grammar.d):
        out.append((grammar.power_exp(j), np.concatenate([base, [-0.1, 1.0]])))
    for fn in ("asin", "atan", "exp"):
        out.append((grammar.outer(fn), base.copy()))
        for j, v in enumerate(grammar.inputs):
            if is_angle(v):
                out.append((grammar.outer_trig(fn, j, "sin"), np.concatenate([base, [1.0]])))
    for j in range(grammar.d):
        for step in (-1.0, 1.0):
            q = p.copy()
            q[j] += step
            out.append((grammar.two_terms(), np.concatenate([base, [0.1], q])))
    return out
