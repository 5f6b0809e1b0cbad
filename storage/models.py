"""The SQL tables of discolab: campaigns, candidates, evaluations, experiments, model calls,
transcripts, benchmark runs and their task scores, schema info.

Rows are a storage detail: the rest of the code talks to :class:`~discolab.storage.store.
CampaignStore` (and :class:`~discolab.storage.benchmarks.BenchmarkStore` for benchmark runs),
which take and return the domain types of :mod:`discolab.types` and frozen records.

Idempotency lives in the schema, not in the callers: a candidate is unique per
``(campaign_id, key)`` where ``key`` is chosen by the caller (for instance
``"round-3/item-7"``), an evaluation per ``(candidate_id, verifier)`` and an experiment per
``(campaign_id, index)``, a benchmark run per ``(suite_id, label, submission_sha256)`` and
a task score per ``(run_id, task_id)``. Re-recording after a crash therefore finds the stored
row instead of adding a duplicate (a re-scored benchmark run replaces the stored one).

JSON columns use :mod:`discolab.storage.jsoncodec` so NaN and infinities are stored as strict
JSON and read back unchanged. SQLite stores a NaN ``REAL`` as NULL, so ``EvaluationRow.score``
is nullable and a NULL score reads back as NaN.

Every table the versioned schema owns is listed in :data:`TABLES`; a new table must be added
there (and, for existing databases, created by a migration in :mod:`discolab.storage.schema`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, Table, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from discolab.storage.jsoncodec import DocumentJSON, FloatJSON

CAMPAIGN_STATUSES = ("created", "running", "finished", "failed", "stopped")
"""Allowed values of ``CampaignRow.status``."""


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def _timestamp() -> Any:
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)


class SchemaInfo(SQLModel, table=True):
    """One row (``id = 1``) recording which schema version the database file holds."""

    __tablename__ = "schema_info"

    id: int = Field(default=1, primary_key=True)
    schema_version: int
    updated_at: datetime = _timestamp()


class CampaignRow(SQLModel, table=True):
    """A campaign: what it searches (environment, proposer, seed, config) and how it ended.

    ``config`` is the full validated campaign config as a dict, so a resumed campaign rebuilds
    exactly the same run; ``summary`` holds the best result once known. ``assistance`` lists
    the kinds of assistance the proposer had (:mod:`discolab.assistance`; ``[]`` for none,
    NULL for a campaign stored before schema version 5, whose assistance is unknown).
    """

    __tablename__ = "campaigns"

    id: str = Field(primary_key=True)
    name: str
    env_id: str
    env_options: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(DocumentJSON(), nullable=False)
    )
    proposer: str
    seed: int
    config: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(DocumentJSON(), nullable=False)
    )
    status: str = Field(default="created", index=True)
    stop_reason: str | None = None
    summary: dict[str, Any] | None = Field(default=None, sa_column=Column(DocumentJSON()))
    assistance: list[str] | None = Field(default=None, sa_column=Column(DocumentJSON()))
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class CandidateRow(SQLModel, table=True):
    """A stored candidate; ``seq`` is its 0-based insertion order within the campaign."""

    __tablename__ = "candidates"
    __table_args__ = (
        UniqueConstraint("campaign_id", "key", name="uq_candidate_key"),
        UniqueConstraint("campaign_id", "seq", name="uq_candidate_seq"),
    )

    id: str = Field(primary_key=True)
    campaign_id: str = Field(foreign_key="campaigns.id", index=True, ondelete="CASCADE")
    key: str
    seq: int
    kind: str
    source: str = Field(sa_type=Text)
    parent_ids: list[str] = Field(
        default_factory=list, sa_column=Column(DocumentJSON(), nullable=False)
    )
    proposer: str
    model: str | None = None
    prompt_hash: str | None = None
    generation: int = 0
    island: int = 0
    # ``metadata`` is reserved by SQLAlchemy's declarative classes, hence the attribute name.
    meta: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column("metadata", DocumentJSON(), nullable=False)
    )
    created_at: datetime = _timestamp()


class EvaluationRow(SQLModel, table=True):
    """One verifier's verdict on one candidate (at most one per verifier)."""

    __tablename__ = "evaluations"
    __table_args__ = (UniqueConstraint("candidate_id", "verifier", name="uq_evaluation_verifier"),)

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: str = Field(foreign_key="candidates.id", index=True, ondelete="CASCADE")
    verifier: str
    score: float | None = None
    passed: bool
    metrics: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(FloatJSON(), nullable=False)
    )
    feedback: str = Field(default="", sa_type=Text)
    error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = _timestamp()


