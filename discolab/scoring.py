"""Scores a benchmark submission: one law per task, checked against every hidden law.

A submission is JSONL, one object per line: ``{"task": "<env id>#<shift>", "law": "<formula>"}``
plus any other keys as metadata. Free parameters (``C``, ``C1``, ...) are fitted to a fixed
calibration sample measured from the task's environment at the suite's noise level (the same
budget of calls × batch an agent gets), then scored by :class:`LawVerifier` on 5,000 held-out
points and by symbolic match. Every problem — a line that is not JSON, an unknown or duplicate
task id, an unparseable or hostile formula, a law that is NaN or overflows — scores 0 for that
task with a reason and never stops the run.

Beyond symbolic accuracy a report carries accuracy at tolerance (held-out max relative error
≤ 0.1) and the median out-of-domain NMSE, the figures runs are ranked by after accuracy
(:mod:`discolab.bench_metrics`).
"""

from __future__ import annotations

import json
import math
import statistics
import time
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from discolab.bench_metrics import median_or_worst, ood_value, within_tolerance
from discolab.environments.base import sample_inputs
from discolab.errors import ConfigError, DiscolabError
from discolab.suites import Suite, SuiteTask
from discolab.types import Candidate, CandidateKind, Evaluation, Experiment

MAX_LINE_BYTES = 64 * 1024
VERIFIER_ID = "laws-v1"
MAX_LAW_PARAMETERS = 12
"""Most free parameters a submitted law may carry; more is refused before any fit.

A guard of the scorer, independent of the task and of machine speed: fitting cost grows
with the parameter count (a 36-parameter line took minutes), while no law of the shipped
suites needs more than a handful. The judge applies its own, tighter per-task cap."""


@dataclass(frozen=True)
class SubmittedLaw:
    """One usable line of a submission."""

    task_id: str
    law: str
    metadata: Mapping[str, Any]
    line: int


@dataclass(frozen=True)
class Submission:
    """A parsed submission: the laws by task, plus the lines that were refused and why."""

    laws: Mapping[str, SubmittedLaw]
    problems: Mapping[str, str]
    rejected_lines: tuple[str, ...]


@dataclass(frozen=True)
class TaskScore:
    """The verdict for one task of the suite."""

    task: SuiteTask
    law: str | None
    score: float
    symbolic_match: bool
    metrics: Mapping[str, float] = field(default_factory=dict)
    error: str | None = None

    @property
    def within_tolerance(self) -> bool:
        """Whether the fitted law is within the tolerance on held-out points (see bench_metrics)."""
        return within_tolerance(self.metrics, self.error)

    @property
    def ood_nmse(self) -> float:
        """Out-of-domain NMSE of the fitted law; ``inf`` when missing or failed."""
        return ood_value(self.metrics, self.error)


@dataclass(frozen=True)
class ScoreReport:
    """Every task's verdict, with group summaries for the report tables."""

    suite_id: str
    scores: tuple[TaskScore, ...]
    rejected_lines: tuple[str, ...]
    duration_s: float

    @property
    def accuracy(self) -> float:
        """Fraction of the suite's tasks whose law matches symbolically."""
        return _mean(float(s.symbolic_match) for s in self.scores)

    @property
    def accuracy_at_tolerance(self) -> float:
        """Fraction of the suite's tasks whose fitted law is within the held-out tolerance."""
        return _mean(float(s.within_tolerance) for s in self.scores)

    @property
    def ood_nmse(self) -> float:
        """Median out-of-domain NMSE over the suite's tasks (missing counts as ``inf``)."""
        return median_or_worst(s.ood_nmse for s in self.scores)

    def by(self, attribute: str) -> list[dict[str, Any]]:
        """Summary rows grouped by a task attribute (``domain``, ``difficulty``, ``system``)."""
        groups: dict[str, list[TaskScore]] = {}
        for s in self.scores:
            groups.setdefault(getattr(s.task, attribute), []).append(s)
        return [_summary(name, rows) for name, rows in sorted(groups.items())]

    def total(self) -> dict[str, Any]:
        """One summary row over the whole suite."""
        return _summary("all", list(self.scores))


def _mean(values: Iterable[float]) -> float:
    items = list(values)
    return sum(items) / len(items) if items else 0.0


def _summary(name: str, rows: Sequence[TaskScore]) -> dict[str, Any]:
    rmsles = [s.metrics.get("rmsle", math.inf) for s in rows]
    finite = [r for r in rmsles if math.isfinite(r)]
    return {
        "group": name,
        "tasks": len(rows),
        "matched": sum(s.symbolic_match for s in rows),
        "accuracy": _mean(float(s.symbolic_match) for s in rows),
        "within_tolerance": sum(s.within_tolerance for s in rows),
        "accuracy_at_tolerance": _mean(float(s.within_tolerance) for s in rows),
        "median_ood_nmse": median_or_worst(s.ood_nmse for s in rows),
        "mean_score": _mean(s.score for s in rows),
        "median_rmsle": statistics.median(rmsles) if rmsles else math.inf,
        "failed": sum(s.error is not None for s in rows),
        "finite_rmsle": len(finite),
    }


