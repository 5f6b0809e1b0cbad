"""Min-max distance ratio problems: 16 points in the plane, 14 points in space.

Verifier: :mod:`discolab.verifiers.constructions.distances` (objective
``(max distance / min distance)²``, minimised; coincident points fail). Behaviour
descriptor: the mean distance from the centroid over the largest one.

Seeds start from a lattice (a sheared grid in the plane, a stack of layers in space) with
shear, stretch and jitter knobs; every setting without coincident points is valid.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from discolab.environments.programs.base import Reference
from discolab.environments.programs.common import JSON_RULES, VerifiedProblem, seed_source
from discolab.verifiers.constructions.distances import measure_distance_ratio, parse_points
from discolab.verifiers.constructions.reading import Measured

_BLOCK = """
SIDE = {side}  # lattice points per axis before trimming to N
SHEAR = 0.0  # offset of every other row along the first axis
STRETCH = 1.0  # spacing of the last axis relative to the others
JITTER = 0.0  # size of a deterministic wobble
ROUND = 0.0  # pull towards a round cluster (0: none, 1: onto a ball)


def construct():
    side = max(int(round(SIDE)), 2)
    grid = np.stack(np.meshgrid(*[np.arange(side, dtype=float)] * DIM, indexing="ij"), -1)
    p = grid.reshape(-1, DIM)
    p[:, 0] += SHEAR * (p[:, 1] % 2)
    p[:, -1] *= STRETCH
    p += JITTER * np.sin(np.arange(p.size).reshape(p.shape) * 1.7)
    centre = p.mean(axis=0)
    p = p[np.argsort(np.linalg.norm(p - centre, axis=1), kind="stable")][:N]
    radius = np.linalg.norm(p - p.mean(axis=0), axis=1, keepdims=True)
    p = p + ROUND * (p - p.mean(axis=0)) * (radius.max() / np.maximum(radius, 1e-9) - 1)
    return {{"points": p.tolist()}}
"""


class MinMaxDistance(VerifiedProblem):
    """``n`` points in ``d`` dimensions minimising ``(max distance / min distance)²``.

    Data: ``{"points": [[...] * d] * n}``; no two points may coincide. Version 1.
    """

    direction = "min"
    n: int
    dimension: int
    side: int

    def seed_program(self) -> str:
        """A trimmed lattice with shear, stretch, jitter and rounding knobs."""
        block = _BLOCK.format(side=self.side)
        fixed = f"N = {self.n}  # points\nDIM = {self.dimension}  # coordinates per point"
        return seed_source("import json\n\nimport numpy as np", block, fixed)

    def parse(self, data: Any) -> np.ndarray:
        return parse_points(data, self.n, self.dimension)

    def measure(self, parsed: np.ndarray) -> Measured:
        return measure_distance_ratio(parsed)


def _statement(n: int, dimension: int, where: str) -> str:
    return (
        f"Place {n} distinct points in {where} (any coordinates) so that the ratio "
        "(largest pairwise distance / smallest pairwise distance)^2 is as small as possible "
        "(minimise). The ratio ignores translation and scale; coincident points make the "
        f'construction invalid. Write {{"points": [[...], ...]}} with exactly {n} points of '
        f"{dimension} coordinates each. " + JSON_RULES
    )


class MinMaxDistance16Plane(MinMaxDistance):
    """16 points in the plane (see :class:`MinMaxDistance`)."""

    id = "programs/min-max-distance-16-2d-v1"
    title = "Min-max distance ratio: 16 points in the plane"
    n, dimension, side = 16, 2, 4
    references = (
        Reference("previous state of the art", 12.890),
        Reference("AlphaEvolve (2025)", 12.889266),
    )
    statement = _statement(16, 2, "the plane")


class MinMaxDistance14Space(MinMaxDistance):
    """14 points in 3-D space (see :class:`MinMaxDistance`)."""

    id = "programs/min-max-distance-14-3d-v1"
    title = "Min-max distance ratio: 14 points in 3-D space"
    n, dimension, side = 14, 3, 3
    references = (
        Reference("previous state of the art", 4.168),
        Reference("AlphaEvolve (2025)", 4.165850),
    )
    statement = _statement(14, 3, "three-dimensional space")


PROBLEMS = (MinMaxDistance16Plane, MinMaxDistance14Space)
