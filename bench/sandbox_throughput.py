"""Sandbox throughput: evaluations per second, process vs Docker cold vs Docker warm pool.

Runs a trivial Python candidate and one that imports numpy through each backend, with
``--workers`` concurrent callers, and prints one table with the warm/process ratio.

    python bench/sandbox_throughput.py [--runs 60] [--workers 2] [--pool 2] [--no-docker]

Targets (issue 3): warm pool >= 20 trivial evals/s on a 2-core machine, and within 3x of
the process backend.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from rich.console import Console
from rich.table import Table

from discolab.errors import SandboxUnavailable
from discolab.sandbox import Limits, Sandbox, SandboxConfig

CANDIDATES = {
    "trivial": "print(6 * 7)",
    "numpy": "import numpy as np\nprint(int(np.arange(10).sum()))",
}
EXPECTED = {"trivial": "42\n", "numpy": "45\n"}


def evals_per_second(box: Sandbox, code: str, expected: str, runs: int, workers: int) -> float:
    """Run ``code`` ``runs`` times from ``workers`` threads; fail loudly on a wrong answer."""

    def one(_: int) -> None:
        result = box.run_python(code, timeout=20)
        if result.stdout != expected:
            raise RuntimeError(f"{box.name}: unexpected result {result}")

    for i in range(min(2, runs)):  # warm caches (page cache, pool) before timing
        one(i)
    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, range(runs)))
    return runs / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60, help="evaluations per measurement")
    parser.add_argument("--workers", type=int, default=2, help="concurrent callers")
    parser.add_argument("--pool", type=int, default=2, help="warm containers")
    parser.add_argument("--no-docker", action="store_true", help="measure process only")
    args = parser.parse_args()
    limits = Limits(timeout=20, memory_mb=1024)

    from discolab.sandbox.process import ProcessSandbox

    setups: dict[str, Callable[[], Sandbox]] = {
        "process": lambda: ProcessSandbox(limits),
    }
    if not args.no_docker:
        from discolab.sandbox.docker import DockerSandbox

        setups["docker cold"] = lambda: DockerSandbox(SandboxConfig(limits=limits, pool_size=0))
        setups["docker warm"] = lambda: DockerSandbox(
            SandboxConfig(limits=limits, pool_size=args.pool, recycle_after=50)
        )

    console = Console()
    rates: dict[tuple[str, str], float] = {}
    for name, make in setups.items():
        try:
            box = make()
        except SandboxUnavailable as exc:
            console.print(f"[yellow]skipping {name}[/]: {exc}")
            continue
        with box:
            for cand, code in CANDIDATES.items():
                runs = max(4, args.runs // 4) if name == "docker cold" else args.runs
                rates[name, cand] = evals_per_second(box, code, EXPECTED[cand], runs, args.workers)
                console.print(f"{name:12s} {cand:8s} {rates[name, cand]:7.1f} evals/s")

    table = Table(title=f"sandbox throughput ({args.workers} workers, evals/s)")
    table.add_column("candidate")
    for name in setups:
        table.add_column(name, justify="right")
    table.add_column("warm / process", justify="right")
    for cand in CANDIDATES:
        cells = [f"{rates[n, cand]:.1f}" if (n, cand) in rates else "-" for n in setups]
        warm, proc = rates.get(("docker warm", cand)), rates.get(("process", cand))
        ratio = f"{warm / proc:.2f}" if warm and proc else "-"
        table.add_row(cand, *cells, ratio)
    console.print(table)


if __name__ == "__main__":
    main()
