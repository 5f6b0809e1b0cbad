"""Stored benchmark runs: one row per scored submission, one row per task verdict.

``discolab bench score`` and ``bench run`` record what they scored here so that
``discolab bench leaderboard`` can rank every stored run of a suite later.

Re-scoring replaces: a run is identified by ``(suite_id, label, submission_sha256)``, and
recording a run with a key that is already stored overwrites that run in place (same id,
fresh totals, task verdicts and ``created_at``) instead of adding a duplicate. Scoring is
deterministic, so re-scoring the same file normally yields the same numbers; when it does not
(the verifier was fixed, the suite's environments changed) the newest scoring is the one that
reflects the code, so it wins. A changed file (another sha256) or another label is another run.

Every run and all its task rows are written in one ``BEGIN IMMEDIATE`` transaction with one
bulk insert, so storing a 324-task run costs milliseconds and a crash stores all or nothing.
"""

from __future__ import annotations

import math
import statistics
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Table, cast, delete, func
from sqlmodel import Session, col, select

from discolab.errors import StorageError
from discolab.storage.db import Database
from discolab.storage.models import BenchmarkRunRow, BenchmarkTaskRow, utcnow
from discolab.storage.records import aware

GROUP_ATTRIBUTES = ("system", "difficulty", "domain")
"""Task attributes a stored run can be summarised by."""

ORIGINS = ("run", "file")
"""How a run was made: ``run`` by ``bench run`` (its proposer is the one that ran), ``file`` by
scoring a submission file (any proposer it names is self-reported, never trusted)."""


@dataclass(frozen=True)
class TaskResult:
    """The verdict on one task, as stored.

    Attributes:
        task_id: ``<env id>#<shift>``, unique within a run.
        domain: the environment's domain (``gravity``).
        difficulty: ``canonical``, ``easy``, ``medium``, ``hard`` or ``other``.
        system: ``vanilla``, ``simple`` or ``complex``.
        law: the submitted formula, None when the task had none.
        score: the verifier's score in [0, 1]; NaN is stored as NULL and read back as NaN.
        symbolic_match: whether the law matched the hidden law symbolically.
        metrics: the verifier's named metrics (non-finite floats survive the round trip).
        error: why the task failed (no law, unparseable, NaN ...), None when it was scored.
        within_tolerance: whether the fitted law met the held-out relative-error tolerance
            (decided by :mod:`discolab.bench_metrics`; storage only counts it).
        ood_nmse: the task's out-of-domain NMSE, ``inf`` when missing or failed (the worst).
    """

    task_id: str
    domain: str
    difficulty: str
    system: str
    law: str | None
    score: float
    symbolic_match: bool
    metrics: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None
    within_tolerance: bool = False
    ood_nmse: float = math.inf


@dataclass(frozen=True)
class RunSpec:
    """What identifies and describes a run before it is stored (totals come from its tasks).

    Attributes:
        suite_id: the suite's id (``newton-v1``).
        suite_hash: fingerprint of the suite's expanded tasks when it was scored.
        label: the user's name for the run (default: the submission file's stem).
        submission_sha256: hex digest of the submission file's bytes.
        submission_path: where the file was, for display only.
        proposer: for origin ``run`` the proposer that ran; for ``file`` the one the file
            claims (display it as self-reported), or None.
        assistance: the run's assistance label (:mod:`discolab.assistance`): what the agent
            had beyond its raw measurements, ``unknown`` when nobody recorded it.
        metadata: run-level metadata read from the submission.
        duration_s: seconds the scoring took.
        origin: ``run`` or ``file`` (see :data:`ORIGINS`).
        seed: the agent's seed when the run is one of several seeds of a suite, else None.
    """

    suite_id: str
    suite_hash: str
    label: str
    submission_sha256: str
    submission_path: str = ""
    proposer: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    duration_s: float = 0.0
    origin: str = "file"
    seed: int | None = None
    assistance: str = "unknown"

    def __post_init__(self) -> None:
        if self.origin not in ORIGINS:
            raise StorageError(f"run origin must be one of {ORIGINS}, got {self.origin!r}")


@dataclass(frozen=True)
class BenchmarkRun:
    """A stored run with its totals over every task of the suite.

    ``accuracy`` is the fraction of tasks with a symbolic match; ``mean_score`` averages the
    task scores (NaN counts as 0); ``failed`` counts tasks with an error;
    ``within_tolerance`` counts tasks within the held-out tolerance and
    ``accuracy_at_tolerance`` is their fraction; ``ood_nmse`` is the median of the tasks'
    out-of-domain NMSE (``inf`` is the worst).
    """

    id: str
    spec: RunSpec
    tasks: int
    matched: int
    accuracy: float
    mean_score: float
    failed: int
    created_at: datetime
    within_tolerance: int = 0
    accuracy_at_tolerance: float = 0.0
    ood_nmse: float = math.inf

    @property
    def label(self) -> str:
        """The run's label."""
        return self.spec.label


