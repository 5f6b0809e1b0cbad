"""EFA throughput: instances generated and verified per second, on the host and in the sandbox.

Generates ``--instances`` problems (default 10,000) spread evenly over every library EFA;
each is *verified*: parameters are plain JSON, the answer has the EFA's declared kind and
reads back exactly through the trusted answer check, and solving the JSON round-tripped
parameters again gives the same answer. Runs in ``--workers`` processes. Beside it, the
baseline a stored (untrusted) EFA pays: the same kind of generation through the sandbox
sampler, for ``--sandbox-instances`` problems of one EFA; and the six property tests of
every library EFA in the sandbox. Prints the figures.
Target (issue 13): 10,000 instances in < 30 s on a 2-core machine.

    python bench/efa_generation.py [--instances 10000] [--workers 2] [--sandbox auto]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from rich.console import Console
from rich.table import Table

from discolab.environments.efa.answers import check_answer, to_answer
from discolab.environments.efa.catalog import efa_ids, get_efa


def generate_and_verify(job: tuple[str, int, int]) -> tuple[str, int, float]:
    """``(efa id, verified count, seconds)`` for ``count`` instances from ``seed``."""
    efa_id, count, seed = job
    entry = get_efa(efa_id)
    efa = entry.make()
    rng = random.Random(seed)
    started = time.perf_counter()
    ok = 0
    for _ in range(count):
        instance = efa.instance(rng)
        params = json.loads(json.dumps(instance.params))
        again = to_answer(efa.efa.solve(params), efa.kind)
        if again == instance.answer and check_answer(instance.answer, instance.answer.text).correct:
            ok += 1
    return efa_id, ok, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sandbox", default="auto")
    parser.add_argument("--sandbox-instances", type=int, default=1000)
    args = parser.parse_args()
    ids = efa_ids()
    share = args.instances // len(ids)
    jobs = [
        (efa_id, share + (1 if i < args.instances % len(ids) else 0), i)
        for i, efa_id in enumerate(ids)
    ]
    started = time.perf_counter()
    with ProcessPoolExecutor(args.workers, mp_context=get_context("forkserver")) as pool:
        results = list(pool.map(generate_and_verify, jobs))
    host_s = time.perf_counter() - started
    verified = sum(ok for _, ok, _ in results)

    from discolab.efa.sampling import sample_in_sandbox
    from discolab.sandbox.factory import make_sandbox
    from discolab.verifiers.unittests import verify_efa_source

    entry = get_efa(ids[0])
    with make_sandbox(args.sandbox) as box:
        box_started = time.perf_counter()
        sampled = sample_in_sandbox(entry.source, entry.id, args.sandbox_instances, 0, box)
        box_s = time.perf_counter() - box_started
        verify_started = time.perf_counter()
        passed = sum(
            verify_efa_source(e.source, seed_answer=e.seed_answer, sandbox=box).passed
            for e in (get_efa(i) for i in ids)
        )
        verify_s = time.perf_counter() - verify_started

    console = Console()
    table = Table(title="EFA generation + verification")
    for col in ("setup", "instances", "seconds", "per second"):
        table.add_column(col, justify="left" if col == "setup" else "right")
    table.add_row(
        f"library EFAs on the host, {args.workers} workers (all {len(ids)} EFAs)",
        f"{verified:,}/{args.instances:,}",
        f"{host_s:.1f}",
        f"{verified / host_s:,.0f}",
    )
    table.add_row(
        f"one stored EFA through the {args.sandbox} sandbox ({entry.id})",
        f"{len(sampled):,}",
        f"{box_s:.1f}",
        f"{len(sampled) / box_s:,.0f}",
    )
    table.add_row(
        f"property verification of every library EFA ({args.sandbox}, 2 runs each)",
        f"{passed}/{len(ids)} EFAs pass",
        f"{verify_s:.1f}",
        f"{len(ids) / verify_s:.1f} EFAs",
    )
    console.print(table)
    slowest = sorted(results, key=lambda r: -r[2] / max(1, r[1]))[:3]
    console.print(
        "slowest per instance: "
        + ", ".join(f"{e} {1000 * s / max(1, n):.2f} ms" for e, n, s in slowest)
    )
    target = "within" if host_s < 30 else "OVER"
    console.print(f"{args.instances:,} instances in {host_s:.1f} s ({target} the 30 s target)")


if __name__ == "__main__":
    main()
