"""The proposer seam shared by the built-in search and language-model proposers.

A proposer sees only what an agent may see: the task spec, the experiment log and the best
candidates so far with their agent-visible feedback. It never sees the hidden law.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from discolab.agents.proposers.journal_handle import JournalHandle
from discolab.errors import DiscolabError
from discolab.types import Candidate, Evaluation, Experiment, TaskSpec


@dataclass(frozen=True)
class ScoredCandidate:
    """A stored candidate with the feedback the agent is allowed to read."""

    candidate: Candidate
    evaluation: Evaluation


@dataclass(frozen=True)
class ProposalContext:
    """What a proposer gets each round.

    Attributes:
        spec: the task statement.
        experiments: every answered experiment so far, oldest first.
        best: the best candidates so far, best first, with agent-visible feedback.
        round: the explorer round (0-based).
        seed: a seed derived from the campaign seed and the round, for the proposer's RNG.
        options: free-form extras.
        recent: last round's candidates (failures included) with agent-visible feedback.
        last_error: the last problem the agent caused (a refused experiment, an unreadable
            reply), for the next prompt; None when the last step went through.
        journal: where a model proposer looks up, caps and records its calls: a
            :class:`~discolab.agents.proposers.journal_handle.JournalHandle` bound to the
            campaign, never the journal itself (that holds the store); None outside one.

    Nothing here leads to the store, the environment, the verifier or the hidden law: the
    fields are plain data and one narrow handle (``tests/agents/test_context_spy.py``).
    """

    spec: TaskSpec
    experiments: tuple[Experiment, ...]
    best: tuple[ScoredCandidate, ...] = ()
    round: int = 0
    seed: int = 0
    options: Mapping[str, object] = field(default_factory=dict)
    recent: tuple[ScoredCandidate, ...] = ()
    last_error: str | None = None
    journal: JournalHandle | None = None

    def __post_init__(self) -> None:
        if self.journal is not None and not isinstance(self.journal, JournalHandle):
            raise TypeError(
                f"ProposalContext.journal must be a JournalHandle, not "
                f"{type(self.journal).__name__}: a proposer never gets the journal's store"
            )


class ProposalRejected(DiscolabError):
    """A proposer's own output was unusable this round; the message is feedback for it."""


@runtime_checkable
class Proposer(Protocol):
    """Turns context into experiments to run and candidates to verify."""

    name: str

    def design_experiments(
        self, context: ProposalContext, rng: np.random.Generator
    ) -> list[dict[str, float]]:
        """Input points for the next experiment call (at most ``spec.max_batch``).

        May raise :class:`ProposalRejected` when no usable points came out (for instance a
        model's unreadable reply); the explorer records the message as feedback.
        """
        ...

    def propose(self, context: ProposalContext) -> Sequence[Candidate]:
        """New candidates, for instance a Pareto front of (complexity, loss)."""
        ...


def assistance_of(proposer: object, spec: TaskSpec) -> tuple[str, ...] | None:
    """The kinds of assistance ``proposer`` takes on ``spec`` (see :mod:`discolab.assistance`),
    from its optional ``assistance(spec)`` method; None when it does not say (unknown)."""
    declare = getattr(proposer, "assistance", None)
    if declare is None:
        return None
    return tuple(sorted(set(declare(spec))))
