"""The built-in law proposer against gplearn on the same data and a comparable time budget.

For every task of a suite (default ``newton-vanilla-v1``) both methods get exactly the data a
submission is calibrated on: :func:`discolab.scoring.calibration_experiments`, i.e. budget ×
max_batch seeded, log-uniform points measured from the task's environment. The built-in
proposer runs one search on them (``BuiltinLawProposer().search``) and its pick is taken;
gplearn's ``SymbolicRegressor`` is fitted on the same points and its best program is converted
to a discolab formula. Both formulas are then scored by :func:`discolab.scoring.score_task`
(symbolic match, held-out RMSLE, score), so neither method ever sees the hidden law.

How gplearn is fitted (its best honest shot; every choice uses only the measured data):

* ``--space log`` (default): gplearn fits ``z = log|y| - mean(log|y|)`` on ``log(x)`` for
  log-scale inputs (raw ``x`` for the others). Power laws spanning many decades become sums,
  so integer exponents come out exactly from ``add``/``sub``; the formula is
  ``C*exp(P)`` with ``log(x)`` substituted for the inputs. Needs outputs of one sign.
  ``--space raw`` fits ``y / median|y|`` on the raw inputs; the formula is ``C*(P)``.
  ``--space auto`` runs both on half the time each and keeps the lower RMS log error on the
  measured data. In the early experiment on newton-vanilla-v1 log space was the better shot.
* The overall scale ``C`` is a free parameter refitted by the verifier on the same data (the
  normalisation above is undone by it); every other constant stays gplearn's literal number,
  since a refitted constant inside ``exp(...log(x)...)`` would be an exponent left to the fit.
* gplearn's protected operators are written out faithfully: ``sqrt(x)`` and ``log(x)`` become
  ``sqrt(abs(x))`` and ``log(abs(x))`` unless the argument is provably positive; ``div`` and
  ``inv`` become plain division (gplearn returns 1 or 0 below |0.001|).

Run: ``/work/venv/bin/python bench/gplearn_baseline.py --limit 12`` (``--help`` for options).
Needs gplearn: ``pip install -e .[bench]``.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import logging
import math
import multiprocessing
import re
import statistics
import sys
import time
import zlib
from collections.abc import Collection, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

logger = logging.getLogger("bench.gplearn_baseline")

MISSING_GPLEARN = (
    "gplearn is not installed; the baseline needs it (and scikit-learn): "
    "pip install -e .[bench]   (or: pip install 'gplearn>=0.4.2')"
)
FUNCTION_SET = ("add", "sub", "mul", "div", "sqrt", "log", "exp", "neg", "inv", "sin", "cos")
METHODS = ("builtin", "gplearn")


class GplearnMissing(RuntimeError):
    """gplearn (or scikit-learn) cannot be imported."""


def load_gplearn() -> Any:
    """The ``gplearn.genetic`` module, or :class:`GplearnMissing` with the install command."""
    try:
        import gplearn.genetic
    except ImportError as exc:
        raise GplearnMissing(f"{MISSING_GPLEARN} [{exc}]") from None
    return gplearn.genetic


# -- gplearn program text -> discolab formula ------------------------------------------------


@dataclass(frozen=True)
class Node:
    """One node of a gplearn program: a function with arguments, a feature or a constant."""

    name: str
    args: tuple[Node, ...] = ()
    value: float | None = None


_TOKEN = re.compile(r"\s*(?:([A-Za-z_]\w*)|([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)|(.))")


def parse_program(text: str) -> Node:
    """Parse gplearn's printed program (``add(mul(X0, X1), 0.5)``) into a tree.

    Raises:
        ValueError: the text is not a program in gplearn's prefix notation.
    """
    tokens = [m.groups() for m in _TOKEN.finditer(text.strip())]
    pos = 0

    def node() -> Node:
        nonlocal pos
        if pos >= len(tokens):
            raise ValueError(f"program {text!r} ends early")
        name, number, other = tokens[pos]
        pos += 1
        if number is not None:
            return Node("const", value=float(number))
        if name is None:
            raise ValueError(f"unexpected {other!r} in program {text!r}")
        if pos < len(tokens) and tokens[pos][2] == "(":
            pos += 1
            args = [node()]
            while pos < len(tokens) and tokens[pos][2] == ",":
                pos += 1
                args.append(node())
            if pos >= len(tokens) or tokens[pos][2] != ")":
                raise ValueError(f"missing ')' after {name}( in program {text!r}")
            pos += 1
            return Node(name, tuple(args))
        return Node(name)

    tree = node()
    if pos != len(tokens):
        raise ValueError(f"trailing text after position {pos} in program {text!r}")
    return tree


_ARITY = {"add": 2, "sub": 2, "mul": 2, "div": 2, "sqrt": 1, "log": 1, "exp": 1, "neg": 1}
_ARITY |= {"inv": 1, "sin": 1, "cos": 1, "tan": 1, "abs": 1}
_LEVEL = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3}


def program_to_formula(
    program: str,
    names: Sequence[str],
    *,
    log_inputs: Collection[str] = (),
    positive: Collection[str] = (),
    log_output: bool = False,
    scale: bool = False,
) -> str:
    """A discolab formula (Python syntax) equal to gplearn's program on the declared inputs.

    Args:
        program: gplearn's printed program; features are ``X0, X1, ...`` in ``names`` order.
        names: the task's input names.
        log_inputs: inputs that were given to gplearn as ``log(x)``.
        positive: inputs whose range is positive (lets ``sqrt``/``log`` skip the ``abs``).
        log_output: the program predicts ``log|y|``; the formula is ``exp(program)``.
        scale: multiply by a free parameter ``C`` (the verifier refits the overall scale).

    Raises:
        ValueError: unknown function, wrong arity or a feature index outside ``names``.
    """
    tree = parse_program(program)

    def render(n: Node) -> tuple[str, int, bool]:  # text, precedence level, known positive
        if n.name == "const":
            v = float(n.value or 0.0)
            return (repr(v), 4 if v >= 0 else 3, v > 0)
        if not n.args:
            match = re.fullmatch(r"X(\d+)", n.name)
            if match is None or int(match.group(1)) >= len(names):
                raise ValueError(f"unknown feature {n.name!r}; inputs are {list(names)}")
            name = names[int(match.group(1))]
            if name in log_inputs:
                return (f"log({name})", 4, False)
            return (name, 4, name in positive)
        if _ARITY.get(n.name) != len(n.args):
            raise ValueError(f"unknown function {n.name}/{len(n.args)} in program {program!r}")
        parts = [render(a) for a in n.args]
        (a, la, pa), (b, lb, pb) = parts[0], parts[-1]
        if n.name in ("sqrt", "log"):
            return (f"{n.name}({a if pa else f'abs({a})'})", 4, n.name == "sqrt")
        if n.name in ("exp", "sin", "cos", "tan", "abs"):
            return (f"{n.name}({a})", 4, n.name in ("exp", "abs"))
        if n.name == "neg":
            return (f"-{a if la > 2 and not a.startswith('-') else f'({a})'}", 3, False)
        if n.name == "inv":
            return (f"1/{a if la > 3 else f'({a})'}", 2, pa)
        level = _LEVEL[n.name]
        left = a if la >= level else f"({a})"
        keep = lb > level or (lb == level and n.name in ("add", "mul"))
        right = b if keep and not b.startswith("-") else f"({b})"
        symbol = {"add": "+", "sub": "-", "mul": "*", "div": "/"}[n.name]
        pos_ = pa and pb and n.name != "sub"
        return (f"{left} {symbol} {right}", level, pos_)

    text, level, _ = render(tree)
    if log_output:
        text, level = f"exp({text})", 4
    if scale:
        text = f"C*{text if level >= 2 else f'({text})'}"
    return text


# -- one task --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GPSettings:
    """gplearn's hyperparameters and budget (see the module docstring for the choices).

    Attributes:
        space: ``log``, ``raw`` or ``auto`` (both, half the time each, lower data error wins).
        population: programs per generation.
        generations: most generations (the run is also capped by ``time_limit_s``).
        parsimony: gplearn's parsimony coefficient (fitness penalty per program node).
        tournament: tournament size.
        const_range: range of the random constants.
        time_limit_s: wall-clock cap of the whole gplearn fit of one task.
    """

    space: str = "log"
    population: int = 2000
    generations: int = 40
    parsimony: float = 0.001
    tournament: int = 20
    const_range: tuple[float, float] = (-2.0, 2.0)
    time_limit_s: float = 20.0


@dataclass(frozen=True)
class MethodResult:
    """One method's outcome on one task."""

    formula: str
    matched: bool
    score: float
    rmsle: float
    seconds: float
    error: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def _protected_exp(x: np.ndarray) -> np.ndarray:
    return np.exp(np.clip(x, -700.0, 100.0))