def read_submission(path: str | Path, suite: Suite) -> Submission:
    """Parse a JSONL submission, refusing bad lines with reasons instead of raising."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"submission file {str(path)!r} does not exist")
    laws: dict[str, SubmittedLaw] = {}
    problems: dict[str, str] = {}
    rejected: list[str] = []
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            if len(raw) > MAX_LINE_BYTES:
                rejected.append(f"line {number}: longer than {MAX_LINE_BYTES} bytes")
                continue
            try:
                entry = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                rejected.append(f"line {number}: not a JSON object ({exc})")
                continue
            if not isinstance(entry, dict):
                rejected.append(f"line {number}: not a JSON object")
                continue
            task_id, law = entry.get("task"), entry.get("law")
            if not isinstance(task_id, str):
                rejected.append(f"line {number}: missing string 'task'")
                continue
            if suite.task(task_id) is None:
                rejected.append(f"line {number}: unknown task id {task_id!r}")
                continue
            if task_id in laws or task_id in problems:
                problems[task_id] = f"duplicate submission for {task_id} (line {number})"
                laws.pop(task_id, None)
                continue
            if not isinstance(law, str):
                problems[task_id] = f"line {number}: 'law' must be a string, got {law!r}"[:300]
                continue
            metadata = {k: v for k, v in entry.items() if k not in ("task", "law")}
            laws[task_id] = SubmittedLaw(task_id, law, metadata, number)
    return Submission(laws=laws, problems=problems, rejected_lines=tuple(rejected))


def calibration_experiments(task: SuiteTask, env: Any) -> list[Experiment]:
    """The fixed data a submission's free parameters are fitted to, measured from ``env``.

    Points are log-uniform over the declared inputs, drawn from a generator seeded by the
    task id, so every submission is calibrated on the same measurements.
    """
    rng = np.random.default_rng([int(task.options.get("seed", 0)), zlib.crc32(task.id.encode())])
    spec = env.spec
    experiments = []
    for index in range(env.budget):
        columns = sample_inputs(spec.inputs, env.max_batch, rng)
        points = tuple(
            {name: float(columns[name][i]) for name in spec.input_names}
            for i in range(env.max_batch)
        )
        outputs = env.experiment(list(points))
        experiments.append(Experiment(index=index, inputs=points, outputs=tuple(outputs)))
    return experiments


def screen_law(law: str, names: Sequence[str]) -> str | None:
    """Why ``law`` is refused before any measurement or fit, or None when it may be scored.

    Refused: a formula the project's parser rejects (the verifier would reject it too, but
    only after the task's calibration data were measured) and one with more than
    :data:`MAX_LAW_PARAMETERS` free parameters.
    """
    from discolab.errors import ExpressionError
    from discolab.verifiers.expressions import parse_expression

    try:
        parsed = parse_expression(law, names)
    except ExpressionError as exc:
        return f"formula rejected: {exc}"
    if len(parsed.parameters) > MAX_LAW_PARAMETERS:
        return (
            f"formula rejected: it has {len(parsed.parameters)} free parameters; a submitted "
            f"law may have at most {MAX_LAW_PARAMETERS}"
        )
    return None


def score_task(task: SuiteTask, law: str) -> TaskScore:
    """Score one law on one task; failures become a zero score with the reason."""
    from discolab.environments.catalog import make_environment
    from discolab.verifiers.systems import make_verifier

    env = make_environment(task.env_id, **dict(task.options))
    refused = screen_law(law, env.spec.formula_names)
    if refused is not None:
        return TaskScore(task, law, 0.0, False, {}, refused)
    verifier = make_verifier(env.spec, env.ground_truth())
    candidate = Candidate(kind=CandidateKind.EXPRESSION, source=law, proposer="submission")
    evaluation = verifier.evaluate(candidate, calibration_experiments(task, env))
    return task_score_from(task, law, evaluation)


def task_score_from(task: SuiteTask, law: str, evaluation: Evaluation) -> TaskScore:
    """The task verdict of a verifier's evaluation: an error zeroes the score and the match."""
    matched = bool(evaluation.metrics.get("symbolic_match")) and evaluation.error is None
    return TaskScore(
        task=task,
        law=law,
        score=evaluation.score if evaluation.error is None else 0.0,
        symbolic_match=matched,
        metrics=dict(evaluation.metrics),
        error=evaluation.error,
    )


def score_submission(suite: Suite, submission: Submission, *, on_task: Any = None) -> ScoreReport:
    """Score every task of ``suite``; missing or refused tasks score 0 with a reason."""
    started = time.monotonic()
    scores = []
    for task in suite.tasks:
        entry = submission.laws.get(task.id)
        if entry is None:
            reason = submission.problems.get(task.id, "no law submitted for this task")
            scores.append(TaskScore(task, None, 0.0, False, {}, reason))
        else:
            try:
                scores.append(score_task(task, entry.law))
            except DiscolabError as exc:  # a broken task, not a broken submission
                scores.append(TaskScore(task, entry.law, 0.0, False, {}, f"not scored: {exc}"))
        if on_task is not None:
            on_task(scores[-1])
    return ScoreReport(
        suite_id=suite.id,
        scores=tuple(scores),
        rejected_lines=submission.rejected_lines,
        duration_s=time.monotonic() - started,
    )
