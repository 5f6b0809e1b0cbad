"""What the CLI shows for constants campaigns: live progress, the result line, and
``discolab show ID`` — the verified formulas listed by constant with digits, rate and δ."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from discolab.constants.config import ConstantsConfig, load_constants_config
from discolab.constants.formulas import formulas_by_constant
from discolab.constants.runner import ConstantsProgress, ConstantsRunner
from discolab.storage.records import CampaignRecord
from discolab.storage.store import CampaignStore


def _database(db: str | None, config: ConstantsConfig | None) -> str:
    from discolab.campaign import resolve_database_url

    return resolve_database_url(db or (config.database if config else None))


def _with_progress(console: Console, drive: Any) -> Any:
    columns = (
        TextColumn("[bold]units"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[status]}"),
    )
    announced: set[str] = set()
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("constants", total=None, status="")

        def on_progress(p: ConstantsProgress) -> None:
            if p.campaign_id not in announced:
                announced.add(p.campaign_id)
                console.print(f"campaign [bold]{p.campaign_id}[/] running")
            status = f"{p.candidates:,} PCFs, [green]{p.formulas} formulas[/]"
            if p.latest:
                status += f"  latest: [cyan]{p.latest}[/]"
            bar.update(task, total=p.total, completed=p.done, status=status)

        return drive(on_progress)


def run_constants(path: Path, db: str | None, campaign_id: str | None, console: Console) -> Any:
    """``discolab run`` for a constants config: validate, store, run with progress."""
    config = load_constants_config(path)
    runner = ConstantsRunner(_database(db, config))
    return _with_progress(
        console, lambda cb: runner.start(config, campaign_id=campaign_id, on_progress=cb)
    )


def resume_constants(campaign_id: str, database_url: str, console: Console) -> Any:
    """``discolab resume`` for a constants campaign: skip finished units, run the rest."""
    runner = ConstantsRunner(database_url)
    return _with_progress(console, lambda cb: runner.resume(campaign_id, on_progress=cb))


def print_constants_result(result: Any, console: Console) -> None:
    """The result line: work done and the formulas found per constant."""
    s = result.summary
    console.print(f"campaign [bold]{result.campaign_id}[/] {result.status}: ", end="")
    console.print(str(result.stop_reason), markup=False)
    console.print(
        f"{s.get('candidates', 0):,} PCFs considered, {s.get('hits', 0)} sent to exact "
        f"verification, {s.get('rejected_hits', 0)} refused there; "
        f"{s.get('formulas', 0)} distinct formulas verified to ≥ {s.get('digits')} digits"
        + (f" in {result.duration_s:.1f} s" if result.duration_s else "")
    )
    by = s.get("by_constant") or {}
    if by:
        console.print("by constant: " + ", ".join(f"{k} {v}" for k, v in by.items()))
    clusters = s.get("clusters") or []
    if clusters:
        sizes = ", ".join(str(c.get("size")) for c in clusters)
        console.print(f"unsupervised clusters by limit: {len(clusters)} (sizes {sizes})")
    console.print(f"details: discolab show {result.campaign_id}")


def show_constants_campaign(store: CampaignStore, record: CampaignRecord, console: Console) -> None:
    """``discolab show``: formulas by constant with limit, digits, rate, δ, predicted δ."""
    summary = record.summary or {}
    console.print(f"[bold]{record.id}[/]  {record.name}")
    console.print(
        f"search {record.proposer}, target {record.env_options.get('target')}, "
        f"status {record.status}: ",
        end="",
    )
    console.print(record.stop_reason or "-", markup=False)
    if summary:
        console.print(
            f"{summary.get('units')}/{summary.get('total_units')} units, "
            f"{summary.get('candidates', 0):,} PCFs, {summary.get('hits', 0)} hits, "
            f"{summary.get('rejected_hits', 0)} refused by exact verification"
        )
    groups = formulas_by_constant(store, record.id)
    if not groups:
        console.print("[yellow]no verified formulas stored[/]")
        return
    for constant, records in groups.items():
        table = Table(title=f"{constant}: {len(records)} formulas")
        for col in ("PCF", "limit", "digits", "digits/term", "δ", "predicted δ", "found in"):
            left = col in ("PCF", "limit", "found in")
            table.add_column(col, justify="left" if left else "right")
        for r in records:
            m = r.evaluation.metrics if r.evaluation else {}
            table.add_row(
                r.candidate.source,
                str(r.candidate.metadata.get("limit")),
                _num(m.get("digits"), 0),
                _num(m.get("rate"), 3),
                _num(m.get("delta"), 3),
                _num(m.get("predicted_delta"), 3),
                str(r.candidate.metadata.get("unit", "")),
            )
        console.print(table)
    clusters = summary.get("clusters") or []
    if clusters:
        console.print(f"unsupervised clusters by limit ({len(clusters)}):")
        for i, c in enumerate(clusters, 1):
            members = c.get("members", [])
            text = f"  {i}. {len(members)} formulas: " + "; ".join(members[:4])
            console.print(text, markup=False)


def _num(value: Any, digits: int) -> str:
    if value is None:
        return "-"
    return f"{float(value):.{digits}f}"


def describe_library(console: Console) -> None:
    """``discolab constants``: the constants a limit is identified against."""
    import mpmath

    from discolab.environments.constants.library import LIBRARY, constant_value

    table = Table(title="constant library (limits are identified as (p·K + q)/(r·K + s))")
    for col in ("id", "symbol", "constant", "value"):
        table.add_column(col)
    for c in LIBRARY:
        table.add_row(c.id, c.symbol, c.title, mpmath.nstr(constant_value(c.id, 30), 25))
    console.print(table)
    console.print(
        "use an id as constants.target in a campaign config, or 'any'; "
        "campaign examples: configs/campaigns/constants-*.toml"
    )
