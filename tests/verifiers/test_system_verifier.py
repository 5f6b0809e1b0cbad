"""The system-level verifier: law samples from records, trajectories, honest feedback."""

from __future__ import annotations

import numpy as np
import pytest

from discolab.environments.base import sample_inputs
from discolab.environments.catalog import make_environment
from discolab.types import Candidate, CandidateKind, Experiment
from discolab.verifiers.laws import LawVerifier
from discolab.verifiers.systems import SystemLawVerifier, make_verifier

LEVELS = ("newton/gravity-simple-v1", "newton/gravity-complex-v1")


def _experiments(env_id: str, shift: str, calls: int = 3) -> tuple[object, list[Experiment]]:
    env = make_environment(env_id, shift=shift)
    spec = env.spec
    rng = np.random.default_rng(1)
    out = []
    for index in range(calls):
        columns = sample_inputs(spec.inputs, spec.max_batch, rng)
        points = tuple(
            {n: float(columns[n][i]) for n in spec.input_names} for i in range(spec.max_batch)
        )
        out.append(Experiment(index, points, tuple(env.experiment(list(points)))))
    return env, out


def _evaluate(verifier: LawVerifier, source: str, experiments: list[Experiment]):
    return verifier.evaluate(Candidate(CandidateKind.EXPRESSION, source, "test"), experiments)


@pytest.mark.parametrize("env_id", LEVELS)
def test_the_hidden_law_scores_one_and_wrong_laws_less(env_id: str) -> None:
    env, experiments = _experiments(env_id, "easy-2")  # 7e-45 * m1 * m2 * r**2
    verifier = make_verifier(env.spec, env.ground_truth())
    assert isinstance(verifier, SystemLawVerifier)
    right = _evaluate(verifier, "C*m1*m2*r**2", experiments)
    assert right.passed and right.score == 1.0 and right.metrics["reward"] == 1.0
    assert right.metrics["trajectory_error"] < 1e-9
    assert right.metrics["data_trajectory_error"] < 1e-9
    assert right.metrics["data_points"] > 100, "every run yields many law samples"
    wrong = _evaluate(verifier, "C*m1*m2/r**2", experiments)
    assert not wrong.passed and wrong.score < 0.5
    assert wrong.metrics["data_trajectory_error"] > 1e-2
    assert any(k.endswith("_residual") and v > 1e-2 for k, v in wrong.metrics.items())


@pytest.mark.parametrize("env_id", LEVELS)
def test_feedback_shows_only_what_the_agent_could_compute(env_id: str) -> None:
    env, experiments = _experiments(env_id, "hard-3")
    verifier = make_verifier(env.spec, env.ground_truth())
    ev = _evaluate(verifier, "C*m1*m2/r**2", experiments)
    assert "simulated with the fitted law" in ev.feedback
    held_out = ev.metrics["trajectory_error"]
    assert f"{held_out:.3g}" not in ev.feedback or held_out == ev.metrics["data_trajectory_error"]
    assert "rmsle" not in ev.feedback.lower()


@pytest.mark.parametrize(
    "source",
    ["__import__('os').system('true')", "C/(r-r)", "m1**1e6", "nonsense((", "q1*C"],
)
def test_hostile_or_broken_formulas_fail_without_raising(source: str) -> None:
    env, experiments = _experiments(LEVELS[0], "canonical")
    ev = _evaluate(make_verifier(env.spec, env.ground_truth()), source, experiments)
    assert ev.score < 0.5 and not ev.passed


def test_vanilla_tasks_keep_the_plain_verifier() -> None:
    env = make_environment("newton/gravity-v1")
    assert type(make_verifier(env.spec, env.ground_truth())) is LawVerifier


def test_series_experiments_round_trip_through_json() -> None:
    _, experiments = _experiments(LEVELS[1], "canonical", calls=1)
    again = Experiment.from_dict(experiments[0].to_dict())
    assert again == experiments[0]
    assert set(again.outputs[0]) == {"t", "x1", "y1", "x2", "y2"}
