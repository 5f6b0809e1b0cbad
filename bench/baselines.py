"""Baselines beside the built-in proposer: same data, same budget, same judge.

For every selected task of a suite (default ``newton-vanilla-v1``) each method gets exactly
the data a submission is calibrated on, :func:`discolab.scoring.calibration_experiments`
(budget × max_batch seeded points, 10 × 20 at vanilla), and the same per-task time cap. The
built-in proposer runs one search; gplearn (:mod:`gplearn_baseline`) and Operon
(:mod:`operon_baseline`) fit their model, which is converted by :mod:`sr_formulas` into a
formula whose fitted constants are free parameters ``C``, ``C1`` … Every formula is then
scored by :func:`discolab.scoring.score_task`: the project's law verifier refits the free
parameters on the same calibration data and checks the symbolic match, held-out RMSLE and
score, as for any submission. No method sees the hidden law.

Run: ``.venv/bin/python bench/baselines.py --methods builtin,gplearn,operon --per-group 1``
(one task per domain and difficulty); ``--help`` for options. gplearn and Operon need the
``bench`` extra: ``pip install -e .[bench]``.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import logging
import math
import multiprocessing
import statistics
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

logger = logging.getLogger("bench.baselines")

METHODS = ("builtin", "gplearn", "operon")
SPACES = ("log", "raw", "auto")


class BaselineMissing(RuntimeError):
    """A baseline's package cannot be imported; the message says how to install it."""


@dataclass(frozen=True)
class Budget:
    """What every method gets on one task, and how gplearn and Operon fit.

    Attributes:
        time_limit_s: wall-clock cap of one method on one task (gplearn's and Operon's stop,
            the built-in's safety cap).
        space: ``log`` fits ``log|y|`` (centred) on ``log x`` for positive log-scale inputs,
            ``raw`` fits ``y / median|y|`` on raw inputs, ``auto`` tries both on half the time
            and keeps the lower RMS log error on the measured data.
        constants: ``free`` turns fitted constants into parameters (:mod:`sr_formulas`),
            ``literal`` keeps them as numbers (the baseline's own model).
        population: programs (gplearn) or individuals (Operon) per generation; None takes
            each method's default (gplearn 2000, Operon 1000).
        generations: most generations (gplearn 40 and Operon 1000 by default).
    """

    time_limit_s: float = 20.0
    space: str = "log"
    constants: str = "free"
    population: int | None = None
    generations: int | None = None


@dataclass(frozen=True)
class TaskData:
    """One task's calibration data, as every method sees it."""

    spec: Any
    experiments: tuple[Any, ...]
    columns: dict[str, np.ndarray]
    y: np.ndarray
    positive: frozenset[str]
    log_scale: frozenset[str]


@dataclass(frozen=True)
class MethodResult:
    """One method's outcome on one task."""

    formula: str
    matched: bool
    score: float
    rmsle: float
    seconds: float
    parameters: int = 0
    error: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def task_data(task: Any) -> TaskData:
    """The calibration data of ``task`` (the same points a submission is fitted to)."""
    from discolab.environments.catalog import make_environment
    from discolab.scoring import calibration_experiments
    from discolab.types import stack_experiments

    env = make_environment(task.env_id, **dict(task.options))
    spec = env.reset(seed=int(task.options.get("seed", 0)))
    experiments = tuple(calibration_experiments(task, env))
    columns, outputs = stack_experiments(experiments, spec.input_names)
    positive = frozenset(v.name for v in spec.inputs if float(v.low) > 0)
    log_scale = frozenset(v.name for v in spec.inputs if v.log_scale and float(v.low) > 0)
    return TaskData(
        spec=spec,
        experiments=experiments,
        columns={n: np.asarray(columns[n], dtype=float) for n in spec.input_names},
        y=np.asarray(outputs, dtype=float),
        positive=positive,
        log_scale=log_scale,
    )


def spaces_for(data: TaskData, space: str) -> list[str]:
    """The spaces to try: log needs outputs of one sign."""
    spaces = ["log", "raw"] if space == "auto" else [space]
    if "log" in spaces and not (np.all(data.y > 0) or np.all(data.y < 0)):
        spaces = ["raw"]
    return spaces


