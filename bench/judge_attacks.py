"""Law-free templates against the law judge: how often does a formula that knows nothing match?

For every task of a suite (default ``newton-v1``) the script writes templates from the task's
input names alone — no experiment is run, no law is read — and asks the task's own verifier
whether it is a symbolic match (the verdict ``bench score`` stores; it depends on the hidden
law and the formula only, so tasks that share a law at several system levels are judged
once). The families:

- ``exp-log``: a free power law through exp/log, ``C*exp(C1*log(x1) + C2*log(x2) + ...)``;
- ``param-base``: the same through parameter bases, ``C*C1**log(x1)*C2**log(x2)...``;
- ``power``: ``C*x1**C1*x2**C2...``;
- ``log-series``: ``C*exp(C1*log(x) + C2*log(x)**2)`` per input;
- ``exp-linear``: ``C*exp(C1*x1 + C2*x2 + ...)``;
- ``poly``: a polynomial of degree 12 in each input, times a free power of the others, and
  one short enough for the public cap of 6 free parameters, and a quintic in each input
  times the product of the others (no exponent parameter at all);
- ``small-poly``: ``C + C1*x`` per input, and ``C*(1 + C1*x)`` times the product of inputs;
- ``switch``: ``C*(C1*f + (1 - C1)*g)`` between two generic guesses (inverse-square and
  linear products), which the fit can switch between.

The judge must keep the share of tasks matched by *any* template at or under 2%. With
``--submission FILE`` it also re-scores a submission (e.g. ``runs/<name>.jsonl`` from
``bench run``) and prints how many of its laws match, to check that honest matches stay.

Run: ``python bench/judge_attacks.py [--suite newton-v1] [--limit N] [--submission FILE]``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from collections import Counter
from collections.abc import Sequence

from discolab.environments.catalog import make_environment
from discolab.errors import ExpressionError
from discolab.scoring import score_task
from discolab.suites import SuiteTask, load_suite, resolve_suite_path
from discolab.verifiers.expressions import parse_expression
from discolab.verifiers.laws import MAX_FREE_PARAMETERS
from discolab.verifiers.systems import make_verifier


def _power(x: str, k: int) -> str:
    return f"{x}**{k}" if k <= 10 else f"{x}**10*{x}**{k - 10}"


def templates(names: Sequence[str]) -> dict[str, str]:
    """Law-free templates over the input ``names`` (see the module docstring)."""
    out: dict[str, str] = {}
    n = len(names)
    pairs = [(f"C{k}", x) for k, x in enumerate(names, 1)]
    out["exp-log"] = "C*exp(" + " + ".join(f"{p}*log({x})" for p, x in pairs) + ")"
    out["param-base"] = "C*" + "*".join(f"{p}**log({x})" for p, x in pairs)
    out["power"] = "C*" + "*".join(f"{x}**{p}" for p, x in pairs)
    out["exp-linear"] = "C*exp(" + " + ".join(f"{p}*{x}" for p, x in pairs) + ")"
    product = "*".join(names)
    for i, x in enumerate(names):
        out[f"log-series/{x}"] = f"C*exp(C1*log({x}) + C2*log({x})**2)"
        others = [y for y in names if y != x]
        free = "*".join(f"exp(C{20 + j}*log({y}))" for j, y in enumerate(others)) or "1"
        poly = " + ".join([f"C{k}*{_power(x, k)}" for k in range(1, 13)] + ["C"])
        out[f"poly/{x}"] = f"{free}*({poly})"
        degree = max(5 - len(others), 1)  # within the public cap of 6 free parameters
        short = " + ".join([f"C{k}*{x}**{k}" for k in range(1, degree + 1)] + ["C"])
        out[f"poly-short/{x}"] = f"{free}*({short})"
        linear = "*".join(others) or "1"
        quintic = " + ".join(["C"] + [f"C{k}*{x}**{k}" for k in range(1, 6)])
        out[f"poly-times-others/{x}"] = f"{linear}*({quintic})"
        out[f"small-poly/{x}"] = f"C + C1*{x}"
        out[f"scaled-line/{x}"] = f"C*{product}*(1 + C1*{x})"
        if i == n - 1 and n > 1:
            head = "*".join(names[:-1])
            f = f"{head}/{x}**2"
            g = f"{head}*{x}"
            out["switch"] = f"C*(C1*{f} + (1 - C1)*{g})"
    return out


def _score_templates(task: SuiteTask) -> dict[str, bool]:
    """Whether each template is a symbolic match of the task's hidden law.

    The verdict is the verifier's own (:meth:`LawVerifier.match`): it depends on the hidden
    law and the formula only, not on the agent's data or the system level, so the same law
    at the simple and complex levels gets the same verdict. A formula the verifier refuses
    before fitting (parse errors, more than the public cap of free parameters) is no match.
    """
    env = make_environment(task.env_id, **dict(task.options))
    verifier = make_verifier(env.spec, env.ground_truth())
    matched = {}
    for family, law in templates(env.spec.formula_names).items():
        try:
            parsed = parse_expression(law, env.spec.formula_names)
        except ExpressionError:
            matched[family] = False
            continue
        if len(parsed.parameters) > MAX_FREE_PARAMETERS:
            matched[family] = False
            continue
        matched[family] = verifier.match(parsed).matched
    return matched


def _law_key(task: SuiteTask) -> tuple[str, str]:
    """Tasks with one key share one hidden law (the same domain and shift at any level)."""
    return task.domain, str(task.options.get("shift", ""))


def _rescore(suite_tasks: dict[str, SuiteTask], path: str) -> tuple[int, int, list[str]]:
    """(laws, matched, unmatched task ids with laws) for a submission JSONL file."""
    total = matched = 0
    missed = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            task = suite_tasks.get(row.get("task", ""))
            if task is None or not isinstance(row.get("law"), str):
                continue
            total += 1
            if score_task(task, row["law"]).symbolic_match:
                matched += 1
            else:
                missed.append(f"{task.id}: {row['law']}")
    return total, matched, missed


def _tally(
    task: SuiteTask,
    result: dict[str, bool],
    tried: Counter[str],
    per_family: Counter[str],
    any_matched: list[str],
) -> None:
    for family, hit in result.items():
        key = family.split("/")[0]  # "poly/m1" is the family "poly" on input m1
        tried[key] += 1
        per_family[key] += hit
    if any(result.values()):
        any_matched.append(f"{task.id}: {[f for f, hit in result.items() if hit]}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="newton-v1", help="suite id or path")
    parser.add_argument("--limit", type=int, default=0, help="score only the first N tasks")
    parser.add_argument("--submission", help="JSONL of a bench run to re-score")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--max-accuracy", type=float, default=0.02, help="target (default 2%%)")
    args = parser.parse_args(argv)
    suite = load_suite(resolve_suite_path(args.suite))
    tasks = list(suite.tasks[: args.limit] if args.limit else suite.tasks)
    started = time.perf_counter()
    per_family: Counter[str] = Counter()
    tried: Counter[str] = Counter()
    any_matched = []
    representatives = {}
    for task in tasks:
        representatives.setdefault(_law_key(task), task)
    laws = list(representatives.values())
    verdicts: dict[tuple[str, str], dict[str, bool]] = {}
    with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
        for k, (task, result) in enumerate(
            zip(laws, pool.imap(_score_templates, laws), strict=True), 1
        ):
            verdicts[_law_key(task)] = result
            print(f"\r{k}/{len(laws)} hidden laws judged", end="", file=sys.stderr)
    for task in tasks:
        _tally(task, verdicts[_law_key(task)], tried, per_family, any_matched)
    print(file=sys.stderr)
    seconds = time.perf_counter() - started
    share = len(any_matched) / max(len(tasks), 1)
    print(f"suite {suite.id}: {len(tasks)} tasks, {sum(tried.values())} templates, {seconds:.1f} s")
    for family in sorted(tried):
        print(f"  {family:12s} matched {per_family[family]:4d} of {tried[family]:4d}")
    print(f"tasks matched by any template: {len(any_matched)}/{len(tasks)} ({share:.1%})")
    for line in any_matched:
        print(f"  {line}")
    ok = share <= args.max_accuracy
    if args.submission:
        by_id = {t.id: t for t in suite.tasks}
        total, matched, missed = _rescore(by_id, args.submission)
        print(f"submission {args.submission}: {matched} of {total} laws match under this judge")
        for line in missed:
            print(f"  no match {line}")
    print("PASS" if ok else f"FAIL: above {args.max_accuracy:.0%}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
