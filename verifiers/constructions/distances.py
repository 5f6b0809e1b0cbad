"""The ratio of largest to smallest distance among ``n`` points in ``d`` dimensions.

A construction is ``{"points": [[x_1, ..., x_d]] * n}``. The objective (minimised) is
``(max_{i<j} |p_i - p_j| / min_{i<j} |p_i - p_j|)²``, computed from squared distances.
Coincident points (a smallest distance of zero) fail, naming the pair.

The ratio does not change under translation and scaling, so the points are first scaled
into ``[-1, 1]``, centred and scaled again: huge or tiny coordinates can neither
overflow nor underflow the squares. Points so close that their scaled squared distance
underflows count as coincident.

Behaviour: the mean distance of the points from their centroid over the largest such
distance (1: all on a sphere around the centroid; small: a cluster with outliers).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from discolab.verifiers.constructions.reading import (
    InvalidConstruction,
    Measured,
    fields,
    real_matrix,
)


def parse_points(data: Any, n: int, dimension: int) -> np.ndarray:
    """``{"points": [[...] * dimension] * n}`` of finite numbers."""
    return real_matrix(fields(data, ("points",))["points"], "points", n, dimension)


def measure_distance_ratio(points: np.ndarray) -> Measured:
    """``(max distance / min distance)²`` over all pairs (minimised).

    Raises:
        InvalidConstruction: two points coincide.
    """
    magnitude = float(np.max(np.abs(points)))
    if magnitude == 0:
        raise InvalidConstruction("all points coincide")
    unit = points / magnitude  # first into [-1, 1], so that the mean cannot overflow
    centred = unit - unit.mean(axis=0)
    scale = float(np.max(np.abs(centred)))
    if scale == 0:
        raise InvalidConstruction("all points coincide")
    scaled = centred / scale
    i, j = np.triu_indices(len(points), 1)
    squared = np.sum((scaled[i] - scaled[j]) ** 2, axis=1)
    k = int(np.argmin(squared))
    if squared[k] <= 0:
        raise InvalidConstruction(
            f"points {int(i[k])} and {int(j[k])} coincide: {points[i[k]].tolist()!r}"
        )
    radii = np.sqrt(np.sum(scaled**2, axis=1))
    return Measured(
        float(np.max(squared) / squared[k]),
        {"min_distance": float(np.sqrt(squared[k])) * scale * magnitude},
        float(np.mean(radii) / np.max(radii)),
    )
