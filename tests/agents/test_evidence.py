"""What a design can support: distinct points and the share of each range it spans."""

from __future__ import annotations

import math

from discolab.agents.evidence import design_support
from discolab.types import Experiment, TaskSpec, Variable


def _spec() -> TaskSpec:
    return TaskSpec(
        task_id="t",
        title="t",
        description="",
        inputs=(Variable("r", "m", 1.0, 1e4, log_scale=True), Variable("x", "", 0.0, 10.0)),
        output=Variable("F", "N", 0.0, 1.0),
        budget=5,
        max_batch=10,
    )


def _exp(points: list[dict[str, float]], index: int = 0) -> Experiment:
    return Experiment(index=index, inputs=tuple(points), outputs=tuple(1.0 for _ in points))


def test_repeated_points_count_once_and_span_nothing() -> None:
    support = design_support(_spec(), [_exp([{"r": 10.0, "x": 5.0}] * 4)] * 3)
    assert support.distinct_points == 1
    assert support.coverage == {"r": 0.0, "x": 0.0}
    assert not support.supports(1)
    problems = " ".join(support.problems(1))
    assert "only 1 distinct input point" in problems and "r spans 0%" in problems


def test_log_scale_inputs_are_measured_in_decades() -> None:
    support = design_support(_spec(), [_exp([{"r": 1.0, "x": 0.0}, {"r": 100.0, "x": 10.0}])])
    assert math.isclose(support.coverage["r"], 0.5)  # 2 of 4 decades
    assert support.coverage["x"] == 1.0
    assert support.distinct_points == 2
    assert not support.supports(1)  # a one-constant law needs 3 distinct points
    assert support.supports(0)


def test_enough_spread_points_support_a_law_with_more_constants() -> None:
    points = [{"r": 10.0 ** (k / 2), "x": float(k)} for k in range(8)]
    support = design_support(_spec(), [_exp(points)])
    assert support.supports(3) and not support.supports(7)


def test_garbage_values_never_raise() -> None:
    points = [{"r": float("nan"), "x": 1.0}, {"x": 2.0}]
    support = design_support(_spec(), [_exp(points)])  # type: ignore[list-item]
    assert support.coverage["r"] == 0.0
    assert not support.supports(1)
