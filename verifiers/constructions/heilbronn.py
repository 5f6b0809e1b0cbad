"""Heilbronn's problem for a triangle: the smallest triangle of points in a triangle.

A construction is ``{"points": [[x, y]] * n}``, every point inside the equilateral triangle
with vertices ``(0, 0)``, ``(1, 0)`` and ``(1/2, √3/2)``. Containment is the intersection of
the three closed half-planes ``y >= 0``, ``y <= √3 x`` and ``y <= √3 (1 - x)``, decided
*exactly* on the floats as rationals (``y <= √3 x`` iff ``x >= 0`` and ``y² <= 3 x²`` when
``y >= 0``): tolerance zero, points on an edge allowed.

The objective (maximised) is the smallest area of a triangle formed by three of the points,
divided by the area ``√3/4`` of the container; collinear triples make it 0.

Behaviour: the mean distance of the points from the container's centroid divided by the
circumradius ``1/√3`` (0: all at the centre, 1: all at the vertices).
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any

import numpy as np

from discolab.verifiers.constructions.reading import (
    InvalidConstruction,
    Measured,
    fields,
    real_matrix,
)

AREA = math.sqrt(3) / 4
"""Area of the container triangle."""
CENTROID = (0.5, math.sqrt(3) / 6)
CIRCUMRADIUS = 1 / math.sqrt(3)


def inside_triangle(x: float, y: float) -> bool:
    """Whether ``(x, y)`` lies in the closed container, decided in exact arithmetic."""
    fx, fy = Fraction(x), Fraction(y)
    if fy < 0:
        return False
    left = fx >= 0 and fy * fy <= 3 * fx * fx
    right = 1 - fx >= 0 and fy * fy <= 3 * (1 - fx) ** 2
    return left and right


def parse_points_in_triangle(data: Any, n: int) -> np.ndarray:
    """``{"points": [[x, y]] * n}`` with every point in the closed container."""
    points = real_matrix(fields(data, ("points",))["points"], "points", n, 2)
    for i, (x, y) in enumerate(points.tolist()):
        if not inside_triangle(x, y):
            raise InvalidConstruction(
                f"points[{i}] = ({x!r}, {y!r}) is outside the triangle (0, 0), (1, 0), "
                "(1/2, √3/2): need y >= 0, y <= √3 x and y <= √3 (1 - x)"
            )
    return points


def measure_smallest_triangle(points: np.ndarray) -> Measured:
    """The smallest triangle area over all triples, relative to the container (maximised)."""
    triples = np.array(list(itertools.combinations(range(len(points)), 3)))
    a, b, c = points[triples[:, 0]], points[triples[:, 1]], points[triples[:, 2]]
    cross = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (c[:, 0] - a[:, 0]) * (b[:, 1] - a[:, 1])
    smallest = float(np.min(np.abs(cross))) / 2
    spread = np.hypot(points[:, 0] - CENTROID[0], points[:, 1] - CENTROID[1]) / CIRCUMRADIUS
    return Measured(
        smallest / AREA,
        {"smallest_area": smallest},
        min(float(np.mean(spread)), 1.0),
    )
