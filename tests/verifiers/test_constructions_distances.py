"""Min-max distance verifier: hand-computed ratios, scale invariance, coincident points."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from discolab.environments.programs.catalog import make_problem
from discolab.verifiers.constructions.distances import measure_distance_ratio
from discolab.verifiers.constructions.reading import NonFinite

PLANE = "programs/min-max-distance-16-2d-v1"
SPACE = "programs/min-max-distance-14-3d-v1"


def grid_16() -> list[list[float]]:
    return [[float(i), float(j)] for i in range(4) for j in range(4)]


def test_the_unit_square_has_ratio_two() -> None:
    square = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    assert measure_distance_ratio(square).value == 2.0


def test_a_4x4_grid_has_ratio_eighteen() -> None:
    verdict = make_problem(PLANE).score({"points": grid_16()})
    assert verdict.valid and verdict.value == pytest.approx(18.0, rel=1e-15)


def test_cube_corners_and_six_face_centres_by_hand() -> None:
    corners = [list(map(float, c)) for c in itertools.product((0, 2), repeat=3)]
    faces = [[1.0, 1.0, 0.0], [1.0, 1.0, 2.0], [1.0, 0.0, 1.0], [1.0, 2.0, 1.0]]
    faces += [[0.0, 1.0, 1.0], [2.0, 1.0, 1.0]]
    verdict = make_problem(SPACE).score({"points": corners + faces})
    # largest: the diagonal, 12; smallest: corner to face centre, 2
    assert verdict.valid and verdict.value == pytest.approx(6.0, rel=1e-15)


@pytest.mark.parametrize("scale", [1e-200, 1e200, 1e300])
def test_the_ratio_survives_extreme_scales(scale: float) -> None:
    points = (np.array(grid_16()) * scale + 3 * scale).tolist()
    verdict = make_problem(PLANE).score({"points": points})
    assert verdict.valid and verdict.value == pytest.approx(18.0, rel=1e-12)


def test_coincident_points_fail_naming_the_pair() -> None:
    points = grid_16()
    points[5] = list(points[2])
    verdict = make_problem(PLANE).score({"points": points})
    assert not verdict.valid and "points 2 and 5 coincide" in verdict.error


@pytest.mark.parametrize(
    "edit",
    [
        lambda p: p.pop(),
        lambda p: p.append([0.5, 0.5]),
        lambda p: p.__setitem__(0, [0.0, 0.0, 0.0]),
        lambda p: p.__setitem__(0, [float("inf"), 0.0]),
        lambda p: p.__setitem__(0, [NonFinite("NaN"), 0.0]),
        lambda p: p.__setitem__(0, ["1+2j", 0.0]),
        lambda p: p.__setitem__(0, [False, 0.0]),
    ],
)
def test_shapes_and_non_numbers_fail(edit) -> None:
    points: list = grid_16()
    edit(points)
    verdict = make_problem(PLANE).score({"points": points})
    assert not verdict.valid and verdict.stage == "shape"
