"""Generality of the built-in search on laws it was not built from.

Three sets: the hand-written laws of ``bench/dev_laws.py`` (forms outside the mutation
grammar), fresh variants of the mutation generator (``generate_variants`` with seeds other
than the newton-v1 seed), and ``--set random --seed N``: laws drawn by the seeded generator
of ``bench/random_laws.py``, a validation set not to tune on (pick the seed at run time and
do not commit it). Each law gets a campaign's budget, 10 calls of 20 points designed by
the built-in proposer, at each requested relative noise; the proposer then proposes once on all
200 points (``--every-round`` proposes after every call, as a campaign does, and is ~10x
slower). The pick is judged by :func:`discolab.verifiers.symbolic.symbolic_match` against the
noise-free law. Crashes of the proposer are counted, not raised.

Each line shows wall and CPU seconds of the proposal; ``--compare old.json`` lists the tasks
whose pick differs from an earlier ``--json`` run (the search is deterministic per seed, so
two runs on one machine, loaded or idle, should list none).

Run: ``.venv/bin/python bench/search_generality.py [--set dev|fresh|both|random]
[--seed N] [--noise 0 0.01] [--json out.json] [--compare old.json]``.
"""

from __future__ import annotations

import argparse
import ast
import json
import logging
import math
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np
from dev_laws import DEV_LAWS
from random_laws import random_laws

from discolab.agents.proposers.base import ProposalContext
from discolab.agents.proposers.builtin import BuiltinLawProposer
from discolab.environments.base import GroundTruth
from discolab.types import Experiment, TaskSpec, Variable
from discolab.verifiers.expressions import parse_expression
from discolab.verifiers.symbolic import symbolic_match

ArrayFn = Callable[[dict[str, np.ndarray]], np.ndarray]

FRESH_SEEDS = (7, 11)
"""Generator seeds of the fresh-variant dev set (never the newton-v1 seed 20250401)."""


@dataclass(frozen=True)
class Task:
    """One law to rediscover: a label, the family, the truth and its declared inputs."""

    name: str
    family: str
    formula: str
    function: ArrayFn
    inputs: tuple[Variable, ...]
    constants: int = 0


@dataclass(frozen=True)
class Outcome:
    """What the search made of one task at one noise level."""

    name: str
    family: str
    noise: float
    truth: str
    pick: str
    match: bool
    seconds: float
    cpu_seconds: float
    crash: str = ""


def _parsed_task(
    name: str, family: str, formula: str, inputs: tuple[Variable, ...], constants: int
) -> Task:
    """A task whose truth is ``formula`` read by the safe parser."""
    parsed = parse_expression(formula, [v.name for v in inputs])
    return Task(name, family, formula, lambda c: parsed.evaluate(c, {}), inputs, constants)


def dev_tasks() -> list[Task]:
    """The hand-written dev laws as tasks (their formulas read by the safe parser)."""
    return [
        _parsed_task(law.name, law.family, law.formula, law.inputs, count_constants(law.formula))
        for law in DEV_LAWS
    ]


DEGREE_FACTORS = frozenset({90.0, 180.0, 360.0})
"""Literals that only convert degrees to radians when the formula holds ``pi``."""


