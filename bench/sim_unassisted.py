"""``builtin-sim`` on the system tasks of a suite: matches, CPU per task, crashes.

For each selected system task (simple and complex level) of a suite (default ``newton-v1``)
the script runs one ordinary campaign with the proposer (``builtin-sim`` by default, exactly
as ``discolab bench run --proposer builtin-sim`` does: :func:`discolab.bench_runner.run_task`
on a scratch database), then scores the final law with :func:`discolab.scoring.score_task`,
the verifier ``bench score`` uses. It reports symbolic matches per level and difficulty, the
CPU seconds of each task (campaign and its verification included, scoring excluded) and the
tasks whose campaign crashed.

Run: ``nice -n 10 .venv/bin/python bench/sim_unassisted.py --per-group 1`` (one task per
domain, level and difficulty: 72 on newton-v1); ``--help`` for options.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from discolab.suites import Suite, SuiteTask, load_suite, resolve_suite_path


def select(suite: Suite, per_group: int, levels: tuple[str, ...], domains: str) -> list[SuiteTask]:
    """The first ``per_group`` tasks (by id) of every (domain, level, difficulty)."""
    wanted = {d for d in domains.split(",") if d}
    groups: dict[tuple[str, str, str], list[SuiteTask]] = defaultdict(list)
    for task in sorted(suite.tasks, key=lambda t: t.id):
        if task.system in levels and (not wanted or task.domain in wanted):
            groups[(task.domain, task.system, task.difficulty)].append(task)
    return [t for key in sorted(groups) for t in groups[key][:per_group]]


def run_one(db_url: str, suite: Suite, task: SuiteTask, proposer: str, options: dict) -> dict:
    """One campaign and its score, as a JSON-ready row."""
    from discolab.bench_runner import run_task
    from discolab.scoring import score_task

    cpu = time.process_time()
    wall = time.monotonic()
    try:
        outcome = run_task(db_url, suite, task, proposer, options, f"sim-{proposer}")
        error = outcome.error
        law = outcome.law
        assistance = outcome.assistance
    except Exception as exc:  # a crash is a figure of the benchmark, not its end
        error, law, assistance = f"crash: {type(exc).__name__}: {exc}", None, None
    cpu = time.process_time() - cpu
    wall = time.monotonic() - wall
    matched, score_error = False, None
    if law:
        verdict = score_task(task, law)
        matched, score_error = verdict.symbolic_match, verdict.error
    return {
        "task": task.id,
        "domain": task.domain,
        "level": task.system,
        "difficulty": task.difficulty,
        "law": law,
        "match": matched,
        "cpu_s": round(cpu, 2),
        "wall_s": round(wall, 2),
        "crash": error,
        "score_error": score_error,
        "assistance": list(assistance) if assistance is not None else None,
    }


def summary(rows: list[dict]) -> list[str]:
    """Lines of the per-level × difficulty table."""
    cells: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        cells[(row["level"], row["difficulty"])].append(row)
        cells[(row["level"], "all")].append(row)
    out = [f"{'level':8s} {'difficulty':10s} {'match':>7s} {'cpu s/task':>11s} {'crashes':>8s}"]
    for (level, diff), group in sorted(cells.items()):
        n = len(group)
        hits = sum(r["match"] for r in group)
        cpu = sum(r["cpu_s"] for r in group) / n
        crashes = sum(bool(r["crash"]) for r in group)
        out.append(f"{level:8s} {diff:10s} {hits:>3d}/{n:<3d} {cpu:11.1f} {crashes:8d}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", default="newton-v1", help="suite id or path")
    parser.add_argument("--proposer", default="builtin-sim", help="proposer id")
    parser.add_argument("--options", default="{}", help="proposer options as JSON")
    parser.add_argument(
        "--per-group", type=int, default=1, help="tasks per domain/level/difficulty"
    )
    parser.add_argument("--levels", default="simple,complex", help="comma-separated levels")
    parser.add_argument("--domains", default="", help="comma-separated domains (default: all)")
    parser.add_argument("--out", type=Path, default=None, help="JSONL file of per-task rows")
    args = parser.parse_args(argv)
    suite = load_suite(resolve_suite_path(args.suite))
    tasks = select(suite, args.per_group, tuple(args.levels.split(",")), args.domains)
    options: dict[str, Any] = json.loads(args.options)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        for i, task in enumerate(tasks, 1):
            row = run_one(db_url, suite, task, args.proposer, options)
            rows.append(row)
            flag = "MATCH" if row["match"] else ("CRASH" if row["crash"] else "-")
            print(
                f"[{i}/{len(tasks)}] {task.id:40s} {flag:5s} {row['cpu_s']:6.1f}s {row['law']}",
                flush=True,
            )
            if args.out:
                with args.out.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(row) + "\n")
    print("\n".join(summary(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
