"""How long hostile submissions take to score, against an honest submission of the same size.

Builds one hostile line per task of a suite (default ``newton-v1``, 324 tasks) from the task's
input names only: 384-character lines with 36 free parameters, polynomial series in logs,
formulas nested to the parser's depth limit, huge exponents and towers, ``__import__``, forms
that are NaN everywhere, duplicate task lines, plus garbage lines (not JSON, not an object, a
law that is not a string, an unknown task, a line over the size limit). It scores them as
``discolab bench score`` would, then scores an honest submission of the same size (by
default a built-in-style power law ``C*x1**C1*x2**C2...`` per task; ``--honest FILE`` takes
a real one, such as the file ``discolab bench run newton-v1`` writes), and prints both times
and their ratio.
Target (issue 9): the 324 hostile lines of newton-v1 score in 60 s or less.

``--profile`` runs the hostile scoring under cProfile and prints where the time goes;
``--kinds`` restricts the hostile lines to some kinds, ``--limit`` to N tasks spread evenly
over the suite (the figure is then scaled to 324 lines).

Run: ``.venv/bin/python bench/hostile_scoring.py [--limit 36] [--profile]``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

LINE_LENGTH = 384
FREE_PARAMETERS = 36


def _pad(law: str, length: int = LINE_LENGTH) -> str:
    """``law`` padded with spaces to exactly ``length`` characters."""
    return law + " " * max(0, length - len(law))


def many_parameters(names: Sequence[str]) -> str:
    """A sum of free power laws through exp/log: 36 parameters on one 384-character line."""
    for pool in (list(names), [min(names, key=len)]):  # long names: the shortest one only
        terms = [
            f"C{k}*exp(C{k + 1}*log({pool[(k // 2) % len(pool)]}))"
            for k in range(0, FREE_PARAMETERS, 2)
        ]
        for joiner in (" + ", "+"):
            if len(law := joiner.join(terms)) <= LINE_LENGTH:
                return _pad(law)
    return _pad(law[:LINE_LENGTH])


def log_series(names: Sequence[str]) -> str:
    """``C*exp(polynomial in log x)``: the degree-10 series template, up to the length cap."""
    x = names[0]
    terms = [f"C{k}*log({x})**{k}" for k in range(1, 11)]
    rest = [f"C{10 + i}*log({n})" for i, n in enumerate(names[1:], start=1)]
    return f"C*exp({' + '.join(terms + rest)})"


def deep_nesting(names: Sequence[str]) -> str:
    """``C*exp(log(exp(log(...x...))))`` nested to just under the parser's depth limit."""
    inner = names[0]
    for depth in range(11):
        inner = f"exp(log({inner}))" if depth % 2 else f"log(exp({inner}))"
    return f"C*{inner}"


def huge_exponents(names: Sequence[str]) -> str:
    """Towers and exponentials that overflow anywhere in the domain."""
    x = names[0]
    return f"C*exp(exp(exp({x}*1e300))) + C1*{x}**C2**C3**C4 + C5*exp({x}**C6)"


def import_call(names: Sequence[str]) -> str:
    """Code, not a formula: must be refused by the parser without running."""
    return "__import__('os').system('touch /tmp/discolab-hostile-pwned')"


def nan_forms(names: Sequence[str]) -> str:
    """NaN on every point: logs and roots of negatives, 0/0."""
    x = names[0]
    return f"C*log(-{x}) + C1*sqrt(-{x} - 1) + ({x} - {x})/({x} - {x})"


def nested_powers(names: Sequence[str]) -> str:
    """Free exponents of free exponents: ``((x**C1)**C2)**C3 ...`` over every input."""
    parts = []
    for i, x in enumerate(names):
        parts.append(f"((({x}**C{3 * i + 1})**C{3 * i + 2})**C{3 * i + 3})")
    return "C*" + "*".join(parts)


def power_law(names: Sequence[str]) -> str:
    """The honest built-in-style template: ``C*x1**C1*x2**C2...``."""
    return "C*" + "*".join(f"{x}**C{i + 1}" for i, x in enumerate(names))


KINDS: dict[str, Callable[[Sequence[str]], str]] = {
    "many-parameters": many_parameters,
    "log-series": log_series,
    "deep-nesting": deep_nesting,
    "huge-exponents": huge_exponents,
    "import": import_call,
    "nan": nan_forms,
    "nested-powers": nested_powers,
    "duplicate": many_parameters,  # written twice: both lines are refused
}
GARBAGE = [
    "this is not JSON {",
    "[1, 2, 3]",
    json.dumps({"law": "C"}),
    json.dumps({"task": "newton/nowhere-v1#easy-1", "law": "C"}),
    json.dumps({"task": "x", "law": "C" * 70_000}),
]


def input_names(task: object) -> list[str]:
    """The task's formula input names (what a law-free template may use)."""
    from discolab.environments.catalog import make_environment

    env = make_environment(task.env_id, **dict(task.options))  # type: ignore[attr-defined]
    return list(env.spec.formula_names)


