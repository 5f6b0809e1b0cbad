"""Recovery benchmark of the built-in law proposer on shifted physics laws.

For every (domain, shift, noise) it runs the explorer's loop directly: the proposer designs
``max_batch`` points, the environment answers them, the proposer refits on everything so far,
for the whole budget of calls (or, with ``--early-stop``, until the same pick is confident for
two rounds, as the explorer does). The hidden law is consulted only at the end, by
``LawVerifier``. The table reports the proposer's
*top pick* honestly, and separately whether the truth appears anywhere on its Pareto front.

Run: ``/work/venv/bin/python bench/recovery.py`` (``--help`` for options).
"""

from __future__ import annotations

import argparse
import fnmatch
import logging
import math
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from discolab.agents.proposers.base import ProposalContext
from discolab.agents.proposers.builtin import BuiltinLawProposer
from discolab.types import Candidate, Evaluation, Experiment

logger = logging.getLogger("bench.recovery")

DEFAULT_DOMAINS = ("newton/gravity-v1", "newton/coulomb-v1", "newton/fourier-v1")
DEFAULT_NOISES = (0.0, 0.01)


@dataclass(frozen=True)
class Row:
    """One benchmark result.

    Attributes:
        task: environment id.
        shift: the shift option the environment was built with.
        noise: relative measurement noise.
        formula: the proposer's top pick (``-`` when it proposed nothing).
        match: whether the verifier judged the top pick symbolically equal to the truth.
        on_front: whether any candidate of the final front matches the truth.
        rmsle: RMS log error of the top pick on held-out points (verifier's figure).
        rel_log_error: relative log error of the top pick on held-out points.
        calls: experiment calls spent.
        settled: calls after which the pick never changed again.
        seconds: wall-clock time of the whole loop, proposals included.
    """

    task: str
    shift: str
    noise: float
    formula: str
    match: bool
    on_front: bool
    rmsle: float
    rel_log_error: float
    calls: int
    settled: int
    seconds: float


def metric(evaluation: Evaluation | None, *names: str) -> float:
    """The first of ``names`` the verifier reported (``nan`` when none is there)."""
    if evaluation is None:
        return math.nan
    for name in names:
        if name in evaluation.metrics:
            return float(evaluation.metrics[name])
    return math.nan


def is_match(evaluation: Evaluation | None) -> bool:
    """Whether the verifier says the candidate is the hidden law (up to its constants)."""
    return bool(evaluation is not None and metric(evaluation, "symbolic_match") == 1.0)


def run_task(
    task: str, shift: str, noise: float, seed: int, early_stop: bool, time_limit_s: float
) -> Row:
    """Discover one law with the built-in proposer and score the result."""
    from discolab.environments.catalog import make_environment
    from discolab.verifiers.laws import LawVerifier

    env = make_environment(task, shift=shift, noise=noise)
    spec = env.reset(seed=seed)
    proposer = BuiltinLawProposer(time_limit_s=time_limit_s)
    rng = np.random.default_rng([seed, 1])
    experiments: list[Experiment] = []
    candidates: list[Candidate] = []
    streak, last_pick = 0, None
    picks: list[str | None] = []
    start = time.perf_counter()
    for k in range(env.budget):
        ctx = ProposalContext(spec=spec, experiments=tuple(experiments), round=k, seed=seed + k)
        points = proposer.design_experiments(ctx, rng)
        outputs = env.experiment(points)
        experiments.append(Experiment(k, tuple(points), tuple(outputs)))
        ctx = ProposalContext(spec=spec, experiments=tuple(experiments), round=k, seed=seed + k)
        candidates = list(proposer.propose(ctx))
        pick = candidates[0].source if candidates else None
        confident = proposer.is_confident(ctx, candidates)
        streak = streak + 1 if confident and pick == last_pick else int(confident)
        last_pick = pick
        picks.append(pick)
        if early_stop and streak >= 2:
            break
    seconds = time.perf_counter() - start
    verifier = LawVerifier(spec, env.ground_truth())
    evaluations = [verifier.evaluate(c, experiments) for c in candidates]
    top = evaluations[0] if evaluations else None
    return Row(
        task=task,
        shift=shift,
        noise=noise,
        formula=candidates[0].source if candidates else "-",
        match=is_match(top),
        on_front=any(is_match(e) for e in evaluations),
        rmsle=metric(top, "rmsle", "heldout_rmsle"),
        rel_log_error=metric(top, "rel_log_error", "relative_log_error", "heldout_rel_log_error"),
        calls=len(experiments),
        settled=next(k + 1 for k in range(len(picks)) if set(picks[k:]) == {picks[-1]}),
        seconds=seconds,
    )


