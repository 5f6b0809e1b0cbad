"""Sandbox throughput: evaluations per second, process vs Docker cold vs the Docker warm pool
with fresh interpreters (fork+exec) and with the preloaded fork path.

Runs a trivial Python candidate and a numpy candidate (26 random circles, their pairwise
distances, a JSON file written and checked) through each setup, with ``--workers``
concurrent callers, and prints one table with the fork/exec and warm/process ratios.

    python bench/sandbox_throughput.py [--runs 200] [--workers 2] [--pool 2] [--no-docker]
                                       [--no-cold]

Targets: warm pool >= 20 trivial evals/s on a 2-core machine (issue 3), and >= 40 numpy
evals/s with the preloaded fork path.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from rich.console import Console
from rich.table import Table

from discolab.errors import SandboxUnavailable
from discolab.sandbox import ExecResult, Limits, Sandbox, SandboxConfig

CIRCLES = """
import json
import numpy as np
rng = np.random.default_rng(7)
centers = rng.uniform(0.1, 0.9, size=(26, 2))
d = np.sqrt(((centers[:, None, :] - centers[None, :, :]) ** 2).sum(-1))
np.fill_diagonal(d, np.inf)
radii = np.minimum(d.min(axis=1) / 2, np.minimum(centers, 1 - centers).min(axis=1))
json.dump({"centers": centers.tolist(), "radii": radii.tolist()}, open("circles.json", "w"))
print(len(radii))
"""
CANDIDATES = {"trivial": "print(6 * 7)", "numpy": CIRCLES}
EXPECTED = {"trivial": "42\n", "numpy": "26\n"}


def check(cand: str, result: ExecResult) -> None:
    """Fail loudly unless the run printed the expected answer (and wrote its file)."""
    if result.stdout != EXPECTED[cand]:
        raise RuntimeError(f"unexpected result {result}")
    if cand == "numpy" and len(json.loads(result.files["circles.json"])["radii"]) != 26:
        raise RuntimeError("circles.json is wrong")


def evals_per_second(box: Sandbox, cand: str, runs: int, workers: int) -> float:
    """Run candidate ``cand`` ``runs`` times from ``workers`` threads."""

    def one(_: int) -> None:
        check(cand, box.run_python(CANDIDATES[cand], timeout=20))

    for i in range(min(4, runs)):  # warm caches (page cache, pool) before timing
        one(i)
    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, range(runs)))
    return runs / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="evaluations per measurement")
    parser.add_argument("--workers", type=int, default=2, help="concurrent callers")
    parser.add_argument("--pool", type=int, default=2, help="warm containers")
    parser.add_argument("--no-docker", action="store_true", help="measure process only")
    parser.add_argument("--no-cold", action="store_true", help="skip the slow cold containers")
    args = parser.parse_args()
    limits = Limits(timeout=20, memory_mb=1024)

    from discolab.sandbox.process import ProcessSandbox

    setups: dict[str, Callable[[], Sandbox]] = {"process": lambda: ProcessSandbox(limits)}
    if not args.no_docker:
        from discolab.sandbox.docker import DockerSandbox

        def warm(fork: bool) -> Callable[[], Sandbox]:
            config = SandboxConfig(
                limits=limits, pool_size=args.pool, recycle_after=50, fork_python=fork
            )
            return lambda: DockerSandbox(config)

        if not args.no_cold:
            cold = SandboxConfig(limits=limits, pool_size=0, fork_python=False)
            setups["docker cold"] = lambda: DockerSandbox(cold)
        setups["warm exec"] = warm(False)
        setups["warm fork"] = warm(True)

    console = Console()
    rates: dict[tuple[str, str], float] = {}
    for name, make in setups.items():
        try:
            box = make()
        except SandboxUnavailable as exc:
            console.print(f"[yellow]skipping {name}[/]: {exc}")
            continue
        with box:
            for cand in CANDIDATES:
                runs = max(4, args.runs // 10) if name == "docker cold" else args.runs
                rates[name, cand] = evals_per_second(box, cand, runs, args.workers)
                console.print(f"{name:12s} {cand:8s} {rates[name, cand]:7.1f} evals/s")

    title = f"sandbox throughput ({args.workers} workers, pool {args.pool}, evals/s)"
    table = Table(title=title)
    table.add_column("candidate")
    for name in setups:
        table.add_column(name, justify="right")
    table.add_column("fork / exec", justify="right")
    table.add_column("fork / process", justify="right")

    def ratio(a: str, b: str, cand: str) -> str:
        x, y = rates.get((a, cand)), rates.get((b, cand))
        return f"{x / y:.2f}" if x and y else "-"

    for cand in CANDIDATES:
        cells = [f"{rates[n, cand]:.1f}" if (n, cand) in rates else "-" for n in setups]
        table.add_row(
            cand, *cells, ratio("warm fork", "warm exec", cand), ratio("warm fork", "process", cand)
        )
    console.print(table)


if __name__ == "__main__":
    main()
