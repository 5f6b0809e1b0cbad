"""Benchmark suites of construction problems: ``discolab bench score alphaevolve-v1 FILE``.

A construction suite is a TOML file whose ``[suite]`` table says ``kind = "constructions"``
and lists registered problem ids (``configs/suites/alphaevolve-v1.toml``). A submission is
either one JSON object mapping problem ids to construction data (what each problem's
program would write to ``construction.json``), or JSON lines
``{"problem": "<id>", "construction": {...}}``. Every construction is scored by the trusted
verifier of its problem; nothing the file claims about scores is read.

One bad entry never voids the others: ``NaN`` or ``Infinity`` tokens are kept as markers
that the verifier refuses for that problem only, and a malformed line is reported and
skipped. The report gives, per problem, the value, the best known value and the ratio
(``value / best`` for a maximisation, ``best / value`` for a minimisation, so 1 matches the
best known and above 1 beats it). Construction runs are printed, not stored.
"""

from __future__ import annotations

import math
import time
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from discolab.environments.programs.base import ConstructionScore, Direction
from discolab.environments.programs.catalog import make_problem, problem_registry
from discolab.errors import ConfigError
from discolab.suites import resolve_suite_path, suite_kind
from discolab.verifiers.constructions.reading import InvalidConstruction, read_lenient

KIND = "constructions"
"""The ``[suite] kind`` of a construction suite."""


@dataclass(frozen=True)
class ConstructionSuite:
    """A named, versioned list of construction problem ids."""

    id: str
    description: str
    problems: tuple[str, ...]
    source: str = ""


@dataclass(frozen=True)
class ProblemResult:
    """The verdict on one problem of a suite.

    Attributes:
        problem_id: the registry id.
        direction: ``max`` or ``min``.
        best_known: the best published value.
        score: the verifier's verdict, ``None`` when nothing was submitted.
    """

    problem_id: str
    direction: Direction
    best_known: float
    score: ConstructionScore | None

    @property
    def error(self) -> str | None:
        """Why the problem has no valid construction, or ``None``."""
        if self.score is None:
            return "no construction submitted"
        return self.score.error if not self.score.valid else None

    @property
    def ratio(self) -> float | None:
        """How close to the best known: 1 matches it, above 1 beats it."""
        if self.score is None or self.score.value is None:
            return None
        return best_ratio(self.score.value, self.best_known, self.direction)


@dataclass(frozen=True)
class ConstructionReport:
    """Every problem's verdict, the submission's rejected lines and the scoring time."""

    suite_id: str
    results: tuple[ProblemResult, ...]
    rejected: tuple[str, ...]
    duration_s: float

    @property
    def valid(self) -> int:
        """How many problems have a valid construction."""
        return sum(1 for r in self.results if r.error is None)


def best_ratio(value: float, best: float, direction: Direction) -> float:
    """``value / best`` when maximising, ``best / value`` when minimising (inf for 0)."""
    if direction == "max":
        return value / best
    return best / value if value != 0 else math.inf


def is_construction_suite(value: str | Path) -> bool:
    """Whether ``value`` names a suite file whose ``[suite] kind`` is ``constructions``."""
    return suite_kind(value) == KIND


def load_construction_suite(value: str | Path) -> ConstructionSuite:
    """Read a construction suite file (a path or a name in ``configs/suites/``).

    Raises:
        ConfigError: the file is not a construction suite or lists a problem twice.
        UnknownIdError: a listed problem id is not registered.
    """
    path = resolve_suite_path(value)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"suite file {str(path)!r} is not valid TOML: {exc}") from None
    head = data.get("suite")
    if not isinstance(head, Mapping) or head.get("kind") != KIND:
        raise ConfigError(f"suite file {str(path)!r} needs [suite] kind = {KIND!r}")
    suite_id, problems = head.get("id"), head.get("problems")
    if not isinstance(suite_id, str) or not suite_id:
        raise ConfigError("suite.id must be a non-empty string, e.g. 'alphaevolve-v1'")
    if not isinstance(problems, list) or not problems:
        raise ConfigError("suite.problems must be a non-empty list of problem ids")
    registry = problem_registry()
    for problem_id in problems:
        registry.get(str(problem_id))  # raises UnknownIdError with close matches
    if len(set(problems)) != len(problems):
        raise ConfigError(f"suite {suite_id!r} lists a problem twice")
    return ConstructionSuite(suite_id, str(head.get("description", "")), tuple(problems), str(path))


