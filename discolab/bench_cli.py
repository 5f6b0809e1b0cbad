"""``discolab bench``: run an agent over a suite, score anyone's submission, rank stored runs.

Scored runs are stored in the campaign database (``--db`` / ``$DISCOLAB_DB``) so that
``bench leaderboard`` can rank them later. Kept apart from :mod:`discolab.cli` so the
campaign commands stay small; mounted there as the ``bench`` sub-command.
"""

from __future__ import annotations

import math
import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)

SuiteArg = Annotated[str, typer.Argument(help="Suite name in configs/suites/ or a TOML path.")]
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL or SQLite file (default: $DISCOLAB_DB or .discolab/discolab.db).",
        envvar="DISCOLAB_DB",
    ),
]


SecretOption = Annotated[
    str | None,
    typer.Option(
        "--secret",
        help="Secret seed of a private split (default: $DISCOLAB_SUITE_SEED for a private one).",
    ),
]

suite_app = typer.Typer(no_args_is_help=True, help="Create benchmark suites.")
app.add_typer(suite_app, name="suite")


def _load(suite: str, secret: str | None) -> Any:
    """Load ``suite``; a private split takes ``--secret`` or ``$DISCOLAB_SUITE_SEED``."""
    from discolab.constants.bench import is_constants_suite
    from discolab.construction_bench import is_construction_suite
    from discolab.efa.suite import is_efa_suite
    from discolab.errors import ConfigError
    from discolab.splits import SEED_ENV
    from discolab.suites import is_private, load_suite

    if is_construction_suite(suite) or is_constants_suite(suite) or is_efa_suite(suite):
        kind = {True: "construction", False: "constants or EFA"}[is_construction_suite(suite)]
        raise ConfigError(f"{suite} is a {kind} suite; score it with: bench score {suite} FILE")
    if secret is None and is_private(suite):
        secret = os.environ.get(SEED_ENV)
    return load_suite(suite, secret=secret)


class GroupBy(StrEnum):
    """Task attributes the leaderboard's accuracy columns can split by."""

    system = "system"
    difficulty = "difficulty"
    domain = "domain"


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


def _num(value: float) -> str:
    return f"{value:.3g}" if math.isfinite(value) else "inf"


def _interval(value: Any) -> str:
    """``mean [low, high]`` of a :class:`~discolab.bench_metrics.SeedInterval`, in percent."""
    return f"{_pct(value.mean)} [{_pct(value.low)}, {_pct(value.high)}]"


SeedOption = Annotated[
    int | None,
    typer.Option(
        help="The agent's seed of this run; runs of one label with several seeds get a mean "
        "and 95% interval on the leaderboard."
    ),
]


def print_report(report: Any, console: Console) -> None:
    """The per-system, per-difficulty and per-domain tables, then the total."""
    from discolab.bench_metrics import TOLERANCE

    tol = f"acc@{TOLERANCE:g}"
    columns = ("tasks", "symbolic match", "accuracy", tol, "median OOD NMSE", "mean score")
    for attribute in ("system", "difficulty", "domain"):
        table = Table(title=f"{report.suite_id} by {attribute}")
        for col in (attribute, *columns, "median RMSLE"):
            table.add_column(col, justify="left" if col == attribute else "right")
        for row in report.by(attribute):
            table.add_row(
                row["group"],
                str(row["tasks"]),
                str(row["matched"]),
                _pct(row["accuracy"]),
                _pct(row["accuracy_at_tolerance"]),
                _num(row["median_ood_nmse"]),
                f"{row['mean_score']:.3f}",
                _num(row["median_rmsle"]),
            )
        console.print(table)
    total = report.total()
    console.print(
        f"[bold]{report.suite_id}[/]: {total['matched']}/{total['tasks']} symbolic matches "
        f"({_pct(total['accuracy'])}), {total['within_tolerance']} within relative error "
        f"{TOLERANCE:g} on held-out points ({_pct(total['accuracy_at_tolerance'])}), median "
        f"OOD NMSE {_num(total['median_ood_nmse'])}, mean score {total['mean_score']:.3f}, "
        f"{total['failed']} failed, scored in {report.duration_s:.1f} s"
    )
    for line in report.rejected_lines[:20]:
        console.print(f"[yellow]rejected[/] {line}", markup=True, highlight=False)
    if len(report.rejected_lines) > 20:
        console.print(f"[yellow]... and {len(report.rejected_lines) - 20} more rejected lines")


