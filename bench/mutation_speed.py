"""Speed of the evolver's built-in AST mutator, per call, on every program problem's seed.

The evolver calls ``mutate_many`` (1 to 3 steps, 0 to 2 donors) or ``crossover`` once per
child in its main process, so these calls cap the loop's throughput. Three cases are timed on
each seed, with the seed and a near copy of it (one constant changed) as the donors:

- ``steps=1``: ``mutate_many(seed, rng, [], steps=1)``;
- ``steps=2+2d``: ``mutate_many(seed, rng, donors, steps=2)``, the target case (< 10 ms mean,
  no call above ~60 ms on circle packing);
- ``crossover``: ``crossover(seed, donor, rng)``.

"Before" is the mutator as it was at git commit :data:`BEFORE_REF` (the four modules are
loaded from git under another name), timed interleaved with the current code on the same seeds
so that the shared machine's load hits both alike; nothing is asserted. The same parent and
donors recur in every call, so after the first call the new code's caches are warm (as when
the evolver draws the same elites again); ``--cold`` empties them before each call instead.
``--compare N`` also counts the generator seeds in 0 .. N-1 for which the two versions'
children (program, operator, description) are not identical.

Run: ``python bench/mutation_speed.py [--calls 100] [--problems all] [--clock cpu]
[--compare 500]``.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np

from discolab.agents.evolution.mutations import Mutation
from discolab.environments.programs.catalog import make_problem, problem_ids

NOW = "discolab.agents.evolution.mutations"

CIRCLES = "programs/circle-packing-26-v1"
CASES = ("steps=1", "steps=2+2d", "crossover")
BEFORE_REF = "aedbfae"  # the last commit before the speed-up
Call = Callable[[int], Mutation]


def load_ref(ref: str) -> ModuleType:
    """The ``mutations`` module as it was at git ``ref``, imported under another name (with
    its sibling modules of ``agents/evolution``), so the old and new code run side by side."""
    root = Path(__file__).resolve().parents[1]
    folder = Path(tempfile.mkdtemp(prefix="mutations-"))
    package = f"mutations_{ref}"
    (folder / package).mkdir()
    (folder / package / "__init__.py").write_text("")
    listing = _git(root, "ls-tree", "--name-only", ref, "agents/evolution/")
    for path in listing.split():
        if path.endswith(".py"):
            text = _git(root, "show", f"{ref}:{path}")
            text = text.replace("discolab.agents.evolution.", f"{package}.")
            (folder / package / Path(path).name).write_text(text)
    sys.path.insert(0, str(folder))
    return importlib.import_module(f"{package}.mutations")


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def donors_for(seed: str) -> list[str]:
    """The seed itself and a near copy with one constant changed (as in the task statement)."""
    variant = seed.replace("0.2", "0.15")
    if variant == seed:  # no 0.2 in this seed: change the first float-looking literal instead
        variant = seed.replace(".0", ".05", 1)
    return [seed, variant]


def calls(seed: str, module: ModuleType) -> dict[str, Call]:
    """One callable per case, taking the generator's seed, for one version of the mutator."""
    donors = donors_for(seed)
    many, cross = module.mutate_many, module.crossover
    return {
        "steps=1": lambda s: many(seed, np.random.default_rng(s), [], steps=1),
        "steps=2+2d": lambda s: many(seed, np.random.default_rng(s), donors, steps=2),
        "crossover": lambda s: cross(seed, donors[1], np.random.default_rng(s)),
    }


def timings(runs: list[Call], n: int, clock: Callable[[], float]) -> list[np.ndarray]:
    """Milliseconds of each of ``runs`` for generator seeds 0 .. n-1, the runs interleaved so
    that a change in the machine's load hits them alike."""
    ms: list[list[float]] = [[] for _ in runs]
    for s in range(n):
        for run, out in zip(runs, ms, strict=True):
            start = clock()
            run(s)
            out.append((clock() - start) * 1e3)
    return [np.array(x) for x in ms]


def _cold(run: Call) -> Call:
    """``run`` with every cache of the mutator's modules emptied first: the cost of a call on
    a parent and donors never seen before (the clearing itself is not timed apart)."""
    modules = [m for name, m in sys.modules.items() if name.startswith("discolab.agents.evol")]
    caches = [f for m in modules for f in vars(m).values() if hasattr(f, "cache_clear")]

    def cold(s: int) -> Mutation:
        for cache in caches:
            cache.cache_clear()
        return run(s)

    return cold


def differing(runs: list[Call], n: int) -> int:
    """For how many generator seeds in 0 .. n-1 the runs' children are not all the same."""
    return sum(len({_key(run(s)) for run in runs}) > 1 for s in range(n))


def _key(m: Mutation) -> tuple[str | None, str, str]:
    return m.program, m.operator, m.description


def _cell(ms: np.ndarray) -> str:
    return f"{ms.mean():.1f}/{np.percentile(ms, 95):.1f}/{ms.max():.1f}"


def main() -> None:
    """Print the table: one row per problem and case, before and now, mean/p95/max ms."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100, help="calls per case on circles")
    parser.add_argument("--other-calls", type=int, default=20, help="... on the other seeds")
    parser.add_argument("--problems", default="all", help="'all', or comma-separated ids")
    parser.add_argument("--ref", default=BEFORE_REF, help="git commit of the 'before' code")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    parser.add_argument("--compare", type=int, default=0, help="seeds whose children to compare")
    parser.add_argument(
        "--cold", action="store_true", help="empty the new code's caches before each call"
    )
    args = parser.parse_args()
    problems = problem_ids() if args.problems == "all" else args.problems.split(",")
    clock = time.perf_counter if args.clock == "wall" else time.process_time
    before, now = load_ref(args.ref), importlib.import_module(NOW)
    print(f"ms per call ({args.clock} clock), mean/p95/max; before = {args.ref}")
    header = f"{'problem':34} {'case':11} {'before':>18} {'now':>18} {'speed-up':>8}"
    print(header + (f" {'differ':>8}" if args.compare else ""))
    for pid in problems:
        seed = make_problem(pid).seed_program()
        n = args.calls if pid == CIRCLES else args.other_calls
        old, new = calls(seed, before), calls(seed, now)
        if args.cold:
            new = {case: _cold(run) for case, run in new.items()}
        for case in CASES:
            a, b = timings([old[case], new[case]], n, clock)
            row = f"{pid:34} {case:11} {_cell(a):>18} {_cell(b):>18} {a.mean() / b.mean():7.1f}x"
            if args.compare:
                row += f" {differing([old[case], new[case]], args.compare):>4}/{args.compare}"
            print(row, flush=True)


if __name__ == "__main__":
    main()
