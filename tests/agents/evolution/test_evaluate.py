"""The cascade evaluator: a broken verifier is a failed program, not a crashed campaign."""

from __future__ import annotations

from typing import Any

from evolve_toy import SEED, ToyProblem

from discolab.agents.evolution.evaluate import ProgramEvaluator
from discolab.environments.programs.base import ConstructionScore
from discolab.sandbox.base import Limits
from discolab.sandbox.process import ProcessSandbox


class BrokenProblem(ToyProblem):
    """A verifier with a bug on some data."""

    def score(self, data: Any) -> ConstructionScore:
        raise ZeroDivisionError("a verifier bug")


def test_a_verifier_bug_is_a_failed_result() -> None:
    limits = Limits(timeout=30.0)
    with ProcessSandbox(limits) as box:
        run = ProgramEvaluator(BrokenProblem(), box, limits).evaluate(SEED)
        assert not run.evaluation.passed and "a verifier bug" in (run.evaluation.error or "")
        honest = ProgramEvaluator(ToyProblem(), box, limits).evaluate(SEED)
    assert honest.stage == "full" and honest.evaluation.metrics["value"] == 0.1 + 0.2 + 0.3


def test_a_syntax_error_stops_at_the_parse_stage_without_running() -> None:
    limits = Limits(timeout=30.0)
    with ProcessSandbox(limits) as box:
        run = ProgramEvaluator(ToyProblem(), box, limits).evaluate("def (:\n")
    assert run.stage == "parse" and "syntax error" in (run.evaluation.error or "")
    assert run.job == {"sandbox": "none"}
