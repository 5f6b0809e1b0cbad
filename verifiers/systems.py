"""Verifying a law proposed for a system task: law fit, symbolic match and trajectories.

A system task hides its law inside an apparatus (see
:mod:`discolab.environments.physics.systems`). Everything the vanilla
:class:`~discolab.verifiers.laws.LawVerifier` does still holds, on the law samples the
apparatus' public physics recovers from the agent's records. On top of it this verifier
simulates the candidate law (with its fitted parameters) in the same apparatus:

* on the agent's own runs: ``data_trajectory_error`` (how far the simulated records are from
  the measured ones) and the apparatus' physics residuals of the candidate (``data_`` +
  ``newton_residual``, ``energy_residual``, ``momentum_residual``, ...); agent-visible;
* on held-out runs (controls drawn with a fixed seed, noise-free truth records):
  ``trajectory_error``; never shown to the agent.

Score: 1 for a symbolic match; otherwise ``0.99 / (1 + rel_log_error + trajectory_error)``,
so a law that fits the samples but not the dynamics is marked down.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import Any

import numpy as np

from discolab.environments.base import GroundTruth, sample_inputs
from discolab.environments.observations import apparatus_for
from discolab.types import Experiment, TaskSpec
from discolab.verifiers import physics
from discolab.verifiers.expressions import ParsedExpression
from discolab.verifiers.laws import OOD_REL_LOG_ERROR, REL_LOG_ERROR, LawVerifier, score_from
from discolab.verifiers.numeric import FitResult

TRAJECTORY_ERROR = "trajectory_error"
DATA_TRAJECTORY_ERROR = "data_trajectory_error"
HELDOUT_RUNS = 8


def _law_fn(parsed: ParsedExpression, params: Mapping[str, float]) -> Callable[..., np.ndarray]:
    def law(columns: Mapping[str, np.ndarray]) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.asarray(parsed.evaluate(columns, dict(params)), dtype=float)

    return law


def _median(values: Sequence[float]) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return float(np.median(finite)) if finite else math.inf


class SystemLawVerifier(LawVerifier):
    """Scores formulas for a system-level task (law inside an apparatus)."""

    def __init__(self, spec: TaskSpec, truth: GroundTruth, **kwargs: Any) -> None:
        super().__init__(spec, truth, **kwargs)
        self.apparatus: Any = apparatus_for(spec.task_id)

    @cached_property
    def heldout_runs(self) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Held-out controls and the truth's noise-free records (drawn once)."""
        rng = np.random.default_rng([self.seed, 7])
        controls = sample_inputs(self.apparatus.controls, HELDOUT_RUNS, rng)
        with np.errstate(all="ignore"):
            records = self.apparatus.simulate(self.truth.function, controls, self.spec.points)
        return controls, records

    def _score(self, matched: bool, metrics: dict[str, float]) -> float:
        penalty = (
            metrics[REL_LOG_ERROR]
            + metrics[OOD_REL_LOG_ERROR]
            + metrics.get(TRAJECTORY_ERROR, math.inf)
        )
        return score_from(matched, penalty)

    def _extra_metrics(
        self,
        parsed: ParsedExpression,
        fit: FitResult,
        experiments: Sequence[Experiment],
        metrics: dict[str, float],
    ) -> str:
        law = _law_fn(parsed, fit.params)
        controls, truth_records = self.heldout_runs
        simulated = self.apparatus.simulate(law, controls, self.spec.points)
        metrics[TRAJECTORY_ERROR] = _median(
            [
                physics.trajectory_error(_run(truth_records, i), _run(simulated, i))
                for i in range(HELDOUT_RUNS)
            ]
        )
        runs = [(p, r) for e in experiments for p, r in zip(e.inputs, e.outputs, strict=True)]
        if not runs:
            return ""
        names = self.spec.input_names
        own_controls = {n: np.asarray([p[n] for p, _ in runs], dtype=float) for n in names}
        own_sim = self.apparatus.simulate(law, own_controls, self.spec.points)
        errors: list[float] = []
        residuals: dict[str, list[float]] = {}
        for i, (point, record) in enumerate(runs):
            observed = {k: np.asarray(v, dtype=float) for k, v in record.items()}
            if (
                next(iter(observed.values())).shape
                != own_sim[self.spec.observables[0].name][i].shape
            ):
                continue
            errors.append(physics.trajectory_error(observed, _run(own_sim, i)))
            for name, value in self.apparatus.checks(law, point, observed).items():
                residuals.setdefault(name, []).append(float(value))
        metrics[DATA_TRAJECTORY_ERROR] = _median(errors)
        parts = [
            "simulated with the fitted law, your records differ by "
            f"{metrics[DATA_TRAJECTORY_ERROR]:.3g} (relative RMS, median over runs)"
        ]
        for name, values in sorted(residuals.items()):
            metrics[f"data_{name}"] = _median(values)
            parts.append(f"{name.replace('_', ' ')} {metrics[f'data_{name}']:.3g}")
        return "; ".join(parts)


def _run(records: Mapping[str, np.ndarray], i: int) -> dict[str, np.ndarray]:
    return {k: np.asarray(v)[i] for k, v in records.items()}


def make_verifier(spec: TaskSpec, truth: GroundTruth, **kwargs: Any) -> LawVerifier:
    """The verifier for ``spec``: system-level when its experiments return series."""
    if spec.is_system:
        return SystemLawVerifier(spec, truth, **kwargs)
    return LawVerifier(spec, truth, **kwargs)
