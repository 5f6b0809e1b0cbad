"""The program-edit seam for the evolver: parents, scores and feedback in; child programs out.

:func:`edit_messages` renders the prompt (templates ``evolve_*.txt``) from parent programs
with their scores and feedback; :class:`ProgramEditProposer` sends it to a model (or an
ensemble), applies the reply as a SEARCH/REPLACE diff or a full rewrite of the EVOLVE-BLOCK
(:mod:`discolab.agents.edits`), and returns one :class:`EditProposal` per request: a valid
child program, or a failed program candidate whose feedback goes into the next prompt. Calls
are journaled like the explorer's (tokens, cost, transcript, replay by key) and run
concurrently up to each client's limit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from discolab.agents.edits import EDIT_MODES, EditMode, EditResult, apply_edit
from discolab.agents.llm.client import Completion
from discolab.agents.llm.ensemble import Ensemble
from discolab.agents.llm.journal import memory_journal
from discolab.agents.llm.prompts import render
from discolab.agents.proposers.journal_handle import Journal
from discolab.agents.proposers.model import completion_of
from discolab.errors import ConfigError
from discolab.storage.calls import ModelCall
from discolab.types import Candidate, CandidateKind


@dataclass(frozen=True)
class Parent:
    """A program shown to the model: its code, score and agent-visible feedback."""

    id: str
    code: str
    score: float | None = None
    feedback: str = ""


@dataclass(frozen=True)
class EditProposal:
    """One request's outcome.

    Attributes:
        parent_id: the parent that was edited (the first parent of the prompt).
        result: the applied edit (program or error with feedback).
        call: the journaled call with its transcript and usage.
        candidate: a program candidate: the child, or (failed) the raw reply with
            ``metadata["edit_error"]`` so it can be stored as a failure with feedback.
    """

    parent_id: str
    result: EditResult
    call: ModelCall
    candidate: Candidate


def _score(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "none"
    return f"{value:.6g}"


def edit_messages(parents: Sequence[Parent], task: str, mode: EditMode) -> list[dict[str, str]]:
    """The chat messages asking for an edit of ``parents[0]``; the others are inspirations."""
    if not parents:
        raise ValueError("an edit prompt needs at least one parent program")
    if mode not in EDIT_MODES:
        raise ValueError(f"mode must be one of {EDIT_MODES}, got {mode!r}")
    shown = "\n\n".join(
        render(
            "evolve_parent",
            number=i + 1,
            role="parent" if i == 0 else "inspiration",
            score=_score(p.score),
            code=p.code.rstrip("\n"),
            feedback=p.feedback or "none",
        )
        for i, p in enumerate(parents)
    )
    return [
        {"role": "system", "content": render("evolve_system", task=task)},
        {"role": "user", "content": render(f"evolve_{mode}", parents=shown)},
    ]


class ProgramEditProposer:
    """Asks a model for program edits and applies them.

    Args:
        ensemble: the models and their weights.
        mode: ``diff`` (SEARCH/REPLACE blocks) or ``rewrite`` (the whole EVOLVE-BLOCK).
    """

    def __init__(self, ensemble: Ensemble, *, mode: EditMode = "diff") -> None:
        if mode not in EDIT_MODES:
            raise ConfigError(f"edit mode = {mode!r} is not one of {', '.join(EDIT_MODES)}")
        self.ensemble = ensemble
        self.mode: EditMode = mode
        self.name = ensemble.name

    def propose_edits(
        self,
        parents: Sequence[Parent],
        task: str,
        *,
        n: int = 1,
        journal: Journal | None = None,
        key_prefix: str = "g0",
        seed: int = 0,
        generation: int = 0,
    ) -> list[EditProposal]:
        """``n`` edit requests for ``parents[0]``, run concurrently; order is kept."""
        journal = journal or memory_journal()
        messages = edit_messages(parents, task, self.mode)
        keys = [f"{key_prefix}-edit-{i}" for i in range(n)]
        rng = np.random.default_rng([seed, generation])
        clients = [self.ensemble.pick(rng) for _ in keys]

        def one(i: int) -> tuple[Completion, ModelCall | None]:
            stored = journal.lookup(keys[i])
            if stored is not None:
                return completion_of(stored), stored
            journal.check_caps()
            return clients[i].complete(messages), None

        width = max(c.settings.concurrency for c in self.ensemble.clients())
        with ThreadPoolExecutor(max_workers=max(1, min(width, n))) as pool:
            answers = list(pool.map(one, range(n)))
        proposals = []
        for key, (completion, stored) in zip(keys, answers, strict=True):
            result = apply_edit(parents[0].code, completion.text, self.mode)
            outcome = {"ok": result.ok, "error": result.error, "mode": self.mode}
            call = stored or journal.record(key, "edit", messages, completion, outcome)
            proposals.append(self._proposal(parents[0], result, call, generation))
        return proposals

    def _proposal(
        self, parent: Parent, result: EditResult, call: ModelCall, generation: int
    ) -> EditProposal:
        meta: dict[str, object] = {"transcript": call.key, "mode": self.mode}
        if not result.ok:
            meta["edit_error"] = result.feedback
        candidate = Candidate(
            kind=CandidateKind.PROGRAM,
            source=result.program if result.program is not None else call.completion,
            proposer=self.name,
            parent_ids=(parent.id,),
            generation=generation,
            model=call.model,
            prompt_hash=call.prompt_hash,
            metadata=meta,
        )
        return EditProposal(parent.id, result, call, candidate)
