"""A toy construction problem and a sandbox-free evaluator for evolver unit tests.

The toy asks for three numbers in [0, 1] with the largest sum. :class:`ToyEvaluator` scores
a program from the numeric constants of its EVOLVE-BLOCK, read with ``ast`` (nothing runs),
so evolver tests are fast and deterministic; it counts its calls so tests can prove that no
program is evaluated twice.
"""

from __future__ import annotations

import ast
import threading
from typing import Any

from discolab.agents.edits import layout
from discolab.agents.evolution.evaluate import ProgramRun
from discolab.environments.programs.base import ConstructionProblem, ConstructionScore, Reference
from discolab.types import Evaluation

SEED = """import json

# EVOLVE-BLOCK-START
a = 0.1
b = 0.2
c = 0.3
# EVOLVE-BLOCK-END

json.dump({"x": [a, b, c]}, open("construction.json", "w"))
"""


class ToyProblem(ConstructionProblem):
    """Three numbers in [0, 1]; maximise their sum (best known 3)."""

    id = "programs/toy-v1"
    title = "toy"
    statement = 'Write {"x": [three numbers in [0, 1]]} to construction.json; maximise the sum.'
    direction = "max"
    references = (Reference("trivial", 3.0),)

    def seed_program(self) -> str:
        return SEED

    def check_shape(self, data: Any) -> str | None:
        x = data.get("x") if isinstance(data, dict) else None
        if not isinstance(x, list) or len(x) != 3:
            return "x must be a list of 3 numbers"
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in x):
            return "x holds a non-number"
        return None

    def score(self, data: Any) -> ConstructionScore:
        error = self.check_shape(data)
        if error:
            return ConstructionScore.invalid(error, "shape")
        x = [float(v) for v in data["x"]]
        bad = [v for v in x if not 0 <= v <= 1]
        if bad:
            return ConstructionScore.invalid(f"{bad[0]!r} is outside [0, 1]")
        return ConstructionScore(True, sum(x), sum(x), behaviour=x[0])


class ToyEvaluator:
    """Scores toy programs from their block's constants; counts every call."""

    verifier_id = "construction-v1"

    def __init__(self, fail_after: int | None = None) -> None:
        self.problem = ToyProblem()
        self.calls = 0
        self.fail_after = fail_after
        self._lock = threading.Lock()

    def evaluate(self, program: str) -> ProgramRun:
        with self._lock:
            if self.fail_after is not None and self.calls >= self.fail_after:
                raise KeyboardInterrupt("simulated kill")
            self.calls += 1
        try:
            block = "\n".join(layout(program).blocks)
            values = [
                node.value
                for node in ast.walk(ast.parse(block))
                if isinstance(node, ast.Constant) and isinstance(node.value, int | float)
            ]
        except (SyntaxError, ValueError) as exc:
            return ProgramRun(Evaluation.failure(f"syntax: {exc}"), "parse")
        verdict = self.problem.score({"x": [float(v) for v in values[:3]]})
        if not verdict.valid or verdict.value is None:
            return ProgramRun(Evaluation.failure(verdict.error or "invalid"), "shape")
        metrics = {
            "value": verdict.value,
            "fitness": verdict.value,
            "behaviour": verdict.behaviour,
            "code_length": float(len(program)),
        }
        return ProgramRun(
            Evaluation(verdict.value / 3, True, metrics, f"value = {verdict.value:.6g}"), "full"
        )