class ExperimentRow(SQLModel, table=True):
    """One answered experiment call; ``index`` is its 0-based number in the campaign."""

    __tablename__ = "experiments"
    __table_args__ = (UniqueConstraint("campaign_id", "index", name="uq_experiment_index"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: str = Field(foreign_key="campaigns.id", index=True, ondelete="CASCADE")
    index: int
    inputs: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(FloatJSON(), nullable=False)
    )
    outputs: list[Any] = Field(default_factory=list, sa_column=Column(FloatJSON(), nullable=False))
    created_at: datetime = _timestamp()


class ModelCallRow(SQLModel, table=True):
    """One completed language-model call of a campaign: who answered and what it cost.

    ``key`` is chosen by the caller (``r3-design-0``) and is unique per campaign, so a resumed
    campaign finds a call it already paid for instead of making it again. Added in schema
    version 2. No API key is ever stored here.
    """

    __tablename__ = "model_calls"
    __table_args__ = (UniqueConstraint("campaign_id", "key", name="uq_model_call_key"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: str = Field(foreign_key="campaigns.id", index=True, ondelete="CASCADE")
    key: str
    purpose: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    attempts: int = 1
    duration_s: float = 0.0
    finish_reason: str | None = None
    created_at: datetime = _timestamp()


class TranscriptRow(SQLModel, table=True):
    """The prompt and completion of one model call, and what it produced.

    ``result`` holds the parsed outcome (experiment points, candidate keys, parse errors), so a
    resumed campaign replays a stored completion instead of calling the model again. Added in
    schema version 2.
    """

    __tablename__ = "transcripts"
    __table_args__ = (UniqueConstraint("campaign_id", "key", name="uq_transcript_key"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: str = Field(foreign_key="campaigns.id", index=True, ondelete="CASCADE")
    key: str
    prompt_hash: str
    messages: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(DocumentJSON(), nullable=False)
    )
    completion: str = Field(default="", sa_type=Text)
    reasoning: str | None = Field(default=None, sa_type=Text)
    tool_calls: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(DocumentJSON(), nullable=False)
    )
    result: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(DocumentJSON(), nullable=False)
    )
    created_at: datetime = _timestamp()


class BenchmarkRunRow(SQLModel, table=True):
    """One scored benchmark submission: which suite, which file, and its totals.

    A run is unique per ``(suite_id, label, submission_sha256)``: scoring the same file for the
    same suite under the same label again replaces the stored run instead of adding one (see
    :mod:`discolab.storage.benchmarks`). ``suite_hash`` fingerprints the suite's expanded task
    list, so a run scored before a suite grew can be told apart from a current one. Added in
    schema version 3.

    Schema version 4 added ``origin`` (``run`` when ``bench run`` ran the proposer it names,
    ``file`` for a scored file, whose proposer is only a claim), ``seed`` (the agent's seed,
    for intervals over seeds), ``within_tolerance`` / ``accuracy_at_tolerance`` (tasks within
    the held-out relative-error tolerance) and ``ood_nmse`` (median out-of-domain NMSE; NULL is
    ``inf``, the worst). Runs stored before version 4 read as self-reported, with no task
    within tolerance and an infinite NMSE: those figures were never measured for them.

    Schema version 5 added ``assistance``, the run's assistance label
    (:mod:`discolab.assistance`: ``none``, ``inversion``, ``unknown``), by which the
    leaderboard keeps runs apart.
    """

    __tablename__ = "benchmark_runs"
    __table_args__ = (
        UniqueConstraint("suite_id", "label", "submission_sha256", name="uq_benchmark_run"),
    )

    id: str = Field(primary_key=True)
    suite_id: str = Field(index=True)
    suite_hash: str
    label: str
    proposer: str | None = None
    assistance: str = Field(default="unknown")
    meta: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column("metadata", DocumentJSON(), nullable=False)
    )
    submission_path: str = Field(default="", sa_type=Text)
    submission_sha256: str
    tasks: int
    matched: int
    accuracy: float
    mean_score: float
    failed: int
    duration_s: float = 0.0
    created_at: datetime = _timestamp()
    origin: str = Field(default="file", sa_column_kwargs={"server_default": "file"})
    seed: int | None = None
    within_tolerance: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    accuracy_at_tolerance: float = Field(default=0.0, sa_column_kwargs={"server_default": "0"})
    ood_nmse: float | None = None


class BenchmarkTaskRow(SQLModel, table=True):
    """The verdict on one task of a stored benchmark run. Added in schema version 3.

    ``score`` is NULL when the verifier produced NaN (SQLite cannot hold NaN); ``law`` is NULL
    when the submission had no law for the task. ``within_tolerance`` and ``ood_nmse`` (NULL
    for ``inf``) were added in schema version 4.
    """

    __tablename__ = "benchmark_tasks"
    __table_args__ = (UniqueConstraint("run_id", "task_id", name="uq_benchmark_task"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: str = Field(foreign_key="benchmark_runs.id", index=True, ondelete="CASCADE")
    task_id: str
    domain: str
    difficulty: str
    system: str
    law: str | None = Field(default=None, sa_type=Text)
    score: float | None = None
    symbolic_match: bool = False
    metrics: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(FloatJSON(), nullable=False)
    )
    error: str | None = Field(default=None, sa_type=Text)
    within_tolerance: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    ood_nmse: float | None = None


def _table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


TABLES: tuple[Table, ...] = tuple(
    _table(m)
    for m in (
        SchemaInfo,
        CampaignRow,
        CandidateRow,
        EvaluationRow,
        ExperimentRow,
        ModelCallRow,
        TranscriptRow,
        BenchmarkRunRow,
        BenchmarkTaskRow,
    )
)
"""The tables of the current schema version, in creation order."""