def _program_text(program: Sequence[Any]) -> str:
    """gplearn's prefix program list printed like ``str(program)``, at full float precision."""
    terminals, out = [0], ""
    for i, item in enumerate(program):
        if hasattr(item, "arity"):
            terminals.append(item.arity)
            out += f"{item.name}("
            continue
        out += f"X{int(item)}" if isinstance(item, int | np.integer) else repr(float(item))
        terminals[-1] -= 1
        while terminals[-1] == 0:
            terminals.pop()
            terminals[-1] -= 1
            out += ")"
        if i != len(program) - 1:
            out += ", "
    return out


def fit_gplearn(spec: Any, experiments: Sequence[Any], settings: GPSettings, seed: int) -> dict:
    """Fit gplearn on the experiments; returns the formula, data error, program and timings."""
    from discolab.types import stack_experiments
    from discolab.verifiers.expressions import parse_expression
    from discolab.verifiers.numeric import fit_parameters, rmsle

    genetic = load_gplearn()
    from gplearn.functions import make_function

    names = spec.input_names
    columns, outputs = stack_experiments(experiments, names)
    y = np.asarray(outputs, dtype=float)
    xs = {n: np.asarray(columns[n], dtype=float) for n in names}
    positive = {v.name for v in spec.inputs if float(v.low) > 0}
    spaces = ["log", "raw"] if settings.space == "auto" else [settings.space]
    if "log" in spaces and not (np.all(y > 0) or np.all(y < 0)):
        spaces = ["raw"]
    functions = [
        make_function(function=_protected_exp, name="exp", arity=1) if f == "exp" else f
        for f in FUNCTION_SET
    ]
    tries = []
    for space in spaces:
        log_inputs = {v.name for v in spec.inputs if space == "log" and v.log_scale and v.low > 0}
        X = np.column_stack([np.log(xs[n]) if n in log_inputs else xs[n] for n in names])
        target = np.log(np.abs(y)) if space == "log" else y
        target = target - target.mean() if space == "log" else y / np.median(np.abs(y))
        model = genetic.SymbolicRegressor(
            population_size=settings.population,
            generations=1,
            tournament_size=settings.tournament,
            const_range=settings.const_range,
            function_set=functions,
            metric="mse",
            parsimony_coefficient=settings.parsimony,
            warm_start=True,
            random_state=seed,
        )
        start, budget = time.perf_counter(), settings.time_limit_s / len(spaces)
        for generation in range(1, settings.generations + 1):
            model.set_params(generations=generation)
            model.fit(X, target)
            if (
                time.perf_counter() - start > budget
                or model.run_details_["best_fitness"][-1] < 1e-20
            ):
                break
        program = _program_text(model._program.program)
        formula = program_to_formula(
            program,
            names,
            log_inputs=log_inputs,
            positive=positive,
            log_output=space == "log",
            scale=True,
        )
        if space == "log" and np.all(y < 0):
            formula = f"-{formula}"
        try:
            parsed = parse_expression(formula, names)
            fit = fit_parameters(parsed, xs, y, seed=seed)
            error = rmsle(y, parsed.evaluate(xs, fit.params)) if fit.success else math.inf
        except Exception as exc:  # a formula past the verifier's caps still gets scored
            logger.info("cannot check %s on the data: %s", formula, exc)
            error = math.inf
        tries.append(
            {
                "space": space,
                "formula": formula,
                "program": program,
                "generations": generation,
                "seconds": time.perf_counter() - start,
                "data_rmsle": float(error),
            }
        )
    return min(tries, key=lambda t: (not math.isfinite(t["data_rmsle"]), t["data_rmsle"]))