def design(data: TaskData, space: str) -> tuple[np.ndarray, np.ndarray, set[str], float]:
    """Inputs, target, the inputs given as logs, and the target's scale for one space."""
    names = data.spec.input_names
    log_inputs = set(data.log_scale) if space == "log" else set()
    X = np.column_stack(
        [np.log(data.columns[n]) if n in log_inputs else data.columns[n] for n in names]
    )
    if space == "log":
        logs = np.log(np.abs(data.y))
        return X, logs - logs.mean(), log_inputs, float(logs.mean())
    scale = float(np.median(np.abs(data.y))) or 1.0
    return X, data.y / scale, log_inputs, scale


def data_error(formula: str, data: TaskData, seed: int) -> float:
    """RMSLE of ``formula`` on the measured data after fitting its free parameters."""
    from discolab.verifiers.expressions import parse_expression
    from discolab.verifiers.numeric import fit_parameters, rmsle

    try:
        parsed = parse_expression(formula, data.spec.input_names)
        fit = fit_parameters(parsed, data.columns, data.y, seed=seed)
        return rmsle(data.y, parsed.evaluate(data.columns, fit.params)) if fit.success else math.inf
    except Exception as exc:  # past the verifier's caps: still scored, just not comparable
        logger.info("cannot check %s on the data: %s", formula, exc)
        return math.inf


def best_try(tries: Sequence[dict]) -> dict:
    """The try with the lowest finite data error (the first when none is finite)."""
    return min(tries, key=lambda t: (not math.isfinite(t["data_rmsle"]), t["data_rmsle"]))


def _builtin(data: TaskData, budget: Budget, seed: int) -> dict:
    from discolab.agents.proposers.base import ProposalContext
    from discolab.agents.proposers.builtin import BuiltinLawProposer

    context = ProposalContext(spec=data.spec, experiments=data.experiments, seed=seed)
    found = BuiltinLawProposer(time_limit_s=budget.time_limit_s).search(data.spec, context)
    return {"formula": found.front[found.pick].source if found and found.front else ""}


def fitter(method: str) -> Callable[[TaskData, Budget, int], dict]:
    """The fit function of ``method``: takes the task's data, the budget and a seed."""
    if method == "builtin":
        return _builtin
    if method == "gplearn":
        from gplearn_baseline import fit_gplearn

        return fit_gplearn
    if method == "operon":
        from operon_baseline import fit_operon

        return fit_operon
    raise ValueError(f"unknown method {method!r}; choose from {METHODS}")


def run_task(task: Any, methods: Sequence[str], budget: Budget, seed: int) -> dict:
    """Every method on one task's calibration data, each formula scored by ``score_task``."""
    from discolab.scoring import score_task

    data = task_data(task)
    task_seed = (seed * 1_000_003 + zlib.crc32(task.id.encode())) % 2**31
    row: dict[str, Any] = {"task": task.id, "domain": task.domain, "difficulty": task.difficulty}
    for method in methods:
        start = time.perf_counter()
        try:
            detail = fitter(method)(data, budget, task_seed)
        except BaselineMissing:
            raise
        except Exception as exc:  # one broken fit is a failed task, not a broken benchmark
            logger.warning("%s failed on %s: %s", method, task.id, exc)
            detail = {"formula": "", "exception": repr(exc)}
        seconds = time.perf_counter() - start
        formula = detail.pop("formula")
        scored = score_task(task, formula or "0")
        row[method] = asdict(
            MethodResult(
                formula=formula,
                matched=scored.symbolic_match,
                score=scored.score,
                rmsle=float(scored.metrics.get("rmsle", math.inf)),
                seconds=seconds,
                parameters=int(detail.get("parameters", 0)),
                error=scored.error or (None if formula else "no formula"),
                detail=detail,
            )
        )
    return row


def summarise(rows: Sequence[dict], method: str) -> dict[str, Any]:
    """Matches, accuracy, mean score, median held-out RMSLE and seconds per task."""
    rmsles = [r[method]["rmsle"] for r in rows]
    return {
        "tasks": len(rows),
        "matched": sum(r[method]["matched"] for r in rows),
        "accuracy": sum(r[method]["matched"] for r in rows) / max(len(rows), 1),
        "mean_score": statistics.fmean(r[method]["score"] for r in rows) if rows else 0.0,
        "median_rmsle": statistics.median(rmsles) if rmsles else math.inf,
        "mean_seconds": statistics.fmean(r[method]["seconds"] for r in rows) if rows else 0.0,
    }