@dataclass(frozen=True)
class GroupTotal:
    """Tasks, symbolic matches, summed score and tasks within tolerance of one run's group."""

    tasks: int
    matched: int
    score_sum: float
    within_tolerance: int = 0

    @property
    def accuracy(self) -> float:
        """Fraction of the group's tasks that matched (0 for an empty group)."""
        return self.matched / self.tasks if self.tasks else 0.0

    @property
    def accuracy_at_tolerance(self) -> float:
        """Fraction of the group's tasks within the held-out tolerance (0 for an empty group)."""
        return self.within_tolerance / self.tasks if self.tasks else 0.0


def new_run_id() -> str:
    """A fresh run id such as ``bench-3f9a0c1b2d4e``."""
    return f"bench-{uuid.uuid4().hex[:12]}"


def _finite_or_none(value: float) -> float | None:
    number = float(value)
    return None if math.isnan(number) else number


def _nmse_or_none(value: float) -> float | None:
    """NMSE as stored: NULL for NaN or infinity (both read back as ``inf``, the worst)."""
    number = float(value)
    return number if math.isfinite(number) else None


def _nmse_of(value: float | None) -> float:
    return math.inf if value is None else float(value)


def _totals(results: Sequence[TaskResult]) -> dict[str, Any]:
    n = len(results)
    matched = sum(bool(r.symbolic_match) for r in results)
    scores = [0.0 if math.isnan(float(r.score)) else float(r.score) for r in results]
    within = sum(bool(r.within_tolerance) for r in results)
    ood = [_nmse_of(_nmse_or_none(r.ood_nmse)) for r in results]
    return {
        "tasks": n,
        "matched": matched,
        "accuracy": matched / n if n else 0.0,
        "mean_score": sum(scores) / n if n else 0.0,
        "failed": sum(r.error is not None for r in results),
        "within_tolerance": within,
        "accuracy_at_tolerance": within / n if n else 0.0,
        "ood_nmse": _nmse_or_none(statistics.median(ood)) if ood else None,
    }


def _run_of(row: BenchmarkRunRow) -> BenchmarkRun:
    spec = RunSpec(
        suite_id=row.suite_id,
        suite_hash=row.suite_hash,
        label=row.label,
        submission_sha256=row.submission_sha256,
        submission_path=row.submission_path,
        proposer=row.proposer,
        metadata=dict(row.meta),
        duration_s=row.duration_s,
        origin=row.origin if row.origin in ORIGINS else "file",
        seed=row.seed,
        assistance=row.assistance,
    )
    return BenchmarkRun(
        id=row.id,
        spec=spec,
        tasks=row.tasks,
        matched=row.matched,
        accuracy=row.accuracy,
        mean_score=row.mean_score,
        failed=row.failed,
        created_at=aware(row.created_at),
        within_tolerance=int(row.within_tolerance or 0),
        accuracy_at_tolerance=float(row.accuracy_at_tolerance or 0.0),
        ood_nmse=_nmse_of(row.ood_nmse),
    )


def _result_of(row: BenchmarkTaskRow) -> TaskResult:
    return TaskResult(
        task_id=row.task_id,
        domain=row.domain,
        difficulty=row.difficulty,
        system=row.system,
        law=row.law,
        score=math.nan if row.score is None else float(row.score),
        symbolic_match=bool(row.symbolic_match),
        metrics=dict(row.metrics),
        error=row.error,
        within_tolerance=bool(row.within_tolerance),
        ood_nmse=_nmse_of(row.ood_nmse),
    )


def _task_table() -> Table:
    return BenchmarkTaskRow.__table__  # type: ignore[attr-defined,no-any-return]


