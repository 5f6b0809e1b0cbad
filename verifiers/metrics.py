"""Strict error metrics between true and predicted outputs.

Every metric returns a finite non-negative float or ``inf``, never NaN: wrong shapes, empty
inputs, NaN or infinite values all score ``inf`` (DESIGN.md, "Scores are strict"). Inputs are
rescaled before squaring, so outputs of size 1e200 do not overflow into a spurious failure.
"""

from __future__ import annotations

import math

import numpy as np

INF = math.inf


def _pair(y_true: object, y_pred: object) -> tuple[np.ndarray, np.ndarray] | None:
    """Both arrays as float, or None when their shapes differ, are empty or non-finite."""
    try:
        t = np.asarray(y_true, dtype=float)
        p = np.asarray(y_pred, dtype=float)
    except (TypeError, ValueError):
        return None
    if t.shape != p.shape or t.size == 0:
        return None
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(p))):
        return None
    return t, p


def _finite(value: float) -> float:
    return value if math.isfinite(value) else INF


def _symlog1p(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.log1p(np.abs(x))


def rmsle(y_true: object, y_pred: object) -> float:
    """Root mean squared logarithmic error, ``sqrt(mean((log(1+p) - log(1+y))**2))``.

    This is the usual RMSLE (as NewtonBench reports it) for non-negative outputs. For negative
    values it uses the odd extension ``sign(x) * log(1 + |x|)``, which equals ``log(1 + x)``
    for ``x >= 0``, so laws with signed outputs get a finite, symmetric score instead of NaN.
    Note that RMSLE is not scale-free: for outputs far below 1 it is close to an absolute error.
    """
    pair = _pair(y_true, y_pred)
    if pair is None:
        return INF
    t, p = pair
    with np.errstate(all="ignore"):
        diff = _symlog1p(p) - _symlog1p(t)
        return _finite(float(np.sqrt(np.mean(diff * diff))))


def relative_log_error(y_true: object, y_pred: object) -> float:
    """RMS of ``log(|p| / |y|)``: a scale-free relative error that treats x2 and /2 alike.

    ``inf`` when any prediction has the wrong sign (a zero counts as its own sign) or is not
    finite; a point where both are exactly zero contributes no error.
    """
    pair = _pair(y_true, y_pred)
    if pair is None:
        return INF
    t, p = pair
    if np.any(np.sign(t) != np.sign(p)):
        return INF
    nonzero = t != 0
    with np.errstate(all="ignore"):
        logs = np.log(np.abs(p[nonzero])) - np.log(np.abs(t[nonzero]))
        if logs.size == 0:
            return 0.0
        return _finite(float(np.sqrt(np.sum(logs * logs) / t.size)))


def nmse(y_true: object, y_pred: object) -> float:
    """Normalised mean squared error, ``mean((y - p)**2) / var(y)``.

    When the true outputs are constant (zero variance) the denominator falls back to
    ``mean(y**2)``; when that is zero too, an exact prediction scores 0 and anything else ``inf``.
    """
    pair = _pair(y_true, y_pred)
    if pair is None:
        return INF
    t, p = pair
    scale = float(np.max(np.abs(t)))
    if scale == 0.0:
        return 0.0 if np.all(p == 0) else INF
    with np.errstate(all="ignore"):
        ts, ps = t / scale, p / scale
        mse = float(np.mean((ts - ps) ** 2))
        var = float(np.var(ts))
        denominator = var if var > 0 else float(np.mean(ts * ts))
        return _finite(mse / denominator)


def max_relative_error(y_true: object, y_pred: object) -> float:
    """Largest ``|p - y| / |y|``; a point with ``y == 0`` counts only if ``p != 0`` (as inf)."""
    pair = _pair(y_true, y_pred)
    if pair is None:
        return INF
    t, p = pair
    with np.errstate(all="ignore"):
        diff = np.abs(p - t)
        zero = t == 0
        if np.any(zero & (diff > 0)):
            return INF
        ratios = diff[~zero] / np.abs(t[~zero])
        return _finite(float(np.max(ratios))) if ratios.size else 0.0
