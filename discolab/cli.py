"""The ``discolab`` command line: run, evolve, resume, list and show campaigns; list
environments and construction problems.

The CLI is the only place that talks to people: it renders progress and tables with rich and
turns every :class:`DiscolabError` into one clear line and an exit code (2 for bad input),
never a traceback.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from discolab.errors import DiscolabError

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="discolab",
    help="Machine-checked scientific discovery: agents run experiments, propose laws and "
    "programs; sandboxes run them; verifiers score them; SQLite keeps everything.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL or SQLite file (default: $DISCOLAB_DB or .discolab/discolab.db).",
        envvar="DISCOLAB_DB",
    ),
]


def _console() -> Console:
    return Console(highlight=False)


def _errors_to_exit_codes(func: F) -> F:
    """Print a DiscolabError as one line and exit with its code instead of a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DiscolabError as exc:
            err = Console(stderr=True, highlight=False)
            err.print("[bold red]error:[/] ", end="")
            err.print(str(exc), markup=False)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            Console(stderr=True).print("[yellow]interrupted[/]")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


@app.callback()
def _setup(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=Console(stderr=True), show_path=False)],
    )


def _runner(db: str | None, config_db: str | None = None) -> Any:
    from discolab.campaign import CampaignRunner, resolve_database_url

    return CampaignRunner(resolve_database_url(db or config_db))


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return f"{value:.{digits}g}"
    return str(value)


def _run_with_progress(start: Callable[[Callable[[Any], None]], Any], console: Console) -> Any:
    columns = (
        TextColumn("[bold]experiments"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[best]}"),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("campaign", total=None, best="")

        def on_progress(p: Any) -> None:
            best = "" if p.best_source is None else f"best: [cyan]{p.best_source}[/]"
            if p.best_score is not None:
                match = " [green]match[/]" if p.best_matched else ""
                best += f"  score {p.best_score:.3f}{match}"
            bar.update(task, total=p.budget, completed=p.calls_used, best=best)

        return start(on_progress)


def _usage_text(summary: dict[str, Any]) -> str | None:
    usage = summary.get("usage")
    if not usage:
        return None
    cost = usage.get("cost") or 0.0
    return (
        f"model calls {usage['calls']}, tokens {usage['prompt_tokens']:,} in / "
        f"{usage['completion_tokens']:,} out" + (f", cost {cost:.4f}" if cost else "")
    )


def _print_result(result: Any, console: Console) -> None:
    summary = result.summary
    console.print(f"campaign [bold]{result.campaign_id}[/] {result.status}: ", end="", markup=True)
    console.print(str(result.stop_reason), markup=False)
    usage = _usage_text(summary)
    if usage:
        console.print(usage)
    law = summary.get("final_source")
    if law is None:
        console.print("[yellow]no law was proposed[/]")
        return
    matched = summary.get("symbolic_match")
    verdict = "[green]symbolic match with the hidden law[/]" if matched else "[red]no match[/]"
    metrics = summary.get("metrics", {})
    console.print(f"discovered law: [bold cyan]{law}[/]  ({verdict})")
    fitted = {
        k.removeprefix("data_param_"): v for k, v in metrics.items() if k.startswith("data_param_")
    }
    if fitted:
        console.print(
            "fitted on its own data: " + ", ".join(f"{k} = {v:.6g}" for k, v in fitted.items())
        )
    console.print(
        f"score {_fmt(summary.get('score'))}, held-out RMSLE {_fmt(metrics.get('rmsle'))}, "
        f"experiments used {summary.get('calls_used')}, candidates {summary.get('candidates')}"
        + (f", {result.duration_s:.1f} s" if result.duration_s else "")
    )
    console.print(f"details: discolab show {result.campaign_id}")


def _exit_for(result: Any) -> None:
    """Exit code 3 for a campaign that stopped early (model failure, usage cap)."""
    if result.status == "stopped":
        raise typer.Exit(3)


def _with_model(cfg: Any, model: str | None, base_url: str | None) -> Any:
    """The config with ``--model`` / ``--base-url`` applied (options of builtin dropped)."""
    from dataclasses import replace

    agent = cfg.agent
    if model:
        keep = agent.options if ":" in agent.proposer or agent.proposer == "ensemble" else {}
        agent = replace(agent, proposer=model, ensemble=(), options=dict(keep))
    if base_url:
        agent = replace(agent, options={**agent.options, "base_url": base_url})
    return replace(cfg, agent=agent)


@app.command()
@_errors_to_exit_codes
def run(
    config: Annotated[Path, typer.Argument(help="Campaign TOML, e.g. configs/quickstart.toml")],
    db: DbOption = None,
    campaign_id: Annotated[
        str | None, typer.Option("--id", help="Use this campaign id instead of a generated one.")
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            help="Model string PRESET:MODEL (openai:gpt-4.1, ollama:qwen2.5-coder, vllm:NAME, "
            "llamacpp:NAME, lmstudio:NAME); overrides agent.proposer.",
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url", help="OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1"
        ),
    ] = None,
) -> None:
    """Run a discovery campaign from a config file, with live progress: a law campaign
    (configs/quickstart.toml), a constants search for PCF formulas
    (configs/campaigns/constants-*.toml) or an EFA infer campaign
    (configs/campaigns/efa-infer-*.toml).

    API keys come from environment variables (OPENAI_API_KEY or the preset's variable) and
    are never stored. Exit code 3 means the campaign stopped early (model failure or a cap).
    """
    from discolab.config import load_config
    from discolab.constants.config import is_constants_config, read_toml

    console = _console()
    raw = read_toml(config) if config.is_file() else {}
    if is_constants_config(raw):
        _run_constants(config, db, campaign_id, model or base_url, console)
        return
    if "efa" in raw:
        from discolab.efa.cli import print_infer_result, run_infer

        if model or base_url:
            from discolab.errors import ConfigError

            raise ConfigError("set the model of an infer campaign in its [efa] table")
        result = run_infer(config, db, campaign_id, console)
        print_infer_result(result, console)
        _exit_for(result)
        return
    cfg = _with_model(load_config(config), model, base_url)
    runner = _runner(db, cfg.database)
    result = _run_with_progress(
        lambda cb: runner.start(cfg, campaign_id=campaign_id, on_progress=_announce(cb, console)),
        console,
    )
    _print_result(result, console)
    _exit_for(result)


