"""Benchmark suites of PCF tasks: ``discolab bench score constants-v1 FILE``.

A constants suite is a TOML file whose ``[suite]`` table says ``kind = "constants"`` and
whose ``[[tasks]]`` each give the ``constants/pcf-v1`` options (target, degree and
coefficient bounds, digits) and a criterion:

* ``verified`` — at least one formula verifies for the target;
* ``delta`` — some verified formula has δ > ``min_delta``;
* ``rate`` — some verified formula converges faster than ``min_rate`` digits per term;
* ``count`` — as many distinct formulas as possible (``min_count`` to pass); formulas are
  distinct when their canonical forms differ, so inflated copies count once.

A submission is a JSON object ``{task id: [PCF text, ...]}`` or JSON lines
``{"task": id, "formula": "PCF(...)"}``. Every formula is re-verified here; nothing the
file claims about digits, rate or δ is read. Constants runs are printed, not stored.
"""

from __future__ import annotations

import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from discolab.environments.constants.environment import PcfEnvironment, make_pcf_environment
from discolab.environments.constants.pcf import canonical
from discolab.errors import ConfigError
from discolab.submissions import read_submission_file
from discolab.suites import resolve_suite_path, suite_kind
from discolab.verifiers.constants import PcfVerdict

KIND = "constants"
CRITERIA = ("verified", "delta", "rate", "count")
MAX_FORMULAS_PER_TASK = 500
"""Formulas scored per task; the rest of an oversized entry is ignored and reported."""
MAX_SUBMISSION_BYTES = 20_000_000


@dataclass(frozen=True)
class ConstantsTask:
    """One task of a constants suite."""

    id: str
    title: str
    tier: str
    environment: PcfEnvironment
    criterion: str
    threshold: float


@dataclass(frozen=True)
class ConstantsSuite:
    """A named, versioned list of PCF tasks."""

    id: str
    description: str
    tasks: tuple[ConstantsTask, ...]


@dataclass(frozen=True)
class TaskResult:
    """The verdict on one task: distinct verified formulas and whether the criterion holds."""

    task: ConstantsTask
    submitted: int
    verified: tuple[PcfVerdict, ...]
    first_failure: str | None
    ignored: int = 0

    @property
    def best(self) -> float | None:
        """The figure the criterion is about (best δ, best rate, or the count)."""
        c = self.task.criterion
        if c == "count":
            return float(len(self.verified))
        values = [getattr(v, c) for v in self.verified if getattr(v, c, None) is not None]
        return max(values) if values else None

    @property
    def passed(self) -> bool:
        """Whether the task's criterion holds."""
        if not self.verified:
            return False
        c, best = self.task.criterion, self.best
        if c == "verified":
            return True
        return best is not None and (
            best >= self.task.threshold if c == "count" else best > self.task.threshold
        )


def is_constants_suite(value: str | Path) -> bool:
    """Whether ``value`` names a suite file whose ``[suite] kind`` is ``constants``."""
    return suite_kind(value) == KIND


def load_constants_suite(value: str | Path) -> ConstantsSuite:
    """Read a constants suite (a path or a name in ``configs/suites/``)."""
    path = resolve_suite_path(value)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    head = data.get("suite", {})
    tasks: list[ConstantsTask] = []
    seen: set[str] = set()
    for i, raw in enumerate(data.get("tasks", [])):
        where = f"{path.name}: tasks[{i}]"
        raw = dict(raw)
        tid = raw.pop("id", None)
        if not isinstance(tid, str) or tid in seen:
            raise ConfigError(f"{where}: id must be a unique string, got {tid!r}")
        seen.add(tid)
        criterion = raw.pop("criterion", "verified")
        if criterion not in CRITERIA:
            raise ConfigError(f"{where}: criterion {criterion!r} is not one of {CRITERIA}")
        threshold = float(raw.pop("threshold", 1 if criterion == "count" else 0))
        title, tier = str(raw.pop("title", tid)), str(raw.pop("tier", "dev"))
        env_id = raw.pop("env", "constants/pcf-v1")
        tasks.append(
            ConstantsTask(
                tid, title, tier, make_pcf_environment(env_id, **raw), criterion, threshold
            )
        )
    if not tasks:
        raise ConfigError(f"{path.name}: a constants suite needs [[tasks]]")
    return ConstantsSuite(
        str(head.get("id", path.stem)), str(head.get("description", "")), tuple(tasks)
    )


