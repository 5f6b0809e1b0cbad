"""Heilbronn's triangle problem for 11 points in the equilateral triangle.

Verifier: :mod:`discolab.verifiers.constructions.heilbronn` (containment decided exactly on
the floats as rationals, tolerance zero; objective the smallest triangle area over the
container's). Behaviour descriptor: the mean distance of the points from the centroid over
the circumradius.

The seed draws random points (seed and concentration are knobs), spreads them by a few
rounds of mutual repulsion kept inside in barycentric form, and pulls them a hair towards
the centroid, so every knob setting stays inside.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from discolab.environments.programs.base import Reference
from discolab.environments.programs.common import JSON_RULES, VerifiedProblem, seed_source
from discolab.verifiers.constructions.heilbronn import (
    measure_smallest_triangle,
    parse_points_in_triangle,
)
from discolab.verifiers.constructions.reading import Measured

_BLOCK = """
SEED = 4  # start: random points drawn from this seed
ALPHA = 2.0  # concentration of the start (large: near the centre)
ROUNDS = 10  # rounds of mutual repulsion
STEP = 0.01  # largest move per round
POWER = 3.0  # how fast repulsion decays with distance
EDGE = 1e-6  # smallest barycentric weight kept (distance from the edges)


def construct():
    corners = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]])
    w = np.random.default_rng(int(SEED)).dirichlet([max(ALPHA, 0.05)] * 3, size=N)
    for _ in range(int(ROUNDS)):
        p = w @ corners
        diff = p[:, None, :] - p[None, :, :]
        dist = np.sqrt((diff**2).sum(-1)) + np.eye(N)
        push = (diff / dist[..., None] ** POWER).sum(axis=1)
        p = p + STEP * push / max(np.abs(push).max(), 1e-12)
        top = p[:, 1] / (np.sqrt(3) / 2)
        right = p[:, 0] - p[:, 1] / np.sqrt(3)
        w = np.column_stack((1 - top - right, right, top))
        w = np.maximum(np.nan_to_num(w), max(EDGE, 1e-9))
        w = w / w.sum(axis=1, keepdims=True)
    centre = corners.mean(axis=0)
    p = centre + (w @ corners - centre) * (1 - 1e-9)
    return {"points": p.tolist()}
"""


class Heilbronn11(VerifiedProblem):
    """11 points in the triangle (0, 0), (1, 0), (1/2, √3/2), maximising the smallest
    triangle they form, relative to the container's area.

    Data: ``{"points": [[x, y]] * 11}``, each in the closed triangle (exact check, points on
    an edge allowed). Version 1.
    """

    id = "programs/heilbronn-triangle-11-v1"
    title = "Heilbronn problem: 11 points in a unit equilateral triangle"
    direction = "max"
    references = (
        Reference("previous state of the art", 0.036),
        Reference("AlphaEvolve (2025)", 0.036530),
    )
    statement = (
        "Place 11 points inside the equilateral triangle with vertices (0, 0), (1, 0) and "
        "(1/2, sqrt(3)/2) (the boundary counts as inside; containment is checked exactly: "
        "y >= 0, y <= sqrt(3) * x and y <= sqrt(3) * (1 - x)) so that the smallest area of a "
        "triangle formed by any three of the points, divided by the area sqrt(3)/4 of the "
        "big triangle, is as large as possible (maximise). Three collinear points give area "
        'zero. Write {"points": [[x, y], ...]} with exactly 11 points. ' + JSON_RULES
    )

    def seed_program(self) -> str:
        """Random points spread by repulsion, kept inside in barycentric form."""
        return seed_source("import json\n\nimport numpy as np", _BLOCK, "N = 11  # points")

    def parse(self, data: Any) -> np.ndarray:
        return parse_points_in_triangle(data, 11)

    def measure(self, parsed: np.ndarray) -> Measured:
        return measure_smallest_triangle(parsed)


PROBLEMS = (Heilbronn11,)