def _score(suite: Any, submission_path: Path, console: Console) -> tuple[Any, Any]:
    """The parsed submission and its score report, with a progress bar."""
    from discolab.scoring import read_submission, score_submission

    submission = read_submission(submission_path, suite)
    with _progress(console) as bar:
        task = bar.add_task("scoring", total=len(suite.tasks), last="")
        report = score_submission(
            suite,
            submission,
            on_task=lambda s: bar.update(task, advance=1, last=s.task.id),
        )
    return submission, report


def _store(
    db: str | None,
    suite: Any,
    report: Any,
    submission_path: Path,
    label: str | None,
    submission: Any,
    console: Console,
    *,
    ran_by: str | None = None,
    seed: int | None = None,
    assistance: str | None = None,
) -> None:
    """Store a scored run in the campaign database and say where it went.

    ``ran_by`` is the proposer ``bench run`` ran; a scored file passes None (self-reported).
    ``assistance`` is known for a ``bench run``; a scored file says its own (or nothing).
    """
    from discolab.campaign import resolve_database_url
    from discolab.leaderboard import store_report
    from discolab.storage import BenchmarkStore, Database

    with Database(resolve_database_url(db)) as database:
        run, replaced = store_report(
            BenchmarkStore(database),
            suite,
            report,
            submission_path,
            label=label,
            submission=submission,
            ran_by=ran_by,
            seed=seed,
            assistance=assistance,
        )
        verb = "replaced stored run" if replaced else "stored run"
        console.print(f"{verb} [bold]{run.id}[/] as ", end="")
        console.print(repr(run.label), markup=False, end="")
        console.print(f" (assistance: {run.spec.assistance})", markup=False, end="")
        console.print(f" in {database.location}", markup=False)


@app.command("score")
def score(
    suite: SuiteArg,
    submission: Annotated[
        Path,
        typer.Argument(
            help="JSONL file: one {task, law} per line; for a construction suite, a JSON "
            "object {problem id: construction}."
        ),
    ],
    db: DbOption = None,
    label: Annotated[
        str | None,
        typer.Option(help="Name of the run on the leaderboard (default: the file's stem)."),
    ] = None,
    store: Annotated[
        bool, typer.Option("--store/--no-store", help="Store the scored run in the database.")
    ] = True,
    seed: SeedOption = None,
    secret: SecretOption = None,
) -> None:
    """Score a submission made by anyone against every task of a suite, and store the run.

    Scoring the same file again for the same suite and label replaces the stored run. The
    run is self-reported: a proposer named in the file is shown as a claim, never trusted.
    """
    from discolab.errors import ConfigError

    if label is not None and not label.strip():
        raise ConfigError("--label must not be empty; name the run, e.g. --label my-model")
    console = Console(highlight=False)
    from discolab.constants.bench import is_constants_suite, score_constants_file
    from discolab.construction_bench import is_construction_suite, score_construction_file

    if is_construction_suite(suite):  # construction problems: scored, printed, not stored
        score_construction_file(suite, submission, console)
        return
    if is_constants_suite(suite):  # PCF tasks: every formula re-verified, printed, not stored
        score_constants_file(suite, submission, console)
        return
    from discolab.efa.bench import score_efa_file
    from discolab.efa.suite import is_efa_suite

    if is_efa_suite(suite):  # generated problems: every answer checked exactly, printed
        score_efa_file(suite, submission, console)
        return
    loaded = _load(suite, secret)
    parsed, report = _score(loaded, submission, console)
    print_report(report, console)
    if store:
        _store(db, loaded, report, submission, label, parsed, console, seed=seed)