def _run_constants(
    config: Path, db: str | None, campaign_id: str | None, model: str | None, console: Console
) -> None:
    from discolab.constants.cli import print_constants_result, run_constants
    from discolab.errors import ConfigError

    if model:
        raise ConfigError(
            "--model/--base-url do not apply to a constants search (enumeration, ESMA, CMF); "
            "models propose PCFs through `discolab evolve` on a constants/pcf-* problem"
        )
    print_constants_result(run_constants(config, db, campaign_id, console), console)


def _announce(callback: Callable[[Any], None], console: Console) -> Callable[[Any], None]:
    """Print the campaign id once, as soon as it exists, so it can be resumed."""
    seen: set[str] = set()

    def wrapped(progress: Any) -> None:
        if progress.campaign_id not in seen:
            seen.add(progress.campaign_id)
            console.print(f"campaign [bold]{progress.campaign_id}[/] running")
        callback(progress)

    return wrapped


@app.command()
@_errors_to_exit_codes
def evolve(
    config: Annotated[Path, typer.Argument(help="Evolve TOML (configs/campaigns/evolve-*.toml)")],
    db: DbOption = None,
    campaign_id: Annotated[
        str | None, typer.Option("--id", help="Use this campaign id instead of a generated one.")
    ] = None,
    strategy: Annotated[
        str | None,
        typer.Option(
            "--strategy",
            help="evolve (parents from the archive) or best-of-n (independent mutations of "
            "the seed: the sampling baseline at equal evaluations); overrides the config.",
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option("--model", help="Model string PRESET:MODEL; overrides evolver.proposer."),
    ] = None,
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="OpenAI-compatible base URL.")
    ] = None,
) -> None:
    """Evolve programs for a construction problem, with live progress.

    Candidate programs run only in the sandbox and hand back their construction as data; the
    trusted verifier recomputes every score. Exit code 3 means the campaign stopped early
    (model failure or a usage cap); continue it with `discolab resume ID`.
    """
    from discolab.evolve_cli import print_evolve_result, run_evolve

    console = _console()
    result = run_evolve(config, db, campaign_id, strategy, model, base_url, console)
    print_evolve_result(result, console)
    _exit_for(result)


