"""The figures a benchmark run is ranked by, beyond symbolic accuracy, and seed intervals.

A run is ranked by symbolic accuracy first. Mean score saturates (a non-matching template can
score 0.99), so ties are broken by two figures that still separate near misses:

* **accuracy at tolerance** — the share of the suite's tasks whose fitted law stays within a
  relative error of :data:`TOLERANCE` (0.1) everywhere on the held-out points, read from the
  verifier's ``heldout_max_rel_error`` metric. A task without that metric (an older judge, a
  failed fit, no law) or with an error fails this criterion: a figure not measured is not met.
* **out-of-domain NMSE** — the median over the suite's tasks of the verifier's ``ood_nmse``
  (the fitted law on a widened domain; lower is better). A missing, NaN or infinite value, or
  a task with an error, counts as ``inf`` (the worst), so the median over a suite is ``inf``
  when at least half of its tasks have no finite figure. The median, not the mean, so one
  exploding task cannot decide the order of two runs.

Where a suite is run with several seeds, :func:`seed_interval` reports the mean and a 95%
Student-t interval across the seeds (see its docstring for why t and not the bootstrap).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scipy import stats

from discolab.verifiers.laws import HELDOUT_MAX_REL_ERROR, OOD_NMSE

TOLERANCE = 0.1
"""Largest held-out relative error a fitted law may have to count as within tolerance."""

CONFIDENCE = 0.95
"""Coverage of the seed intervals."""


def _number(metrics: Mapping[str, Any], key: str) -> float | None:
    value = metrics.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def within_tolerance(metrics: Mapping[str, Any], error: str | None = None) -> bool:
    """Whether a task's fitted law is within :data:`TOLERANCE` on every held-out point.

    False when the verifier reported an error, or did not measure the held-out maximum
    relative error (missing, NaN or infinite): an unmeasured criterion is a failed one.
    """
    if error is not None:
        return False
    value = _number(metrics, HELDOUT_MAX_REL_ERROR)
    return value is not None and 0.0 <= value <= TOLERANCE


def ood_value(metrics: Mapping[str, Any], error: str | None = None) -> float:
    """A task's out-of-domain NMSE, ``inf`` when it is missing, not finite or the task failed."""
    if error is not None:
        return math.inf
    value = _number(metrics, OOD_NMSE)
    return value if value is not None and value >= 0.0 else math.inf


def median_or_worst(values: Iterable[float]) -> float:
    """The median of ``values`` with NaN read as ``inf``; ``inf`` for no values at all."""
    items = [math.inf if math.isnan(v) else float(v) for v in values]
    return statistics.median(items) if items else math.inf


@dataclass(frozen=True)
class SeedInterval:
    """Mean of a figure over seeds with its confidence interval.

    Attributes:
        n: number of seeds.
        mean: the mean over seeds.
        low: lower end of the interval (``mean`` itself when ``n < 2``: no spread is known).
        high: upper end of the interval (likewise).
        confidence: the interval's nominal coverage (0.95).
    """

    n: int
    mean: float
    low: float
    high: float
    confidence: float = CONFIDENCE

    @property
    def half_width(self) -> float:
        """Half the interval's width (0 for fewer than two seeds)."""
        return (self.high - self.low) / 2.0


def seed_interval(
    values: Sequence[float],
    *,
    confidence: float = CONFIDENCE,
    bounds: tuple[float, float] = (0.0, 1.0),
) -> SeedInterval:
    """Mean and Student-t interval of a figure (an accuracy) measured once per seed.

    ``mean ± t(1 - α/2, n - 1) · s / √n`` with ``s`` the sample standard deviation, clipped to
    ``bounds`` (an accuracy cannot leave [0, 1]). A t-interval rather than the bootstrap:
    suites are run with a handful of seeds (3 to 5), where a percentile bootstrap can take only
    a few distinct values and is too narrow. With one seed the interval is the point itself.

    Raises:
        ValueError: no values, a non-finite value, or a confidence outside (0, 1).
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    items = [float(v) for v in values]
    if not items:
        raise ValueError("a seed interval needs at least one value, got none")
    if not all(math.isfinite(v) for v in items):
        raise ValueError(f"seed values must be finite, got {items!r}")
    mean = statistics.fmean(items)
    if len(items) < 2:
        return SeedInterval(1, mean, mean, mean, confidence)
    half = float(stats.t.ppf(0.5 + confidence / 2.0, len(items) - 1))
    half *= statistics.stdev(items) / math.sqrt(len(items))
    low, high = max(bounds[0], mean - half), min(bounds[1], mean + half)
    return SeedInterval(len(items), mean, low, high, confidence)
