"""Erdős's minimum overlap problem, as AlphaEvolve's verifier states it.

A construction is ``{"heights": [h_0, ..., h_{n-1}]}``: a step function on ``[0, 2]`` with
``n`` equal steps (width ``2/n``), every ``h_i`` in ``[0, 1]`` and ``∫h = 1``, i.e.
``Σh = n/2``. The sum is checked in exact rational arithmetic on the floats as written
(``fractions.Fraction``): a vector whose sum is off by one ulp fails.

The objective (minimised) is the largest overlap ``max_k ∫ h(x) (1 - h(x + k)) dx`` over
shifts, on the knots where the piecewise-linear correlation peaks:
``max(correlate(h, 1 - h, "full")) * 2 / n``.

Behaviour: the share of steps with ``h >= 1/2``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from discolab.verifiers.constructions.reading import (
    InvalidConstruction,
    Measured,
    fields,
    real_vector,
)

MAX_STEPS = 20_000
"""Longest height vector accepted (the exact sum and the direct correlation stay fast)."""


def parse_overlap_heights(data: Any) -> np.ndarray:
    """``{"heights": [...]}``: 1 to :data:`MAX_STEPS` numbers in ``[0, 1]`` summing to
    exactly ``n/2``."""
    heights = real_vector(fields(data, ("heights",))["heights"], "heights", max_length=MAX_STEPS)
    outside = np.flatnonzero((heights < 0) | (heights > 1))
    if outside.size:
        i = int(outside[0])
        raise InvalidConstruction(f"heights[{i}] = {float(heights[i])!r} is outside [0, 1]")
    n = heights.size
    total = exact_sum(heights.tolist())
    if total != Fraction(n, 2):
        raise InvalidConstruction(
            f"the heights sum to {float(total)!r} (exactly {total}); it must be exactly "
            f"n/2 = {n / 2!r} so that the integral is 1"
        )
    return heights


def exact_sum(values: list[float]) -> Fraction:
    """The exact rational sum of float64 values (every float is a dyadic rational)."""
    pairs = [v.as_integer_ratio() for v in values]
    scale = max(d for _, d in pairs)  # denominators are powers of two: the largest divides all
    return Fraction(sum(m * (scale // d) for m, d in pairs), scale)


def measure_overlap(heights: np.ndarray) -> Measured:
    """The largest overlap of ``h`` and ``1 - h`` over shifts (minimised)."""
    n = heights.size
    overlap = np.correlate(heights, 1.0 - heights, mode="full")
    value = float(np.max(overlap)) * 2 / n
    high = float(np.count_nonzero(heights >= 0.5)) / n
    return Measured(value, {"n": float(n)}, high)