@app.command()
@_errors_to_exit_codes
def problems() -> None:
    """List the registered construction problems (for `discolab evolve`)."""
    from discolab.evolve_cli import describe_problems

    describe_problems(_console())


@app.command()
@_errors_to_exit_codes
def constants() -> None:
    """List the constants PCF limits are identified against (for constants campaigns)."""
    from discolab.constants.cli import describe_library

    describe_library(_console())


@app.command()
@_errors_to_exit_codes
def resume(
    campaign_id: Annotated[str, typer.Argument(help="Id shown by `discolab run` or `list`.")],
    db: DbOption = None,
) -> None:
    """Continue a killed or interrupted campaign (law, evolve, constants, EFA) where it stopped."""
    from discolab.constants.config import is_constants_config
    from discolab.evolve_config import is_evolve_config

    console = _console()
    runner = _runner(db)
    record = runner.store.get_campaign(campaign_id)  # an unknown id fails before any progress
    if is_constants_config(record.config):
        from discolab.constants.cli import print_constants_result, resume_constants

        print_constants_result(resume_constants(campaign_id, runner.database_url, console), console)
        return
    if "efa" in record.config:
        from discolab.efa.cli import print_infer_result, resume_infer

        result = resume_infer(campaign_id, runner.database_url, console)
        print_infer_result(result, console)
        _exit_for(result)
        return
    if is_evolve_config(record.config):
        from discolab.evolve_cli import print_evolve_result, resume_evolve

        result = resume_evolve(campaign_id, runner.database_url, console)
        print_evolve_result(result, console)
        _exit_for(result)
        return
    result = _run_with_progress(lambda cb: runner.resume(campaign_id, on_progress=cb), console)
    _print_result(result, console)
    _exit_for(result)


@app.command("list")
@_errors_to_exit_codes
def list_campaigns(db: DbOption = None) -> None:
    """List stored campaigns, newest first."""
    runner = _runner(db)
    table = Table(title="campaigns")
    for col in ("id", "task", "status", "experiments/programs", "law/best", "match", "created"):
        table.add_column(col)
    for c in runner.store.list_campaigns():
        summary = c.summary or {}
        if "programs" in summary:  # an evolve campaign: programs evaluated, best value
            work, found, match = summary["programs"], summary.get("best_value"), None
        elif "by_constant" in summary:  # a constants campaign: PCFs, formulas per constant
            by = summary["by_constant"]
            work, match = summary.get("candidates"), None
            found = ", ".join(f"{k} {v}" for k, v in by.items()) or "none"
        else:
            work, found = summary.get("calls_used"), summary.get("final_source")
            match = summary.get("symbolic_match")
        table.add_row(
            c.id,
            f"{c.env_id} {_options_text(c.env_options)}",
            c.status,
            _fmt(work),
            _fmt(found, 10),
            _fmt(match),
            str(c.created_at)[:19],
        )
    _console().print(table)


def _options_text(options: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in sorted(options.items()))


