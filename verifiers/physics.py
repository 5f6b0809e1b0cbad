"""Physics-reward checks: Newtonian structure of trajectories and trajectory comparison.

Scores for system tasks (a law inside an apparatus) need more than a fit to law samples:

* :func:`second_difference` and :func:`newton_residual`: a velocity-Verlet record satisfies
  ``x[k+1] - 2 x[k] + x[k-1] = a(x[k]) dt²``; the residual says how far a candidate law's
  accelerations are from the record's (constant-acceleration consistency per step).
* :func:`work_energy_residual`, :func:`energy_balance_residual`: the change of kinetic
  energy must equal the work of the candidate force along the path.
* :func:`momentum_residual`: the total momentum of an isolated pair must not drift.
* :func:`trajectory_error`: simulate the candidate law in the same apparatus and compare the
  records; :func:`relative_gap` is the same comparison for one recorded quantity.

Every function returns a relative residual, 0 for perfect consistency and ``inf`` when it
cannot be computed from finite numbers, so a hostile or overflowing law scores as a failure
rather than raising.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

_TINY = 1e-300


def _rms(values: np.ndarray) -> float:
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return 0.0
    return float(np.sqrt(np.mean(np.square(values))))


def _ratio(numerator: float, denominator: float) -> float:
    if not (math.isfinite(numerator) and math.isfinite(denominator)):
        return math.inf
    if denominator <= _TINY:
        return 0.0 if numerator <= _TINY else math.inf
    return numerator / denominator


def relative_gap(measured: np.ndarray, predicted: np.ndarray) -> float:
    """``rms(measured - predicted) / rms(measured)``: 0 when a candidate reproduces a record.

    0 for an empty comparison; ``inf`` when anything is non-finite, or when the record is all
    zeros and the prediction is not.
    """
    measured = np.asarray(measured, dtype=float)
    predicted = np.asarray(predicted, dtype=float)
    if measured.size == 0:
        return 0.0
    with np.errstate(all="ignore"):
        return _ratio(_rms(measured - predicted), _rms(measured))


def second_difference(x: np.ndarray, dt: float) -> np.ndarray:
    """``(x[k+1] - 2 x[k] + x[k-1]) / dt²`` for k = 1 .. n-2 (rows are samples)."""
    x = np.asarray(x, dtype=float)
    with np.errstate(all="ignore"):
        return (x[2:] - 2.0 * x[1:-1] + x[:-2]) / dt**2


def central_velocity(x: np.ndarray, dt: float) -> np.ndarray:
    """``(x[k+1] - x[k-1]) / (2 dt)`` for k = 1 .. n-2 (rows are samples)."""
    x = np.asarray(x, dtype=float)
    with np.errstate(all="ignore"):
        return (x[2:] - x[:-2]) / (2.0 * dt)


def newton_residual(t: np.ndarray, x: np.ndarray, acceleration: np.ndarray) -> float:
    """Relative RMS gap between the record's second differences and ``acceleration``.

    Args:
        t: sample times (uniform).
        x: positions, one row per sample.
        acceleration: the candidate law's acceleration at every sample (same shape as ``x``).
    """
    t = np.asarray(t, dtype=float)
    if t.size < 3:
        return 0.0
    measured = second_difference(x, float(t[1] - t[0]))
    predicted = np.asarray(acceleration, dtype=float)[1:-1]
    with np.errstate(all="ignore"):
        return _ratio(_rms(measured - predicted), _rms(measured))


def work_energy_residual(t: np.ndarray, s: np.ndarray, mass: float, force: np.ndarray) -> float:
    """1-D work-energy theorem: kinetic energy gained vs the work of ``force`` along ``s``.

    ``force`` is the signed force along ``s`` at every sample.
    """
    t = np.asarray(t, dtype=float)
    if t.size < 3:
        return 0.0
    dt = float(t[1] - t[0])
    v = central_velocity(s, dt)
    kinetic = 0.5 * mass * v**2
    return energy_balance_residual(kinetic, np.asarray(s, float)[1:-1], np.asarray(force)[1:-1])


def energy_balance_residual(
    kinetic: np.ndarray, coordinate: np.ndarray, force: np.ndarray
) -> float:
    """Relative RMS gap between ``kinetic - kinetic[0]`` and the trapezoid work of ``force``.

    Args:
        kinetic: total kinetic energy at each sample.
        coordinate: the coordinate the force acts along (displacement or separation).
        force: the signed generalised force along ``coordinate`` at each sample.
    """
    kinetic = np.asarray(kinetic, dtype=float)
    coordinate = np.asarray(coordinate, dtype=float)
    force = np.asarray(force, dtype=float)
    if kinetic.size < 2:
        return 0.0
    with np.errstate(all="ignore"):
        steps = 0.5 * (force[1:] + force[:-1]) * np.diff(coordinate)
        work = np.concatenate([[0.0], np.cumsum(steps)])
        gap = (kinetic - kinetic[0]) - work
        scale = max(float(np.max(np.abs(kinetic - kinetic[0]))), float(np.max(np.abs(work))))
    return _ratio(_rms(gap), scale)


def momentum_residual(masses: Sequence[float], velocities: Sequence[np.ndarray]) -> float:
    """Drift of the total momentum relative to the bodies' typical momentum."""
    with np.errstate(all="ignore"):
        total = sum(m * np.asarray(v, float) for m, v in zip(masses, velocities, strict=True))
        typical = sum(
            m * float(np.mean(np.linalg.norm(np.atleast_2d(np.asarray(v, float)), axis=-1)))
            for m, v in zip(masses, velocities, strict=True)
        )
        drift = np.asarray(total) - np.mean(total, axis=0)
    return _ratio(_rms(drift), typical)


def trajectory_error(
    observed: Mapping[str, np.ndarray], simulated: Mapping[str, np.ndarray], axis: str = "t"
) -> float:
    """Relative RMS gap between two records of the same run, over every observable but
    ``axis``; ``inf`` when the simulated record is not finite."""
    gaps, scales = [], []
    for name, values in observed.items():
        if name == axis:
            continue
        o = np.asarray(values, dtype=float)
        s = np.asarray(simulated[name], dtype=float)
        if o.shape != s.shape or not np.all(np.isfinite(s)):
            return math.inf
        gaps.append(o - s)
        scales.append(o)
    if not gaps:
        return 0.0
    with np.errstate(all="ignore"):
        return _ratio(_rms(np.concatenate(gaps)), _rms(np.concatenate(scales)))
