"""The evolve commands: ``discolab evolve CONFIG``, ``discolab problems``, and the program
campaign views that ``discolab show`` and ``resume`` dispatch to.

Kept apart from :mod:`discolab.cli` (law campaigns) so each stays small; the shared parts
(database option, error handling, exit codes) come from there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.syntax import Syntax
from rich.table import Table

from discolab.storage.records import ScoredRecord


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def run_evolve(
    config: Path,
    db: str | None,
    campaign_id: str | None,
    strategy: str | None,
    model: str | None,
    base_url: str | None,
    console: Console,
) -> Any:
    """Load, adjust and run an evolve campaign with a progress bar; returns its result."""
    from dataclasses import replace

    from discolab.campaign import resolve_database_url
    from discolab.evolve import EvolveRunner
    from discolab.evolve_config import load_evolve_config

    cfg = load_evolve_config(config)
    if strategy:
        cfg = cfg.with_strategy(strategy)
    if model:
        keep = cfg.evolver.options if cfg.evolver.proposer != "builtin" else {}
        cfg = replace(cfg, evolver=replace(cfg.evolver, proposer=model, ensemble=(), options=keep))
    if base_url:
        options = {**cfg.evolver.options, "base_url": base_url}
        cfg = replace(cfg, evolver=replace(cfg.evolver, options=options))
    runner = EvolveRunner(resolve_database_url(db or cfg.database))
    return with_progress(
        console, lambda cb: runner.start(cfg, campaign_id=campaign_id, on_progress=cb)
    )


def resume_evolve(campaign_id: str, database_url: str, console: Console) -> Any:
    """Resume an evolve campaign with a progress bar."""
    from discolab.evolve import EvolveRunner

    runner = EvolveRunner(database_url)
    return with_progress(console, lambda cb: runner.resume(campaign_id, on_progress=cb))


def with_progress(console: Console, start: Any) -> Any:
    """Run ``start(callback)`` under a bar of programs evaluated and the best value."""
    columns = (
        TextColumn("[bold]programs"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[best]}"),
    )
    announced: set[str] = set()
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("evolve", total=None, best="")

        def on_progress(p: Any) -> None:
            if p.campaign_id not in announced:
                announced.add(p.campaign_id)
                console.print(f"campaign [bold]{p.campaign_id}[/] running")
            cells = sum(p.occupancy.values())
            best = f"best {_fmt(p.best_value)}  gen {p.generation}  cells {cells}"
            bar.update(task, total=p.max_iterations, completed=p.iterations, best=best)

        return start(on_progress)


def print_evolve_result(result: Any, console: Console) -> None:
    """The result lines of an evolve or resume command."""
    s = result.summary
    console.print(f"campaign [bold]{result.campaign_id}[/] {result.status}: ", end="")
    console.print(str(result.stop_reason), markup=False)
    console.print(
        f"best value {_fmt(s.get('best_value'))} (program {s.get('candidate_id', '-')}, "
        f"iteration {s.get('best_iteration', '-')}); {s.get('programs', 0)} programs, "
        f"{s.get('valid', 0)} valid" + (f", {result.duration_s:.1f} s" if result.duration_s else "")
    )
    console.print(f"details: discolab show {result.campaign_id}")


def lineage(records: list[ScoredRecord], best: ScoredRecord) -> list[ScoredRecord]:
    """The best program and its first parents back to the seed, newest first."""
    by_id = {r.candidate.id: r for r in records}
    chain = [best]
    seen = {best.candidate.id}
    while chain[-1].candidate.parent_ids:
        parent = by_id.get(chain[-1].candidate.parent_ids[0])
        if parent is None or parent.candidate.id in seen:
            break
        seen.add(parent.candidate.id)
        chain.append(parent)
    return chain


def score_history(records: list[ScoredRecord]) -> list[tuple[int, float]]:
    """``(iteration, best value so far)`` at each improvement, in iteration order."""
    ordered = sorted(records, key=lambda r: int(r.candidate.metadata.get("iteration", 0)))
    history: list[tuple[int, float]] = []
    best_fitness = -float("inf")
    for r in ordered:
        ev = r.evaluation
        if ev is None or not ev.passed:
            continue
        if ev.metrics["fitness"] > best_fitness:
            best_fitness = ev.metrics["fitness"]
            history.append((int(r.candidate.metadata.get("iteration", 0)), ev.metrics["value"]))
    return history


def show_program_campaign(store: Any, record: Any, console: Console, *, code: bool) -> None:
    """``discolab show ID`` for an evolve campaign: best program, history, islands, lineage."""
    from discolab.agents.evolution.database import ProgramDatabase, archive_settings
    from discolab.evolve_config import evolve_config_from_dict

    config = evolve_config_from_dict(record.config)
    records = store.candidates(record.id)
    console.print(f"[bold]{record.id}[/]  {record.name}")
    console.print(
        f"problem {record.env_id}, strategy {config.evolver.strategy}, proposer "
        f"{record.proposer}, seed {record.seed}"
    )
    console.print(f"status {record.status}: ", end="")
    console.print(record.stop_reason or "-", markup=False)
    failed = sum(1 for r in records if r.evaluation is None or not r.evaluation.passed)
    console.print(f"{len(records)} programs stored, {failed} failed")
    history = score_history(records)
    if not history:
        console.print("[yellow]no valid program yet[/]")
        return
    table = Table(title="score history (each improvement)")
    for col in ("iteration", "best value"):
        table.add_column(col, justify="right")
    for iteration, value in history:
        table.add_row(str(iteration), _fmt(value))
    console.print(table)
    from dataclasses import asdict

    database = ProgramDatabase(store, record.id, archive_settings(asdict(config.archive)))
    database.load(before_generation=10**9)
    islands = Table(title="archive occupancy")
    for col in ("island", "cells", "best value"):
        islands.add_column(col, justify="right")
    for island, cells in sorted(database.archive.occupancy().items()):
        top = database.archive.best(island)
        value = database.view(top.id).score if top is not None else None
        islands.add_row(str(island), str(cells), _fmt(value))
    console.print(islands)
    valid = [r for r in records if r.evaluation is not None and r.evaluation.passed]
    best = max(valid, key=lambda r: r.evaluation.metrics["fitness"])  # type: ignore[union-attr]
    chain = Table(title="lineage of the best (newest first)")
    for col in ("iteration", "program", "value", "operator", "change"):
        chain.add_column(col)
    for r in lineage(records, best):
        ev = r.evaluation
        meta = r.candidate.metadata
        value = ev.metrics.get("value") if ev is not None and ev.passed else None
        chain.add_row(
            str(meta.get("iteration", "-")),
            str(r.candidate.id),
            _fmt(value),
            str(meta.get("operator", "-")),
            str(meta.get("edit", ""))[:60],
        )
    console.print(chain)
    console.print(f"best program ({best.candidate.id}, value {_fmt(history[-1][1])}):")
    if code:
        console.print(Syntax(best.candidate.source, "python", line_numbers=True))
    else:
        console.print("(add --code to print it)")


def describe_problems(console: Console) -> None:
    """``discolab problems``: the registered construction problems."""
    from discolab.environments.programs.catalog import make_problem, problem_ids

    table = Table(title="construction problems")
    table.add_column("id", no_wrap=True)
    for col in ("problem", "goal", "best known"):
        table.add_column(col)
    for pid in problem_ids():
        problem = make_problem(pid)
        table.add_row(pid, problem.title, problem.direction, f"{problem.best_known:.10g}")
    console.print(table)
