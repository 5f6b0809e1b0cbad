"""Speed of the evolver's built-in AST mutator, per call, on every program problem's seed.

The evolver calls ``mutate_many`` (1 to 3 steps, 0 to 2 donors) or ``crossover`` once per
child in its main process, so these calls cap the loop's throughput. Three cases are timed on
each seed, with the seed and a near copy of it (one constant changed) as the donors:

- ``steps=1``: ``mutate_many(seed, rng, [], steps=1)``;
- ``steps=2+2d``: ``mutate_many(seed, rng, donors, steps=2)``, the target case (< 10 ms mean,
  no call above ~60 ms on circle packing);
- ``crossover``: ``crossover(seed, donor, rng)``.

Figures are printed beside :data:`BEFORE`, measured on the code before the speed-up (same
machine, same seeds); nothing is asserted. ``--fingerprint`` also prints a hash of every child
(program, operator, description) over many seeds, to check that a change of the mutator's
implementation leaves its outputs identical.

Run: ``python bench/mutation_speed.py [--calls 100] [--problems all] [--fingerprint 500]``.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from collections.abc import Callable

import numpy as np

from discolab.agents.evolution.mutations import Mutation, crossover, mutate_many
from discolab.environments.programs.catalog import make_problem, problem_ids

CIRCLES = "programs/circle-packing-26-v1"
CASES = ("steps=1", "steps=2+2d", "crossover")
# ms per call (mean, p95, max) before the speed-up, measured at commit aedbfae with the
# defaults below (100 calls on circle packing, 20 on the others) on the shared 2-core machine.
BEFORE: dict[tuple[str, str], tuple[float, float, float]] = {
    ("programs/circle-packing-26-v1", "steps=1"): (12.0, 18.6, 78.3),
    ("programs/circle-packing-26-v1", "steps=2+2d"): (61.7, 159.2, 339.6),
    ("programs/circle-packing-26-v1", "crossover"): (105.2, 168.2, 228.7),
    ("programs/circle-packing-32-v1", "steps=1"): (11.0, 19.4, 53.5),
    ("programs/circle-packing-32-v1", "steps=2+2d"): (85.5, 184.9, 252.7),
    ("programs/circle-packing-32-v1", "crossover"): (140.0, 190.5, 217.5),
    ("programs/circle-packing-rect-21-v1", "steps=1"): (17.5, 31.3, 36.7),
    ("programs/circle-packing-rect-21-v1", "steps=2+2d"): (104.4, 251.0, 328.5),
    ("programs/circle-packing-rect-21-v1", "crossover"): (131.6, 231.5, 248.7),
    ("programs/erdos-min-overlap-v1", "steps=1"): (15.7, 27.5, 70.4),
    ("programs/erdos-min-overlap-v1", "steps=2+2d"): (37.1, 107.9, 144.5),
    ("programs/erdos-min-overlap-v1", "crossover"): (50.7, 72.4, 73.2),
    ("programs/first-autocorrelation-v1", "steps=1"): (4.8, 6.7, 7.2),
    ("programs/first-autocorrelation-v1", "steps=2+2d"): (22.7, 51.3, 73.7),
    ("programs/first-autocorrelation-v1", "crossover"): (28.9, 40.0, 40.2),
    ("programs/heilbronn-triangle-11-v1", "steps=1"): (10.4, 15.1, 15.5),
    ("programs/heilbronn-triangle-11-v1", "steps=2+2d"): (35.1, 92.4, 137.7),
    ("programs/heilbronn-triangle-11-v1", "crossover"): (82.7, 130.0, 163.2),
    ("programs/kissing-11-v1", "steps=1"): (14.7, 23.8, 29.7),
    ("programs/kissing-11-v1", "steps=2+2d"): (39.9, 157.6, 177.7),
    ("programs/kissing-11-v1", "crossover"): (7.4, 15.3, 15.8),
    ("programs/min-max-distance-14-3d-v1", "steps=1"): (8.2, 14.1, 14.6),
    ("programs/min-max-distance-14-3d-v1", "steps=2+2d"): (38.5, 93.2, 97.2),
    ("programs/min-max-distance-14-3d-v1", "crossover"): (81.5, 130.2, 164.7),
    ("programs/min-max-distance-16-2d-v1", "steps=1"): (11.5, 15.6, 16.6),
    ("programs/min-max-distance-16-2d-v1", "steps=2+2d"): (46.5, 96.0, 108.8),
    ("programs/min-max-distance-16-2d-v1", "crossover"): (78.5, 83.5, 85.9),
    ("programs/second-autocorrelation-v1", "steps=1"): (8.2, 11.5, 12.0),
    ("programs/second-autocorrelation-v1", "steps=2+2d"): (35.1, 83.6, 102.8),
    ("programs/second-autocorrelation-v1", "crossover"): (47.3, 52.5, 53.2),
    ("programs/third-autocorrelation-v1", "steps=1"): (8.6, 11.9, 12.7),
    ("programs/third-autocorrelation-v1", "steps=2+2d"): (41.5, 111.4, 130.2),
    ("programs/third-autocorrelation-v1", "crossover"): (47.0, 50.4, 53.5),
}


def donors_for(seed: str) -> list[str]:
    """The seed itself and a near copy with one constant changed (as in the task statement)."""
    variant = seed.replace("0.2", "0.15")
    if variant == seed:  # no 0.2 in this seed: change the first float-looking literal instead
        variant = seed.replace(".0", ".05", 1)
    return [seed, variant]


def calls(seed: str) -> dict[str, Callable[[int], Mutation]]:
    """One callable per case, taking the generator's seed."""
    donors = donors_for(seed)
    return {
        "steps=1": lambda s: mutate_many(seed, np.random.default_rng(s), [], steps=1),
        "steps=2+2d": lambda s: mutate_many(seed, np.random.default_rng(s), donors, steps=2),
        "crossover": lambda s: crossover(seed, donors[1], np.random.default_rng(s)),
    }


