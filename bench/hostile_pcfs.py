"""Hostile and absurd PCF candidates: the verifier's verdict, reason and time for each.

Every candidate must come back as a named failure (never a traceback) within the budget
(``--budget`` seconds, default 2): huge degrees and coefficients, non-integer
coefficients, non-polynomials, code, depth bombs, and the heaviest candidate the caps allow.

    python bench/hostile_pcfs.py [--budget 2]
"""

from __future__ import annotations

import argparse
import time

from rich.console import Console
from rich.table import Table

from discolab.environments.constants.pcf import Pcf
from discolab.verifiers.constants import PcfSettings, verify_pcf

TAIL = "*".join(f"(n - {k})" for k in range(1, 12))
CASES: list[tuple[str, object, PcfSettings]] = [
    ("degree 40", "PCF(n**40, 1)", PcfSettings()),
    ("degree 10^6 by a power", "PCF((n + 1)**1000000, 1)", PcfSettings()),
    ("tower exponent", "PCF(9**9**9**9, 1)", PcfSettings()),
    ("coefficient 10^30", "PCF(10**30*n + 1, 1)", PcfSettings()),
    ("coefficient 10^10000 literal", f"PCF({'9' * 10000}, 1)", PcfSettings()),
    ("float coefficient", "PCF(0.5*n + 1, n**2)", PcfSettings()),
    ("division", "PCF(n/2, 1)", PcfSettings()),
    ("sqrt", "PCF(n**0.5, 1)", PcfSettings()),
    ("function call", "PCF(factorial(n), 1)", PcfSettings()),
    ("exponential", "PCF(2**n, 1)", PcfSettings()),
    ("code", "__import__('os').system('echo pwned')", PcfSettings()),
    ("attribute access", "PCF(n.__class__, 1)", PcfSettings()),
    ("lambda", "PCF((lambda: 1)(), 1)", PcfSettings()),
    ("100k nested parens", "PCF(" + "(" * 100_000 + "n" + ")" * 100_000 + ", 1)", PcfSettings()),
    (
        "depth bomb: depth 100,000 at degree 12",
        Pcf((1,) * 13, (1,) * 13),
        PcfSettings(depth=100_000),
    ),
    ("near miss of e (12 digits)", f"PCF(n + 3 + n*{TAIL}, -n)", PcfSettings(target="e")),
    (
        "heaviest allowed: degree 12, coefficients 10^12, depth 2000",
        Pcf((10**12,) * 13, (10**12,) * 13),
        PcfSettings(),
    ),
    ("divergent", "PCF(1, -n**2)", PcfSettings()),
    ("terminating", "PCF(n, n**2 - 49)", PcfSettings()),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=2.0)
    args = parser.parse_args()
    table = Table(title="hostile PCF candidates")
    for col in ("case", "status", "reason", "ms"):
        table.add_column(col, justify="right" if col == "ms" else "left")
    worst = 0.0
    for label, candidate, settings in CASES:
        started = time.perf_counter()
        verdict = verify_pcf(candidate, settings)  # type: ignore[arg-type]
        ms = (time.perf_counter() - started) * 1000
        worst = max(worst, ms)
        assert not verdict.verified, label
        table.add_row(label, verdict.status, (verdict.reason or "")[:80], f"{ms:.1f}")
    console = Console()
    console.print(table)
    verdict = "within" if worst <= args.budget * 1000 else "OVER"
    console.print(f"slowest: {worst:.0f} ms ({verdict} the {args.budget:g} s budget)")


if __name__ == "__main__":
    main()
