"""Erdős's minimum overlap problem as a construction problem.

Verifier: :mod:`discolab.verifiers.constructions.erdos` (heights in ``[0, 1]``, exact sum
``n/2`` in rational arithmetic, objective ``max(correlate(h, 1 - h)) * 2/n``).
Behaviour descriptor: the share of steps with ``h >= 1/2``.

The seed shapes the heights with a few knobs, rounds them to multiples of 1/1024 and then
moves single units between steps until the sum is exactly ``n/2``: dyadic heights add up
exactly in floating point, so every knob setting writes a valid construction.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from discolab.environments.programs.base import Reference
from discolab.environments.programs.common import JSON_RULES, VerifiedProblem, seed_source
from discolab.verifiers.constructions.erdos import measure_overlap, parse_overlap_heights
from discolab.verifiers.constructions.reading import Measured

_BLOCK = """
STEPS = 100  # number of equal steps on [0, 2]; kept even so that n/2 is whole
LEVEL = 0.5  # constant level
BUMP = 0.0  # weight of a bump centred at x = 1
WIDTH = 0.5  # width of the bump
TILT = 0.0  # linear slope across [0, 2]
UNIT_BITS = 10  # heights are multiples of 1/2**UNIT_BITS, so sums are exact


def construct():
    n = 2 * max(int(round(STEPS / 2)), 1)
    unit = 2 ** min(max(int(round(UNIT_BITS)), 1), 30)
    x = (np.arange(n) + 0.5) * 2 / n
    h = LEVEL + BUMP * np.exp(-(((x - 1) / max(abs(WIDTH), 1e-3)) ** 2)) + TILT * (x - 1)
    q = np.clip(np.round(np.nan_to_num(h) * unit), 0, unit).astype(int)
    excess = int(q.sum()) - n * unit // 2
    order = np.argsort(-q) if excess > 0 else np.argsort(q)
    for i in order:
        if excess == 0:
            break
        step = min(abs(excess), q[i] if excess > 0 else unit - q[i])
        q[i] -= step if excess > 0 else -step
        excess -= step if excess > 0 else -step
    return {"heights": [int(v) / unit for v in q]}
"""


class ErdosMinimumOverlap(VerifiedProblem):
    """Minimise the largest overlap of ``h`` and ``1 - h`` over shifts.

    Data: ``{"heights": [...]}`` on ``n`` equal steps of ``[0, 2]``, each in ``[0, 1]``,
    summing to exactly ``n/2`` (so ``∫h = 1``). Objective
    ``max_k Σ_i h_i (1 - h_{i+k}) * 2/n`` (``1 - h`` is zero outside ``[0, 2]``), an upper
    bound on Erdős's minimum overlap constant. Version 1.
    """

    id = "programs/erdos-min-overlap-v1"
    title = "Erdős minimum overlap: minimise the largest overlap of h and 1 - h"
    direction = "min"
    references = (
        Reference("previous state of the art", 0.380927),
        Reference("AlphaEvolve (2025)", 0.380923),
        Reference("later report", 0.380876),
    )
    statement = (
        "Construct a step function h on [0, 2] with n equal steps (you choose n, at most "
        "20000), every height in [0, 1], and integral exactly 1, i.e. the heights sum to "
        "exactly n/2 (checked in exact rational arithmetic on the numbers you write, so "
        "rounding errors make the construction invalid; multiples of a power of two such as "
        "1/1024 add up exactly). Make the largest overlap max_k sum_i h_i * (1 - h_{i+k}) * "
        "2/n over all shifts k, with 1 - h taken as zero outside [0, 2] (numpy: "
        "max(correlate(h, 1 - h, 'full')) * 2 / n), as small as possible (minimise). Write "
        '{"heights": [h_0, ..., h_{n-1}]}. ' + JSON_RULES
    )

    def seed_program(self) -> str:
        """A flat half-height function with shape knobs, rounded to exact dyadic heights."""
        return seed_source("import json\n\nimport numpy as np", _BLOCK)

    def parse(self, data: Any) -> np.ndarray:
        return parse_overlap_heights(data)

    def measure(self, parsed: np.ndarray) -> Measured:
        return measure_overlap(parsed)


PROBLEMS = (ErdosMinimumOverlap,)
