"""Shared pieces of the swept optics and statistical apparatus: sweeps, first-order
relaxation.

Several apparatus sweep one control of the law over a fixed one-second record (a rotation
stage, a cryostat ramp) and some read the result through a first-order relaxation (a
photodiode's RC filter, a mode exchanging quanta with a bath). The relaxation is driven by a
*staircase*: the drive is set at each sample time and held until the next one, so the
record obeys the exact one-step recursion

    y[k+1] = a y[k] + (1 - a) u[k],   a = exp(-dt / tau),

and a physicist recovers the drive from the record with :func:`unrelax`, to rounding error.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from discolab.environments.base import ArrayFn
from discolab.environments.physics.systems.apparatus import finite_law

SWEEP_TIME = 1.0
"""Length of every sweep, in s: a swept control goes from its start to its stop value."""


def sweep_times(points: int) -> np.ndarray:
    """The sample times ``0 .. SWEEP_TIME`` of a sweep recorded at ``points`` samples."""
    return np.linspace(0.0, SWEEP_TIME, int(points))


def linear_sweep(start: np.ndarray, stop: np.ndarray, t: np.ndarray) -> np.ndarray:
    """A control turned at a constant rate from ``start`` (t = 0) to ``stop`` (t = 1 s)."""
    fraction = np.asarray(t, dtype=float) / SWEEP_TIME
    return start + (stop - start) * fraction


def geometric_sweep(start: np.ndarray, stop: np.ndarray, t: np.ndarray) -> np.ndarray:
    """A control ramped exponentially from ``start`` (t = 0) to ``stop`` (t = 1 s)."""
    fraction = np.asarray(t, dtype=float) / SWEEP_TIME
    return start * (stop / start) ** fraction


def column(controls: Mapping[str, np.ndarray], name: str) -> np.ndarray:
    """One control as a column ``(runs, 1)``, ready to broadcast against a record."""
    return np.asarray(controls[name], dtype=float).reshape(-1, 1)


def evaluate(law: ArrayFn, columns: Mapping[str, np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
    """``law`` on broadcast columns, as a float array of ``shape`` (warnings silenced).

    A candidate law may be a constant or overflow; its value is broadcast to the record's
    shape and non-finite values are kept, so the record shows the failure.
    """
    full = {
        k: np.broadcast_to(np.asarray(v, dtype=float), shape).copy() for k, v in columns.items()
    }
    return np.broadcast_to(finite_law(law)(full), shape).astype(float)


def decay_factor(dt: float | np.ndarray, tau: float | np.ndarray) -> np.ndarray:
    """The one-step factor ``a = exp(-dt / tau)`` of a first-order relaxation."""
    return np.exp(-np.asarray(dt, dtype=float) / np.asarray(tau, dtype=float))


def relax(initial: np.ndarray, drive: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """Record ``(runs, steps + 1)`` of ``y[k+1] = a y[k] + (1 - a) u[k]`` from ``y[0]``.

    Args:
        initial: ``y[0]`` per run.
        drive: the held drive ``u[k]`` per run and step, shape ``(runs, steps)``.
        factor: ``a`` per run.
    """
    drive = np.asarray(drive, dtype=float)
    a = np.asarray(factor, dtype=float).reshape(-1)
    y = np.empty((drive.shape[0], drive.shape[1] + 1))
    y[:, 0] = initial
    with np.errstate(all="ignore"):
        for k in range(drive.shape[1]):
            y[:, k + 1] = a * y[:, k] + (1.0 - a) * drive[:, k]
    return y


def unrelax(y: np.ndarray, factor: float) -> np.ndarray:
    """The held drive ``u[k] = (y[k+1] - a y[k]) / (1 - a)`` of one run's record."""
    y = np.asarray(y, dtype=float)
    with np.errstate(all="ignore"):
        return (y[1:] - factor * y[:-1]) / (1.0 - factor)


def record_is_usable(*series: np.ndarray) -> bool:
    """True when every series has at least 3 samples and all are finite."""
    return all(np.asarray(s).size >= 3 and bool(np.all(np.isfinite(s))) for s in series)
