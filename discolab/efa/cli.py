"""``discolab efa``: list the library, sample problems (JSONL), vary difficulty; and the
views of infer campaigns for ``run``, ``resume`` and ``show``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from discolab.errors import ConfigError

app = typer.Typer(no_args_is_help=True, help="EFAs: math problem generators.")

DbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL or SQLite file.", envvar="DISCOLAB_DB")
]


def _console() -> Console:
    return Console(highlight=False)


def _options(pairs: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"--option {pair!r} must be KEY=VALUE (e.g. max_modulus=50)")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


@app.command("list")
def list_efas() -> None:
    """The library EFAs: id, family, answer kind, difficulty knobs."""
    from discolab.environments.efa.catalog import efa_registry

    table = Table(title="EFA library")
    for col in ("id", "family", "answer", "knobs (defaults)", "title"):
        table.add_column(col)
    for item in efa_registry():
        entry = item.factory()
        knobs = ", ".join(f"{k}={v}" for k, v in entry.options.items())
        table.add_row(entry.id, entry.family, entry.cls.answer_kind, knobs, entry.title)
    _console().print(table)


def _sampler(efa_id: str, db: str | None, sandbox: str) -> tuple[Any, dict[str, Any], Any]:
    """``(sample(options, n, seed), default knobs, cleanup)`` for a library id or a stored EFA."""
    from discolab.efa.sampling import sample_in_sandbox, sample_library

    if efa_id.startswith("efa/"):
        from discolab.environments.efa.catalog import get_efa

        entry = get_efa(efa_id)
        return (lambda o, n, s: sample_library(entry, n, s, o)), dict(entry.options), None
    source = _stored_efa(efa_id, db)
    from discolab.sandbox.factory import make_sandbox

    box = make_sandbox(sandbox)
    defaults = _source_defaults(source)
    return (lambda o, n, s: sample_in_sandbox(source, efa_id, n, s, box, o)), defaults, box


def _stored_efa(candidate_id: str, db: str | None) -> str:
    from discolab.campaign import resolve_database_url
    from discolab.storage.db import Database
    from discolab.storage.store import CampaignStore

    store = CampaignStore(Database(resolve_database_url(db)))
    record = store.candidate(candidate_id)
    if record is not None:
        ev = record.evaluation
        if ev is None or not ev.passed:
            raise ConfigError(
                f"{candidate_id} did not pass the property tests; only passing EFAs "
                "generate problems"
            )
        return record.candidate.source
    raise ConfigError(
        f"no EFA {candidate_id!r}: give a library id (discolab efa list) or the id of a "
        "passing EFA from an infer campaign (discolab show CAMPAIGN)"
    )


def _source_defaults(source: str) -> dict[str, Any]:
    """The ``options`` literal of a stored EFA, read from its syntax tree (not executed)."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "options" for t in node.targets
        ):
            try:
                value = ast.literal_eval(node.value)
            except (ValueError, SyntaxError):
                return {}
            return dict(value) if isinstance(value, dict) else {}
    return {}


@app.command("sample")
def sample(
    efa_id: Annotated[str, typer.Argument(help="A library id (efa/crt-v1) or a stored EFA id.")],
    n: Annotated[int, typer.Option("-n", help="How many problems.")] = 10,
    seed: Annotated[int, typer.Option(help="Seed of the parameter draws.")] = 0,
    option: Annotated[list[str], typer.Option("--option", help="Knob KEY=VALUE.")] = [],  # noqa: B006
    db: DbOption = None,
    sandbox: Annotated[str, typer.Option(help="Sandbox for stored EFAs.")] = "auto",
) -> None:
    """Generate problems with their answers as JSON lines on stdout."""
    sampler, _, box = _sampler(efa_id, db, sandbox)
    try:
        for instance in sampler(_options(option), n, seed):
            sys.stdout.write(json.dumps(instance.to_json(), ensure_ascii=False) + "\n")
    finally:
        if box is not None:
            box.close()


