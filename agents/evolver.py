"""The evolver: a LangGraph graph that evolves programs for a construction problem.

One generation is ``plan → propose → evaluate → update``:

* ``plan`` checks the budgets (programs, wall time) and, for each of the generation's
  ``batch`` slots, picks a parent and inspirations from the archive as it stood before the
  generation began (strategy ``evolve``), or the seed (strategy ``best-of-n``: N independent
  mutations of the seed, the sampling baseline at equal evaluations);
* ``propose`` asks the proposer for one child per slot not yet stored;
* ``evaluate`` runs the children in the sandbox, ``in_flight`` at a time, through the
  cascade of :mod:`discolab.agents.evolution.evaluate`, and stores each program with its
  evaluation the moment it completes (key ``g{generation}-s{slot}``); a failed proposal
  (a diff that did not apply) is stored as a failed program with its feedback;
* ``update`` adds the generation's programs to the archive in slot order and advances.

Generation 0 is the seed program alone. The state holds counters and the generation's jobs
and proposals; programs live in the store and the archive is rebuilt from it on resume
(:mod:`discolab.agents.evolution.database`). A campaign killed at any point resumes from
its last checkpoint: stored slots are skipped, so no program is lost, evaluated twice or
stored twice, and iteration numbers stay contiguous. Randomness comes from
``(seed, generation, slot)``, so the resumed run proposes what the killed one would have.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from typing import Any, Literal, TypedDict

import numpy as np
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph

from discolab.agents.evolution.database import ProgramDatabase, iteration_of, slot_key
from discolab.agents.evolution.evaluate import VERIFIER_ID, ProgramEvaluator, ProgramRun
from discolab.agents.evolution.proposals import Job, ProgramProposer, Proposal
from discolab.agents.explorer import candidate_from_dict, candidate_to_dict
from discolab.agents.proposers.journal_handle import Journal
from discolab.agents.proposers.program import Parent
from discolab.types import Candidate, CandidateKind, Evaluation

logger = logging.getLogger(__name__)

STRATEGIES = ("evolve", "best-of-n")
_SELECT_STREAM = 0x5E1


@dataclass(frozen=True)
class EvolverSettings:
    """How one evolve campaign runs.

    Attributes:
        campaign_id: the campaign (and LangGraph thread id).
        seed: the campaign seed.
        task: the problem statement shown to proposers.
        seed_program: the program of generation 0.
        strategy: ``evolve`` or ``best-of-n``.
        batch: programs per generation.
        in_flight: evaluations run at once.
        max_iterations: programs to store, the seed included.
        max_seconds: wall-clock budget over all sessions, checked between generations.
        seeded: the seed program is not the problem's own (a config handed it in); the seed
            candidate's lineage says so (``metadata["seeded"]``).
    """

    campaign_id: str
    seed: int
    task: str
    seed_program: str
    strategy: str = "evolve"
    batch: int = 8
    in_flight: int = 2
    max_iterations: int = 200
    max_seconds: float = 1200.0
    seeded: bool = False


class EvolverState(TypedDict, total=False):
    """The checkpointed state of an evolve campaign (plain JSON-like data only).

    Attributes:
        generation: the generation being built (0 is the seed alone).
        jobs: this generation's slots: parent, inspirations, island, selection mode.
        proposals: this generation's children (candidate dicts with ``ok`` and ``cost``),
            for the slots not stored when it was proposed.
        iterations: programs stored and applied to the archive.
        elapsed_s: wall-clock seconds spent over all sessions, at the last generation end.
        best_id: the best valid program so far.
        best_value: its objective value.
        stop_reason: why the campaign stopped, once it has.
    """

    generation: int
    jobs: list[dict[str, Any]]
    proposals: list[dict[str, Any]]
    iterations: int
    elapsed_s: float
    best_id: str | None
    best_value: float | None
    stop_reason: str | None


def recursion_limit(settings: EvolverSettings) -> int:
    """Graph steps enough for every generation the program budget allows, with slack."""
    generations = 2 + -(-settings.max_iterations // settings.batch)
    return 4 * generations + 16


def _parent_dict(p: Parent) -> dict[str, Any]:
    return {"id": p.id, "code": p.code, "score": p.score, "feedback": p.feedback}


def _job_dict(job: Job) -> dict[str, Any]:
    return {
        "slot": job.slot,
        "island": job.island,
        "mode": job.mode,
        "parent": _parent_dict(job.parent),
        "inspirations": [_parent_dict(p) for p in job.inspirations],
    }


def _job_of(data: dict[str, Any]) -> Job:
    return Job(
        slot=int(data["slot"]),
        island=int(data["island"]),
        mode=str(data["mode"]),
        parent=Parent(**data["parent"]),
        inspirations=tuple(Parent(**p) for p in data["inspirations"]),
    )


def build_evolver(
    *,
    proposer: ProgramProposer,
    evaluator: ProgramEvaluator,
    database: ProgramDatabase,
    settings: EvolverSettings,
    checkpointer: BaseCheckpointSaver[Any] | None = None,
    journal: Journal | None = None,
    on_generation: Callable[[EvolverState, ProgramDatabase], None] | None = None,
) -> Any:
    """Build and compile the evolver graph for one campaign (see the module docstring)."""
    if settings.strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {settings.strategy!r}")
    store = database.store
    cid = settings.campaign_id
    clock = {"mark": time.monotonic()}

    def ensure_loaded(generation: int) -> None:
        if database.loaded_before != generation:
            database.load(generation)

    def plan(state: EvolverState) -> dict[str, Any]:
        generation = state.get("generation", 0)
        if generation == 0:
            return {"jobs": [], "stop_reason": None}
        iterations = state.get("iterations", 0)
        if iterations >= settings.max_iterations:
            return {"stop_reason": f"program budget of {settings.max_iterations} spent"}
        if state.get("elapsed_s", 0.0) >= settings.max_seconds:
            return {"stop_reason": f"time budget of {settings.max_seconds:g} s spent"}
        ensure_loaded(generation)
        count = min(settings.batch, settings.max_iterations - iterations)
        jobs = [_select(generation, slot) for slot in range(count)]
        return {"jobs": [_job_dict(j) for j in jobs], "stop_reason": None}

    def _select(generation: int, slot: int) -> Job:
        islands = database.settings.islands
        island = slot % islands
        if settings.strategy == "best-of-n":
            return Job(slot, island, database.seed_view(), (), "best-of-n")
        rng = np.random.default_rng([settings.seed, _SELECT_STREAM, generation, slot])
        selection = database.archive.sample(island, rng)
        if selection is None:  # an island with no valid program yet: start from the seed
            return Job(slot, island, database.seed_view(), (), "seed")
        return Job(
            slot,
            island,
            database.view(selection.parent.id),
            tuple(database.view(p.id) for p in selection.inspirations),
            selection.mode,
        )

    def propose(state: EvolverState) -> dict[str, Any]:
        generation = state.get("generation", 0)
        stored = database.stored_slots(generation)
        if generation == 0:
            if stored:
                return {"proposals": []}
            seed = Candidate(
                kind=CandidateKind.PROGRAM,
                source=settings.seed_program,
                proposer="seed",
                metadata={
                    "slot": 0,
                    "selection": "seed",
                    "operator": "seed",
                    "seeded": settings.seeded,
                },
            )
            return {"proposals": [_proposal_dict(Proposal(0, seed, ok=True))]}
        jobs = [_job_of(j) for j in state.get("jobs", []) if int(j["slot"]) not in stored]
        if not jobs:
            return {"proposals": []}
        made = proposer.propose(
            jobs, task=settings.task, generation=generation, seed=settings.seed, journal=journal
        )
        return {"proposals": [_proposal_dict(p) for p in made]}

    def evaluate(state: EvolverState) -> dict[str, Any]:
        generation = state.get("generation", 0)
        stored = database.stored_slots(generation)
        todo = [p for p in state.get("proposals", []) if int(p["slot"]) not in stored]
        runnable = [p for p in todo if p["ok"]]
        failed = []
        for p in todo:
            if not p["ok"]:
                error = str(p["candidate"]["metadata"].get("edit_error") or "no child program")
                run = ProgramRun(
                    Evaluation.failure(error, f"failed at stage 'propose': {error}"), "propose"
                )
                failed.append((p, run))
        if failed:
            _store(generation, failed)
        if runnable:
            width = max(1, min(settings.in_flight, len(runnable)))
            with ThreadPoolExecutor(max_workers=width, thread_name_prefix="evaluate") as pool:
                pending = {
                    pool.submit(evaluator.evaluate, p["candidate"]["source"]): p for p in runnable
                }
                while pending:
                    # Store each evaluation the moment it completes (with any others that
                    # completed meanwhile, in one transaction): a kill loses at most the
                    # evaluations still running.
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    _store(generation, [(pending.pop(f), f.result()) for f in done])
        return {}

    def _store(generation: int, runs: list[tuple[dict[str, Any], ProgramRun]]) -> None:
        items = []
        for proposal, run in sorted(runs, key=lambda item: int(item[0]["slot"])):
            slot = int(proposal["slot"])
            candidate = candidate_from_dict(proposal["candidate"])
            meta = dict(candidate.metadata) | {
                "slot": slot,
                "iteration": iteration_of(generation, slot, settings.batch),
                "stage": run.stage,
                "job": dict(run.job),
                "strategy": settings.strategy,
            }
            if proposal.get("cost"):
                meta["cost"] = proposal["cost"]
            candidate = replace(candidate, generation=generation, metadata=meta)
            items.append((slot_key(generation, slot), candidate, VERIFIER_ID, run.evaluation))
        store.record_batch(cid, items)

    def update(state: EvolverState) -> dict[str, Any]:
        generation = state.get("generation", 0)
        ensure_loaded(generation)
        records = list(database.stored(generation).values())
        database.apply(records)
        now = time.monotonic()
        elapsed = state.get("elapsed_s", 0.0) + (now - clock["mark"])
        clock["mark"] = now
        best = database.best_record
        update: EvolverState = {
            "generation": generation + 1,
            "iterations": state.get("iterations", 0) + len(records),
            "elapsed_s": elapsed,
            "jobs": [],
            "proposals": [],
            "best_id": best.candidate.id if best else None,
            "best_value": (
                float(best.evaluation.metrics["value"]) if best and best.evaluation else None
            ),
        }
        if on_generation is not None:
            on_generation({**state, **update}, database)
        return dict(update)

    def route(state: EvolverState) -> Literal["propose", "__end__"]:
        return END if state.get("stop_reason") else "propose"

    graph = StateGraph(EvolverState)
    graph.add_node("plan", plan)
    graph.add_node("propose", propose)
    graph.add_node("evaluate", evaluate)
    graph.add_node("update", update)
    graph.add_edge(START, "plan")
    graph.add_conditional_edges("plan", route, ["propose", END])
    graph.add_edge("propose", "evaluate")
    graph.add_edge("evaluate", "update")
    graph.add_edge("update", "plan")
    return graph.compile(checkpointer=checkpointer)


def _proposal_dict(p: Proposal) -> dict[str, Any]:
    return {
        "slot": p.slot,
        "ok": p.ok,
        "cost": dict(p.cost),
        "candidate": candidate_to_dict(p.candidate),
    }
