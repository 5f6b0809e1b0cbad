"""What the store hands out: frozen records and the row <-> domain conversions.

Rows never leave :mod:`discolab.storage`; callers get :class:`CampaignRecord`,
:class:`ScoredRecord` and the domain types of :mod:`discolab.types`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from discolab.storage.models import CampaignRow, CandidateRow, EvaluationRow, ExperimentRow
from discolab.types import Candidate, CandidateKind, Evaluation, Experiment

CampaignStatus = Literal["created", "running", "finished", "failed", "stopped"]


@dataclass(frozen=True)
class CampaignRecord:
    """A stored campaign.

    Attributes:
        id: the campaign id, also the LangGraph ``thread_id``.
        name: a human label.
        env_id: registry id of the environment (``newton/gravity-v1``).
        env_options: keyword options the environment was built with.
        proposer: registry id of the proposer.
        seed: the campaign's seed.
        config: the full validated campaign config, enough to rebuild the run.
        status: created, running, finished, failed or stopped.
        stop_reason: why it stopped (budget spent, target reached, error text), if it did.
        summary: the best result once known (free-form JSON).
        assistance: the kinds of assistance its proposer had (``()`` for none, see
            :mod:`discolab.assistance`); None when it was not recorded (stored before).
        created_at: when it was created (UTC).
        updated_at: when its status last changed (UTC).
    """

    id: str
    name: str
    env_id: str
    env_options: Mapping[str, Any]
    proposer: str
    seed: int
    config: Mapping[str, Any]
    status: CampaignStatus
    stop_reason: str | None
    summary: Mapping[str, Any] | None
    created_at: datetime
    updated_at: datetime
    assistance: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ScoredRecord:
    """A stored candidate with its latest evaluation.

    Attributes:
        candidate: the candidate, ``id`` set.
        evaluation: the most recently recorded evaluation, or None if not evaluated yet.
        verifier: the verifier that produced ``evaluation``.
        seq: the candidate's 0-based insertion order within its campaign.
    """

    candidate: Candidate
    evaluation: Evaluation | None
    verifier: str | None
    seq: int

    @property
    def score(self) -> float | None:
        """The evaluation's score, or None when not evaluated."""
        return None if self.evaluation is None else self.evaluation.score

    @property
    def complexity(self) -> float | None:
        """``metrics["complexity"]``, else ``metadata["complexity"]``, else None."""
        for source in (self.evaluation.metrics if self.evaluation else {}, self.candidate.metadata):
            value = source.get("complexity")
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
        return None


def aware(moment: datetime) -> datetime:
    """SQLite drops time zones; every stored time is UTC, so put it back."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def campaign_record(row: CampaignRow) -> CampaignRecord:
    """The record of a campaign row."""
    return CampaignRecord(
        id=row.id,
        name=row.name,
        env_id=row.env_id,
        env_options=dict(row.env_options),
        proposer=row.proposer,
        seed=row.seed,
        config=dict(row.config),
        status=row.status,  # type: ignore[arg-type]
        stop_reason=row.stop_reason,
        summary=None if row.summary is None else dict(row.summary),
        created_at=aware(row.created_at),
        updated_at=aware(row.updated_at),
        assistance=None if row.assistance is None else tuple(row.assistance),
    )


def candidate_row(campaign_id: str, key: str, seq: int, cid: str, c: Candidate) -> CandidateRow:
    """A new row for ``c``."""
    return CandidateRow(
        id=cid,
        campaign_id=campaign_id,
        key=key,
        seq=seq,
        kind=CandidateKind(c.kind).value,
        source=c.source,
        parent_ids=list(c.parent_ids),
        proposer=c.proposer,
        model=c.model,
        prompt_hash=c.prompt_hash,
        generation=int(c.generation),
        island=int(c.island),
        meta=dict(c.metadata),
    )


def candidate_of(row: CandidateRow) -> Candidate:
    """The candidate stored in ``row``."""
    return Candidate(
        kind=CandidateKind(row.kind),
        source=row.source,
        proposer=row.proposer,
        parent_ids=tuple(row.parent_ids),
        generation=row.generation,
        island=row.island,
        model=row.model,
        prompt_hash=row.prompt_hash,
        metadata=dict(row.meta),
        id=row.id,
    )


def evaluation_row(candidate_id: str, verifier: str, e: Evaluation) -> EvaluationRow:
    """A new row for ``e``; a NaN score is stored as NULL (SQLite cannot hold NaN)."""
    score = float(e.score)
    return EvaluationRow(
        candidate_id=candidate_id,
        verifier=verifier,
        score=None if math.isnan(score) else score,
        passed=bool(e.passed),
        metrics=dict(e.metrics),
        feedback=e.feedback,
        error=e.error,
    )


def evaluation_of(row: EvaluationRow) -> Evaluation:
    """The evaluation stored in ``row``."""
    return Evaluation(
        score=math.nan if row.score is None else float(row.score),
        passed=bool(row.passed),
        metrics=dict(row.metrics),
        feedback=row.feedback,
        error=row.error,
    )


def experiment_row(campaign_id: str, e: Experiment) -> ExperimentRow:
    """A new row for ``e``."""
    data = e.to_dict()
    return ExperimentRow(
        campaign_id=campaign_id, index=e.index, inputs=data["inputs"], outputs=data["outputs"]
    )


def experiment_of(row: ExperimentRow) -> Experiment:
    """The experiment stored in ``row``."""
    return Experiment.from_dict({"index": row.index, "inputs": row.inputs, "outputs": row.outputs})