def read_submission(path: Path) -> tuple[dict[str, list[str]], list[str]]:
    """``{task id: formulas}`` from a JSON object or JSON lines, and the rejected lines."""
    parsed = read_submission_file(path, MAX_SUBMISSION_BYTES)
    entries: dict[str, list[str]] = {}
    rejected = list(parsed.rejected)
    if parsed.whole is not None:
        for task, formulas in parsed.whole.items():
            items = formulas if isinstance(formulas, list) else [formulas]
            for f in items:
                if isinstance(f, str):
                    entries.setdefault(str(task), []).append(f)
                else:
                    rejected.append(f"{task}: {str(f)[:60]!r} is not a PCF text")
        return entries, rejected
    for n, row in parsed.rows:
        if not (
            isinstance(row, dict)
            and isinstance(row.get("task"), str)
            and isinstance(row.get("formula"), str)
        ):
            rejected.append(f'line {n}: expected {{"task": id, "formula": "PCF(...)"}}')
            continue
        entries.setdefault(row["task"], []).append(row["formula"])
    return entries, rejected


def score_task(task: ConstantsTask, formulas: list[str]) -> TaskResult:
    """Verify every formula of one task and keep the distinct verified ones."""
    kept, ignored = formulas[:MAX_FORMULAS_PER_TASK], max(0, len(formulas) - MAX_FORMULAS_PER_TASK)
    verified: dict[str, PcfVerdict] = {}
    failure: str | None = None
    for text in kept:
        verdict = task.environment.check(text)
        if verdict.verified and verdict.pcf is not None:
            verified.setdefault(canonical(verdict.pcf).text, verdict)
        elif failure is None:
            failure = f"{text[:60]}: {verdict.status}: {verdict.reason}"
    return TaskResult(task, len(formulas), tuple(verified.values()), failure, ignored)


def score_constants_file(suite: str, submission: Path, console: Console) -> list[TaskResult]:
    """Score a submission against every task of ``suite`` and print the report."""
    loaded = load_constants_suite(suite)
    entries, rejected = read_submission(submission)
    started = time.monotonic()
    known = {t.id for t in loaded.tasks}
    for task_id in entries:
        if task_id not in known:
            rejected.append(f"unknown task {task_id!r}")
    results = [score_task(t, entries.get(t.id, [])) for t in loaded.tasks]
    _print(loaded, results, rejected, time.monotonic() - started, console)
    return results


def _print(
    suite: ConstantsSuite,
    results: list[TaskResult],
    rejected: list[str],
    seconds: float,
    console: Console,
) -> None:
    table = Table(title=f"{suite.id}: {suite.description}")
    for col in (
        "task",
        "tier",
        "criterion",
        "submitted",
        "verified",
        "best",
        "pass",
        "first failure",
    ):
        table.add_column(
            col, justify="right" if col in ("submitted", "verified", "best") else "left"
        )
    for r in results:
        t = r.task
        crit = (
            t.criterion
            if t.criterion == "verified"
            else f"{t.criterion} {'≥' if t.criterion == 'count' else '>'} {t.threshold:g}"
        )
        table.add_row(
            t.id,
            t.tier,
            crit,
            str(r.submitted),
            str(len(r.verified)),
            "-" if r.best is None else f"{r.best:.3g}",
            "✓" if r.passed else "✗",
            (r.first_failure or "")[:70] + (f" (+{r.ignored} ignored)" if r.ignored else ""),
        )
    console.print(table)
    passed = sum(r.passed for r in results)
    console.print(
        f"{passed}/{len(results)} tasks passed; every formula re-verified in {seconds:.1f} s"
    )
    for line in rejected:
        console.print(f"[yellow]rejected[/] {line}", markup=True)


def task_json(result: TaskResult) -> dict[str, Any]:
    """A JSON-ready line of the report (for scripts)."""
    return {
        "task": result.task.id,
        "submitted": result.submitted,
        "verified": [v.pcf.text for v in result.verified if v.pcf is not None],
        "best": result.best,
        "passed": result.passed,
    }
