"""Autocorrelation verifiers: hand-computed values, scale invariance and the known cheats."""

from __future__ import annotations

import numpy as np
import pytest

from discolab.environments.programs.catalog import make_problem
from discolab.verifiers.constructions.autocorrelation import (
    DIRECT_LIMIT,
    autoconvolution,
    first_autocorrelation,
    parse_heights,
    second_autocorrelation,
    third_autocorrelation,
)
from discolab.verifiers.constructions.reading import NonFinite

FIRST = "programs/first-autocorrelation-v1"
SECOND = "programs/second-autocorrelation-v1"
THIRD = "programs/third-autocorrelation-v1"
ALL = (FIRST, SECOND, THIRD)


@pytest.mark.parametrize("n", [1, 2, 7, 600])
def test_the_box_has_the_hand_computed_values(n: int) -> None:
    # f = 1 on [-1/4, 1/4]: f*f is a triangle of height 1/2 and ∫f = 1/2, so the first and
    # third ratios are (1/2) / (1/2)^2 = 2; a triangle has ‖·‖₂² / (‖·‖₁ ‖·‖∞) = 2/3
    heights = {"heights": [1.0] * n}
    assert make_problem(FIRST).score(heights).value == pytest.approx(2.0, rel=1e-15)
    assert make_problem(THIRD).score(heights).value == pytest.approx(2.0, rel=1e-15)
    assert make_problem(SECOND).score(heights).value == pytest.approx(2 / 3, rel=1e-14)


def test_a_two_step_function_by_hand() -> None:
    # h = (1, 2): conv = (1, 4, 4), sum 3, n = 2 -> 2*2*4/9
    assert first_autocorrelation(np.array([1.0, 2.0])).value == pytest.approx(16 / 9)
    # knots 0, 1, 4, 4, 0: L2² ∝ (1 + 21 + 48 + 16)/3, L1 ∝ 9, L∞ = 4
    assert second_autocorrelation(np.array([1.0, 2.0])).value == pytest.approx(86 / 3 / 36)
    # h = (1, -0.5): conv = (1, -1, 0.25), sum 0.5 -> 2*2*1/0.25
    assert third_autocorrelation(np.array([1.0, -0.5])).value == pytest.approx(16.0)


@pytest.mark.parametrize("scale", [1e-150, 1e-3, 1e3, 1e150, 1e300])
def test_every_ratio_is_scale_invariant(scale: float) -> None:
    rng = np.random.default_rng(1)
    h = rng.uniform(0.0, 1.0, 50) + 0.1
    for measure in (first_autocorrelation, second_autocorrelation, third_autocorrelation):
        assert measure(h * scale).value == pytest.approx(measure(h).value, rel=1e-12)


@pytest.mark.parametrize("problem_id", ALL)
def test_underflow_scaled_heights_are_refused(problem_id: str) -> None:
    heights = (np.linspace(0.1, 1.0, 200) * 1e-161).tolist()
    verdict = make_problem(problem_id).score({"heights": heights})
    assert not verdict.valid and "at least 0.01" in verdict.error


@pytest.mark.parametrize("problem_id", ALL)
def test_a_sum_below_the_floor_is_refused(problem_id: str) -> None:
    verdict = make_problem(problem_id).score({"heights": [0.004, 0.005]})
    assert not verdict.valid and "sum to" in verdict.error


@pytest.mark.parametrize("problem_id", [FIRST, SECOND])
def test_negative_heights_are_refused(problem_id: str) -> None:
    verdict = make_problem(problem_id).score({"heights": [1.0, -0.5, 1.0]})
    assert not verdict.valid and "heights[1] = -0.5 is negative" in verdict.error


def test_the_third_problem_accepts_negative_heights_and_takes_the_absolute_peak() -> None:
    verdict = make_problem(THIRD).score({"heights": [1.0, -0.5]})
    assert verdict.valid and verdict.value == pytest.approx(16.0)
    assert verdict.behaviour == 0.5  # the share of negative heights


@pytest.mark.parametrize("problem_id", ALL)
@pytest.mark.parametrize(
    "bad",
    [
        float("nan"),
        float("inf"),
        -float("inf"),
        NonFinite("NaN"),
        NonFinite("-Infinity"),
        "1+2j",
        complex(1, 2),
        [1.0],
        {"re": 1.0},
        True,
        None,
    ],
)
def test_non_numbers_fail_naming_the_entry(problem_id: str, bad: object) -> None:
    verdict = make_problem(problem_id).score({"heights": [1.0, bad, 1.0]})
    assert not verdict.valid and verdict.stage == "shape" and "heights[1]" in verdict.error


@pytest.mark.parametrize("problem_id", ALL)
def test_empty_too_long_or_mistyped_vectors_fail(problem_id: str) -> None:
    problem = make_problem(problem_id)
    for data in ({"heights": []}, {"heights": [1.0] * 100_001}, {"heights": 1.0}, {"h": [1]}):
        assert not problem.score(data).valid


def test_the_fft_convolution_agrees_with_the_direct_sum() -> None:
    h = np.random.default_rng(2).uniform(0.0, 1.0, DIRECT_LIMIT + 500)
    direct = np.convolve(h, h)
    assert np.max(np.abs(autoconvolution(h) - direct)) <= 1e-9 * np.max(direct)


def test_the_behaviour_is_the_share_of_nonzero_heights() -> None:
    verdict = make_problem(FIRST).score({"heights": [1.0, 0.0, 0.0, 1.0]})
    assert verdict.valid and verdict.behaviour == 0.5
    assert parse_heights({"heights": [0, 1]}, nonnegative=True).dtype == np.float64
