"""Small shared pieces of the rate-law apparatus (heat, decay, oscillation, sound).

Several apparatus advance their state with an explicit scheme at the sampling interval, so a
difference of the record *is* the law's value at a sample. Their physics checks then compare
a measured series with what a candidate law predicts, through :func:`relative_gap`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from discolab.environments.base import ArrayFn


def relative_gap(measured: np.ndarray, predicted: np.ndarray) -> float:
    """RMS of ``measured - predicted`` relative to the RMS of ``measured``.

    0 means the candidate reproduces the record; ``inf`` when either side is not finite or
    the record is all zeros while the prediction is not.
    """
    measured = np.asarray(measured, dtype=float)
    predicted = np.asarray(predicted, dtype=float)
    if measured.size == 0:
        return 0.0
    with np.errstate(all="ignore"):
        gap = float(np.sqrt(np.mean(np.square(measured - predicted))))
        scale = float(np.sqrt(np.mean(np.square(measured))))
    if not (math.isfinite(gap) and math.isfinite(scale)):
        return math.inf
    if scale <= 1e-300:
        return 0.0 if gap <= 1e-300 else math.inf
    return gap / scale


def run_columns(controls: Mapping[str, float]) -> dict[str, np.ndarray]:
    """One run's controls as length-1 arrays, to call a vectorised simulator or law."""
    return {name: np.asarray([float(value)]) for name, value in controls.items()}


def finite_series(*series: np.ndarray) -> bool:
    """True when every array is finite and they all have the same length of at least 3."""
    sizes = {np.asarray(s).shape[0] for s in series}
    return (
        len(sizes) == 1
        and sizes.pop() >= 3
        and all(bool(np.all(np.isfinite(np.asarray(s, dtype=float)))) for s in series)
    )


def evaluate(law: ArrayFn, columns: Mapping[str, np.ndarray]) -> np.ndarray:
    """``law`` at ``columns`` as a float array, floating-point warnings silenced."""
    with np.errstate(all="ignore"):
        return np.asarray(law(columns), dtype=float)
