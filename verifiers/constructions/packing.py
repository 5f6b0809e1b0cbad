"""Circle packings in a rectangle: containment and overlap in the publisher's form.

Circle ``i`` with centre ``(x, y)`` and radius ``r`` is inside the ``width`` x ``height``
rectangle iff ``r <= x <= width - r`` and ``r <= y <= height - r``; circles ``i`` and ``j``
overlap iff ``r_i + r_j > sqrt((x_i - x_j)**2 + (y_i - y_j)**2)``. Both are evaluated in
exactly that form in float64 with zero tolerance: touching (slack 0) is allowed, as in the
published packings, and any positive violation fails naming the circle or the pair. The
smallest slack over every constraint is reported as ``worst_slack``.

The objective is the sum of the radii (maximised). The behaviour descriptor is the spread
of the radii, ``(max r - min r) / max r``: 0 for equal circles, near 1 when some are tiny.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from discolab.verifiers.constructions.reading import (
    InvalidConstruction,
    Measured,
    fields,
    real_matrix,
    real_number,
    real_vector,
)


@dataclass(frozen=True)
class Packing:
    """Parsed packing data: ``centers`` (n x 2), ``radii`` (n) and the container."""

    centers: np.ndarray
    radii: np.ndarray
    width: float
    height: float


def parse_square_packing(data: Any, n: int) -> Packing:
    """``{"centers": [[x, y]] * n, "radii": [r] * n}`` for the unit square."""
    obj = fields(data, ("centers", "radii"))
    return Packing(
        real_matrix(obj["centers"], "centers", n, 2), real_vector(obj["radii"], "radii", n), 1, 1
    )


def parse_rect_packing(data: Any, n: int, half_perimeter: int) -> Packing:
    """A packing in a rectangle the data chooses: ``width + height <= half_perimeter``.

    The perimeter bound is checked exactly on the two floats (as rationals), so rounding
    cannot hide a rectangle a little too large.
    """
    obj = fields(data, ("width", "height", "centers", "radii"))
    width = real_number(obj["width"], "width")
    height = real_number(obj["height"], "height")
    if not (width > 0 and height > 0):
        raise InvalidConstruction(f"width = {width!r} and height = {height!r} must be positive")
    if Fraction(width) + Fraction(height) > half_perimeter:
        raise InvalidConstruction(
            f"width + height = {width!r} + {height!r} exceeds {half_perimeter} "
            f"(perimeter {2 * half_perimeter})"
        )
    return Packing(
        real_matrix(obj["centers"], "centers", n, 2),
        real_vector(obj["radii"], "radii", n),
        width,
        height,
    )


def measure_packing(packing: Packing) -> Measured:
    """The sum of radii of a valid packing, its worst slack and radius spread.

    Raises:
        InvalidConstruction: a negative radius, a circle not inside, or two circles overlap.
    """
    x, y = packing.centers[:, 0], packing.centers[:, 1]
    r = packing.radii
    negative = np.flatnonzero(r < 0)
    if negative.size:
        i = int(negative[0])
        raise InvalidConstruction(f"circle {i} has negative radius {float(r[i])!r}")
    slacks = []
    axes = (("x", r, x, packing.width - r), ("y", r, y, packing.height - r))
    for name, lower, value, upper in axes:
        bad = np.flatnonzero(~((lower <= value) & (value <= upper)))
        if bad.size:
            i = int(bad[0])
            raise InvalidConstruction(
                f"circle {i} is not inside: need r <= {name} <= {_limit(packing, name)} - r with "
                f"{name} = {float(value[i])!r}, r = {float(r[i])!r}"
            )
        slacks += [float(np.min(value - lower)), float(np.min(upper - value))]
    n = r.size
    if n > 1:
        i, j = np.triu_indices(n, 1)
        distance = np.sqrt((x[i] - x[j]) ** 2 + (y[i] - y[j]) ** 2)
        reach = r[i] + r[j]
        overlap = np.flatnonzero(reach > distance)
        if overlap.size:
            k = int(overlap[0])
            raise InvalidConstruction(
                f"circles {int(i[k])} and {int(j[k])} overlap: r_i + r_j = {float(reach[k])!r} > "
                f"distance {float(distance[k])!r} (by {reach[k] - distance[k]:.3g})"
            )
        slacks.append(float(np.min(distance - reach)))
    worst = min(slacks)
    total = math.fsum(r.tolist())
    top = float(np.max(r))
    spread = (top - float(np.min(r))) / top if top > 0 else 0.0
    return Measured(
        value=total,
        metrics={"worst_slack": worst, "n": float(n), "width": packing.width},
        behaviour=min(max(spread, 0.0), 1.0),
    )


def _limit(packing: Packing, name: str) -> str:
    return repr(packing.width if name == "x" else packing.height)
