"""Ensembles: several models mixed by weight, as AlphaEvolve mixes a fast and a strong model.

Each call draws one member with probability proportional to its weight, from a generator the
caller seeds (campaign seed, round, purpose), so a run is reproducible and a resumed campaign
draws the same member for the same call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from discolab.agents.llm.client import ChatClient
from discolab.errors import ConfigError


@dataclass(frozen=True)
class Member:
    """One model of an ensemble and its weight (> 0)."""

    client: ChatClient
    weight: float = 1.0


class Ensemble:
    """A weighted choice among clients."""

    def __init__(self, members: Sequence[Member]) -> None:
        if not members:
            raise ConfigError("an ensemble needs at least one model")
        for m in members:
            if not (m.weight > 0 and np.isfinite(m.weight)):
                raise ConfigError(f"ensemble weight of {m.client.model!r} must be > 0")
        self.members = tuple(members)
        total = sum(m.weight for m in members)
        self._p = np.array([m.weight / total for m in members])

    @property
    def name(self) -> str:
        """``model`` for one member, ``ensemble(a, b)`` for several."""
        if len(self.members) == 1:
            return self.members[0].client.model
        return "ensemble(" + ", ".join(m.client.model for m in self.members) + ")"

    def pick(self, rng: np.random.Generator) -> ChatClient:
        """One member's client, drawn by weight."""
        if len(self.members) == 1:
            return self.members[0].client
        return self.members[int(rng.choice(len(self.members), p=self._p))].client

    def clients(self) -> list[ChatClient]:
        """Every member's client."""
        return [m.client for m in self.members]