def timings(run: Callable[[int], Mutation], n: int) -> tuple[float, float, float]:
    """Mean, p95 and max milliseconds of ``n`` calls (generator seeds 0 .. n-1)."""
    ms = []
    for s in range(n):
        start = time.perf_counter()
        run(s)
        ms.append((time.perf_counter() - start) * 1e3)
    values = np.array(ms)
    return float(values.mean()), float(np.percentile(values, 95)), float(values.max())


def fingerprint(problems: list[str], n: int) -> str:
    """A hash of every case's child for generator seeds 0 .. n-1 on each problem's seed."""
    digest = hashlib.sha256()
    for pid in problems:
        for run in calls(make_problem(pid).seed_program()).values():
            for s in range(n):
                m = run(s)
                digest.update(repr((pid, s, m.program, m.operator, m.description)).encode())
    return digest.hexdigest()[:16]


def _cell(figures: tuple[float, float, float] | None) -> str:
    return "-" if figures is None else "/".join(f"{x:.1f}" for x in figures)


def main() -> None:
    """Print the table: one row per problem and case, before and now, mean/p95/max ms."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100, help="calls per case on circles")
    parser.add_argument("--other-calls", type=int, default=20, help="... on the other seeds")
    parser.add_argument("--problems", default="all", help="'all', or comma-separated ids")
    parser.add_argument("--fingerprint", type=int, default=0, help="seeds to hash (0: skip)")
    args = parser.parse_args()
    problems = problem_ids() if args.problems == "all" else args.problems.split(",")
    print(f"{'problem':34} {'case':11} {'before mean/p95/max':>22} {'now mean/p95/max':>22}")
    for pid in problems:
        n = args.calls if pid == CIRCLES else args.other_calls
        for case, run in calls(make_problem(pid).seed_program()).items():
            before = BEFORE.get((pid, case))
            now = timings(run, n)
            print(f"{pid:34} {case:11} {_cell(before):>22} {_cell(now):>22}", flush=True)
    if args.fingerprint:
        print(
            f"fingerprint over {args.fingerprint} seeds: {fingerprint(problems, args.fingerprint)}"
        )


if __name__ == "__main__":
    main()
