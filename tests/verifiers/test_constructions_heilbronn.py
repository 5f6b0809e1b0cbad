"""Heilbronn verifier: exact containment on the edges, hand-computed areas, cheats."""

from __future__ import annotations

import math

import numpy as np
import pytest

from discolab.environments.programs.catalog import make_problem
from discolab.verifiers.constructions.heilbronn import (
    inside_triangle,
    measure_smallest_triangle,
    parse_points_in_triangle,
)
from discolab.verifiers.constructions.reading import InvalidConstruction, NonFinite

HEILBRONN = "programs/heilbronn-triangle-11-v1"
APEX = (0.5, math.sqrt(3) / 2)


def eleven() -> list[list[float]]:
    """Eleven distinct points inside: on a small circle around the centroid."""
    angles = np.arange(11) * 2 * np.pi / 11
    return np.column_stack((0.5 + 0.2 * np.cos(angles), 0.3 + 0.2 * np.sin(angles))).tolist()


def test_the_vertices_form_the_whole_triangle() -> None:
    points = parse_points_in_triangle({"points": [[0.0, 0.0], [1.0, 0.0], list(APEX)]}, 3)
    assert measure_smallest_triangle(points).value == pytest.approx(1.0, rel=1e-15)


def test_edge_points_are_inside_and_points_past_an_edge_are_not() -> None:
    assert inside_triangle(0.5, 0.0) and inside_triangle(0.0, 0.0) and inside_triangle(*APEX)
    assert not inside_triangle(0.5, -1e-300)
    assert not inside_triangle(-1e-300, 0.0)
    assert not inside_triangle(math.nextafter(1.0, 2.0), 0.0)
    y = 0.4
    x = y / math.sqrt(3)  # on the left edge up to rounding: decided exactly either way
    assert inside_triangle(math.nextafter(x, 1.0), y)
    assert not inside_triangle(math.nextafter(x, 0.0) - 1e-12, y)
    assert not inside_triangle(0.5, math.nextafter(APEX[1], 1.0) + 1e-15)


def test_a_valid_configuration_scores_its_smallest_triangle() -> None:
    verdict = make_problem(HEILBRONN).score({"points": eleven()})
    assert verdict.valid, verdict.error
    assert 0 < verdict.value < 1 and 0 <= verdict.behaviour <= 1
    assert verdict.metrics["smallest_area"] == pytest.approx(verdict.value * math.sqrt(3) / 4)


def test_collinear_points_are_valid_with_score_zero() -> None:
    points = [[0.1 * k, 0.0] for k in range(11)]
    verdict = make_problem(HEILBRONN).score({"points": points})
    assert verdict.valid and verdict.value == 0.0


def test_a_point_outside_by_1e_12_fails_naming_it() -> None:
    points = eleven()
    points[4] = [0.5, -1e-12]
    verdict = make_problem(HEILBRONN).score({"points": points})
    assert not verdict.valid and "points[4]" in verdict.error and "outside" in verdict.error


@pytest.mark.parametrize(
    "points",
    [
        eleven()[:10],
        [*eleven(), [0.5, 0.3]],
        [[0.5, 0.3, 0.0], *eleven()[1:]],
        [[float("nan"), 0.3], *eleven()[1:]],
        [[NonFinite("NaN"), 0.3], *eleven()[1:]],
        [["0.5", 0.3], *eleven()[1:]],
        [[True, 0.3], *eleven()[1:]],
        [[[0.5], 0.3], *eleven()[1:]],
    ],
)
def test_wrong_shapes_and_non_numbers_fail_at_the_shape_stage(points: list) -> None:
    verdict = make_problem(HEILBRONN).score({"points": points})
    assert not verdict.valid and verdict.stage == "shape"
    with pytest.raises(InvalidConstruction):
        parse_points_in_triangle({"points": points}, 11)