def write_submissions(
    tasks: Sequence[object], kinds: Sequence[str], folder: Path
) -> tuple[Path, Path, Counter]:
    """The hostile and the honest JSONL files for ``tasks``, and the hostile kinds used."""
    hostile, honest, used = [], [], Counter()
    for index, task in enumerate(tasks):
        names = input_names(task)
        kind = kinds[index % len(kinds)]
        used[kind] += 1
        line = json.dumps({"task": task.id, "law": KINDS[kind](names)})  # type: ignore[attr-defined]
        hostile += [line, line] if kind == "duplicate" else [line]
        honest.append(json.dumps({"task": task.id, "law": power_law(names)}))  # type: ignore[attr-defined]
        if index < len(GARBAGE):
            hostile.append(GARBAGE[index])
        if index == 0:
            hostile.append(json.dumps({"task": task.id, "law": 42}))  # type: ignore[attr-defined]
    hostile_path, honest_path = folder / "hostile.jsonl", folder / "honest.jsonl"
    hostile_path.write_text("\n".join(hostile) + "\n", encoding="utf-8")
    honest_path.write_text("\n".join(honest) + "\n", encoding="utf-8")
    return hostile_path, honest_path, used


def timed_score(
    suite: object, path: Path, profile: bool = False
) -> tuple[float, object, str, float]:
    """Seconds to read and score ``path`` (like ``bench score``), the report, a profile, and
    the CPU seconds (the figure to trust on a loaded machine)."""
    from discolab.scoring import read_submission, score_submission

    profiler = cProfile.Profile() if profile else None
    started, cpu = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    report = score_submission(suite, read_submission(path, suite))  # type: ignore[arg-type]
    if profiler is not None:
        profiler.disable()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    text = ""
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(35)
        text = out.getvalue()
    return seconds, report, text, cpu


def main(argv: Sequence[str] | None = None) -> int:
    """Build both submissions, score them, print the times, the ratio and the verdicts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", default="newton-v1", help="suite name or TOML path")
    parser.add_argument(
        "--limit", type=int, default=0, help="N tasks spread evenly over the suite (0: all)"
    )
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated hostile kinds")
    parser.add_argument("--profile", action="store_true", help="cProfile the hostile scoring")
    parser.add_argument("--no-honest", action="store_true", help="skip the honest submission")
    parser.add_argument("--honest", metavar="FILE", help="honest submission JSONL to time")
    parser.add_argument("--budget", type=float, default=60.0, help="target seconds (324 lines)")
    args = parser.parse_args(argv)
    from discolab.suites import Suite, load_suite

    suite = load_suite(args.suite)
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        print(f"error: unknown kinds {unknown}; choose from {', '.join(KINDS)}", file=sys.stderr)
        return 2
    tasks = suite.tasks
    if 0 < args.limit < len(tasks):
        tasks = tuple(tasks[i * len(tasks) // args.limit] for i in range(args.limit))
    suite = Suite(id=suite.id, description=suite.description, tasks=tuple(tasks))
    with tempfile.TemporaryDirectory() as folder:
        hostile, honest, used = write_submissions(tasks, kinds, Path(folder))
        lines = sum(1 for _ in hostile.open(encoding="utf-8"))
        print(f"{suite.id}: {len(tasks)} tasks, {lines} hostile lines ({dict(used)})")
        bad_s, report, profile, bad_cpu = timed_score(suite, hostile, profile=args.profile)
        matched = sum(s.symbolic_match for s in report.scores)  # type: ignore[attr-defined]
        slowest = Counter()
        print(
            f"hostile: {bad_s:.1f} s ({bad_s / len(tasks):.3f} s/task, CPU {bad_cpu:.1f} s), "
            f"{matched} matched"
        )
        print(f"hostile: {len(report.rejected_lines)} lines rejected before scoring")  # type: ignore[attr-defined]
        for s in report.scores:  # type: ignore[attr-defined]
            slowest[(s.error or "scored")[:70]] += 1
        for reason, count in slowest.most_common(8):
            print(f"  {count:4d} x {reason}")
        if args.honest:
            wanted = {t.id for t in tasks}
            kept = [
                line
                for line in Path(args.honest).read_text(encoding="utf-8").splitlines()
                if line.strip() and json.loads(line).get("task") in wanted
            ]
            honest.write_text("\n".join(kept) + "\n", encoding="utf-8")
        if not args.no_honest:
            good_s, good, _, good_cpu = timed_score(suite, honest)
            good_matched = sum(s.symbolic_match for s in good.scores)  # type: ignore[attr-defined]
            per_task = good_s / len(tasks)
            print(
                f"honest:  {good_s:.1f} s ({per_task:.3f} s/task, CPU {good_cpu:.1f} s), "
                f"{good_matched} matched"
            )
            print(f"ratio hostile/honest: {bad_s / good_s:.2f}x (CPU {bad_cpu / good_cpu:.2f}x)")
        scale = 324 / len(tasks)
        verdict = "within" if bad_cpu * scale <= args.budget else "OVER"
        print(
            f"hostile, scaled to 324 lines: CPU {bad_cpu * scale:.1f} s ({verdict} {args.budget:g} "
            f"s), wall {bad_s * scale:.1f} s (wall grows with the machine's load)"
        )
        if profile:
            print(profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