@app.command("run")
def run(
    suite: SuiteArg,
    proposer: Annotated[
        str,
        typer.Option(
            help="builtin, builtin-sim (fits laws through the apparatus' forward simulation "
            "instead of its inversion; assistance 'simulator') or a model string."
        ),
    ] = "builtin",
    name: Annotated[
        str | None, typer.Option(help="Run name; the same name resumes the run.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Submission file (default: runs/<name>.jsonl).")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Tasks run in parallel.")] = 2,
    db: DbOption = None,
    seed: SeedOption = None,
    secret: SecretOption = None,
    inversion: Annotated[
        bool,
        typer.Option(
            help="Show a model proposer the law samples the apparatus' inversion reads out of "
            "its records on system tasks, as the built-in has them (assistance 'inversion')."
        ),
    ] = False,
) -> None:
    """Run an agent over every task of a suite, write a submission, score and store it.

    The run is stored under its name with the proposer that ran and the assistance it had, so
    it appears on ``bench leaderboard`` beside runs that had the same. With ``--seed`` the
    agent's seed replaces the suite's; runs of one name with several seeds are stored under
    that name and summarised across seeds.
    """
    from discolab.bench_runner import run_suite
    from discolab.campaign import resolve_database_url
    from discolab.errors import ConfigError

    if inversion and proposer in ("builtin", "builtin-sim"):
        raise ConfigError(
            "--inversion is for model proposers: the built-in always reads law samples "
            "through the apparatus' inversion on system tasks, and builtin-sim never does "
            "(it fits laws through the forward simulation)"
        )
    console = Console(highlight=False)
    from discolab.efa.suite import is_efa_suite

    if is_efa_suite(suite):  # generated problems: the built-in solver, printed, not stored
        if proposer != "builtin":
            raise ConfigError(f"{suite} is an EFA suite: only --proposer builtin runs it")
        from discolab.efa.bench import run_efa_builtin

        run_efa_builtin(suite, out, console)
        return
    loaded = _load(suite, secret)
    run_name = name or f"{loaded.id}-{proposer.replace(':', '-')}"
    campaign_name = run_name if seed is None else f"{run_name}-seed{seed}"
    submission = out or Path("runs") / f"{campaign_name}.jsonl"
    with _progress(console) as bar:
        task = bar.add_task(f"{loaded.id}", total=len(loaded.tasks), last="")
        from discolab.bench_runner import done_tasks

        bar.update(task, completed=len(done_tasks(submission) & {t.id for t in loaded.tasks}))
        run_suite(
            database_url=resolve_database_url(db),
            suite=loaded,
            proposer=proposer,
            options={"inversion": True} if inversion else {},
            run_name=campaign_name,
            submission=submission,
            workers=workers,
            seed=seed,
            on_outcome=lambda o: bar.update(task, advance=1, last=f"{o.task_id}: {o.law}"),
        )
    console.print(f"submission written to {submission}")
    parsed, report = _score(loaded, submission, console)
    print_report(report, console)
    from discolab.bench_runner import run_assistance

    assistance = run_assistance(resolve_database_url(db), loaded, campaign_name)
    _store(
        db,
        loaded,
        report,
        submission,
        run_name,
        parsed,
        console,
        ran_by=proposer,
        seed=seed,
        assistance=assistance,
    )


@suite_app.command("new")
def suite_new(
    name: Annotated[str, typer.Argument(help="Id of the new private split, e.g. my-split-1.")],
    seed: Annotated[
        str,
        typer.Option(
            "--seed", help="The secret seed (at least 8 characters); keep it off disk.", prompt=True
        ),
    ],
    generator: Annotated[str, typer.Option(help="Variant generator version: v1 or v2.")] = "v2",
    out: Annotated[
        Path | None, typer.Option(help="Suite file (default: configs/suites/NAME.toml).")
    ] = None,
    env: Annotated[str, typer.Option(help="Environment ids or glob to cover.")] = "newton/*",
    noise: Annotated[float, typer.Option(min=0.0, max=1.0, help="Relative noise.")] = 0.0,
    budget: Annotated[int, typer.Option(min=1, help="Experiment calls per task.")] = 10,
    force: Annotated[bool, typer.Option(help="Overwrite an existing suite file.")] = False,
) -> None:
    """Create a private split: unseen variants of the suite grammar, redrawn from a secret.

    The suite file holds a salt and a salted hash of the secret, never a law; scoring or
    running it needs the same secret again (--secret or $DISCOLAB_SUITE_SEED).
    """
    import tomllib

    from discolab.environments.catalog import make_environment
    from discolab.errors import ConfigError
    from discolab.splits import new_private_split, private_suite_text
    from discolab.suites import suite_from_dict

    path = out or Path("configs") / "suites" / f"{name}.toml"
    if path.exists() and not force:
        raise ConfigError(f"suite file {str(path)!r} exists; pass --force to overwrite it")
    split = new_private_split(seed, generator)
    text = private_suite_text(
        name,
        split,
        description=f"Private split ({generator} generator): {env} x 9 unseen variants",
        options={"noise": float(noise), "budget": int(budget), "seed": 0},
        env=env,
    )
    loaded = suite_from_dict(tomllib.loads(text), source=str(path), secret=seed)
    console = Console(highlight=False)
    with _progress(console) as bar:  # draw every law once, in memory, so the split is usable
        task = bar.add_task("drawing the private laws", total=len(loaded.tasks), last="")
        for entry in loaded.tasks:
            make_environment(entry.env_id, **dict(entry.options))
            bar.update(task, advance=1, last=entry.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    console.print(f"wrote private split {name} ({len(loaded.tasks)} tasks) to {path}")
    console.print(f"score with: discolab bench score {path} SUBMISSION.jsonl --secret SECRET")


def _date(run: Any) -> str:
    return run.created_at.strftime("%Y-%m-%d")


@app.command("leaderboard")
def leaderboard(
    suite: SuiteArg,
    db: DbOption = None,
    by: Annotated[
        GroupBy, typer.Option(help="Split the accuracy columns by this task attribute.")
    ] = GroupBy.system,
    show_all: Annotated[
        bool,
        typer.Option("--all", help="Also show runs scored on an older task list of the suite."),
    ] = False,
    secret: SecretOption = None,
) -> None:
    """Rank the stored runs of a suite: accuracy, then accuracy at tolerance, then OOD NMSE."""
    from discolab.campaign import resolve_database_url
    from discolab.leaderboard import build_leaderboard
    from discolab.storage import BenchmarkStore, Database

    console = Console(highlight=False)
    loaded = _load(suite, secret)
    with Database(resolve_database_url(db)) as database:
        if database.path is not None and not database.path.exists():
            board = None
        else:
            board = build_leaderboard(
                BenchmarkStore(database), loaded, by=by.value, include_stale=show_all
            )
        if board is None or not board.rows:
            console.print(
                f"no stored runs of suite {loaded.id} in {database.location}; score one with: "
                f"discolab bench score {suite} SUBMISSION.jsonl",
                markup=False,
            )
            if board is not None and board.hidden:
                console.print(
                    f"{board.hidden} run(s) scored on an older task list of {loaded.id} are "
                    "hidden; show them with --all"
                )
            return
    _print_leaderboard(board, len(loaded.tasks), console)


def _print_leaderboard(board: Any, suite_tasks: int, console: Console) -> None:
    """One ranked table per assistance class: assisted and unassisted runs never share one."""
    from discolab.bench_metrics import TOLERANCE

    stale = False
    for assistance in board.classes:
        stale = _print_class(board, assistance, suite_tasks, console) or stale
    if board.seeds:
        console.print(_seed_table(board, TOLERANCE))
    if stale:
        console.print("† scored on an older task list of this suite")
    if board.hidden:
        console.print(
            f"{board.hidden} run(s) scored on an older task list of {board.suite_id} are hidden; "
            "show them with --all"
        )


def _print_class(board: Any, assistance: str, suite_tasks: int, console: Console) -> bool:
    """The table of one assistance class; whether it showed a stale run."""
    from discolab.bench_metrics import TOLERANCE
    from discolab.leaderboard import proposer_label

    title = (
        f"{board.suite_id} leaderboard, assistance: {assistance} ({suite_tasks} tasks, best first)"
    )
    table = Table(title=title)
    head = ("#", "label", "accuracy", f"acc@{TOLERANCE:g}", "OOD NMSE", "mean score")
    for name in (*head, *board.columns, "tasks", "failed"):
        table.add_column(name, justify="left" if name == "label" else "right", no_wrap=True)
    table.add_column("proposer", no_wrap=True)
    table.add_column("date", no_wrap=True)
    stale = False
    for row in board.ranked(assistance):
        run = row.run
        groups = [
            _pct(row.groups[name].accuracy) if name in row.groups else "-" for name in board.columns
        ]
        name = run.label if run.spec.seed is None else f"{run.label} (seed {run.spec.seed})"
        label = Text(name if row.current else f"{name} †")
        stale = stale or not row.current
        table.add_row(
            str(row.rank),
            label,
            _pct(run.accuracy),
            _pct(run.accuracy_at_tolerance),
            _num(run.ood_nmse),
            f"{run.mean_score:.3f}",
            *groups,
            str(run.tasks),
            str(run.failed),
            Text(proposer_label(run)),
            _date(run),
        )
    if not console.is_terminal:  # piped or redirected: print at full width, never truncate
        width = console.measure(table, options=console.options.update_width(10_000)).maximum
        console = Console(highlight=False, width=max(console.width, width))
    console.print(table)
    return stale


def _seed_table(board: Any, tolerance: float) -> Table:
    """Labels run with several seeds: mean accuracy with its 95% Student-t interval."""
    table = Table(title=f"{board.suite_id} across seeds (mean [95% t-interval])")
    for name in ("label", "seeds", "accuracy", f"acc@{tolerance:g}", "per seed", "proposer"):
        table.add_column(name, justify="left" if name in ("label", "proposer") else "right")
    for group in board.seeds:
        table.add_row(
            Text(group.label),
            str(len(group.seeds)),
            _interval(group.accuracy),
            _interval(group.accuracy_at_tolerance),
            " ".join(
                f"{seed}:{_pct(a)}" for seed, a in zip(group.seeds, group.accuracies, strict=True)
            ),
            Text(group.proposer),
        )
    return table


@app.command("spread")
def spread(
    suites: Annotated[list[str], typer.Argument(help="Stored suite ids (e.g. private seeds).")],
    label: Annotated[str, typer.Option(help="The run label to compare across the suites.")],
    db: DbOption = None,
) -> None:
    """One label's accuracy on several suites: per suite, then mean and 95% t-interval.

    Reads stored runs only (the newest run of the label per suite), so suites made from a
    secret seed need neither their file nor the seed here.
    """
    from discolab.bench_metrics import TOLERANCE
    from discolab.campaign import resolve_database_url
    from discolab.leaderboard import proposer_label, spread_across_suites
    from discolab.storage import BenchmarkStore, Database

    console = Console(highlight=False)
    with Database(resolve_database_url(db)) as database:
        found = spread_across_suites(BenchmarkStore(database), suites, label)
    table = Table(title=f"{label} across {len(suites)} suites")
    for name in ("suite", "accuracy", f"acc@{TOLERANCE:g}", "OOD NMSE", "tasks", "proposer"):
        table.add_column(name, justify="left" if name in ("suite", "proposer") else "right")
    for run in found.runs:
        table.add_row(
            Text(run.spec.suite_id),
            _pct(run.accuracy),
            _pct(run.accuracy_at_tolerance),
            _num(run.ood_nmse),
            str(run.tasks),
            Text(proposer_label(run)),
        )
    console.print(table)
    if found.accuracy is not None and found.accuracy_at_tolerance is not None:
        at_tolerance = _interval(found.accuracy_at_tolerance)
        console.print(
            f"mean over {found.accuracy.n} suites (95% t-interval): accuracy "
            f"{_interval(found.accuracy)}, acc@{TOLERANCE:g} {at_tolerance}"
        )
    for suite_id in found.missing:
        console.print(f"no run labelled {label!r} on suite {suite_id}", markup=False)