@app.command("vary")
def vary_command(
    efa_id: Annotated[str, typer.Argument(help="A library id or a stored EFA id.")],
    per_point: Annotated[int, typer.Option(help="Instances per knob setting.")] = 20,
    seed: Annotated[int, typer.Option(help="Seed of the draws.")] = 0,
    db: DbOption = None,
    sandbox: Annotated[str, typer.Option(help="Sandbox for stored EFAs.")] = "auto",
) -> None:
    """Search the difficulty knobs for settings harder or easier for the built-in solver."""
    from discolab.agents.efa.solver import solve_problem
    from discolab.efa.variation import vary

    sampler, defaults, box = _sampler(efa_id, db, sandbox)
    try:
        points = vary(
            defaults, sampler, lambda t: solve_problem(t).answer, per_point=per_point, seed=seed
        )
    finally:
        if box is not None:
            box.close()
    table = Table(title=f"{efa_id}: built-in solver success by knob setting (hardest first)")
    for col in ("knobs", "solved", "success"):
        table.add_column(col)
    for p in points:
        knobs = ", ".join(f"{k}={v}" for k, v in p.options.items())
        table.add_row(knobs, f"{p.solved}/{p.total}", f"{p.success_rate:.0%}")
    console = _console()
    console.print(table)
    if points:
        console.print(
            f"hardest: {dict(points[0].options)} ({points[0].success_rate:.0%}); "
            f"easiest: {dict(points[-1].options)} ({points[-1].success_rate:.0%})"
        )


def run_infer(config_path: Path, db: str | None, campaign_id: str | None, console: Console) -> Any:
    """``discolab run`` for an ``[efa]`` config: the infer campaign with progress lines."""
    from discolab.campaign import resolve_database_url
    from discolab.constants.config import read_toml
    from discolab.efa.config import efa_config_from_dict
    from discolab.efa.infer import InferRunner

    config = efa_config_from_dict(read_toml(config_path))
    runner = InferRunner(resolve_database_url(db or config.database))
    return runner.start(config, campaign_id=campaign_id, on_progress=_progress_line(console))


def resume_infer(campaign_id: str, database_url: str, console: Console) -> Any:
    """``discolab resume`` for an infer campaign."""
    from discolab.efa.infer import InferRunner

    return InferRunner(database_url).resume(campaign_id, on_progress=_progress_line(console))


def _progress_line(console: Console) -> Any:
    def show(p: Any) -> None:
        mark = "[green]passed[/]" if p.passed else "[red]failed[/]"
        console.print(f"attempt {p.attempt}/{p.attempts}: {mark} ", end="")
        console.print(p.feedback[:200], markup=False)

    return show


def print_infer_result(result: Any, console: Console) -> None:
    """The result line of an infer campaign."""
    s = result.summary
    console.print(f"campaign [bold]{result.campaign_id}[/] {result.status}: ", end="")
    console.print(str(result.stop_reason), markup=False)
    if s.get("passed"):
        console.print(
            f"stored EFA [bold cyan]{s['efa_id']}[/]: discolab efa sample {s['efa_id']} -n 10"
        )
    else:
        console.print(f"no EFA passed every property in {s.get('attempts', 0)} attempts")
    console.print(f"details: discolab show {result.campaign_id}")


def show_infer_campaign(store: Any, record: Any, console: Console) -> None:
    """``discolab show`` for an infer campaign: each attempt's per-property results."""
    console.print(
        f"[bold]{record.id}[/]  {record.name}: infer {record.env_id} with {record.proposer}"
    )
    console.print(f"status {record.status}: ", end="")
    console.print(record.stop_reason or "-", markup=False)
    table = Table(title="attempts")
    names = (
        "extractable",
        "executable",
        "has_degrees_of_freedom",
        "single_valued",
        "faithful",
        "render_solve_consistent",
    )
    for col in ("attempt", "candidate", *names, "feedback"):
        table.add_column(col)
    for r in store.candidates(record.id):
        m = r.evaluation.metrics if r.evaluation else {}
        marks = ["✓" if m.get(n) == 1.0 else "✗" for n in names]
        feedback = (r.evaluation.feedback if r.evaluation else "")[:80]
        table.add_row(str(r.candidate.generation + 1), str(r.candidate.id), *marks, feedback)
    console.print(table)