def shifts_of(
    domains: Sequence[str], patterns: Sequence[str] = ("canonical", "s*")
) -> Mapping[str, tuple[str, ...]]:
    """The shifts of each requested domain that match any of ``patterns`` (globs)."""
    from discolab.environments.catalog import describe_environments

    infos = {info.id: tuple(info.shifts) for info in describe_environments()}
    missing = [d for d in domains if d not in infos]
    if missing:
        raise SystemExit(f"unknown environment ids {missing}; known: {sorted(infos)}")
    return {
        d: tuple(s for s in infos[d] if any(fnmatch.fnmatchcase(s, p) for p in patterns))
        for d in domains
    }


def print_table(rows: Sequence[Row], markdown: bool) -> None:
    """The results as a rich table, or as a plain markdown table with ``--markdown``."""
    header = [
        "task",
        "shift",
        "noise",
        "best formula",
        "symbolic match",
        "truth on front",
        "RMSLE",
        "rel-log-error",
        "calls",
        "settled",
        "time",
    ]
    cells = [
        [
            r.task,
            r.shift,
            f"{r.noise:g}",
            r.formula,
            "yes" if r.match else "no",
            "yes" if r.on_front else "no",
            f"{r.rmsle:.2e}",
            f"{r.rel_log_error:.2e}",
            str(r.calls),
            str(r.settled),
            f"{r.seconds:.2f}s",
        ]
        for r in rows
    ]
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join("---" for _ in header) + "|")
        for row in cells:
            print("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="builtin proposer: recovery of shifted laws")
        for h in header:
            table.add_column(h)
        for row in cells:
            table.add_row(*row)
        Console().print(table)
    matched = sum(r.match for r in rows)
    on_front = sum(r.on_front for r in rows)
    total = sum(r.seconds for r in rows)
    print(
        f"\ntop pick matches the truth: {matched}/{len(rows)}; truth on the front: "
        f"{on_front}/{len(rows)}; total proposer+environment time {total:.1f}s"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options, run every task, print the table."""
    parser = argparse.ArgumentParser(
        description="Recovery of shifted physics laws by the built-in offline proposer.",
    )
    parser.add_argument(
        "--domains",
        nargs="+",
        default=list(DEFAULT_DOMAINS),
        help="environment ids (default: %(default)s)",
    )
    parser.add_argument(
        "--noise",
        nargs="+",
        type=float,
        default=list(DEFAULT_NOISES),
        help="relative noise levels (default: %(default)s)",
    )
    parser.add_argument(
        "--shifts",
        nargs="+",
        default=["canonical", "s*"],
        help="shift names or globs, e.g. 'easy-*' (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=0, help="campaign seed (default: 0)")
    parser.add_argument(
        "--early-stop",
        action="store_true",
        help="stop like the explorer once the same pick is confident for two rounds "
        "(default: spend the whole budget)",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=2.5,
        help="seconds one propose may take (default: %(default)s)",
    )
    parser.add_argument("--markdown", action="store_true", help="print a markdown table")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    rows: list[Row] = []
    for task, shifts in shifts_of(args.domains, args.shifts).items():
        for shift in shifts:
            for noise in args.noise:
                row = run_task(task, shift, noise, args.seed, args.early_stop, args.time_limit)
                logger.info("%s %s noise=%g -> %s", task, shift, noise, row.formula)
                rows.append(row)
    print_table(rows, args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
