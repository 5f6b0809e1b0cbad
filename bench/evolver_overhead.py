"""Orchestration overhead of the evolver per candidate: graph + database, no-op evaluation.

Runs the real evolver graph (LangGraph with the SQLite checkpointer, ``durability="sync"``)
and the real SQLite store, with an evaluator that returns a fixed valid verdict at once, so
what is timed is everything the loop does *around* an evaluation: planning and parent
selection from the archive, proposing, storing each program with its evaluation, updating
the archive, checkpointing each step. Two proposers are timed:

- ``noop``: returns the parent unchanged (pure orchestration);
- ``builtin``: the real AST mutator (orchestration + mutation).

The baseline beside them is the store alone: the same number of ``record_batch`` writes in a
plain loop, the floor any loop that persists every program pays. The target is < 5 ms per
candidate for ``noop``.

Run: ``python bench/evolver_overhead.py [--programs 600] [--batch 8]``.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from contextlib import closing
from pathlib import Path

from langgraph.checkpoint.sqlite import SqliteSaver

from discolab.agents.evolution.database import ProgramDatabase, archive_settings
from discolab.agents.evolution.evaluate import VERIFIER_ID, ProgramRun
from discolab.agents.evolution.proposals import BuiltinProgramProposer, Proposal
from discolab.agents.evolver import EvolverSettings, build_evolver, recursion_limit
from discolab.environments.programs.catalog import make_problem
from discolab.storage.db import Database
from discolab.storage.store import CampaignStore
from discolab.types import Candidate, CandidateKind, Evaluation

TARGET_MS = 5.0


class NoopEvaluator:
    """A fixed valid verdict, at once."""

    def evaluate(self, program: str) -> ProgramRun:
        metrics = {"value": 1.0, "fitness": 1.0, "behaviour": 0.5, "code_length": len(program)}
        return ProgramRun(Evaluation(0.5, True, metrics, "value = 1"), "full", {})


class NoopProposer:
    """Each child is its parent's code, unchanged."""

    name = "noop"

    def propose(self, jobs, *, task, generation, seed, journal=None):  # type: ignore[no-untyped-def]
        return [
            Proposal(
                j.slot,
                Candidate(
                    kind=CandidateKind.PROGRAM,
                    source=j.parent.code,
                    proposer="noop",
                    parent_ids=(j.parent.id,),
                    island=j.island,
                    metadata={"slot": j.slot, "selection": j.mode, "operator": "noop"},
                ),
                ok=True,
            )
            for j in jobs
        ]


def _store(root: Path, cid: str) -> CampaignStore:
    store = CampaignStore(Database(f"sqlite:///{root / (cid + '.db')}"))
    store.create_campaign(
        id=cid, name=cid, env_id="bench", env_options={}, proposer="bench", seed=0, config={},
        assistance=[],
    )  # fmt: skip
    return store


def time_graph(root: Path, proposer: object, programs: int, batch: int, seed: str) -> float:
    """Seconds per program of a whole evolver run."""
    cid = f"graph-{getattr(proposer, 'name', 'x')}"
    store = _store(root, cid)
    settings = EvolverSettings(
        campaign_id=cid, seed=0, task="bench", seed_program=seed, batch=batch, in_flight=1,
        max_iterations=programs, max_seconds=1e9,
    )  # fmt: skip
    database = ProgramDatabase(store, cid, archive_settings({"islands": 4}))
    config = {"configurable": {"thread_id": cid}, "recursion_limit": recursion_limit(settings)}
    with closing(sqlite3.connect(str(root / f"{cid}.ckpt"), check_same_thread=False)) as conn:
        saver = SqliteSaver(conn)
        saver.setup()
        graph = build_evolver(
            proposer=proposer,  # type: ignore[arg-type]
            evaluator=NoopEvaluator(),  # type: ignore[arg-type]
            database=database,
            settings=settings,
            checkpointer=saver,
        )
        started = time.perf_counter()
        for _ in graph.stream({"generation": 0}, config, stream_mode="updates", durability="sync"):
            pass
        elapsed = time.perf_counter() - started
    assert len(store.candidates(cid)) == programs
    return elapsed / programs


def time_store_only(root: Path, programs: int, seed: str) -> float:
    """Seconds per program of the same writes in a plain loop."""
    store = _store(root, "store-only")
    verdict = NoopEvaluator().evaluate(seed).evaluation
    started = time.perf_counter()
    for i in range(programs):
        candidate = Candidate(kind=CandidateKind.PROGRAM, source=seed, proposer="noop")
        store.record_batch("store-only", [(f"k{i}", candidate, VERIFIER_ID, verdict)])
    return (time.perf_counter() - started) / programs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--programs", type=int, default=600)
    parser.add_argument("--batch", type=int, default=8)
    args = parser.parse_args()
    seed = make_problem("programs/circle-packing-26-v1").seed_program()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        floor = time_store_only(root, args.programs, seed)
        noop = time_graph(root, NoopProposer(), args.programs, args.batch, seed)
        builtin = time_graph(root, BuiltinProgramProposer(3, 0.1), args.programs, args.batch, seed)
    print(f"evolver orchestration overhead, {args.programs} programs, batch {args.batch}")
    print(f"{'loop':<34}{'ms/program':>12}{'vs store only':>16}")
    for name, value in (
        ("store only (baseline)", floor),
        ("graph + database, noop proposer", noop),
        ("graph + database, builtin AST", builtin),
    ):
        print(f"{name:<34}{value * 1e3:>12.2f}{value / floor:>15.1f}x")
    verdict = "met" if noop * 1e3 < TARGET_MS else "NOT met"
    print(f"target < {TARGET_MS:g} ms per candidate (noop): {verdict}")


if __name__ == "__main__":
    main()