def run_task(task: Any, settings: GPSettings, seed: int, builtin_time_s: float) -> dict:
    """Both methods on one task's calibration data, each formula scored by ``score_task``."""
    from discolab.agents.proposers.base import ProposalContext
    from discolab.agents.proposers.builtin import BuiltinLawProposer
    from discolab.environments.catalog import make_environment
    from discolab.scoring import calibration_experiments, score_task

    env = make_environment(task.env_id, **dict(task.options))
    spec = env.reset(seed=int(task.options.get("seed", 0)))
    experiments = calibration_experiments(task, env)
    task_seed = (seed * 1_000_003 + zlib.crc32(task.id.encode())) % 2**31
    results: dict[str, MethodResult] = {}
    for method in METHODS:
        start = time.perf_counter()
        detail: dict[str, Any] = {}
        try:
            if method == "builtin":
                context = ProposalContext(spec=spec, experiments=tuple(experiments), seed=task_seed)
                found = BuiltinLawProposer(time_limit_s=builtin_time_s).search(spec, context)
                formula = found.front[found.pick].source if found and found.front else ""
            else:
                detail = fit_gplearn(spec, experiments, settings, task_seed)
                formula = detail["formula"]
        except GplearnMissing:
            raise
        except Exception as exc:  # one broken run is a failed task, not a broken benchmark
            logger.warning("%s failed on %s: %s", method, task.id, exc)
            formula, detail = "", {"exception": repr(exc)}
        seconds = time.perf_counter() - start
        scored = score_task(task, formula or "0")
        results[method] = MethodResult(
            formula=formula,
            matched=scored.symbolic_match,
            score=scored.score,
            rmsle=float(scored.metrics.get("rmsle", math.inf)),
            seconds=seconds,
            error=scored.error or (None if formula else "no formula"),
            detail=detail,
        )
    return {
        "task": task.id,
        "domain": task.domain,
        "difficulty": task.difficulty,
        **{m: asdict(r) for m, r in results.items()},
    }


