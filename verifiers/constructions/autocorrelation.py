"""The three autocorrelation inequalities of AlphaEvolve, on step functions.

A construction is ``{"heights": [h_0, ..., h_{n-1}]}``: the function equal to ``h_i`` on the
``i``-th of ``n`` equal steps of ``[-1/4, 1/4]`` (width ``w = 1/(2n)``). Its autoconvolution
``f*f`` is piecewise linear with knots every ``w``, whose knot values are ``w * c`` with
``c = conv(h, h)`` (zero at both ends), so every norm is exact on the knots:

* first (minimise): ``max(f*f) / (∫f)^2 = 2n * max(c) / (Σh)^2``; heights ``>= 0``.
* second (maximise): ``‖f*f‖₂² / (‖f*f‖₁ ‖f*f‖∞)``; the L2 norm integrates each squared
  linear piece exactly, ``w (a² + ab + b²) / 3``; heights ``>= 0``.
* third (minimise): ``2n * max|c| / (Σh)^2``, heights of any sign; like the published
  verifier it takes the largest *absolute* value of the autoconvolution.

Scale games (heights scaled by 1e-161 so that squares underflow) fail twice: a sum of
heights whose magnitude is below :data:`MIN_SUM` is refused, and every ratio is computed on
the heights divided by their largest magnitude, so it is the same for ``h`` and ``t * h``.
Sums are exactly rounded (``math.fsum``). Long vectors use an FFT convolution whose relative
error (~1e-13 of the maximum) is far below the gaps between published values.

Behaviour: the share of nonzero heights (first, second); the share of negative heights
(third).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.signal import fftconvolve

from discolab.verifiers.constructions.reading import (
    InvalidConstruction,
    Measured,
    fields,
    real_vector,
)

MAX_STEPS = 100_000
"""Longest height vector accepted (the published constructions use at most a few thousand)."""
MIN_SUM = 0.01
"""Smallest accepted magnitude of the sum of heights."""
DIRECT_LIMIT = 4096
"""Up to this many steps the convolution is the direct sum; beyond it an FFT."""


def parse_heights(data: Any, *, nonnegative: bool) -> np.ndarray:
    """``{"heights": [...]}`` with 1 to :data:`MAX_STEPS` finite numbers and a sum of
    magnitude at least :data:`MIN_SUM` (and no negative height when ``nonnegative``)."""
    heights = real_vector(fields(data, ("heights",))["heights"], "heights", max_length=MAX_STEPS)
    if nonnegative:
        negative = np.flatnonzero(heights < 0)
        if negative.size:
            i = int(negative[0])
            raise InvalidConstruction(f"heights[{i}] = {float(heights[i])!r} is negative")
    total = math.fsum(heights.tolist())
    if not abs(total) >= MIN_SUM:
        raise InvalidConstruction(
            f"the heights sum to {total!r}; the sum must have magnitude at least {MIN_SUM}"
        )
    return heights


def _normalised(heights: np.ndarray) -> tuple[np.ndarray, float]:
    """Heights divided by their largest magnitude, and the exactly rounded sum of those."""
    scaled = heights / float(np.max(np.abs(heights)))
    return scaled, math.fsum(scaled.tolist())


def autoconvolution(heights: np.ndarray) -> np.ndarray:
    """``conv(h, h)`` (length ``2n - 1``): direct for short vectors, FFT for long ones."""
    if heights.size <= DIRECT_LIMIT:
        return np.convolve(heights, heights)
    return fftconvolve(heights, heights)


def first_autocorrelation(heights: np.ndarray) -> Measured:
    """``2n max(conv(h, h)) / (Σh)²`` for nonnegative heights (minimised)."""
    n = heights.size
    scaled, total = _normalised(heights)
    peak = float(np.max(autoconvolution(scaled)))
    return Measured(2 * n * peak / total**2, {"n": float(n)}, _nonzero_share(heights))


def third_autocorrelation(heights: np.ndarray) -> Measured:
    """``2n max|conv(h, h)| / (Σh)²`` for heights of any sign (minimised)."""
    n = heights.size
    scaled, total = _normalised(heights)
    peak = float(np.max(np.abs(autoconvolution(scaled))))
    negative = float(np.count_nonzero(heights < 0)) / n
    return Measured(2 * n * peak / total**2, {"n": float(n)}, negative)


def second_autocorrelation(heights: np.ndarray) -> Measured:
    """``‖f*f‖₂² / (‖f*f‖₁ ‖f*f‖∞)`` for nonnegative heights (maximised).

    With knot values ``y`` (``conv(h, h)`` padded by a zero at each end) the common step
    width cancels: ``Σ (a² + ab + b²) / 3`` over adjacent knots ``a, b``, divided by
    ``Σ y`` (the trapezoid rule, exact for linear pieces) times ``max y``.
    """
    n = heights.size
    scaled, _ = _normalised(heights)
    c = np.clip(autoconvolution(scaled), 0.0, None)  # FFT round-off can dip below zero
    y = np.concatenate(([0.0], c, [0.0]))
    a, b = y[:-1], y[1:]
    l2_squared = math.fsum(((a * a + a * b + b * b) / 3).tolist())
    l1 = math.fsum(c.tolist())
    peak = float(np.max(c))
    if not (l1 > 0 and peak > 0):
        raise InvalidConstruction("the autoconvolution is zero; the heights vanish")
    return Measured(l2_squared / (l1 * peak), {"n": float(n)}, _nonzero_share(heights))


def _nonzero_share(heights: np.ndarray) -> float:
    return float(np.count_nonzero(heights)) / heights.size
