"""``discolab sandbox build | check | clean``: set up and inspect the Docker sandbox.

Importable without a running engine: every command connects only when it runs. Also
runnable on its own (``python -m discolab.sandbox.cli build --offline``), which is what
``.ci/setup_sandbox.sh`` does.
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from rich.console import Console

from discolab.errors import DiscolabError

app = typer.Typer(
    name="sandbox",
    help="Build and check the Docker sandbox that runs candidate code.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ImageOption = Annotated[str, typer.Option("--image", help="Image name (versioned).")]


def _console() -> Console:
    return Console(highlight=False)


def _fail(exc: DiscolabError) -> typer.Exit:
    Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {exc}")
    return typer.Exit(exc.exit_code)


@app.command()
def build(
    offline: Annotated[
        bool, typer.Option("--offline", help="debootstrap + docker import; pulls nothing.")
    ] = False,
    mirror: Annotated[
        str | None, typer.Option("--mirror", help="Debian mirror (default: apt's own).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild an existing image.")] = False,
    image: ImageOption = "discolab-sandbox:1",
) -> None:
    """Build the sandbox image (skipped when it already exists, unless --force)."""
    from discolab.sandbox.docker import connect
    from discolab.sandbox.image.builder import build_image, find_mirror

    console = _console()
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        client = connect()
        how = f"offline from {mirror or find_mirror()}" if offline else "with docker build"
        console.print(f"building [bold]{image}[/] {how} ...")
        outcome = build_image(client, name=image, offline=offline, mirror=mirror, force=force)
    except DiscolabError as exc:
        raise _fail(exc) from None
    if outcome == "cached":
        console.print(f"[green]{image} already exists[/] (use --force to rebuild)")
    else:
        console.print(f"[green]built {image}[/]")


@app.command()
def check(image: ImageOption = "discolab-sandbox:1") -> None:
    """Report the engine, the image, a round-trip run and leftover containers."""
    from discolab.sandbox.base import SandboxConfig
    from discolab.sandbox.containers import list_containers, owner_alive, reap_orphans
    from discolab.sandbox.docker import DockerSandbox, connect, require_image

    console = _console()
    try:
        client = connect(10)
        version = client.version().get("Version", "?")
        console.print(f"[green]ok[/]  engine: Docker {version}")
        require_image(client, image)
        console.print(f"[green]ok[/]  image: {image}")
        reaped = reap_orphans(client)
        if reaped:
            console.print(f"[yellow]--[/]  removed {len(reaped)} container(s) of dead runs")
        config = SandboxConfig(image=image, pool_size=0)
        with DockerSandbox(config, client=client) as box:
            result = box.run_python("print(6 * 7)", timeout=10)
        if not result.ok or result.stdout != "42\n":
            raise DiscolabError(f"round trip failed: {result.failure_reason} {result.stderr}")
        console.print(f"[green]ok[/]  round trip: {result.duration * 1000:.0f} ms (cold)")
        live = list_containers(client)
        alive = [c.name for c in live if owner_alive(c.labels)]
        console.print(f"[green]ok[/]  leftover containers: none of dead runs; {len(alive)} in use")
    except DiscolabError as exc:
        raise _fail(exc) from None


@app.command()
def clean(
    everything: Annotated[
        bool, typer.Option("--all", help="Also remove containers of running discolab processes.")
    ] = False,
) -> None:
    """Remove leftover discolab sandbox containers (those of dead runs by default)."""
    from discolab.sandbox.containers import reap_orphans
    from discolab.sandbox.docker import connect

    try:
        removed = reap_orphans(connect(10), everything=everything)
    except DiscolabError as exc:
        raise _fail(exc) from None
    _console().print(f"removed {len(removed)} container(s)" + (f": {removed}" if removed else ""))


if __name__ == "__main__":
    app()
