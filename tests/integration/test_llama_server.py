"""Real campaigns against a real llama.cpp server with a model too weak to discover anything.

SmolLM2-135M-Instruct cannot find a law; what is tested is that whatever it says, every
campaign ends cleanly (exit 0 or 3, a status and a stop reason, no traceback), with its calls
and tokens stored. Four set-ups, each a way a user may start llama.cpp:

* the README's command (``--jinja``) with the quickstart config unchanged;
* a server-side GBNF grammar that forces the tag format, so every reply is usable and the
  campaign runs to the end of its budget;
* streaming (SSE) replies;
* ``--no-jinja``: the server refuses tools with an HTTP 500, and the proposer switches to the
  text protocol.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from llama_server import REPO, LlamaBuild, serve

from discolab.storage.db import Database, sqlite_url
from discolab.storage.store import CampaignStore

pytestmark = [pytest.mark.llama, pytest.mark.timeout(1800)]

QUICKSTART = REPO / "configs" / "quickstart.toml"

# Every reply holds both tags, so a design call finds points and a propose call finds a law.
# The points are written in the quickstart's input ranges (m1 1e22-1e25, m2 1e20-1e24,
# r 1e7-1e10), and the law from its inputs; nothing else can come out.
TAG_GRAMMAR = r"""
root   ::= design "\n" law
design ::= "<run_experiment>[" point ("," point)? ("," point)? ("," point)? "]</run_experiment>"
point  ::= "{\"m1\": " m1 ", \"m2\": " m2 ", \"r\": " r "}"
m1     ::= [1-9] "e" ("22" | "23" | "24")
m2     ::= [1-9] "e" ("20" | "21" | "22" | "23")
r      ::= [1-9] "e" [7-9]
law    ::= "<final_law>C*" factor (("*" | "/") factor)? (("*" | "/") factor)? "</final_law>"
factor ::= ("m1" | "m2" | "r" | "(m1 + m2)") ("**" [1-3] ("." [05])?)?
"""


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "discolab", *args], capture_output=True, text=True, cwd=cwd
    )


def _ended_cleanly(run: subprocess.CompletedProcess[str], db: Path) -> CampaignStore:
    """The CLI exited 0 (finished) or 3 (stopped) with no traceback, and stored why."""
    assert run.returncode in (0, 3), run.stdout[-2000:] + run.stderr[-3000:]
    assert "Traceback" not in run.stdout + run.stderr
    store = CampaignStore(Database(sqlite_url(db)))
    (record,) = store.list_campaigns()
    assert record.status == ("finished" if run.returncode == 0 else "stopped")
    assert record.stop_reason
    usage = store.calls.usage(record.id)
    assert usage.calls >= 1 and usage.prompt_tokens > 0
    return store


def _config(tmp_path: Path, url: str, **options: object) -> Path:
    """The quickstart with a llama.cpp model and ``options`` for it."""
    lines = QUICKSTART.read_text().replace('proposer = "builtin"', 'proposer = "llamacpp:smollm2"')
    table = "\n".join(f"{k} = {_toml(v)}" for k, v in ({"base_url": url} | options).items())
    path = tmp_path / "llama.toml"
    path.write_text(f"{lines}\n[agent.options]\n{table}\n")
    return path


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def test_the_quickstart_unchanged_ends_cleanly(llama_build: LlamaBuild, tmp_path: Path) -> None:
    with serve(llama_build, tmp_path / "server.log", "--jinja") as server:
        db = tmp_path / "quickstart.db"
        run = _run(
            [
                "run",
                str(QUICKSTART),
                "--model",
                "llamacpp:smollm2",
                "--base-url",
                server.url,
                "--db",
                str(db),
            ],
            tmp_path,
        )
    store = _ended_cleanly(run, db)
    (record,) = store.list_campaigns()
    assert len(store.experiments(record.id)) <= 10


def test_a_grammar_that_forces_tags_runs_to_the_end(
    llama_build: LlamaBuild, tmp_path: Path
) -> None:
    grammar = tmp_path / "tags.gbnf"
    grammar.write_text(TAG_GRAMMAR)
    with serve(llama_build, tmp_path / "server.log", "--grammar-file", str(grammar)) as server:
        config = _config(tmp_path, server.url, protocol="text", max_tokens=400)
        db = tmp_path / "grammar.db"
        run = _run(["run", str(config), "--db", str(db)], tmp_path)
    store = _ended_cleanly(run, db)
    assert run.returncode == 0
    (record,) = store.list_campaigns()
    calls = store.calls.list(record.id)
    designs = [c for c in calls if c.purpose == "design"]
    assert designs and all("error" not in c.result for c in designs)
    assert len(store.experiments(record.id)) == len(designs)  # every design was measured
    assert all(c.completion_tokens > 0 for c in calls)
    assert store.candidates(record.id)  # laws were proposed, read and scored


def test_streaming_replies_end_cleanly(llama_build: LlamaBuild, tmp_path: Path) -> None:
    with serve(llama_build, tmp_path / "server.log", "--jinja") as server:
        config = _config(tmp_path, server.url, stream=True, max_tokens=400)
        db = tmp_path / "stream.db"
        run = _run(["run", str(config), "--db", str(db)], tmp_path)
    store = _ended_cleanly(run, db)
    (record,) = store.list_campaigns()
    assert store.calls.usage(record.id).completion_tokens > 0


def test_a_server_without_jinja_gets_the_text_protocol(
    llama_build: LlamaBuild, tmp_path: Path
) -> None:
    with serve(llama_build, tmp_path / "server.log", "--no-jinja") as server:
        config = _config(tmp_path, server.url, max_tokens=400)
        db = tmp_path / "nojinja.db"
        run = _run(["run", str(config), "--db", str(db)], tmp_path)
    store = _ended_cleanly(run, db)
    (record,) = store.list_campaigns()
    first = store.calls.list(record.id)[0]
    assert "protocol_switch" in first.result, first.result
    assert first.result["protocol"] == "text"
