"""Program proposers for the evolver: one interface, a built-in and a model-backed one.

A generation is a list of :class:`Job` (one per slot): the parent chosen from the archive,
its inspirations, and the island the child joins. A proposer turns every job into one
:class:`Proposal`: a child program, or a failed program candidate whose feedback (why the
diff did not apply, why no mutation was possible) is stored like any other failure.

* :class:`BuiltinProgramProposer` mutates the parent on its Python AST
  (:mod:`discolab.agents.evolution.mutations`): constant perturbation, operator and call
  swaps, statement insertion (from inspirations) or deletion, or a crossover with an
  inspiration. It needs no model, so a campaign runs offline. Its randomness comes from
  ``(seed, generation, slot)``, so a resumed generation proposes the same children.
* :class:`ModelProgramProposer` asks a model (or an ensemble) for a SEARCH/REPLACE diff or a
  rewrite of the EVOLVE-BLOCK through the program-edit seam
  (:class:`~discolab.agents.proposers.program.ProgramEditProposer`); calls are journaled by
  ``g{generation}-s{slot}`` and replayed on resume.

A proposer's context is the jobs and the task statement only: no store, no verifier, no
reference value.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from discolab.agents.proposers.journal_handle import Journal
from discolab.agents.proposers.program import Parent, ProgramEditProposer
from discolab.types import Candidate, CandidateKind

BUILTIN = "builtin"


@dataclass(frozen=True)
class Job:
    """One slot of a generation: who to change and where the child lives.

    Attributes:
        slot: index within the generation.
        island: the island the child joins (the parent's).
        parent: the program to change, with its value and feedback.
        inspirations: other programs of the island shown beside it (donors, crossover
            partners, or examples in a prompt).
        mode: how the parent was picked (``elite``, ``exploit``, ``explore``, ``seed``).
    """

    slot: int
    island: int
    parent: Parent
    inspirations: tuple[Parent, ...] = ()
    mode: str = "seed"


@dataclass(frozen=True)
class Proposal:
    """A job's outcome: ``candidate`` holds the child (``ok``) or the failed reply."""

    slot: int
    candidate: Candidate
    ok: bool
    cost: dict[str, Any] = field(default_factory=dict)


class ProgramProposer(Protocol):
    """Turns a generation's jobs into proposals, one per job and in order."""

    name: str

    def propose(
        self,
        jobs: Sequence[Job],
        *,
        task: str,
        generation: int,
        seed: int,
        journal: Journal | None = None,
    ) -> list[Proposal]: ...


def _candidate(job: Job, source: str, proposer: str, generation: int, **meta: Any) -> Candidate:
    parents = (
        job.parent.id,
        *(p.id for p in job.inspirations if meta.get("crossover_with") == p.id),
    )
    return Candidate(
        kind=CandidateKind.PROGRAM,
        source=source,
        proposer=proposer,
        parent_ids=parents,
        generation=generation,
        island=job.island,
        model=meta.pop("model", None),
        prompt_hash=meta.pop("prompt_hash", None),
        metadata={"slot": job.slot, "selection": job.mode} | meta,
    )


def mutate_job(
    parent: str,
    donors: Sequence[str],
    key: Sequence[int],
    mutation_steps: int,
    crossover_rate: float,
) -> tuple[str | None, str, str, int | None]:
    """One built-in child: ``(program or None, operator, description, crossover partner)``.

    A pure function of its arguments (the generator is seeded from ``key``), so it gives the
    same child in any process; the built-in proposer runs it in worker processes.
    """
    from discolab.agents.evolution.mutations import crossover, mutate_many

    rng = np.random.default_rng(list(key))
    partner = None
    if donors and rng.random() < crossover_rate:
        partner = int(rng.integers(len(donors)))
        mutation = crossover(parent, donors[partner], rng)
    else:
        steps = int(rng.integers(1, mutation_steps + 1))
        mutation = mutate_many(parent, rng, list(donors), steps=steps)
    return mutation.program, mutation.operator, mutation.description, partner


class BuiltinProgramProposer:
    """Offline AST mutation of the parent (see the module docstring).

    Args:
        mutation_steps: most successive mutations per child (1 to this, at random).
        crossover_rate: chance a child is a crossover of the parent and an inspiration.
        workers: processes that mutate at once (1: in this process). Mutation is pure
            Python, so on a multi-core machine worker processes let a generation's children
            be made in parallel; the children are the same either way.
    """

    name = BUILTIN

    def __init__(
        self, mutation_steps: int = 2, crossover_rate: float = 0.1, workers: int = 1
    ) -> None:
        self.mutation_steps = max(1, int(mutation_steps))
        self.crossover_rate = float(crossover_rate)
        self.workers = max(1, int(workers))
        self._pool: ProcessPoolExecutor | None = None

    def propose(
        self,
        jobs: Sequence[Job],
        *,
        task: str,
        generation: int,
        seed: int,
        journal: Journal | None = None,
    ) -> list[Proposal]:
        """One mutated child per job; a job no operator can change gives a failed one."""
        args = [
            (
                job.parent.code,
                tuple(p.code for p in job.inspirations),
                (seed, generation, job.slot, 0x5EED),
                self.mutation_steps,
                self.crossover_rate,
            )
            for job in jobs
        ]
        if self.workers > 1 and len(jobs) > 1:
            if self._pool is None:  # a clean server forks the workers, not this threaded process
                context = multiprocessing.get_context("forkserver")
                self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
            results = list(self._pool.map(mutate_job, *zip(*args, strict=True)))
        else:
            results = [mutate_job(*a) for a in args]
        return [self._proposal(job, generation, r) for job, r in zip(jobs, results, strict=True)]

    def close(self) -> None:
        """Stop the worker processes, if any. Safe to call twice."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def _proposal(
        self, job: Job, generation: int, result: tuple[str | None, str, str, int | None]
    ) -> Proposal:
        program, operator, description, partner = result
        meta: dict[str, Any] = {"operator": operator, "edit": description}
        if partner is not None:
            meta["crossover_with"] = job.inspirations[partner].id
        if program is None:
            meta["edit_error"] = f"no mutation applied: {description}"
            candidate = _candidate(job, job.parent.code, self.name, generation, **meta)
            return Proposal(job.slot, candidate, ok=False)
        return Proposal(job.slot, _candidate(job, program, self.name, generation, **meta), ok=True)


class ModelProgramProposer:
    """Model edits through the program-edit seam, one call per job, run concurrently.

    Args:
        edits: the seam holding the ensemble and the edit mode.
        concurrency: jobs asked at once.
    """

    def __init__(self, edits: ProgramEditProposer, concurrency: int = 2) -> None:
        self.edits = edits
        self.name = edits.name
        self.concurrency = max(1, concurrency)

    def propose(
        self,
        jobs: Sequence[Job],
        *,
        task: str,
        generation: int,
        seed: int,
        journal: Journal | None = None,
    ) -> list[Proposal]:
        """One edit request per job; failed edits come back as failed proposals."""

        def one(job: Job) -> Proposal:
            (edit,) = self.edits.propose_edits(
                [job.parent, *job.inspirations],
                task,
                n=1,
                journal=journal,
                key_prefix=f"g{generation}-s{job.slot}",
                seed=seed * 1_000_003 + job.slot,
                generation=generation,
            )
            call = edit.call
            meta = dict(edit.candidate.metadata) | {
                "operator": f"model-{self.edits.mode}",
                "model": call.model,
                "prompt_hash": call.prompt_hash,
            }
            cost = {
                "prompt_tokens": call.prompt_tokens,
                "completion_tokens": call.completion_tokens,
                "cost": call.cost,
            }
            meta["cost"] = cost
            candidate = _candidate(job, edit.candidate.source, self.name, generation, **meta)
            return Proposal(job.slot, candidate, ok=edit.result.ok, cost=cost)

        with ThreadPoolExecutor(max_workers=min(self.concurrency, max(1, len(jobs)))) as pool:
            return list(pool.map(one, jobs))