def read_constructions(path: str | Path) -> tuple[dict[str, Any], list[str]]:
    """The constructions of a submission file by problem id, and its rejected lines.

    Raises:
        ConfigError: the file cannot be read or is neither a JSON object nor JSON lines.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read submission {str(path)!r}: {exc.strerror}") from None
    try:
        whole = read_lenient(raw)
    except InvalidConstruction:
        whole = None
    if isinstance(whole, dict) and not {"problem", "construction"} <= set(whole):
        return {str(k): v for k, v in whole.items()}, []
    return _read_lines(raw.splitlines())


def _read_lines(lines: Sequence[bytes]) -> tuple[dict[str, Any], list[str]]:
    found: dict[str, Any] = {}
    rejected: list[str] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = read_lenient(line)
        except InvalidConstruction as exc:
            rejected.append(f"line {number}: {exc}")
            continue
        if not (isinstance(entry, dict) and isinstance(entry.get("problem"), str)):
            rejected.append(f'line {number}: expected {{"problem": id, "construction": ...}}')
        elif "construction" not in entry:
            rejected.append(f"line {number}: no 'construction' key")
        elif entry["problem"] in found:
            rejected.append(f"line {number}: {entry['problem']} was already given")
        else:
            found[entry["problem"]] = entry["construction"]
    if not found and not rejected:
        raise ConfigError("the submission is empty; give a JSON object {problem id: construction}")
    return found, rejected


def score_constructions(
    suite: ConstructionSuite, constructions: Mapping[str, Any], rejected: Sequence[str] = ()
) -> ConstructionReport:
    """Score every problem of ``suite`` with its trusted verifier."""
    start = time.perf_counter()
    results = []
    for problem_id in suite.problems:
        problem = make_problem(problem_id)
        score = problem.score(constructions[problem_id]) if problem_id in constructions else None
        results.append(ProblemResult(problem_id, problem.direction, problem.best_known, score))
    extra = [
        f"{k}: not a problem of suite {suite.id}" for k in constructions if k not in suite.problems
    ]
    return ConstructionReport(
        suite.id, tuple(results), (*rejected, *extra), time.perf_counter() - start
    )


def construction_table(report: ConstructionReport) -> Table:
    """Per problem: direction, value, best known, ratio and status."""
    table = Table(title=f"{report.suite_id}: constructions scored by the trusted verifiers")
    for name in ("problem", "goal", "value", "best known", "ratio", "status"):
        table.add_column(name, justify="left" if name in ("problem", "status") else "right")
    for result in report.results:
        value = result.score.value if result.score is not None else None
        ratio = result.ratio
        table.add_row(
            Text(result.problem_id),
            result.direction,
            "-" if value is None else f"{value:.7g}",
            f"{result.best_known:.7g}",
            "-" if ratio is None else f"{ratio:.4f}",
            Text("valid" if result.error is None else "invalid", style=_style(result)),
        )
    return table


def print_construction_report(report: ConstructionReport, console: Console) -> None:
    """The table, the reason of every invalid entry and the total."""
    table = construction_table(report)
    if not console.is_terminal:  # piped or redirected: print at full width, never truncate
        width = console.measure(table, options=console.options.update_width(10_000)).maximum
        console = Console(highlight=False, width=max(console.width, width))
    console.print(table)
    for result in report.results:
        if result.error is not None:
            console.print(f"[red]invalid[/] {result.problem_id}: ", end="")
            console.print(result.error, markup=False)
    for line in report.rejected[:20]:
        console.print(f"[yellow]rejected[/] {line}", markup=True, highlight=False)
    ratios = [r.ratio for r in report.results if r.ratio is not None]
    mean = f", mean ratio {sum(ratios) / len(ratios):.4f}" if ratios else ""
    console.print(
        f"[bold]{report.suite_id}[/]: {report.valid}/{len(report.results)} valid{mean}, "
        f"scored in {report.duration_s:.1f} s (construction runs are not stored)"
    )


def score_construction_file(suite: str | Path, submission: Path, console: Console) -> None:
    """``bench score`` for a construction suite: read, score and print.

    Raises:
        DiscolabError: the suite or the submission file is unusable.
    """
    loaded = load_construction_suite(suite)
    constructions, rejected = read_constructions(submission)
    report = score_constructions(loaded, constructions, rejected)
    print_construction_report(report, console)


def _style(result: ProblemResult) -> str:
    return "green" if result.error is None else "red"
