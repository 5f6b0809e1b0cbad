"""LawVerifier end to end on a hand-built hidden law, including the honesty rule."""

from __future__ import annotations

import math
import re
import time

import numpy as np
import pytest

from discolab.environments.base import GroundTruth
from discolab.errors import VerificationError
from discolab.types import Candidate, CandidateKind, Experiment, TaskSpec, Variable
from discolab.verifiers import laws
from discolab.verifiers.laws import LawVerifier, score_from

from .conftest import INPUTS, G, make_experiments, make_truth


def _candidate(source: str, kind: CandidateKind = CandidateKind.EXPRESSION) -> Candidate:
    return Candidate(kind=kind, source=source, proposer="test")


@pytest.fixture
def experiments(truth: GroundTruth) -> list[Experiment]:
    return make_experiments(truth.function)


def test_correct_law_passes_with_full_score(spec, truth, experiments) -> None:
    ev = LawVerifier(spec, truth).evaluate(_candidate("C*m1*m2/r**1.5"), experiments)
    assert ev.error is None
    assert ev.passed and ev.score == 1.0
    assert ev.metrics[laws.SYMBOLIC_MATCH] == 1.0
    assert ev.metrics[laws.DATA_PARAM_PREFIX + "C"] == pytest.approx(G, rel=1e-2)
    assert ev.metrics[laws.REL_LOG_ERROR] < 0.01
    assert ev.metrics[laws.DATA_REL_LOG_ERROR] < 0.02  # 1 % measurement noise
    assert ev.metrics[laws.COMPLEXITY] == 9.0
    assert set(laws.HELDOUT_METRICS) | set(laws.AGENT_VISIBLE_METRICS) <= set(ev.metrics)
    assert all(not math.isnan(v) for v in ev.metrics.values())


def test_wrong_exponent_scores_below_a_match(spec, truth, experiments) -> None:
    verifier = LawVerifier(spec, truth)
    near = verifier.evaluate(_candidate("C*m1*m2/r**1.52"), experiments)
    far = verifier.evaluate(_candidate("C*m1*m2/r**2"), experiments)
    assert not near.passed and not far.passed
    assert 0.0 < far.score < near.score <= 0.5
    penalty = near.metrics[laws.REL_LOG_ERROR] + near.metrics[laws.OOD_REL_LOG_ERROR]
    assert near.score == pytest.approx(score_from(False, penalty))


def test_score_formula() -> None:
    assert score_from(True, math.inf) == 1.0
    assert score_from(False, 0.0) == 0.5
    assert score_from(False, 1.0) == pytest.approx(0.25)
    assert score_from(False, math.inf) == 0.0


def test_rejected_formula_is_a_failed_evaluation(spec, truth, experiments) -> None:
    ev = LawVerifier(spec, truth).evaluate(_candidate("__import__('os').system('id')"), experiments)
    assert not ev.passed and ev.score == 0.0
    assert ev.error is not None and "not allowed" in ev.error
    assert ev.feedback == ev.error


def test_program_candidate_is_refused(spec, truth, experiments) -> None:
    ev = LawVerifier(spec, truth).evaluate(
        _candidate("print(1)", CandidateKind.PROGRAM), experiments
    )
    assert ev.error is not None and "formula" in ev.error and ev.score == 0.0


def test_fit_failure_is_a_failed_evaluation_with_a_reason(spec, truth, experiments) -> None:
    ev = LawVerifier(spec, truth).evaluate(_candidate("C*m1*m2/log(r)"), experiments)
    assert ev.score == 0.0 and not ev.passed
    assert ev.error is not None and "fit failed" in ev.error
    assert ev.metrics[laws.COMPLEXITY] > 0


def test_formula_undefined_on_part_of_the_domain_fails(spec, truth) -> None:
    """Agent data only has r > 1, where the formula is fine; the held-out set finds r < 1."""
    narrow = (*INPUTS[:2], Variable("r", "m", 1.0, 1e2))
    data = make_experiments(truth.function, inputs=narrow)
    ev = LawVerifier(spec, truth).evaluate(_candidate("C*m1*m2/log(r)**1.5"), data)
    assert ev.error is not None and "undefined" in ev.error
    assert ev.score == 0.0 and not ev.passed
    assert math.isfinite(ev.metrics[laws.DATA_REL_LOG_ERROR])