# -- report ----------------------------------------------------------------------------------


def summarise(rows: Sequence[dict], method: str) -> dict[str, Any]:
    """Accuracy, mean score, median RMSLE and time of one method over ``rows``."""
    rmsles = [r[method]["rmsle"] for r in rows]
    return {
        "tasks": len(rows),
        "matched": sum(r[method]["matched"] for r in rows),
        "accuracy": sum(r[method]["matched"] for r in rows) / max(len(rows), 1),
        "mean_score": statistics.fmean(r[method]["score"] for r in rows) if rows else 0.0,
        "median_rmsle": statistics.median(rmsles) if rmsles else math.inf,
        "mean_seconds": statistics.fmean(r[method]["seconds"] for r in rows) if rows else 0.0,
    }


def print_report(rows: Sequence[dict], suite_id: str, settings: GPSettings) -> None:
    """Per-method tables (all, per difficulty, per domain) and the side-by-side ratio line."""
    print(f"suite {suite_id}: {len(rows)} tasks, same calibration data for both methods")
    print(f"gplearn: {asdict(settings)}, functions {', '.join(FUNCTION_SET)}")
    groups: list[tuple[str, list[dict]]] = [("all", list(rows))]
    for key in ("difficulty", "domain"):
        for value in sorted({r[key] for r in rows}):
            groups.append((f"{key}={value}", [r for r in rows if r[key] == value]))
    header = f"{'group':<24}{'n':>4}  " + "  ".join(
        f"{m + ' acc':>12}{'score':>7}{'med RMSLE':>11}{'s/task':>8}" for m in METHODS
    )
    print(header)
    print("-" * len(header))
    for name, members in groups:
        cells = []
        for m in METHODS:
            s = summarise(members, m)
            cells.append(
                f"{s['matched']:>5}/{s['tasks']:<2}{s['accuracy']:>5.0%}{s['mean_score']:>7.3f}"
                f"{s['median_rmsle']:>11.2e}{s['mean_seconds']:>8.2f}"
            )
        print(f"{name:<24}{len(members):>4}  " + "  ".join(cells))
    b, g = summarise(rows, "builtin"), summarise(rows, "gplearn")

    def ratio(x: float, y: float) -> str:
        return f"{x / y:.2f}x" if y else ("inf" if x else "n/a")

    print(
        f"\nbuiltin vs gplearn: accuracy {b['accuracy']:.1%} vs {g['accuracy']:.1%} "
        f"({ratio(b['accuracy'], g['accuracy'])}), mean score {b['mean_score']:.3f} vs "
        f"{g['mean_score']:.3f} ({ratio(b['mean_score'], g['mean_score'])}), median RMSLE "
        f"{b['median_rmsle']:.2e} vs {g['median_rmsle']:.2e}, time/task "
        f"{b['mean_seconds']:.2f}s vs {g['mean_seconds']:.2f}s"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options, run both methods on every selected task, print the comparison."""
    parser = argparse.ArgumentParser(
        description="Compare the built-in law proposer with gplearn's SymbolicRegressor on a "
        "suite's tasks, with the same calibration data (budget x max_batch points) for both and "
        "a comparable time budget; both formulas are scored like a benchmark submission.",
        epilog="Needs gplearn: pip install -e .[bench]. Example: %(prog)s --tasks "
        "'newton/gravity*' --workers 2 --json gp.json",
    )
    parser.add_argument("--suite", default="newton-vanilla-v1", help="suite name or TOML path")
    parser.add_argument("--tasks", default="*", help="glob over task ids (default: all)")
    parser.add_argument(
        "--system",
        default="vanilla",
        help="only tasks at this system level: vanilla, simple, complex or * (default: "
        "%(default)s; the law is measured directly only at vanilla)",
    )
    parser.add_argument("--limit", type=int, default=0, help="first N selected tasks (0: all)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default: 2)")
    parser.add_argument("--seed", type=int, default=0, help="seed of both searches (default: 0)")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=20.0,
        help="seconds per task: gplearn's cap and the builtin's safety cap (default: %(default)s)",
    )
    parser.add_argument(
        "--space",
        choices=("log", "raw", "auto"),
        default="log",
        help="what gplearn fits (default: %(default)s; see module docstring)",
    )
    parser.add_argument(
        "--population",
        type=int,
        default=GPSettings.population,
        help="gplearn programs per generation (default: %(default)s)",
    )
    parser.add_argument(
        "--generations",
        type=int,
        default=GPSettings.generations,
        help="most gplearn generations (also capped by --time-limit) (default: %(default)s)",
    )
    parser.add_argument(
        "--parsimony",
        type=float,
        default=GPSettings.parsimony,
        help="gplearn parsimony coefficient (default: %(default)s)",
    )
    parser.add_argument("--json", metavar="PATH", help="write per-task results as JSON")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        load_gplearn()
    except GplearnMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from discolab.suites import load_suite

    suite = load_suite(args.suite)
    tasks = [
        t
        for t in suite.tasks
        if fnmatch.fnmatchcase(t.id, args.tasks) and args.system in ("*", t.system)
    ]
    skipped = sum(args.system not in ("*", t.system) for t in suite.tasks)
    if skipped:
        logger.warning(
            "skipping %d tasks of %s whose system is not %s", skipped, suite.id, args.system
        )
    tasks = tasks[: args.limit] if args.limit > 0 else tasks
    if not tasks:
        print(f"error: no task of {suite.id} matches {args.tasks!r}", file=sys.stderr)
        return 2
    settings = GPSettings(
        space=args.space,
        population=args.population,
        generations=args.generations,
        parsimony=args.parsimony,
        time_limit_s=args.time_limit,
    )
    rows: list[dict] = []
    started = time.perf_counter()

    def progress(row: dict) -> None:
        rows.append(row)
        marks = " ".join(f"{m}={'match' if row[m]['matched'] else 'miss'}" for m in METHODS)
        print(
            f"[{len(rows)}/{len(tasks)} {time.perf_counter() - started:.0f}s] {row['task']}"
            f" {marks}  gplearn: {row['gplearn']['formula']}",
            file=sys.stderr,
            flush=True,
        )

    if args.workers <= 1:
        for task in tasks:
            progress(run_task(task, settings, args.seed, args.time_limit))
    else:
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=args.workers, mp_context=spawn) as pool:
            futures = [
                pool.submit(run_task, t, settings, args.seed, args.time_limit) for t in tasks
            ]
            for future in as_completed(futures):
                progress(future.result())
    order = {t.id: i for i, t in enumerate(tasks)}
    rows.sort(key=lambda r: order[r["task"]])
    print_report(rows, suite.id, settings)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(
                {"suite": suite.id, "settings": asdict(settings), "tasks": rows},
                handle,
                indent=1,
                default=str,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
