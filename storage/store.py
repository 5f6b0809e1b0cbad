"""CampaignStore: the one storage API the rest of discolab uses.

It takes and returns domain types (:mod:`discolab.types`) and frozen records; SQL rows never
leak. Every ``record_*`` method is idempotent on a natural key, so a campaign resumed after a
crash can replay its last step and get back what was already stored instead of a duplicate:

* experiments on ``(campaign_id, index)`` (a resumed campaign reuses the stored measurement);
* candidates on ``(campaign_id, key)``, where ``key`` is chosen by the caller;
* evaluations on ``(candidate_id, verifier)``.

When the key already exists the stored value is returned unchanged, even if the new argument
differs: the first write wins, because that is what the rest of the run already saw.
"""

from __future__ import annotations

import difflib
import math
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, get_args

from sqlalchemy import func
from sqlmodel import Session, col, select

from discolab.errors import CampaignNotFound, StorageError
from discolab.storage.calls import ModelCallStore
from discolab.storage.db import Database
from discolab.storage.models import (
    CampaignRow,
    CandidateRow,
    EvaluationRow,
    ExperimentRow,
    utcnow,
)
from discolab.storage.records import (
    CampaignRecord,
    CampaignStatus,
    ScoredRecord,
    campaign_record,
    candidate_of,
    candidate_row,
    evaluation_of,
    evaluation_row,
    experiment_of,
    experiment_row,
)
from discolab.types import Candidate, Evaluation, Experiment

BatchItem = tuple[str, Candidate, str, Evaluation | None]
"""One entry of :meth:`CampaignStore.record_batch`: ``(key, candidate, verifier, evaluation)``."""

STATUSES: tuple[str, ...] = get_args(CampaignStatus)


def new_candidate_id() -> str:
    """A fresh candidate id such as ``cand-3f9a0c1b2d4e``."""
    return f"cand-{uuid.uuid4().hex[:12]}"


