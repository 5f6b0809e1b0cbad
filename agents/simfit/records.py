"""The agent's apparatus runs and the objective a candidate law is fitted on: its records.

A :class:`RecordSet` holds the controls of the runs the agent made and the series the
apparatus recorded. :meth:`RecordSet.residuals` simulates a candidate law (a function of the
law's inputs) in the apparatus at those controls and returns the differences to the records,
each series divided by its own largest magnitude, so every run and observable weighs alike
whatever its units, then compressed by ``asinh`` (a candidate orders of magnitude off keeps a
slope to follow). A simulation that raises or comes out non-finite where the record is
finite is a failed candidate (a fixed large residual), never a crash.

Every simulation is counted against a :class:`SimBudget`: the count, not the clock, ends a
search, so a seed gives the same result on any machine; the clock is only a safety net.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from discolab.environments.observations import run_records
from discolab.errors import ExperimentError
from discolab.types import Experiment

logger = logging.getLogger(__name__)

LawFunction = Callable[[Mapping[str, np.ndarray]], np.ndarray]
"""A candidate law: columns of the law's inputs -> law values (vectorised)."""

FAILED = 10.0
"""Residual given to a recorded value the candidate's simulation could not reproduce (NaN,
inf, or the simulator raised); a normalised residual of a sane candidate is about 1 at most."""


class BudgetExhausted(Exception):
    """Internal signal: the simulation budget (or the wall-clock safety net) is spent."""


@dataclass
class SimBudget:
    """A count of simulator calls, with a wall-clock safety net.

    Attributes:
        calls: simulator calls allowed in all.
        time_limit_s: wall-clock cap; normally the count ends the search first.
        used: calls made so far.
        timed_out: whether the wall-clock cap ended the search (the result may then depend
            on machine speed).
    """

    calls: int
    time_limit_s: float = 300.0
    used: int = 0
    timed_out: bool = False
    started: float = field(default_factory=time.monotonic)

    @property
    def left(self) -> int:
        """Calls still allowed."""
        return max(self.calls - self.used, 0)

    def charge(self) -> None:
        """Count one call; raise :class:`BudgetExhausted` when none is left."""
        if self.used >= self.calls:
            raise BudgetExhausted("simulation budget spent")
        if time.monotonic() - self.started > self.time_limit_s:
            self.timed_out = True
            raise BudgetExhausted("wall-clock safety net reached")
        self.used += 1


class RecordSet:
    """The agent's runs of one apparatus and the record-space loss of a candidate law.

    Args:
        apparatus: the task's apparatus (public physics: its forward simulation only).
        controls: one mapping of control values per run.
        records: one mapping observable -> recorded series per run.
        points: samples per recorded series.
        budget: the simulation counter every call is charged to.
    """

    def __init__(
        self,
        apparatus: object,
        controls: Sequence[Mapping[str, float]],
        records: Sequence[Mapping[str, np.ndarray]],
        points: int,
        budget: SimBudget,
    ) -> None:
        if not controls:
            raise ExperimentError("no apparatus runs to fit a law on")
        self.apparatus = apparatus
        self.points = int(points)
        self.budget = budget
        names = list(controls[0])
        self.controls = {n: np.array([float(c[n]) for c in controls]) for n in names}
        self.observables = [k for k in records[0] if k in _observable_names(apparatus)]
        recorded = {
            k: np.vstack([np.asarray(r[k], dtype=float) for r in records]) for k in self.observables
        }
        self.recorded = recorded
        self.scales = {
            k: np.maximum(np.nanmax(np.abs(np.where(np.isfinite(v), v, np.nan)), axis=1), 1e-300)
            for k, v in recorded.items()
            if np.isfinite(v).any()
        }
        self.finite = {k: np.isfinite(v) for k, v in recorded.items()}
        self.set_horizon(self.points)

    def set_horizon(self, samples: int) -> None:
        """Compare only the first ``samples`` of every series from now on (all by default).

        Early samples depend on the law smoothly; late ones, after a trajectory has run far
        from the record (an orbit leaving its chamber), can trap a fit far from the law, so
        fits start on a short horizon and then take the whole record.
        """
        self.horizon = int(min(max(samples, 3), self.points))
        early = np.arange(self.points) < self.horizon
        self.masks = {k: m & early[None, :] for k, m in self.finite.items()}
        self.size = int(sum(int(m.sum()) for k, m in self.masks.items() if k in self.scales))

    @property
    def runs(self) -> int:
        """How many runs the set holds."""
        return int(next(iter(self.controls.values())).size)

    def residuals(self, law: LawFunction) -> np.ndarray:
        """Normalised simulated-minus-recorded values of every finite recorded sample.

        Raises:
            BudgetExhausted: no simulation is left in the budget.
        """
        self.budget.charge()
        try:
            with np.errstate(all="ignore"):
                simulated = self.apparatus.simulate(_guarded(law), self.controls, self.points)  # type: ignore[attr-defined]
        except Exception as exc:  # a bad candidate may break the simulator: a failed fit
            logger.debug("simulation of a candidate failed: %s", exc)
            return np.full(self.size, FAILED)
        parts = []
        for k, scale in self.scales.items():
            mask = self.masks[k]
            sim = np.asarray(simulated.get(k, np.full_like(self.recorded[k], np.nan)), dtype=float)
            if sim.shape != self.recorded[k].shape:
                parts.append(np.full(int(mask.sum()), FAILED))
                continue
            with np.errstate(all="ignore"):
                r = (sim - self.recorded[k]) / scale[:, None]
            # asinh: the raw residual when small, its log when large, so a candidate many
            # orders of magnitude off still has a slope for least squares to follow
            r = np.arcsinh(r[mask])
            r = np.where(np.isfinite(r), r, FAILED)
            parts.append(r)
        return np.concatenate(parts) if parts else np.zeros(0)

    def loss(self, law: LawFunction) -> float:
        """RMS normalised residual of ``law`` on the records (``inf`` when it failed)."""
        r = self.residuals(law)
        if not r.size:
            return math.inf
        value = float(np.sqrt(np.mean(r * r)))
        return value if math.isfinite(value) else math.inf


def _observable_names(apparatus: object) -> set[str]:
    return {v.name for v in getattr(apparatus, "observables", ())}


def _guarded(law: LawFunction) -> LawFunction:
    """``law`` with floating-point warnings silenced and its output made a float array."""

    def evaluate(columns: Mapping[str, np.ndarray]) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.asarray(law(columns), dtype=float)

    return evaluate


def record_set(
    apparatus: object,
    experiments: Sequence[Experiment],
    points: int,
    budget: SimBudget,
    max_runs: int,
) -> RecordSet:
    """The runs of ``experiments`` (at most ``max_runs``, evenly thinned) as a record set.

    Raises:
        ExperimentError: a run's record is a number rather than series, or no run is usable.
    """
    controls: list[Mapping[str, float]] = []
    records: list[Mapping[str, np.ndarray]] = []
    for index, point, series in run_records(experiments):
        if any(s.shape != (int(points),) for s in series.values()):
            raise ExperimentError(f"experiment {index}: a series without {points} samples")
        controls.append(dict(point))
        records.append(series)
    if len(controls) > max_runs:
        keep = np.unique(np.linspace(0, len(controls) - 1, max_runs).round().astype(int))
        controls = [controls[i] for i in keep]
        records = [records[i] for i in keep]
    return RecordSet(apparatus, controls, records, points, budget)
