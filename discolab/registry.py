"""Registries with versioned ids and "did you mean" suggestions.

Ids look like ``family/name-vN`` (``newton/gravity-v1``); a new behaviour gets a new version
instead of silently changing an old one, so stored campaigns stay reproducible. Registries are
plain objects owned by the module that fills them; nothing is registered at import time of
``discolab`` itself.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from discolab.errors import DiscolabError, UnknownIdError

T = TypeVar("T")

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*(/[a-z0-9][a-z0-9_.-]*)*-v[0-9]+$")


@dataclass(frozen=True)
class Entry(Generic[T]):
    """One registered factory with its id and a one-line summary for listings."""

    id: str
    factory: Callable[..., T]
    summary: str


class Registry(Generic[T]):
    """A mapping from versioned ids to factories.

    ``kind`` names what the registry holds (``"environment"``) and appears in error messages.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, Entry[T]] = {}

    def register(self, id: str, factory: Callable[..., T], summary: str = "") -> None:
        """Add ``factory`` under ``id``; ids must be versioned and unique."""
        if not ID_PATTERN.match(id):
            raise DiscolabError(
                f"{self.kind} id {id!r} is not versioned; use the form 'family/name-vN'"
            )
        if id in self._entries:
            raise DiscolabError(f"{self.kind} id {id!r} is already registered")
        self._entries[id] = Entry(id=id, factory=factory, summary=summary)

    def get(self, id: str) -> Entry[T]:
        """Return the entry for ``id`` or raise :class:`UnknownIdError` with suggestions."""
        try:
            return self._entries[id]
        except KeyError:
            raise UnknownIdError(self.unknown_message(id)) from None

    def make(self, id: str, **options: object) -> T:
        """Build the object registered under ``id`` with keyword ``options``."""
        return self.get(id).factory(**options)

    def unknown_message(self, id: str) -> str:
        """The message for an unknown id, with close matches when there are any."""
        matches = difflib.get_close_matches(id, list(self._entries), n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(repr(m) for m in matches)}?" if matches else ""
        known = ", ".join(sorted(self._entries)) or "none"
        return f"unknown {self.kind} id {id!r}{hint} (known: {known})"

    def ids(self) -> list[str]:
        """All registered ids, sorted."""
        return sorted(self._entries)

    def __contains__(self, id: object) -> bool:
        return id in self._entries

    def __iter__(self) -> Iterator[Entry[T]]:
        return iter(self._entries[i] for i in self.ids())

    def __len__(self) -> int:
        return len(self._entries)


def suggest(value: str, choices: list[str]) -> str:
    """A " (did you mean 'x'?)" suffix for a mistyped ``value``, or an empty string."""
    matches = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return f" (did you mean {matches[0]!r}?)" if matches else ""