def count_constants(formula: str) -> int:
    """How many numbers a dev law holds outside exponents: the judge's parameter cap is one
    more. ``1`` (structure, not a constant) and degree factors beside ``pi`` do not count.

    Without a count the judge would allow two parameters, and reject a correct
    ``C*(1 + C1*x**2 + C2*x)`` for ``3*x**2 + 2*x + 5``.
    """
    tree = ast.parse(formula, mode="eval")
    powers = [n for n in ast.walk(tree) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow)]
    exponents = {id(n.right) for n in powers}
    in_exponent = set()
    for node in ast.walk(tree):
        if id(node) in exponents:
            in_exponent.update(id(n) for n in ast.walk(node))
    degrees = "pi" in {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and id(node) not in in_exponent:
            value = float(node.value)
            if value != 1 and not (degrees and value in DEGREE_FACTORS):
                count += 1
    return count


def random_tasks(seed: int, count: int = 40) -> list[Task]:
    """``count`` laws of the seeded generator of ``bench/random_laws.py``."""
    return [
        _parsed_task(law.name, law.family, law.formula, law.inputs, law.constants)
        for law in random_laws(seed, count)
    ]


def fresh_tasks(seeds: Sequence[int] = FRESH_SEEDS, per_domain: int = 3) -> list[Task]:
    """``per_domain`` fresh generator variants per domain and seed (one of each difficulty)."""
    from discolab.environments.physics import (
        ampere,
        bose_einstein,
        calorimetry,
        coulomb,
        decay,
        fourier,
        gravity,
        hooke,
        malus,
        oscillator,
        snell,
        sound,
    )
    from discolab.environments.physics.mutation import generate_variants

    modules = (ampere, bose_einstein, calorimetry, coulomb, decay, fourier, gravity, hooke)
    modules += (malus, oscillator, snell, sound)
    tasks = []
    for seed in seeds:
        for module in modules:
            setup = module.SETUP
            variants = generate_variants(setup, seed)
            step = max(len(variants) // per_domain, 1)
            for law in variants[::step][:per_domain]:
                tasks.append(
                    Task(
                        f"{setup.name}/{seed}/{law.name}",
                        f"fresh-{law.difficulty}",
                        law.formula,
                        law.function,
                        tuple(setup.inputs),
                    )
                )
    return tasks


def run(task: Task, noise: float, seed: int, every_round: bool, time_limit: float) -> Outcome:
    """A campaign's budget of designed experiments on ``task``, then the judged pick."""
    spec = TaskSpec(
        task_id=f"dev/{task.name}",
        title=task.name,
        description="dev law",
        inputs=task.inputs,
        output=Variable("y", "", -math.inf, math.inf, log_scale=False),
        budget=10,
        max_batch=20,
        noise=noise,
    )
    proposer = BuiltinLawProposer(time_limit_s=time_limit)
    design_rng = np.random.default_rng([seed, 1])
    noise_rng = np.random.default_rng([seed, 2])
    experiments: list[Experiment] = []
    candidates: list = []
    seconds = cpu = 0.0
    try:
        for k in range(spec.budget):
            ctx = ProposalContext(spec=spec, experiments=tuple(experiments), round=k, seed=seed)
            points = proposer.design_experiments(ctx, design_rng)
            columns = {v.name: np.array([p[v.name] for p in points]) for v in task.inputs}
            clean = np.asarray(task.function(columns), dtype=float)
            measured = clean * (1.0 + noise * noise_rng.standard_normal(clean.shape))
            experiments.append(Experiment(k, tuple(points), tuple(float(y) for y in measured)))
            if every_round or k == spec.budget - 1:
                ctx = ProposalContext(spec=spec, experiments=tuple(experiments), round=k, seed=seed)
                start, start_cpu = time.perf_counter(), time.process_time()
                candidates = proposer.propose(ctx)
                seconds += time.perf_counter() - start
                cpu += time.process_time() - start_cpu
    except Exception as exc:  # a crash is a result here
        trace = traceback.format_exc(limit=3).strip().splitlines()[-1]
        return Outcome(
            task.name, task.family, noise, task.formula, "-", False, seconds, cpu, trace or str(exc)
        )
    pick = candidates[0].source if candidates else "-"
    matched = False
    if candidates:
        truth = GroundTruth(task.formula, task.function, task.inputs, task.constants)
        parsed = parse_expression(pick, [v.name for v in task.inputs])
        matched = symbolic_match(parsed, truth).matched
    return Outcome(task.name, task.family, noise, task.formula, pick, matched, seconds, cpu)


def summarise(outcomes: Sequence[Outcome]) -> None:
    """Per noise: matches, crashes, seconds per law; per family: matches."""
    for noise in sorted({o.noise for o in outcomes}):
        rows = [o for o in outcomes if o.noise == noise]
        matched = sum(o.match for o in rows)
        crashes = sum(bool(o.crash) for o in rows)
        seconds = sum(o.seconds for o in rows) / max(len(rows), 1)
        cpu = sum(o.cpu_seconds for o in rows) / max(len(rows), 1)
        print(
            f"noise {noise:g}: {matched}/{len(rows)} matched, {crashes} crashes, "
            f"{seconds:.2f} s per law ({cpu:.2f} s CPU)"
        )
        parts = []
        for family in sorted({o.family for o in rows}):
            members = [o for o in rows if o.family == family]
            parts.append(f"{family} {sum(o.match for o in members)}/{len(members)}")
        print("   " + ", ".join(parts))


def compare(outcomes: Sequence[Outcome], path: str) -> None:
    """Print the tasks whose pick differs from the run stored in ``path``."""
    with open(path) as fh:
        earlier = {(o["name"], o["noise"]): o["pick"] for o in json.load(fh)}
    same = differ = 0
    for o in outcomes:
        old = earlier.get((o.name, o.noise))
        if old is None:
            continue
        if old == o.pick:
            same += 1
        else:
            differ += 1
            print(f"pick differs: {o.name} {o.noise:g}: {old}  ->  {o.pick}")
    print(f"compared with {path}: {same} picks identical, {differ} differ")


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options, run every task at every noise, print one line each and a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["dev", "fresh", "both", "random"], default="dev")
    parser.add_argument("--noise", nargs="+", type=float, default=[0.0, 0.01])
    parser.add_argument("--only", nargs="*", default=[], help="task names (substrings) to run")
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the designs (and of the random laws)"
    )
    parser.add_argument("--count", type=int, default=40, help="laws of the random set")
    parser.add_argument(
        "--fresh-seeds", nargs="+", type=int, default=list(FRESH_SEEDS), help="generator seeds"
    )
    parser.add_argument("--every-round", action="store_true")
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--json", help="write the outcomes to this file")
    parser.add_argument("--compare", help="an earlier --json file: list picks that differ")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.ERROR)
    tasks = []
    if args.set in ("dev", "both"):
        tasks += dev_tasks()
    if args.set in ("fresh", "both"):
        tasks += fresh_tasks(args.fresh_seeds)
    if args.set == "random":
        tasks += random_tasks(args.seed, args.count)
    if args.only:
        tasks = [t for t in tasks if any(s in t.name for s in args.only)]
    outcomes = []
    for task in tasks:
        for noise in args.noise:
            o = run(task, noise, args.seed, args.every_round, args.time_limit)
            outcomes.append(o)
            mark = "CRASH " + o.crash if o.crash else ("ok" if o.match else "--")
            print(
                f"{o.name:28s} {noise:<5g} {o.seconds:6.2f}s {o.cpu_seconds:6.2f}s cpu "
                f"{mark:4s} {o.pick}   [{o.truth}]",
                flush=True,
            )
    summarise(outcomes)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump([asdict(o) for o in outcomes], fh, indent=1)
    if args.compare:
        compare(outcomes, args.compare)
    return 0


if __name__ == "__main__":
    sys.exit(main())