@app.command()
@_errors_to_exit_codes
def show(
    campaign_id: Annotated[str, typer.Argument(help="Campaign id.")],
    db: DbOption = None,
    all_candidates: Annotated[
        bool, typer.Option("--all", help="Every stored candidate, failures included.")
    ] = False,
    prompts: Annotated[
        bool, typer.Option("--prompts", help="Every model prompt and completion, in order.")
    ] = False,
    code: Annotated[
        bool, typer.Option("--code", help="Evolve campaigns: print the best program's code.")
    ] = False,
) -> None:
    """Show a campaign: a law campaign's hall of fame (expression, complexity, RMSLE,
    symbolic match), an evolve campaign's best program, score history, archive occupancy
    per island and the lineage of the best, or a constants campaign's verified formulas by
    constant (limit, digits, digits per term, δ, predicted δ)."""
    from discolab.constants.config import is_constants_config
    from discolab.evolve_config import is_evolve_config
    from discolab.hall_of_fame import hall_of_fame

    console = _console()
    runner = _runner(db)
    record = runner.store.get_campaign(campaign_id)
    if is_constants_config(record.config):
        from discolab.constants.cli import show_constants_campaign

        show_constants_campaign(runner.store, record, console)
        return
    if "efa" in record.config:
        from discolab.efa.cli import show_infer_campaign

        show_infer_campaign(runner.store, record, console)
        return
    if is_evolve_config(record.config):
        from discolab.evolve_cli import show_program_campaign

        show_program_campaign(runner.store, record, console, code=code)
        return
    summary = record.summary or {}
    console.print(f"[bold]{record.id}[/]  {record.name}")
    console.print(f"environment {record.env_id} {_options_text(record.env_options)}")
    console.print(f"proposer {record.proposer}, seed {record.seed}")
    console.print(f"status {record.status}: ", end="")
    console.print(record.stop_reason or "-", markup=False)
    usage = runner.store.calls.usage(campaign_id)
    if usage.calls:
        console.print(
            f"model calls {usage.calls}, tokens {usage.prompt_tokens:,} in / "
            f"{usage.completion_tokens:,} out ({usage.tokens:,} total), cost {usage.cost:.4f}"
        )
    if summary.get("final_source"):
        console.print(
            f"final law [bold cyan]{summary['final_source']}[/] "
            f"(symbolic match {_fmt(summary.get('symbolic_match'))})"
        )
    records = runner.store.candidates(campaign_id)
    rows = records if all_candidates else hall_of_fame(records)
    table = Table(title="all candidates" if all_candidates else "hall of fame")
    for col in ("expression", "complexity", "data fit", "RMSLE", "NMSE", "match", "score", "round"):
        table.add_column(col, justify="left" if col == "expression" else "right")
    if all_candidates:
        table.add_column("error")
    for r in rows:
        ev = r.evaluation
        m = ev.metrics if ev else {}
        final = " ★" if r.candidate.source == summary.get("final_source") else ""
        cells = [
            r.candidate.source + final,
            _fmt(m.get("complexity", r.candidate.metadata.get("complexity"))),
            _fmt(m.get("data_rel_log_error")),
            _fmt(m.get("rmsle")),
            _fmt(m.get("nmse")),
            _fmt(bool(m.get("symbolic_match"))) if ev and ev.error is None else "✗",
            _fmt(ev.score if ev else None),
            str(r.candidate.generation),
        ]
        if all_candidates:
            cells.append((ev.error or "") if ev else "not evaluated")
        table.add_row(*cells)
    console.print(table)
    console.print(f"{len(records)} candidates stored; ★ = the agent's final answer")
    if prompts:
        from discolab.transcripts import print_transcripts

        print_transcripts(console, runner.store.calls.list(campaign_id), records)


@app.command()
@_errors_to_exit_codes
def envs() -> None:
    """List the registered environments, their inputs and their options."""
    from discolab.environments.catalog import describe_environments

    table = Table(title="environments")
    for col in ("id", "task", "inputs", "output", "shifts", "defaults"):
        table.add_column(col)
    for info in describe_environments():
        inputs = ", ".join(f"{v.name} [{v.low:g}, {v.high:g}] {v.unit}" for v in info.inputs)
        table.add_row(
            info.id,
            info.title,
            inputs,
            f"{info.output.name} [{info.output.unit}]",
            ", ".join(info.shifts),
            _options_text(dict(info.defaults)),
        )
    _console().print(table)


def _mount_subcommands() -> None:
    from discolab.bench_cli import app as bench_app

    for command in bench_app.registered_commands:
        command.callback = _errors_to_exit_codes(command.callback)
    app.add_typer(bench_app, name="bench", help="Run and score benchmark suites.")
    from discolab.efa.cli import app as efa_app

    for command in efa_app.registered_commands:
        command.callback = _errors_to_exit_codes(command.callback)
    app.add_typer(efa_app, name="efa", help="EFAs: list, sample problems (JSONL), vary difficulty.")
    try:
        from discolab.sandbox.cli import app as sandbox_app
    except ImportError:  # the sandbox package is optional for the CLI to start
        return
    app.add_typer(sandbox_app, name="sandbox", help="Build and check the code sandbox.")


def main() -> None:
    """Console-script entry point."""
    _mount_subcommands()
    app()
