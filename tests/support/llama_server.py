"""Start a real llama.cpp ``llama-server`` serving SmolLM2-135M-Instruct on 127.0.0.1.

The binary and the model come from ``scripts/serve_local_model.sh --path-only``: built and
installed once per machine, cached outside the checkout (``.ci/run`` does it before the
tests). Nothing here builds or downloads anything.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
READY_DEADLINE_S = 300.0
"""How long a starting server may take to load the model (a readiness wait, not a check)."""


@dataclass(frozen=True)
class LlamaBuild:
    """The paths a server needs."""

    binary: Path
    model: Path


@dataclass(frozen=True)
class LlamaServer:
    """A running server."""

    url: str
    log: Path


def cached_build() -> LlamaBuild | str:
    """The cached binary and model, or why they are missing (nothing is built here)."""
    cache = Path(os.environ.get("DISCOLAB_CACHE", Path.home() / ".cache" / "discolab"))
    binaries = sorted(cache.glob("llama-server-*/bin/llama-server"))
    models = sorted(cache.glob("smollm2-*/**/*.gguf"))
    if not binaries:
        return f"no llama-server under {cache} (run: bash scripts/build_llama_server.sh)"
    if not models:
        return f"no SmolLM2 GGUF under {cache} (run: bash scripts/serve_local_model.sh --path-only)"
    return LlamaBuild(binaries[-1], models[-1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(build: LlamaBuild, log: Path, *args: str) -> Iterator[LlamaServer]:
    """Start ``llama-server`` with ``args`` on a free local port; stop it afterwards."""
    port = _free_port()
    command = [
        str(build.binary),
        "-m",
        str(build.model),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "-t",
        "1",
        "-c",
        "8192",
        *args,
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_ready(proc, f"http://127.0.0.1:{port}/health", log)
        yield LlamaServer(url=f"http://127.0.0.1:{port}/v1", log=log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_ready(proc: subprocess.Popen[bytes], health: str, log: Path) -> None:
    deadline = time.monotonic() + READY_DEADLINE_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"llama-server exited with {proc.returncode}: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(health, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    pytest.fail(
        f"llama-server was not ready within {READY_DEADLINE_S:g} s: {log.read_text()[-3000:]}"
    )