class CampaignStore:
    """Campaigns, experiments, candidates and evaluations in one :class:`Database`."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.calls = ModelCallStore(db)
        """Model calls, token usage and transcripts (see :mod:`discolab.storage.calls`)."""

    # -- campaigns -------------------------------------------------------------------------

    def create_campaign(
        self,
        *,
        id: str,
        name: str,
        env_id: str,
        env_options: Mapping[str, Any],
        proposer: str,
        seed: int,
        config: Mapping[str, Any],
        assistance: Sequence[str] | None = None,
    ) -> CampaignRecord:
        """Store a new campaign with status ``created``; an existing id raises StorageError.

        ``assistance`` lists the kinds of assistance its proposer has (``[]`` for none);
        None records it as unknown.
        """
        with self.db.write() as session:
            if session.get(CampaignRow, id) is not None:
                raise StorageError(
                    f"campaign {id!r} already exists in {self.db.location}; "
                    "resume it or choose another id"
                )
            row = CampaignRow(
                id=id,
                name=name,
                env_id=env_id,
                env_options=dict(env_options),
                proposer=proposer,
                seed=int(seed),
                config=dict(config),
                assistance=None if assistance is None else sorted(set(assistance)),
            )
            session.add(row)
            session.flush()
            return campaign_record(row)

    def get_campaign(self, id: str) -> CampaignRecord:
        """The campaign ``id``; CampaignNotFound (with suggestions) if there is none."""
        with self.db.read() as session:
            return campaign_record(self._campaign(session, id))

    def list_campaigns(self) -> list[CampaignRecord]:
        """Every campaign, newest first."""
        with self.db.read() as session:
            rows = session.exec(
                select(CampaignRow).order_by(
                    col(CampaignRow.created_at).desc(), col(CampaignRow.id)
                )
            ).all()
            return [campaign_record(r) for r in rows]

    def set_status(
        self,
        id: str,
        status: CampaignStatus,
        stop_reason: str | None = None,
        summary: Mapping[str, Any] | None = None,
    ) -> CampaignRecord:
        """Change a campaign's status and stop reason; ``summary=None`` keeps the stored one."""
        if status not in STATUSES:
            raise ValueError(f"unknown campaign status {status!r}; use one of {STATUSES}")
        with self.db.write() as session:
            row = self._campaign(session, id)
            row.status = status
            row.stop_reason = stop_reason
            if summary is not None:
                row.summary = dict(summary)
            row.updated_at = utcnow()
            session.add(row)
            session.flush()
            return campaign_record(row)

    # -- experiments -----------------------------------------------------------------------

    def record_experiment(self, campaign_id: str, experiment: Experiment) -> Experiment:
        """Store an answered experiment call, or return the stored one with the same index."""
        with self.db.write() as session:
            self._campaign(session, campaign_id)
            stored = self._experiment(session, campaign_id, experiment.index)
            if stored is not None:
                return experiment_of(stored)
            row = experiment_row(campaign_id, experiment)
            session.add(row)
            session.flush()
            return experiment_of(row)

    def get_experiment(self, campaign_id: str, index: int) -> Experiment | None:
        """The stored experiment call ``index`` of a campaign, or None."""
        with self.db.read() as session:
            self._campaign(session, campaign_id)
            row = self._experiment(session, campaign_id, index)
            return None if row is None else experiment_of(row)

    def experiments(self, campaign_id: str) -> list[Experiment]:
        """A campaign's experiment calls, ordered by index."""
        with self.db.read() as session:
            self._campaign(session, campaign_id)
            rows = session.exec(
                select(ExperimentRow)
                .where(ExperimentRow.campaign_id == campaign_id)
                .order_by(col(ExperimentRow.index))
            ).all()
            return [experiment_of(r) for r in rows]

    # -- candidates and evaluations --------------------------------------------------------

    def record_candidate(self, campaign_id: str, candidate: Candidate, key: str) -> Candidate:
        """Store a candidate under ``key``, or return the one already stored under it.

        The stored id is ``candidate.id`` when set (so a caller can link parents before
        storing), otherwise a fresh ``cand-<hex12>``.
        """
        with self.db.write() as session:
            self._campaign(session, campaign_id)
            return candidate_of(self._put_candidate(session, campaign_id, key, candidate))

    def record_evaluation(
        self, candidate_id: str, verifier: str, evaluation: Evaluation
    ) -> Evaluation:
        """Store a verifier's evaluation of a candidate, or return the stored one."""
        with self.db.write() as session:
            if session.get(CandidateRow, candidate_id) is None:
                raise StorageError(
                    f"no candidate {candidate_id!r} in {self.db.location}; "
                    "record it with record_candidate first"
                )
            return evaluation_of(self._put_evaluation(session, candidate_id, verifier, evaluation))

    def record_batch(self, campaign_id: str, items: Sequence[BatchItem]) -> list[Candidate]:
        """Store a whole round of candidates and their evaluations in one transaction.

        Each item is ``(key, candidate, verifier, evaluation)``; ``evaluation`` may be None
        for a candidate not evaluated yet. Either every item is stored or none is. Returns
        the stored candidates, in the order of ``items``.
        """
        with self.db.write() as session:
            self._campaign(session, campaign_id)
            keys = list(dict.fromkeys(key for key, *_ in items))
            rows = {
                r.key: r
                for r in session.exec(
                    select(CandidateRow).where(
                        CandidateRow.campaign_id == campaign_id, col(CandidateRow.key).in_(keys)
                    )
                ).all()
            }
            known = set(rows)
            last = session.exec(
                select(func.max(CandidateRow.seq)).where(CandidateRow.campaign_id == campaign_id)
            ).one()
            seq = -1 if last is None else int(last)
            fresh: list[EvaluationRow] = []
            for key, candidate, verifier, evaluation in items:
                if key not in rows:  # one lookup and one insert per batch, not per item
                    seq += 1
                    cid = candidate.id or new_candidate_id()
                    rows[key] = candidate_row(campaign_id, key, seq, cid, candidate)
                    session.add(rows[key])
                    if evaluation is not None:
                        fresh.append(evaluation_row(cid, verifier, evaluation))
                elif evaluation is not None and key in known:
                    self._put_evaluation(session, rows[key].id, verifier, evaluation)
            session.flush()  # candidates first: evaluations refer to them
            session.add_all(fresh)
            session.flush()
            return [candidate_of(rows[key]) for key, *_ in items]

    def candidates(self, campaign_id: str, *, generation: int | None = None) -> list[ScoredRecord]:
        """Every candidate of a campaign (of one ``generation`` when given) with its latest
        evaluation, in insertion order."""
        with self.db.read() as session:
            self._campaign(session, campaign_id)
            which = [col(CandidateRow.campaign_id) == campaign_id]
            if generation is not None:
                which.append(col(CandidateRow.generation) == generation)
            rows = session.exec(
                select(CandidateRow).where(*which).order_by(col(CandidateRow.seq))
            ).all()
            evaluations = session.exec(
                select(EvaluationRow)
                .join(CandidateRow, col(EvaluationRow.candidate_id) == col(CandidateRow.id))
                .where(*which)
                .order_by(col(EvaluationRow.id))
            ).all()
            latest = {e.candidate_id: e for e in evaluations}
            return [
                ScoredRecord(
                    candidate=candidate_of(r),
                    evaluation=evaluation_of(latest[r.id]) if r.id in latest else None,
                    verifier=latest[r.id].verifier if r.id in latest else None,
                    seq=r.seq,
                )
                for r in rows
            ]

    def candidate(self, candidate_id: str) -> ScoredRecord | None:
        """One stored candidate, of any campaign, with its latest evaluation (``None`` when
        no candidate has that id)."""
        with self.db.read() as session:
            row = session.get(CandidateRow, candidate_id)
            if row is None:
                return None
            latest = session.exec(
                select(EvaluationRow)
                .where(col(EvaluationRow.candidate_id) == candidate_id)
                .order_by(col(EvaluationRow.id).desc())
            ).first()
            return ScoredRecord(
                candidate=candidate_of(row),
                evaluation=evaluation_of(latest) if latest is not None else None,
                verifier=latest.verifier if latest is not None else None,
                seq=row.seq,
            )

    def best(self, campaign_id: str, n: int = 10, *, by: str = "score") -> list[ScoredRecord]:
        """The ``n`` best evaluated candidates.

        Sorted by ``by`` descending (``"score"`` or the name of a metric, higher is better),
        then by complexity ascending (simpler wins a tie), then by insertion order. NaN and
        missing values sort last; candidates without an evaluation are left out.
        """

        def value(record: ScoredRecord) -> float:
            assert record.evaluation is not None
            raw = record.evaluation.score if by == "score" else record.evaluation.metrics.get(by)
            number = float(raw) if isinstance(raw, int | float) else math.nan
            return -math.inf if math.isnan(number) else number

        def order(record: ScoredRecord) -> tuple[float, float, int]:
            complexity = record.complexity
            simple = math.inf if complexity is None or math.isnan(complexity) else complexity
            return (-value(record), simple, record.seq)

        evaluated = [r for r in self.candidates(campaign_id) if r.evaluation is not None]
        return sorted(evaluated, key=order)[: max(n, 0)]

    def candidate_keys(self, campaign_id: str, *, generation: int | None = None) -> set[str]:
        """The keys of a campaign's stored candidates (of one ``generation`` when given);
        cheaper than :meth:`candidates` when only presence matters."""
        with self.db.read() as session:
            which = [col(CandidateRow.campaign_id) == campaign_id]
            if generation is not None:
                which.append(col(CandidateRow.generation) == generation)
            return set(session.exec(select(CandidateRow.key).where(*which)).all())

    def count_candidates(self, campaign_id: str) -> int:
        """How many candidates a campaign has stored."""
        with self.db.read() as session:
            self._campaign(session, campaign_id)
            return int(
                session.exec(
                    select(func.count())
                    .select_from(CandidateRow)
                    .where(CandidateRow.campaign_id == campaign_id)
                ).one()
            )

    # -- helpers (all run inside the caller's session) -------------------------------------

    def _campaign(self, session: Session, id: str) -> CampaignRow:
        row = session.get(CampaignRow, id)
        if row is None:
            raise self._not_found(session, id)
        return row

    def _not_found(self, session: Session, id: str) -> CampaignNotFound:
        ids = list(session.exec(select(CampaignRow.id)).all())
        prefixed = sorted(i for i in ids if id and (i.startswith(id) or id.startswith(i)))
        close = difflib.get_close_matches(id, ids, n=3, cutoff=0.6)
        suggestions = list(dict.fromkeys(prefixed + close))[:3]
        message = f"no campaign {id!r} in {self.db.location}"
        if suggestions:
            message += "; did you mean " + " or ".join(repr(s) for s in suggestions) + "?"
        elif ids:
            message += f"; it holds {len(ids)} other campaign(s)"
        else:
            message += "; it holds no campaigns yet"
        return CampaignNotFound(message)

    @staticmethod
    def _experiment(session: Session, campaign_id: str, index: int) -> ExperimentRow | None:
        return session.exec(
            select(ExperimentRow).where(
                ExperimentRow.campaign_id == campaign_id, ExperimentRow.index == index
            )
        ).first()

    @staticmethod
    def _put_candidate(
        session: Session, campaign_id: str, key: str, candidate: Candidate
    ) -> CandidateRow:
        stored = session.exec(
            select(CandidateRow).where(
                CandidateRow.campaign_id == campaign_id, CandidateRow.key == key
            )
        ).first()
        if stored is not None:
            return stored
        last = session.exec(
            select(func.max(CandidateRow.seq)).where(CandidateRow.campaign_id == campaign_id)
        ).one()
        seq = 0 if last is None else int(last) + 1
        row = candidate_row(campaign_id, key, seq, candidate.id or new_candidate_id(), candidate)
        session.add(row)
        session.flush()
        return row

    @staticmethod
    def _put_evaluation(
        session: Session, candidate_id: str, verifier: str, evaluation: Evaluation
    ) -> EvaluationRow:
        stored = session.exec(
            select(EvaluationRow).where(
                EvaluationRow.candidate_id == candidate_id, EvaluationRow.verifier == verifier
            )
        ).first()
        if stored is not None:
            return stored
        row = evaluation_row(candidate_id, verifier, evaluation)
        session.add(row)
        session.flush()
        return row
