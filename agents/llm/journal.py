"""The call journal: every model call of a campaign, stored before its result is used.

A proposer asks the journal before each call. If a call with the same key is stored, it gets
the stored completion back (a resumed campaign replays instead of paying again); otherwise the
journal checks the caps, the proposer calls the model, and the journal stores the call with
its tokens, cost and transcript. :class:`MemoryJournal` keeps calls in memory for tools that
run without a campaign (and for tests).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol

from discolab.agents.llm.accounting import Limits, Price, cap_reason, cost_of
from discolab.agents.llm.client import Completion
from discolab.errors import UsageCapReached
from discolab.storage.calls import ModelCall, Usage


def prompt_hash(messages: Sequence[Mapping[str, Any]]) -> str:
    """A short stable hash of a prompt, shared by its transcript and its candidates."""
    text = json.dumps([dict(m) for m in messages], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class CallStore(Protocol):
    """Where calls live (:class:`discolab.storage.calls.ModelCallStore` fits)."""

    def record(self, campaign_id: str, call: ModelCall) -> ModelCall: ...
    def get(self, campaign_id: str, key: str) -> ModelCall | None: ...
    def usage(self, campaign_id: str) -> Usage: ...


class CallJournal:
    """One campaign's calls: lookup for replay, cap checks, recording with cost."""

    def __init__(
        self,
        store: CallStore,
        campaign_id: str,
        *,
        limits: Limits | None = None,
        pricing: Mapping[str, Price] | None = None,
    ) -> None:
        self.store = store
        self.campaign_id = campaign_id
        self.limits = limits or Limits()
        self.pricing = dict(pricing or {})

    def lookup(self, key: str) -> ModelCall | None:
        """The stored call ``key``, or None."""
        return self.store.get(self.campaign_id, key)

    def usage(self) -> Usage:
        """Totals so far."""
        return self.store.usage(self.campaign_id)

    def check_caps(self) -> None:
        """Raise :class:`UsageCapReached` when a cap leaves no room for another call."""
        reason = cap_reason(self.usage(), self.limits)
        if reason is not None:
            raise UsageCapReached(reason)

    def record(
        self,
        key: str,
        purpose: str,
        messages: Sequence[Mapping[str, Any]],
        completion: Completion,
        result: Mapping[str, Any],
    ) -> ModelCall:
        """Store a completed call with its transcript and parsed ``result``."""
        call = ModelCall(
            key=key,
            purpose=purpose,
            model=completion.model,
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
            cost=cost_of(
                completion.model,
                completion.prompt_tokens,
                completion.completion_tokens,
                self.pricing,
            ),
            attempts=completion.attempts,
            duration_s=completion.duration_s,
            finish_reason=completion.finish_reason,
            prompt_hash=prompt_hash(messages),
            messages=[dict(m) for m in messages],
            completion=completion.text,
            reasoning=completion.reasoning,
            tool_calls=[{"name": t.name, "arguments": t.arguments} for t in completion.tool_calls],
            result=dict(result),
        )
        return self.store.record(self.campaign_id, call)


class MemoryCallStore:
    """A :class:`CallStore` in memory (no database)."""

    def __init__(self) -> None:
        self.calls: dict[tuple[str, str], ModelCall] = {}

    def record(self, campaign_id: str, call: ModelCall) -> ModelCall:
        return self.calls.setdefault((campaign_id, call.key), replace(call))

    def get(self, campaign_id: str, key: str) -> ModelCall | None:
        return self.calls.get((campaign_id, key))

    def usage(self, campaign_id: str) -> Usage:
        mine = [c for (cid, _), c in self.calls.items() if cid == campaign_id]
        return Usage(
            calls=len(mine),
            prompt_tokens=sum(c.prompt_tokens for c in mine),
            completion_tokens=sum(c.completion_tokens for c in mine),
            cost=sum(c.cost for c in mine),
        )


def memory_journal(
    limits: Limits | None = None, pricing: Mapping[str, Price] | None = None
) -> CallJournal:
    """A journal over a fresh :class:`MemoryCallStore`."""
    return CallJournal(MemoryCallStore(), "memory", limits=limits, pricing=pricing)
