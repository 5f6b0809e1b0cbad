"""Meet-in-the-middle enumeration throughput, against exact verification of every PCF.

Scans a coefficient box (default: deg a = 1, deg b = 2, coefficients in [-5, 5], the
issue's blind-enumeration box) with 1 and with ``--workers`` processes, and times the
baseline the hash saves: exact verification (ramanujantools convergents + PSLQ) of a
random sample of the same box, extrapolated to the whole box. Prints one table with the
figures and the ratios, and the distinct verified formulas per constant.

    python bench/constants_enumeration.py [--range 5] [--workers 2] [--sample 300]
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter

from rich.console import Console
from rich.table import Table

from discolab.agents.constants.enumeration import EnumerationBox, ScanSettings, enumerate_box
from discolab.environments.constants.pcf import Pcf, canonical
from discolab.verifiers.constants import verify_pcf


def _scan(box: EnumerationBox, workers: int) -> tuple[float, list, Counter]:
    started = time.perf_counter()
    results = list(enumerate_box(box, ScanSettings(), chunk_size=5000, workers=workers))
    seconds = time.perf_counter() - started
    formulas = {canonical(v.pcf).text: v.constant for r in results for v in r.verified}
    return seconds, results, Counter(formulas.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--range", type=int, default=5, help="coefficients in [-R, R]")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=int, default=300, help="PCFs verified exactly")
    args = parser.parse_args()
    r = args.range
    box = EnumerationBox(1, 2, (-r, r), (-r, r))
    console = Console()
    console.print(f"box: deg a = 1, deg b = 2, coefficients in [-{r}, {r}]: {box.size:,} PCFs")

    serial_s, results, by_constant = _scan(box, 1)
    parallel_s, _, again = _scan(box, args.workers)
    assert again == by_constant, "parallel and serial scans disagree"

    rng = random.Random(0)
    a_polys, b_polys = box.a_polynomials(), box.b_polynomials()
    sample = [Pcf(rng.choice(a_polys), rng.choice(b_polys)) for _ in range(args.sample)]
    started = time.perf_counter()
    for pcf in sample:
        verify_pcf(pcf)
    exact_per_pcf = (time.perf_counter() - started) / len(sample)
    exact_box_s = exact_per_pcf * box.size

    hits = sum(x.hits for x in results)
    rejected = sum(x.rejected_hits for x in results)
    converged = sum(x.converged for x in results)
    table = Table(title="PCF enumeration")
    for col in ("setup", "seconds", "PCFs/s", "vs exact-only"):
        table.add_column(col, justify="left" if col == "setup" else "right")
    table.add_row(
        f"exact verification of every PCF (extrapolated from {len(sample)})",
        f"{exact_box_s:,.0f}",
        f"{1 / exact_per_pcf:,.0f}",
        "1.0×",
    )
    for label, seconds in (
        ("hash + exact hits, 1 worker", serial_s),
        (f"hash + exact hits, {args.workers} workers", parallel_s),
    ):
        table.add_row(
            label, f"{seconds:.1f}", f"{box.size / seconds:,.0f}", f"{exact_box_s / seconds:,.0f}×"
        )
    console.print(table)
    console.print(
        f"settled in the fast pass: {converged:,}; hash hits: {hits}; refused by exact "
        f"verification: {rejected}; workers speed-up {serial_s / parallel_s:.2f}×"
    )
    console.print(
        "distinct verified formulas per constant: "
        + ", ".join(f"{k} {v}" for k, v in sorted(by_constant.items()))
    )


if __name__ == "__main__":
    main()
