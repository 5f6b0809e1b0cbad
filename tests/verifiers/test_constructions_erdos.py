"""Erdős minimum overlap verifier: exact sums, hand-computed overlaps, the known cheats."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from discolab.environments.programs.catalog import make_problem
from discolab.verifiers.constructions.erdos import exact_sum, measure_overlap
from discolab.verifiers.constructions.reading import NonFinite

ERDOS = "programs/erdos-min-overlap-v1"


@pytest.mark.parametrize("n", [2, 10, 400])
def test_half_everywhere_has_overlap_one_half(n: int) -> None:
    # h = 1/2: the zero shift overlaps n/4 steps of width 2/n
    verdict = make_problem(ERDOS).score({"heights": [0.5] * n})
    assert verdict.valid and verdict.value == 0.5
    assert verdict.behaviour == 1.0


def test_an_indicator_by_hand() -> None:
    # h = 1 on [0, 1], 0 on (1, 2], n = 4: h·(1-h) shifted by 2 steps gives 2 full steps
    assert measure_overlap(np.array([1.0, 1.0, 0.0, 0.0])).value == 1.0


def test_validity_follows_the_exact_rational_sum_not_the_float_sum() -> None:
    heights = [0.1, 0.9] * 50  # the float 0.1 + the float 0.9 is not exactly 1
    assert sum(heights) == 50.0
    exact = exact_sum(heights) == Fraction(len(heights), 2)
    assert make_problem(ERDOS).score({"heights": heights}).valid is exact


def test_a_sum_off_by_one_ulp_fails() -> None:
    heights = [0.5] * 100
    heights[7] = math.nextafter(0.5, 1.0)
    verdict = make_problem(ERDOS).score({"heights": heights})
    assert not verdict.valid and "exactly n/2" in verdict.error
    assert sum(heights) == 50.0  # the float sum rounds the ulp away; the exact sum does not


def test_dyadic_heights_with_the_right_sum_pass() -> None:
    q = np.array([1024 * (k % 2) for k in range(64)])  # alternating 0 and 1
    q[0], q[1] = 300, 724  # still sums to 32 * 1024
    heights = (q / 1024).tolist()
    verdict = make_problem(ERDOS).score({"heights": heights})
    assert verdict.valid, verdict.error


@pytest.mark.parametrize(
    ("bad", "needle"),
    [
        (-0.25, "outside [0, 1]"),
        (1.25, "outside [0, 1]"),
        (float("nan"), "finite"),
        (NonFinite("Infinity"), "Infinity"),
        ("0.5", "str"),
        (True, "bool"),
        ([0.5], "list"),
    ],
)
def test_values_outside_or_not_numbers_fail(bad: object, needle: str) -> None:
    heights: list[object] = [0.5] * 10
    heights[3] = bad
    verdict = make_problem(ERDOS).score({"heights": heights})
    assert not verdict.valid and needle in verdict.error and "heights[3]" in verdict.error


def test_exact_sum_matches_fractions() -> None:
    values = [0.1, 1e-300, 3.5, 2.0**-1074, 0.3]
    assert exact_sum(values) == sum((Fraction(v) for v in values), Fraction(0))