def test_no_experiments_yet(spec, truth) -> None:
    verifier = LawVerifier(spec, truth)
    needs_data = verifier.evaluate(_candidate("C*m1*m2/r**1.5"), [])
    assert needs_data.error is not None and "no measurements" in needs_data.error
    exact = verifier.evaluate(_candidate("6.674e-11*m1*m2/r**1.5"), [])
    assert exact.passed and "no measurements" in exact.feedback


def test_feedback_holds_only_agent_visible_information(spec, truth, experiments) -> None:
    """Same data, different hidden laws: feedback and data_* metrics must not change."""
    other = make_truth(exponent=2.5, constant=3.0e-9)
    for source in ["C*m1*m2/r**1.5", "C*m1*m2/r**2", "C1*m1*m2/r**C2", "C*(m1+m2)/r"]:
        a = LawVerifier(spec, truth).evaluate(_candidate(source), experiments)
        b = LawVerifier(spec, other).evaluate(_candidate(source), experiments)
        assert a.feedback == b.feedback
        visible = {k: v for k, v in a.metrics.items() if k.startswith(("data_", "complexity"))}
        assert visible == {k: b.metrics[k] for k in visible}
        assert a.metrics[laws.REL_LOG_ERROR] != b.metrics[laws.REL_LOG_ERROR]
        numbers = re.findall(r"[-+]?\d*\.?\d+(?:e[-+]?\d+)?", a.feedback)
        for name in laws.HELDOUT_METRICS:
            value = a.metrics[name]
            for shown in {f"{value:.4g}", f"{value:.3g}", f"{value:.6g}", repr(value)}:
                if value not in (0.0, 1.0) and len(shown) > 1:  # one digit is everywhere
                    assert shown not in numbers, (name, shown, a.feedback)
        for word in ("held", "match", "truth", "score"):
            assert word not in a.feedback.lower()


def test_feedback_reports_the_fit_on_own_data(spec, truth, experiments) -> None:
    ev = LawVerifier(spec, truth).evaluate(_candidate("C*m1*m2/r**1.5"), experiments)
    assert "fit to your 100 measurements" in ev.feedback
    assert "fitted C=6.6" in ev.feedback
    assert "complexity 9" in ev.feedback
    assert "as a formula: 6.6" in ev.feedback


def test_heldout_sample_is_cached_and_evaluation_is_deterministic(spec, truth, experiments):
    verifier = LawVerifier(spec, truth)
    first = verifier.heldout
    assert verifier.heldout is first
    assert first[1].shape == (5000,)
    a = verifier.evaluate(_candidate("C1*m1*m2/(r + C2)**1.5"), experiments)
    b = LawVerifier(spec, truth).evaluate(_candidate("C1*m1*m2/(r + C2)**1.5"), experiments)
    assert a == b


def test_typical_candidates_are_fast(spec: TaskSpec, truth, experiments) -> None:
    verifier = LawVerifier(spec, truth)
    verifier.evaluate(_candidate("C*m1*m2/r"), experiments)  # warm-up: held-out sample, imports
    sources = ["C*m1*m2/r**1.5", "C*m1*m2/r**2", "C*m1/r**1.5", "C*m1*m2**2/r**1.5"]
    start = time.thread_time()  # CPU time of this thread, not the load of the machine
    for source in sources:
        verifier.evaluate(_candidate(source), experiments)
    per_candidate = (time.thread_time() - start) / len(sources)
    assert per_candidate < 0.25  # typically a few milliseconds; generous for slow CI machines


def test_bad_heldout_size_is_refused(spec, truth) -> None:
    with pytest.raises(VerificationError, match="heldout_size"):
        LawVerifier(spec, truth, heldout_size=0)


def test_outputs_of_the_hidden_law_never_reach_metrics_as_nan(spec, truth, experiments) -> None:
    ev = LawVerifier(spec, truth).evaluate(_candidate("C*sin(r)*m1"), experiments)
    assert all(not np.isnan(v) for v in ev.metrics.values())
