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


def run_loop(
    root: Path, fork: bool, programs: int, batch: int, in_flight: int
) -> tuple[float, int]:
    """Programs per second of one evolver run, and how many were valid."""
    cid = "fork" if fork else "exec"
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
    with (
        DockerSandbox(sandbox_config) as sandbox,
        closing(sqlite3.connect(str(root / f"{cid}.ckpt"), check_same_thread=False)) as conn,
    ):
        saver = SqliteSaver(conn)
        saver.setup()
        graph = build_evolver(
            proposer=BuiltinProgramProposer(3, 0.1),
            evaluator=ProgramEvaluator(problem, sandbox, limits),
            database=database,
            settings=settings,
            checkpointer=saver,
        )
        sandbox.run_python("import numpy")  # the pool is warm before the clock starts
        started = time.perf_counter()
        for _ in graph.stream({"generation": 0}, config, stream_mode="updates", durability="sync"):
            pass
        elapsed = time.perf_counter() - started
    records = store.candidates(cid)
    valid = sum(1 for r in records if r.evaluation is not None and r.evaluation.passed)
    return len(records) / elapsed, valid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--programs", type=int, default=600)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--in-flight", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        fresh, fresh_valid = run_loop(root, False, args.programs, args.batch, args.in_flight)
        fork, fork_valid = run_loop(root, True, args.programs, args.batch, args.in_flight)
    print(f"evolver loop on circle-packing-26, {args.programs} programs, batch {args.batch}, "
          f"{args.in_flight} in flight, Docker warm pool")  # fmt: skip
    print(f"{'sandbox path':<32}{'programs/s':>12}{'valid':>8}")
    print(f"{'fresh python3 per run (baseline)':<32}{fresh:>12.1f}{fresh_valid:>8}")
    print(f"{'preloaded fork path':<32}{fork:>12.1f}{fork_valid:>8}")
    print(f"ratio fork / fresh: {fork / fresh:.1f}x; target >= 40 programs/s: "
          f"{'met' if fork >= 40 else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
