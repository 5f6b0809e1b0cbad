"""Sandboxed evaluations per second inside the evolver loop, fork path against fresh interpreters.

Runs the real evolver (graph, SQLite store and checkpointer, built-in AST mutation, the
cascade evaluator) on ``programs/circle-packing-26-v1`` with the Docker warm pool, twice
side by side: once with the preloaded fork path (``SandboxConfig.fork_python = True``, the
default: numpy is imported once per container and every run is a fresh fork) and once with a
fresh ``python3`` per run (the baseline). Every candidate imports numpy. Prints programs per
second for each, and the ratio. The issue's target is >= 40 evaluations/s in the loop.

Run: ``python bench/evolver_throughput.py [--programs 600] [--batch 16] [--in-flight 2]``.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

from langgraph.checkpoint.sqlite import SqliteSaver

from discolab.agents.evolution.database import ProgramDatabase, archive_settings
from discolab.agents.evolution.evaluate import ProgramEvaluator
from discolab.agents.evolution.proposals import BuiltinProgramProposer
from discolab.agents.evolver import EvolverSettings, build_evolver, recursion_limit
from discolab.environments.programs.catalog import make_problem
from discolab.sandbox.base import Limits, SandboxConfig
from discolab.sandbox.docker import DockerSandbox
from discolab.storage.db import Database
from discolab.storage.store import CampaignStore

sys.path.insert(0, str(Path(__file__).parent))
from evolver_overhead import NoopProposer


def run_loop(
    root: Path, fork: bool, programs: int, batch: int, in_flight: int, workers: int
) -> tuple[float, int]:
    """Programs per second of one evolver run, and how many were valid; ``workers = 0``
    uses a proposer that returns the parent unchanged (the loop without mutation cost)."""
    cid = f"{'fork' if fork else 'exec'}-{workers}"
    problem = make_problem("programs/circle-packing-26-v1")
    store = CampaignStore(Database(f"sqlite:///{root / (cid + '.db')}"))
    store.create_campaign(
        id=cid, name=cid, env_id=problem.id, env_options={}, proposer="builtin", seed=0,
        config={}, assistance=[],
    )  # fmt: skip
    limits = Limits(timeout=10.0, memory_mb=512)
    settings = EvolverSettings(
        campaign_id=cid, seed=1, task=problem.statement, seed_program=problem.seed_program(),
        batch=batch, in_flight=in_flight, max_iterations=programs, max_seconds=1e9,
    )  # fmt: skip
    database = ProgramDatabase(store, cid, archive_settings({"islands": 4, "bins": 6}))
    config = {"configurable": {"thread_id": cid}, "recursion_limit": recursion_limit(settings)}
    sandbox_config = SandboxConfig(limits=limits, pool_size=in_flight, fork_python=fork)
    proposer = BuiltinProgramProposer(3, 0.1, workers=workers) if workers else NoopProposer()
    with (
        DockerSandbox(sandbox_config) as sandbox,
        closing(sqlite3.connect(str(root / f"{cid}.ckpt"), check_same_thread=False)) as conn,
    ):
        saver = SqliteSaver(conn)
        saver.setup()
        graph = build_evolver(
            proposer=proposer,
            evaluator=ProgramEvaluator(problem, sandbox, limits, max_length=4000),
            database=database,
            settings=settings,
            checkpointer=saver,
        )
        sandbox.run_python("import numpy")  # the pool is warm before the clock starts
        proposer.propose([], task="", generation=0, seed=0)  # type: ignore[attr-defined]
        started = time.perf_counter()
        for _ in graph.stream({"generation": 0}, config, stream_mode="updates", durability="sync"):
            pass
        elapsed = time.perf_counter() - started
        getattr(proposer, "close", lambda: None)()
    records = store.candidates(cid)
    valid = sum(1 for r in records if r.evaluation is not None and r.evaluation.passed)
    return len(records) / elapsed, valid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--programs", type=int, default=600)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--in-flight", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="mutation processes")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for label, workers in (
            ("no mutation", 0),
            (f"AST mutation, {args.workers} workers", args.workers),
        ):
            fresh = run_loop(root, False, args.programs, args.batch, args.in_flight, workers)
            fork = run_loop(root, True, args.programs, args.batch, args.in_flight, workers)
            rows.append((label, fresh, fork))
    print(f"evolver loop on circle-packing-26, {args.programs} programs, batch {args.batch}, "
          f"{args.in_flight} in flight, Docker warm pool")  # fmt: skip
    print(f"{'proposer':<28}{'fresh python3/s':>16}{'fork path/s':>13}{'ratio':>7}{'valid':>7}")
    for label, (fresh, _), (fork, valid) in rows:
        print(f"{label:<28}{fresh:>16.1f}{fork:>13.1f}{fork / fresh:>6.1f}x{valid:>7}")
    print("target >= 40 sandboxed evaluations/s in the loop")


if __name__ == "__main__":
    main()