class BenchmarkStore:
    """Scored benchmark runs in one :class:`Database`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record_run(self, spec: RunSpec, results: Sequence[TaskResult]) -> tuple[BenchmarkRun, bool]:
        """Store a scored run and its task verdicts; return it and whether it replaced one.

        A run already stored under the same ``(suite_id, label, submission_sha256)`` is
        overwritten in place (see the module docstring). Task ids must be unique.
        """
        seen: set[str] = set()
        for result in results:
            if result.task_id in seen:
                raise ValueError(f"task {result.task_id!r} appears twice in one benchmark run")
            seen.add(result.task_id)
        values = {
            "suite_hash": spec.suite_hash,
            "proposer": spec.proposer,
            "assistance": spec.assistance,
            "meta": dict(spec.metadata),
            "submission_path": spec.submission_path,
            "duration_s": float(spec.duration_s),
            "origin": spec.origin,
            "seed": spec.seed,
            "created_at": utcnow(),
            **_totals(results),
        }
        with self.db.write() as session:
            row = self._find(session, spec)
            replaced = row is not None
            if row is None:
                row = BenchmarkRunRow(
                    id=new_run_id(),
                    suite_id=spec.suite_id,
                    label=spec.label,
                    submission_sha256=spec.submission_sha256,
                    **values,
                )
            else:
                session.connection().execute(
                    delete(BenchmarkTaskRow).where(col(BenchmarkTaskRow.run_id) == row.id)
                )
                for key, value in values.items():
                    setattr(row, key, value)
            session.add(row)
            session.flush()
            if results:
                session.connection().execute(
                    _task_table().insert(), [self._task_values(row.id, r) for r in results]
                )
            return _run_of(row), replaced

    def runs(self, suite_id: str) -> list[BenchmarkRun]:
        """Every stored run of a suite, newest first."""
        with self.db.read() as session:
            rows = session.exec(
                select(BenchmarkRunRow)
                .where(BenchmarkRunRow.suite_id == suite_id)
                .order_by(col(BenchmarkRunRow.created_at).desc(), col(BenchmarkRunRow.id))
            ).all()
            return [_run_of(r) for r in rows]

    def suite_ids(self) -> list[str]:
        """The ids of every suite with at least one stored run, sorted."""
        with self.db.read() as session:
            return sorted(set(session.exec(select(BenchmarkRunRow.suite_id)).all()))

    def get_run(self, run_id: str) -> BenchmarkRun:
        """The stored run ``run_id``; StorageError if there is none."""
        with self.db.read() as session:
            row = session.get(BenchmarkRunRow, run_id)
            if row is None:
                raise StorageError(f"no benchmark run {run_id!r} in {self.db.location}")
            return _run_of(row)

    def task_results(self, run_id: str) -> list[TaskResult]:
        """The task verdicts of a run, in the order they were stored."""
        with self.db.read() as session:
            rows = session.exec(
                select(BenchmarkTaskRow)
                .where(BenchmarkTaskRow.run_id == run_id)
                .order_by(col(BenchmarkTaskRow.id))
            ).all()
            return [_result_of(r) for r in rows]

    def group_totals(self, suite_id: str, attribute: str) -> dict[str, dict[str, GroupTotal]]:
        """Per run of a suite, the totals of each group of tasks by ``attribute``.

        ``attribute`` is ``system``, ``difficulty`` or ``domain``; the answer maps run id to
        group name to :class:`GroupTotal`, computed in one grouped query.
        """
        if attribute not in GROUP_ATTRIBUTES:
            raise ValueError(f"cannot group by {attribute!r}; use one of {GROUP_ATTRIBUTES}")
        group = getattr(BenchmarkTaskRow, attribute)
        query = (
            select(
                BenchmarkTaskRow.run_id,
                group,
                func.count(),
                func.sum(cast(BenchmarkTaskRow.symbolic_match, Integer)),
                func.coalesce(func.sum(BenchmarkTaskRow.score), 0.0),
                func.sum(cast(BenchmarkTaskRow.within_tolerance, Integer)),
            )
            .join(BenchmarkRunRow, col(BenchmarkRunRow.id) == col(BenchmarkTaskRow.run_id))
            .where(BenchmarkRunRow.suite_id == suite_id)
            .group_by(col(BenchmarkTaskRow.run_id), group)
        )
        out: dict[str, dict[str, GroupTotal]] = {}
        with self.db.read() as session:
            for run_id, name, tasks, matched, score_sum, within in session.exec(query).all():
                out.setdefault(run_id, {})[name] = GroupTotal(
                    int(tasks), int(matched or 0), float(score_sum), int(within or 0)
                )
        return out

    @staticmethod
    def _find(session: Session, spec: RunSpec) -> BenchmarkRunRow | None:
        return session.exec(
            select(BenchmarkRunRow).where(
                BenchmarkRunRow.suite_id == spec.suite_id,
                BenchmarkRunRow.label == spec.label,
                BenchmarkRunRow.submission_sha256 == spec.submission_sha256,
            )
        ).first()

    @staticmethod
    def _task_values(run_id: str, r: TaskResult) -> dict[str, Any]:
        return {
            "run_id": run_id,
            "task_id": r.task_id,
            "domain": r.domain,
            "difficulty": r.difficulty,
            "system": r.system,
            "law": r.law,
            "score": _finite_or_none(r.score),
            "symbolic_match": bool(r.symbolic_match),
            "metrics": dict(r.metrics),
            "error": r.error,
            "within_tolerance": bool(r.within_tolerance),
            "ood_nmse": _nmse_or_none(r.ood_nmse),
        }
