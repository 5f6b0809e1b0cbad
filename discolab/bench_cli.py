"""``discolab bench``: run an agent over a suite and score anyone's submission.

Kept apart from :mod:`discolab.cli` so the campaign commands stay small; mounted there as the
``bench`` sub-command.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)

SuiteArg = Annotated[str, typer.Argument(help="Suite name in configs/suites/ or a TOML path.")]


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[last]}"),
        console=console,
    )


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def print_report(report: Any, console: Console) -> None:
    """The per-system, per-difficulty and per-domain tables, then the total."""
    for attribute in ("system", "difficulty", "domain"):
        table = Table(title=f"{report.suite_id} by {attribute}")
        for col in (attribute, "tasks", "symbolic match", "accuracy", "mean score", "median RMSLE"):
            table.add_column(col, justify="left" if col == attribute else "right")
        for row in report.by(attribute):
            table.add_row(
                row["group"],
                str(row["tasks"]),
                str(row["matched"]),
                _pct(row["accuracy"]),
                f"{row['mean_score']:.3f}",
                f"{row['median_rmsle']:.3g}" if math.isfinite(row["median_rmsle"]) else "inf",
            )
        console.print(table)
    total = report.total()
    console.print(
        f"[bold]{report.suite_id}[/]: {total['matched']}/{total['tasks']} symbolic matches "
        f"({_pct(total['accuracy'])}), mean score {total['mean_score']:.3f}, "
        f"{total['failed']} failed, scored in {report.duration_s:.1f} s"
    )
    for line in report.rejected_lines[:20]:
        console.print(f"[yellow]rejected[/] {line}", markup=True, highlight=False)
    if len(report.rejected_lines) > 20:
        console.print(f"[yellow]... and {len(report.rejected_lines) - 20} more rejected lines")


def _score(suite: Any, submission_path: Path, console: Console) -> Any:
    from discolab.scoring import read_submission, score_submission

    submission = read_submission(submission_path, suite)
    with _progress(console) as bar:
        task = bar.add_task("scoring", total=len(suite.tasks), last="")
        report = score_submission(
            suite,
            submission,
            on_task=lambda s: bar.update(task, advance=1, last=s.task.id),
        )
    return report


@app.command("score")
def score(
    suite: SuiteArg,
    submission: Annotated[Path, typer.Argument(help="JSONL file: one {task, law} per line.")],
) -> None:
    """Score a submission made by anyone against every task of a suite."""
    from discolab.suites import load_suite

    console = Console(highlight=False)
    loaded = load_suite(suite)
    report = _score(loaded, submission, console)
    print_report(report, console)


@app.command("run")
def run(
    suite: SuiteArg,
    proposer: Annotated[str, typer.Option(help="builtin or a model string.")] = "builtin",
    name: Annotated[
        str | None, typer.Option(help="Run name; the same name resumes the run.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Submission file (default: runs/<name>.jsonl).")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Tasks run in parallel.")] = 2,
    db: Annotated[str | None, typer.Option("--db", envvar="DISCOLAB_DB")] = None,
) -> None:
    """Run an agent over every task of a suite, write a submission, then score it."""
    from discolab.bench_runner import run_suite
    from discolab.campaign import resolve_database_url
    from discolab.suites import load_suite

    console = Console(highlight=False)
    loaded = load_suite(suite)
    run_name = name or f"{loaded.id}-{proposer.replace(':', '-')}"
    submission = out or Path("runs") / f"{run_name}.jsonl"
    with _progress(console) as bar:
        task = bar.add_task(f"{loaded.id}", total=len(loaded.tasks), last="")
        from discolab.bench_runner import done_tasks

        bar.update(task, completed=len(done_tasks(submission) & {t.id for t in loaded.tasks}))
        run_suite(
            database_url=resolve_database_url(db),
            suite=loaded,
            proposer=proposer,
            options={},
            run_name=run_name,
            submission=submission,
            workers=workers,
            on_outcome=lambda o: bar.update(task, advance=1, last=f"{o.task_id}: {o.law}"),
        )
    console.print(f"submission written to {submission}")
    report = _score(loaded, submission, console)
    print_report(report, console)
