"""The figures runs are ranked by after accuracy, and the seed intervals.

Every Evaluation here is built by hand with the metrics judge v2 reports
(``heldout_max_rel_error``, ``ood_nmse``), so the criteria are checked without running a fit.
"""

from __future__ import annotations

import math

import pytest
from scipy import stats

from discolab.bench_metrics import (
    TOLERANCE,
    median_or_worst,
    ood_value,
    seed_interval,
    within_tolerance,
)
from discolab.scoring import ScoreReport, task_score_from
from discolab.suites import suite_from_dict
from discolab.types import Evaluation
from discolab.verifiers.laws import HELDOUT_MAX_REL_ERROR, OOD_NMSE, SYMBOLIC_MATCH

MINI = {
    "suite": {"id": "mini-v1"},
    "options": {"noise": 0.0, "budget": 3, "max_batch": 10, "seed": 0},
    "tasks": [{"env": "newton/gravity-v1", "shifts": ["canonical", "s2", "s3", "s4"]}],
}


def _evaluation(match: bool, rel: float | None, ood: float | None, error: str | None = None):
    metrics = {SYMBOLIC_MATCH: float(match)}
    if rel is not None:
        metrics[HELDOUT_MAX_REL_ERROR] = rel
    if ood is not None:
        metrics[OOD_NMSE] = ood
    return Evaluation(score=1.0 if match else 0.5, passed=match, metrics=metrics, error=error)


@pytest.mark.parametrize(
    ("metrics", "error", "expected"),
    [
        ({HELDOUT_MAX_REL_ERROR: 0.0}, None, True),
        ({HELDOUT_MAX_REL_ERROR: TOLERANCE}, None, True),  # the bound itself is within
        ({HELDOUT_MAX_REL_ERROR: 0.1000001}, None, False),
        ({HELDOUT_MAX_REL_ERROR: 0.01}, "overflows inside the ranges", False),
        ({}, None, False),  # not measured (an older judge): a failure of the criterion
        ({HELDOUT_MAX_REL_ERROR: math.nan}, None, False),
        ({HELDOUT_MAX_REL_ERROR: math.inf}, None, False),
        ({HELDOUT_MAX_REL_ERROR: -0.5}, None, False),
        ({HELDOUT_MAX_REL_ERROR: True}, None, False),
        ({HELDOUT_MAX_REL_ERROR: "0.01"}, None, False),
    ],
)
def test_within_tolerance(metrics: dict, error: str | None, expected: bool) -> None:
    assert within_tolerance(metrics, error) is expected


def test_ood_value_is_inf_unless_measured_finite_and_clean() -> None:
    assert ood_value({OOD_NMSE: 0.25}) == 0.25
    assert ood_value({OOD_NMSE: 0.25}, "fit failed") == math.inf
    for bad in ({}, {OOD_NMSE: math.nan}, {OOD_NMSE: -1.0}, {OOD_NMSE: math.inf}):
        assert ood_value(bad) == math.inf


def test_median_treats_nan_and_missing_as_worst() -> None:
    assert median_or_worst([0.1, 0.3, math.nan]) == 0.3
    assert median_or_worst([0.1, math.inf]) == math.inf
    assert median_or_worst([0.1, 0.2, 0.4, math.inf]) == 0.30000000000000004
    assert median_or_worst([]) == math.inf


def test_report_ranks_figures_over_every_task_of_the_suite() -> None:
    suite = suite_from_dict(MINI)
    evaluations = [
        _evaluation(True, 1e-9, 1e-12),
        _evaluation(False, 0.05, 0.5),  # a near miss: within tolerance, not a match
        _evaluation(False, 3.0, 2.0),
        _evaluation(False, None, None),  # the judge measured neither figure
    ]
    scores = tuple(
        task_score_from(task, "C", e) for task, e in zip(suite.tasks, evaluations, strict=True)
    )
    report = ScoreReport(suite.id, scores, (), 0.0)
    assert report.accuracy == 0.25
    assert report.accuracy_at_tolerance == 0.5
    assert report.ood_nmse == 1.25  # median of (1e-12, 0.5, 2.0, inf)
    total = report.total()
    assert (total["within_tolerance"], total["accuracy_at_tolerance"]) == (2, 0.5)
    assert total["median_ood_nmse"] == 1.25
    failed = task_score_from(suite.tasks[0], "C", _evaluation(True, 0.0, 0.0, error="overflow"))
    assert not failed.symbolic_match and not failed.within_tolerance
    assert failed.ood_nmse == math.inf and failed.score == 0.0


def test_seed_interval_is_a_student_t_interval() -> None:
    values = [0.60, 0.70, 0.65, 0.75]
    got = seed_interval(values)
    mean = sum(values) / 4
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / 3)
    half = stats.t.ppf(0.975, 3) * sd / 2
    assert got.n == 4 and got.mean == pytest.approx(mean)
    assert (got.low, got.high) == (pytest.approx(mean - half), pytest.approx(mean + half))
    assert got.half_width == pytest.approx(half)


def test_seed_interval_edges() -> None:
    one = seed_interval([0.4])
    assert (one.n, one.low, one.mean, one.high) == (1, 0.4, 0.4, 0.4)
    same = seed_interval([0.5, 0.5, 0.5])
    assert same.low == same.high == 0.5
    clipped = seed_interval([0.0, 1.0])
    assert (clipped.low, clipped.high) == (0.0, 1.0)
    for bad in ([], [0.1, math.nan]):
        with pytest.raises(ValueError, match="seed"):
            seed_interval(bad)
    with pytest.raises(ValueError, match="confidence"):
        seed_interval([0.1, 0.2], confidence=1.5)
