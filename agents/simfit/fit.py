"""Fitting one candidate structure to the records: scale scan, least squares, snapping.

All three steps only ever call :meth:`RecordSet.residuals`, so every cost is a counted
simulation. A fit that runs out of its own share or of the search-wide budget returns the
best parameters it has seen; the caller checks the search-wide budget between steps.
"""

from __future__ import annotations

import contextlib
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from discolab.agents.simfit.forms import Form, law_function
from discolab.agents.simfit.records import BudgetExhausted, RecordSet

SNAP_DENOMINATORS = (1, 2, 3, 4, 10)
"""Exponent grids tried when snapping, simplest first (integers, halves, ... tenths)."""


@dataclass(frozen=True)
class Fitted:
    """One structure with fitted parameters and its record-space loss."""

    form: Form
    theta: tuple[float, ...]
    loss: float
    stage: str = ""


class _FitSpent(Exception):
    """This fit's share of the budget is spent."""


def evaluate(form: Form, theta: Sequence[float], records: RecordSet) -> float:
    """The record-space loss of ``form`` at ``theta`` (one simulation)."""
    return records.loss(law_function(form, np.asarray(theta, dtype=float)))


def scan_scale(
    form: Form, theta: Sequence[float], records: RecordSet, grid: Sequence[float]
) -> Fitted:
    """The best ``theta[0]`` (log scale) of ``grid`` with the other slots fixed."""
    base = np.asarray(theta, dtype=float)
    best = Fitted(form, tuple(base), math.inf, "scan")
    for value in grid:
        trial = base.copy()
        trial[0] = float(value)
        try:
            loss = evaluate(form, trial, records)
        except BudgetExhausted:
            break  # the caller sees the spent budget and stops
        if loss < best.loss:
            best = Fitted(form, tuple(trial), loss, "scan")
    return best


def refine(
    form: Form,
    theta: Sequence[float],
    records: RecordSet,
    *,
    free: Sequence[int] | None = None,
    max_calls: int = 150,
    stage: str = "refine",
) -> Fitted:
    """Least squares on the records over the ``free`` slots of ``theta`` (all by default).

    At most ``max_calls`` simulations (Jacobian columns included); the best point seen is
    returned, so a fit cut short still improves on its start.
    """
    base = np.asarray(theta, dtype=float)
    idx = np.array(list(range(form.size)) if free is None else list(free), dtype=int)
    best: list[object] = [math.inf, base.copy()]
    calls = [0]

    def residual(x: np.ndarray) -> np.ndarray:
        if calls[0] >= max_calls:
            raise _FitSpent
        calls[0] += 1
        trial = base.copy()
        trial[idx] = x
        r = records.residuals(law_function(form, trial))
        loss = float(np.sqrt(np.mean(r * r))) if r.size else math.inf
        if loss < best[0]:  # type: ignore[operator]
            best[0], best[1] = loss, trial
        return r

    if idx.size:
        try:
            least_squares(residual, base[idx], method="lm", max_nfev=max_calls)
        except (_FitSpent, BudgetExhausted):
            pass  # a spent search-wide budget is seen by the caller, which then stops
        except (ValueError, FloatingPointError, np.linalg.LinAlgError):
            pass  # a degenerate problem: keep the best point seen
    else:
        with contextlib.suppress(_FitSpent, BudgetExhausted):
            residual(base[idx])
    return Fitted(form, tuple(best[1]), float(best[0]), stage)  # type: ignore[arg-type]


def snap_options(value: float, width: float = 0.15) -> list[float]:
    """Simple exponents near ``value``, simplest first (see :data:`SNAP_DENOMINATORS`)."""
    out: list[float] = []
    for den in SNAP_DENOMINATORS:
        v = round(value * den) / den
        if abs(v - value) <= width and not any(abs(v - o) < 1e-12 for o in out):
            out.append(float(v))
    return out or [round(value * 10) / 10]


def snapped(
    fit: Fitted, records: RecordSet, *, floor: float, max_combos: int = 12, calls_each: int = 25
) -> list[Fitted]:
    """Versions of ``fit`` with its exponents set to simple literals, constants refitted.

    Combinations are tried simplest first; the search stops at the first whose loss is at
    ``floor`` or no worse than twice the continuous fit's (more would only be more complex).
    """
    theta = np.asarray(fit.theta, dtype=float)
    exps = list(fit.form.exponents)
    free = [i for i in range(fit.form.size) if i not in exps]
    choices = [snap_options(float(theta[i])) for i in exps]
    combos = sorted(itertools.product(*[range(len(c)) for c in choices]), key=lambda c: (sum(c), c))
    out: list[Fitted] = []
    for combo in combos[:max_combos]:
        trial = theta.copy()
        for slot, k, options in zip(exps, combo, choices, strict=True):
            trial[slot] = options[k]
        result = refine(fit.form, trial, records, free=free, max_calls=calls_each, stage="snap")
        out.append(result)
        if result.loss <= max(floor, 2.0 * fit.loss):
            break
    return out
