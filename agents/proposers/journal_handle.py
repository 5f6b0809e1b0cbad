"""A proposer's narrow handle on its campaign's call journal.

A model proposer must look up, cap and record its calls, so its context carries a journal.
The campaign's journal, though, holds the store, and from the store every row is reachable:
the campaign config with its shift name, stored held-out metrics, and the hidden law. A
proposer runs in the same process, and whatever its context holds it can walk to.

So the context holds a :class:`JournalHandle` instead: an object with four methods and one
opaque random token. The journal the token stands for sits in this module's private table;
no attribute, slot, closure cell or bound method of the handle leads to it (the spy proposer
test, ``tests/agents/test_context_spy.py``, walks all of them). A handle is bound to one
campaign for its lifetime, cannot be re-pointed, copied to another token, or pickled.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from discolab.errors import DiscolabError

if TYPE_CHECKING:
    from discolab.agents.llm.client import Completion
    from discolab.storage.calls import ModelCall, Usage


@runtime_checkable
class Journal(Protocol):
    """What a proposer may do with its campaign's model calls, and nothing more."""

    def lookup(self, key: str) -> ModelCall | None:
        """The stored call ``key`` of this campaign, or None."""
        ...

    def check_caps(self) -> None:
        """Raise :class:`~discolab.errors.UsageCapReached` when no call is left."""
        ...

    def record(
        self,
        key: str,
        purpose: str,
        messages: Sequence[Mapping[str, Any]],
        completion: Completion,
        result: Mapping[str, Any],
    ) -> ModelCall:
        """Store a completed call with its transcript; the first write of a key wins."""
        ...

    def usage(self) -> Usage:
        """Calls, tokens and cost of this campaign so far."""
        ...


class JournalClosed(DiscolabError):
    """A journal handle was used after the journal behind it was released."""


_BACKENDS: dict[int, Journal] = {}
"""Token -> journal. Private: reachable only through this module, never from a handle."""


class JournalHandle:
    """One campaign's journal as a proposer sees it: lookup, caps, record, usage.

    Built by the trusted side (the explorer) from the campaign's
    :class:`~discolab.agents.llm.journal.CallJournal`; the proposer gets only this.
    """

    __slots__ = ("_token",)

    def __init__(self, journal: Journal) -> None:
        if isinstance(journal, JournalHandle):
            raise TypeError("a JournalHandle wraps a journal, not another handle")
        token = secrets.randbits(64)
        while token in _BACKENDS:
            token = secrets.randbits(64)
        _BACKENDS[token] = journal
        object.__setattr__(self, "_token", token)

    def _journal(self) -> Journal:
        try:
            return _BACKENDS[self._token]
        except KeyError:
            raise JournalClosed("this journal handle was released; its campaign ended") from None

    def lookup(self, key: str) -> ModelCall | None:
        """The stored call ``key`` of this campaign, or None (for replay on resume)."""
        return self._journal().lookup(key)

    def check_caps(self) -> None:
        """Raise :class:`~discolab.errors.UsageCapReached` when a cap leaves no room."""
        self._journal().check_caps()

    def record(
        self,
        key: str,
        purpose: str,
        messages: Sequence[Mapping[str, Any]],
        completion: Completion,
        result: Mapping[str, Any],
    ) -> ModelCall:
        """Store a completed call with its transcript and parsed ``result``."""
        return self._journal().record(key, purpose, messages, completion, result)

    def usage(self) -> Usage:
        """Calls, tokens in and out, and cost of this campaign so far."""
        return self._journal().usage()

    def release(self) -> None:
        """Drop the journal behind the handle; later calls raise :class:`JournalClosed`."""
        _BACKENDS.pop(self._token, None)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a JournalHandle cannot be re-pointed")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("a JournalHandle cannot be re-pointed")

    def __copy__(self) -> JournalHandle:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> JournalHandle:
        return self

    def __reduce__(self) -> Any:
        raise TypeError("a JournalHandle is bound to one process and cannot be pickled")

    def __repr__(self) -> str:
        return "JournalHandle()"

    def __del__(self) -> None:
        # At interpreter shutdown the table may already be gone.
        with contextlib.suppress(AttributeError, TypeError):
            _BACKENDS.pop(self._token, None)