def print_report(
    rows: Sequence[dict], methods: Sequence[str], suite_id: str, budget: Budget
) -> None:
    """Per-method figures for all tasks, per difficulty and per domain."""
    print(f"suite {suite_id}: {len(rows)} tasks, the same calibration data for every method")
    print(f"budget: {asdict(budget)}")
    groups: list[tuple[str, list[dict]]] = [("all", list(rows))]
    for key in ("difficulty", "domain"):
        for value in sorted({r[key] for r in rows}):
            groups.append((f"{key}={value}", [r for r in rows if r[key] == value]))
    header = f"{'group':<22}{'n':>4}  " + "  ".join(
        f"{m[:8] + ' match':>14}{'score':>7}{'med RMSLE':>11}{'s/task':>8}" for m in methods
    )
    print(header)
    print("-" * len(header))
    for name, members in groups:
        cells = []
        for m in methods:
            s = summarise(members, m)
            cells.append(
                f"{s['matched']:>7}/{s['tasks']:<3}{s['accuracy']:>4.0%}{s['mean_score']:>7.3f}"
                f"{s['median_rmsle']:>11.2e}{s['mean_seconds']:>8.2f}"
            )
        print(f"{name:<22}{len(members):>4}  " + "  ".join(cells))


def select_tasks(suite: Any, pattern: str, system: str, per_group: int, limit: int) -> list:
    """Tasks matching ``pattern`` at ``system``; ``per_group`` per domain × difficulty."""
    tasks = [
        t for t in suite.tasks if fnmatch.fnmatchcase(t.id, pattern) and system in ("*", t.system)
    ]
    if per_group > 0:
        kept: dict[tuple[str, str], list] = {}
        for t in tasks:
            group = kept.setdefault((t.domain, t.difficulty), [])
            if len(group) < per_group:
                group.append(t)
        tasks = [t for group in kept.values() for t in group]
    return tasks[:limit] if limit > 0 else tasks


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options, run the methods on every selected task, print (and save) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", default="newton-vanilla-v1", help="suite name or TOML path")
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated methods")
    parser.add_argument("--tasks", default="*", help="glob over task ids (default: all)")
    parser.add_argument("--system", default="vanilla", help="vanilla, simple, complex or *")
    parser.add_argument("--per-group", type=int, default=0, help="tasks per domain x difficulty")
    parser.add_argument("--limit", type=int, default=0, help="first N selected tasks (0: all)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--seed", type=int, default=0, help="seed of every search")
    parser.add_argument("--time-limit", type=float, default=Budget.time_limit_s, help="s/task")
    parser.add_argument("--space", choices=SPACES, default=Budget.space, help="what SR fits")
    parser.add_argument("--constants", choices=("free", "literal"), default=Budget.constants)
    parser.add_argument("--population", type=int, default=None, help="default: per method")
    parser.add_argument("--generations", type=int, default=None, help="default: per method")
    parser.add_argument("--json", metavar="PATH", help="write per-task results as JSON")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    try:
        for method in methods:
            fitter(method)
    except (BaselineMissing, ImportError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from discolab.suites import load_suite

    suite = load_suite(args.suite)
    tasks = select_tasks(suite, args.tasks, args.system, args.per_group, args.limit)
    if not tasks:
        print(f"error: no task of {suite.id} matches {args.tasks!r}", file=sys.stderr)
        return 2
    budget = Budget(
        time_limit_s=args.time_limit,
        space=args.space,
        constants=args.constants,
        population=args.population,
        generations=args.generations,
    )
    rows: list[dict] = []
    started = time.perf_counter()

    def progress(row: dict) -> None:
        rows.append(row)
        marks = " ".join(f"{m}={'match' if row[m]['matched'] else 'miss'}" for m in methods)
        formulas = " | ".join(f"{m}: {row[m]['formula']}" for m in methods if m != "builtin")
        print(
            f"[{len(rows)}/{len(tasks)} {time.perf_counter() - started:.0f}s] {row['task']} "
            f"{marks}  {formulas}",
            file=sys.stderr,
            flush=True,
        )

    if args.workers <= 1:
        for task in tasks:
            progress(run_task(task, methods, budget, args.seed))
    else:
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=args.workers, mp_context=spawn) as pool:
            futures = [pool.submit(run_task, t, methods, budget, args.seed) for t in tasks]
            for future in as_completed(futures):
                progress(future.result())
    order = {t.id: i for i, t in enumerate(tasks)}
    rows.sort(key=lambda r: order[r["task"]])
    print_report(rows, methods, suite.id, budget)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            payload = {"suite": suite.id, "budget": asdict(budget), "tasks": rows}
            json.dump(payload, handle, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
