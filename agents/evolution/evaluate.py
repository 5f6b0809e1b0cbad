"""Scoring a candidate program: run it in the sandbox, read its data back, verify the data.

The cascade runs the cheap stages first and the full score only for survivors:

1. ``parse``: the program text parses (``ast.parse`` on the host: syntax only, nothing runs)
   and is not absurdly large;
2. ``run``: the program runs in the sandbox (Docker, or ``process`` where there is none)
   under time, memory, process and output limits, in a fresh work dir holding nothing but
   ``main.py``;
3. ``read``: the construction file it left is strict JSON (no NaN or Infinity tokens);
4. ``shape``: the problem's cheap check (exact shapes, finite real entries);
5. ``full``: the problem's strict verifier recomputes the objective from the data.

Nothing the program prints or writes besides its construction counts: a printed score, a
``score.json`` or a redefined scoring function inside the sandbox changes nothing here,
because the trusted verifier runs in this process on the returned bytes and never imports
candidate code. The candidate sees no verifier code, no reference value and no environment
variable of the host.

The stored :class:`~discolab.types.Evaluation` has ``score`` = the recomputed value as a
ratio to the best known value (``value / best`` for a maximisation, ``best / value`` for a
minimisation; 0 when invalid), which is never shown to agents; its feedback states the
value itself and the failing stage's reason.
"""

from __future__ import annotations

import ast
import logging
import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from discolab.environments.programs.base import ConstructionProblem, ConstructionScore
from discolab.errors import SandboxUnavailable
from discolab.sandbox.base import ExecResult, Limits, Sandbox
from discolab.types import Evaluation
from discolab.verifiers.constructions.reading import read_construction

logger = logging.getLogger(__name__)

VERIFIER_ID = "construction-v1"
"""The verifier name stored with every program evaluation."""

STAGES = ("parse", "run", "read", "shape", "full")
MAX_PROGRAM_BYTES = 64 * 1024
STDERR_TAIL = 800


@dataclass(frozen=True)
class ProgramRun:
    """One program's verdict and how it was obtained.

    Attributes:
        evaluation: what is stored and fed back.
        stage: the stage the program stopped at (``full`` when it got a full score).
        job: how the run went (sandbox backend, duration, return code), for lineage.
    """

    evaluation: Evaluation
    stage: str
    job: Mapping[str, Any] = field(default_factory=dict)


def ratio_to_best(problem: ConstructionProblem, value: float) -> float:
    """How close ``value`` is to the best known value, 1.0 meaning equal (higher is better)."""
    best = problem.best_known
    if problem.direction == "max":
        return value / best if best else 0.0
    return best / value if value > 0 else 0.0


class ProgramEvaluator:
    """Scores candidate programs for one problem in one sandbox.

    Args:
        problem: the construction problem whose verifier scores the data.
        sandbox: where candidate programs run.
        limits: the caps of one run (time, memory, processes, output).
        max_length: longest program (in characters) that is run at all; longer ones fail
            at the parse stage. Evolution's bloat control: a child that grew past it never
            becomes a parent, so programs (and the cost of mutating them) stay bounded.
    """

    verifier_id = VERIFIER_ID

    def __init__(
        self,
        problem: ConstructionProblem,
        sandbox: Sandbox,
        limits: Limits,
        max_length: int = MAX_PROGRAM_BYTES,
    ) -> None:
        self.problem = problem
        self.sandbox = sandbox
        self.limits = limits
        self.max_length = max_length
        # CPython 3.11's AST constructor is not safe to run in two threads at once (it can
        # raise "SystemError: AST constructor recursion depth mismatch"), and the evolver
        # evaluates programs in a thread pool: parses take turns.
        self._parse_lock = threading.Lock()

    def evaluate(self, program: str) -> ProgramRun:
        """The verdict on ``program``; every failure is a result, never an exception.

        Only a sandbox that cannot run anything raises (:class:`SandboxUnavailable`); a
        verifier that breaks on some data is logged and stored as a failed program.
        """
        try:
            return self._evaluate(program)
        except SandboxUnavailable:
            raise
        except Exception as exc:  # a verifier bug must not end the campaign
            logger.exception("the verifier failed on a program; stored as a failure")
            return _failed("full", f"the verifier could not score the data ({exc!r})", {})

    def _evaluate(self, program: str) -> ProgramRun:
        with self._parse_lock:
            failure = _parse_failure(program, self.max_length)
        if failure is not None:
            return _failed("parse", failure, {"sandbox": "none"})
        result = self.sandbox.run_python(program, limits=self.limits)
        job = _job(self.sandbox.name, result)
        if not result.ok:
            return _failed("run", _run_failure(result), job)
        raw = result.files.get(self.problem.output_file)
        if raw is None:
            return _failed(
                "read",
                f"the program wrote no {self.problem.output_file} in its working directory",
                job,
            )
        data, error = read_construction(raw)
        if error is not None:
            return _failed("read", f"{self.problem.output_file}: {error}", job)
        shape_error = self.problem.check_shape(data)
        if shape_error is not None:
            return _failed("shape", shape_error, job)
        return self._verdict(self.problem.score(data), program, job)

    def _verdict(
        self, score: ConstructionScore, program: str, job: Mapping[str, Any]
    ) -> ProgramRun:
        if not score.valid or score.value is None or not math.isfinite(score.value):
            return _failed(score.stage, score.error or "the verifier refused the data", job)
        value = float(score.value)
        metrics = {
            "value": value,
            "fitness": self.problem.fitness(value),
            "behaviour": float(score.behaviour),
            "code_length": float(len(program)),
        } | {k: float(v) for k, v in score.metrics.items() if math.isfinite(float(v))}
        shown = ", ".join(
            f"{k} = {v:.6g}" for k, v in sorted(score.metrics.items()) if math.isfinite(float(v))
        )
        feedback = f"valid construction; {self.problem.direction}imise: value = {value:.10g}"
        evaluation = Evaluation(
            score=ratio_to_best(self.problem, value),
            passed=True,
            metrics=metrics,
            feedback=feedback + (f" ({shown})" if shown else ""),
        )
        return ProgramRun(evaluation, "full", job)


def _parse_failure(program: str, max_length: int) -> str | None:
    if len(program.encode("utf-8", "replace")) > MAX_PROGRAM_BYTES:
        return f"the program is longer than {MAX_PROGRAM_BYTES} bytes"
    if len(program) > max_length:
        return (
            f"the program has {len(program)} characters, more than the {max_length} allowed "
            "(evolver.archive.max_code_length); make it shorter"
        )
    try:
        ast.parse(program)
    except SyntaxError as exc:
        return f"syntax error at line {exc.lineno}: {exc.msg}"
    except (ValueError, RecursionError) as exc:
        return f"the program cannot be parsed: {exc}"
    return None


def _run_failure(result: ExecResult) -> str:
    reason = result.failure_reason or "failed"
    tail = result.stderr.strip()[-STDERR_TAIL:]
    return f"the program {reason}" + (f"; stderr ends with:\n{tail}" if tail else "")


def _job(backend: str, result: ExecResult) -> dict[str, Any]:
    return {
        "sandbox": backend,
        "duration_s": round(result.duration, 4),
        "returncode": result.returncode,
        "timed_out": result.timed_out,
        "oom_killed": result.oom_killed,
    }


def _failed(stage: str, error: str, job: Mapping[str, Any]) -> ProgramRun:
    feedback = f"failed at stage '{stage}': {error}"
    return ProgramRun(Evaluation.failure(error, feedback), stage, job)
