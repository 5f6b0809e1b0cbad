"""Model calls and their transcripts: token accounting and replay, per campaign.

A language-model proposer records every completed call under a key it chooses (``r3-design-0``)
together with the prompt, the completion and what was parsed from it. Writes are idempotent on
``(campaign_id, key)``: the first write wins. A resumed campaign therefore looks a call up by
key and replays the stored completion instead of paying for it again, and the usage totals
of a campaign are always the sum of what is stored. API keys never reach these tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from discolab.storage.db import Database
from discolab.storage.models import ModelCallRow, TranscriptRow
from discolab.storage.records import aware


@dataclass(frozen=True)
class ModelCall:
    """One completed model call with its transcript.

    Attributes:
        key: unique within the campaign; also the transcript's key (``r3-propose-0``).
        purpose: what the call was for (``design``, ``propose``, ``edit``).
        model: the model string that answered (``openai:gpt-4.1``).
        prompt_tokens: input tokens reported by the server (estimated when it reports none).
        completion_tokens: output tokens, likewise.
        cost: in the currency of the price table (0 when the model has no price).
        attempts: HTTP attempts it took (retries + 1).
        duration_s: wall-clock seconds including retries.
        finish_reason: ``stop``, ``length`` (truncated), ``tool_calls`` ...
        prompt_hash: hash of ``messages``; candidates made from this call carry it too.
        messages: the chat messages sent.
        completion: the assistant text as received (reasoning blocks included).
        reasoning: a separate ``reasoning_content`` field, when the server sent one.
        tool_calls: ``[{"name": ..., "arguments": ...}]`` as received.
        result: what was parsed (points, candidate keys, errors) for replay and display.
        created_at: when it was stored (set by the store).
    """

    key: str
    purpose: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    attempts: int = 1
    duration_s: float = 0.0
    finish_reason: str | None = None
    prompt_hash: str = ""
    messages: Sequence[Mapping[str, Any]] = ()
    completion: str = ""
    reasoning: str | None = None
    tool_calls: Sequence[Mapping[str, Any]] = ()
    result: Mapping[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None


@dataclass(frozen=True)
class Usage:
    """Totals over a campaign's stored model calls."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0

    @property
    def tokens(self) -> int:
        """Input plus output tokens."""
        return self.prompt_tokens + self.completion_tokens


def _call_of(call: ModelCallRow, transcript: TranscriptRow | None) -> ModelCall:
    return ModelCall(
        key=call.key,
        purpose=call.purpose,
        model=call.model,
        prompt_tokens=call.prompt_tokens,
        completion_tokens=call.completion_tokens,
        cost=call.cost,
        attempts=call.attempts,
        duration_s=call.duration_s,
        finish_reason=call.finish_reason,
        prompt_hash=transcript.prompt_hash if transcript else "",
        messages=list(transcript.messages) if transcript else [],
        completion=transcript.completion if transcript else "",
        reasoning=transcript.reasoning if transcript else None,
        tool_calls=list(transcript.tool_calls) if transcript else [],
        result=dict(transcript.result) if transcript else {},
        created_at=aware(call.created_at),
    )


class ModelCallStore:
    """Model calls and transcripts of campaigns in one :class:`Database`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, campaign_id: str, call: ModelCall) -> ModelCall:
        """Store a call and its transcript in one transaction, or return the stored one."""
        with self.db.write() as session:
            stored = self._get(session, campaign_id, call.key)
            if stored is not None:
                return stored
            session.add(
                ModelCallRow(
                    campaign_id=campaign_id,
                    key=call.key,
                    purpose=call.purpose,
                    model=call.model,
                    prompt_tokens=int(call.prompt_tokens),
                    completion_tokens=int(call.completion_tokens),
                    cost=float(call.cost),
                    attempts=int(call.attempts),
                    duration_s=float(call.duration_s),
                    finish_reason=call.finish_reason,
                )
            )
            session.add(
                TranscriptRow(
                    campaign_id=campaign_id,
                    key=call.key,
                    prompt_hash=call.prompt_hash,
                    messages=[dict(m) for m in call.messages],
                    completion=call.completion,
                    reasoning=call.reasoning,
                    tool_calls=[dict(t) for t in call.tool_calls],
                    result=dict(call.result),
                )
            )
            session.flush()
            found = self._get(session, campaign_id, call.key)
            assert found is not None
            return found

    def get(self, campaign_id: str, key: str) -> ModelCall | None:
        """The stored call ``key`` of a campaign, or None."""
        with self.db.read() as session:
            return self._get(session, campaign_id, key)

    def list(self, campaign_id: str) -> list[ModelCall]:
        """Every stored call of a campaign, oldest first."""
        with self.db.read() as session:
            calls = session.exec(
                select(ModelCallRow)
                .where(ModelCallRow.campaign_id == campaign_id)
                .order_by(col(ModelCallRow.id))
            ).all()
            transcripts = {
                t.key: t
                for t in session.exec(
                    select(TranscriptRow).where(TranscriptRow.campaign_id == campaign_id)
                ).all()
            }
            return [_call_of(c, transcripts.get(c.key)) for c in calls]

    def usage(self, campaign_id: str) -> Usage:
        """Calls, tokens in and out, and cost of a campaign so far."""
        with self.db.read() as session:
            row = session.exec(
                select(
                    func.count(),
                    func.coalesce(func.sum(ModelCallRow.prompt_tokens), 0),
                    func.coalesce(func.sum(ModelCallRow.completion_tokens), 0),
                    func.coalesce(func.sum(ModelCallRow.cost), 0.0),
                ).where(ModelCallRow.campaign_id == campaign_id)
            ).one()
            return Usage(int(row[0]), int(row[1]), int(row[2]), float(row[3]))

    @staticmethod
    def _get(session: Session, campaign_id: str, key: str) -> ModelCall | None:
        call = session.exec(
            select(ModelCallRow).where(
                ModelCallRow.campaign_id == campaign_id, ModelCallRow.key == key
            )
        ).first()
        if call is None:
            return None
        transcript = session.exec(
            select(TranscriptRow).where(
                TranscriptRow.campaign_id == campaign_id, TranscriptRow.key == key
            )
        ).first()
        return _call_of(call, transcript)
