"""Real campaigns driven through the real openai client against the fake server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openai_server import FakeOpenAI, Reply
from scripted import QUICKSTART_LAW, law_discovery, purpose

from discolab.campaign import CampaignRunner, checkpoint_path
from discolab.config import config_from_dict
from discolab.storage.db import sqlite_url

ROOT = Path(__file__).parents[2]
SECRET = "sk-live-DO-NOT-STORE-4242424242"


def _config(url: str, **extra: Any) -> Any:
    data = {
        "campaign": {"name": "llm", "seed": 7},
        "environment": {
            "id": "newton/gravity-v1",
            "options": {"shift": "s2", "budget": 10, "max_batch": 20},
        },
        "agent": {
            "proposer": "openai:fake",
            "options": {"base_url": url, "read_timeout": 0.5, "retries": 1, "backoff_s": 0.01},
        },
    }
    for key, value in extra.items():
        data[key] = value
    return config_from_dict(data)


def _runner(tmp_path: Path) -> CampaignRunner:
    return CampaignRunner(sqlite_url(tmp_path / "llm.db"))


def test_scripted_model_discovers_the_quickstart_law(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    fake_openai.responder = law_discovery
    runner = _runner(tmp_path)
    result = runner.start(_config(fake_openai.url), campaign_id="c1")
    assert result.status == "finished" and result.summary["final_source"] == QUICKSTART_LAW
    assert result.summary["symbolic_match"] is True
    usage = runner.store.calls.usage("c1")
    assert usage.calls == len(fake_openai.chat_requests) == 6
    assert usage.prompt_tokens > 0 and usage.completion_tokens > 0
    assert result.summary["usage"]["prompt_tokens"] == usage.prompt_tokens
    calls = runner.store.calls.list("c1")
    assert [c.key for c in calls] == [f"r{r}-{p}" for r in range(3) for p in ("design", "propose")]
    laws = [r for r in runner.store.candidates("c1") if r.candidate.source == QUICKSTART_LAW]
    assert laws[0].candidate.prompt_hash == calls[1].prompt_hash


def test_garbage_replies_become_failed_candidates_with_feedback(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    garbage = {
        "design": iter(
            [
                "Let me think.",
                '<run_experiment>[{"m1": 1e30, "m2": 1e21, "r": 1e8}]</run_experiment>',
            ]
        ),
        "propose": iter(["<final_law>m1 +* r</final_law>", "__import__('os')"]),
    }

    def flaky(body: dict[str, Any]) -> Reply:
        text = next(garbage[purpose(body)], None)
        return Reply(content=text) if text is not None else law_discovery(body)

    fake_openai.responder = flaky
    runner = _runner(tmp_path)
    result = runner.start(
        _config(
            fake_openai.url,
            agent={
                "proposer": "openai:fake",
                "options": {"base_url": fake_openai.url, "protocol": "text"},
            },
        ),
        campaign_id="g",
    )
    assert result.status == "finished" and result.summary["symbolic_match"] is True
    errors = [r.evaluation.error for r in runner.store.candidates("g") if r.evaluation.error]
    assert any("formula rejected" in e for e in errors)
    prompts = [r.body["messages"][-1]["content"] for r in fake_openai.chat_requests]
    assert "no experiment found" in prompts[1]  # design reply 1 was prose
    assert "outside its range" in prompts[2]  # the refused experiment is fed back
    assert any("FAILED: formula rejected" in p for p in prompts)
    assert any("FAILED: unreadable reply: no law found" in p for p in prompts)


def test_failing_server_stops_cleanly_and_resume_continues(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    healthy = {"on": True}

    def outage(body: dict[str, Any]) -> Reply:
        if healthy["on"]:
            return law_discovery(body)
        return Reply(status=503, retry_after=0)

    fake_openai.responder = outage
    runner = _runner(tmp_path)
    config = _config(
        fake_openai.url,
        agent={
            "proposer": "openai:fake",
            "stop_when_confident": False,
            "options": {"base_url": fake_openai.url, "retries": 2, "backoff_s": 0.0},
        },
    )
    fake_openai.script(*(Reply() for _ in range(0)))
    calls_before_outage = 3  # r0-design, r0-propose, r1-design

    def switch(body: dict[str, Any]) -> Reply:
        if len(fake_openai.chat_requests) > calls_before_outage:
            healthy["on"] = False
        return outage(body)

    fake_openai.responder = switch
    result = runner.start(config, campaign_id="o")
    assert result.status == "stopped"
    assert "failed after 3 attempt(s): HTTP 503" in result.stop_reason
    assert "discolab resume o" in result.stop_reason
    assert runner.store.get_campaign("o").status == "stopped"
    stored = [r.candidate.source for r in runner.store.candidates("o")]
    assert stored and len(runner.store.experiments("o")) == 2

    healthy["on"] = True
    fake_openai.responder = outage
    seen = len(fake_openai.chat_requests)
    resumed = runner.resume("o")
    assert resumed.status == "finished" and resumed.summary["symbolic_match"] is True
    # The stored r1-design call was not made again: the first new request is r1-propose.
    assert purpose(fake_openai.chat_requests[seen].body) == "propose"
    keys = [c.key for c in runner.store.calls.list("o")]
    assert len(keys) == len(set(keys)) == 20
    sources = [(r.candidate.generation, r.candidate.source) for r in runner.store.candidates("o")]
    assert len(sources) == len(set(sources))  # nothing duplicated


def test_hung_server_stops_with_timeout_reason(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.responder = lambda body: Reply(delay=0.8, content="late")
    result = _runner(tmp_path).start(_config(fake_openai.url), campaign_id="h")
    assert result.status == "stopped"
    assert "no answer within the read timeout of 0.5 s" in result.stop_reason


def test_token_cap_stops_the_campaign(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.responder = law_discovery
    runner = _runner(tmp_path)
    config = _config(
        fake_openai.url,
        limits={"max_tokens": 1500},
        pricing={"fake": {"input": 1.0, "output": 4.0}},
    )
    result = runner.start(config, campaign_id="cap")
    assert result.status == "stopped" and result.stop_reason.startswith("token cap reached (")
    usage = runner.store.calls.usage("cap")
    assert usage.tokens >= 1500 and usage.calls == len(fake_openai.chat_requests)
    assert usage.cost == pytest.approx(
        (usage.prompt_tokens * 1.0 + usage.completion_tokens * 4.0) / 1e6
    )


def _cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "discolab", "-v", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def test_cli_run_and_show_prompts_never_store_the_key(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    fake_openai.responder = law_discovery
    db = tmp_path / "cli.db"
    env = {**os.environ, "OPENAI_API_KEY": SECRET, "COLUMNS": "200", "DISCOLAB_DB": str(db)}
    run = _cli(
        "run",
        str(ROOT / "configs" / "quickstart.toml"),
        "--model",
        "openai:fake",
        "--base-url",
        fake_openai.url,
        "--id",
        "cli",
        env=env,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert "symbolic match with the hidden law" in run.stdout
    assert "model calls 6, tokens" in run.stdout
    assert all(r.headers["authorization"] == f"Bearer {SECRET}" for r in fake_openai.chat_requests)
    show = _cli("show", "cli", "--prompts", env=env, cwd=tmp_path)
    assert show.returncode == 0, show.stderr
    assert "model calls 6, tokens" in show.stdout
    assert "r0-design" in show.stdout and "Your measurements so far" in show.stdout
    assert "-> candidate" in show.stdout and QUICKSTART_LAW in show.stdout
    for text in (run.stdout, run.stderr, show.stdout, show.stderr):
        assert SECRET not in text
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    files.append(checkpoint_path(sqlite_url(db)))
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), path


def test_cli_stopped_campaign_exits_3(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.responder = lambda body: Reply(status=503)
    env = {**os.environ, "COLUMNS": "200", "DISCOLAB_DB": str(tmp_path / "s.db")}
    config = tmp_path / "c.toml"
    config.write_text(
        (ROOT / "configs" / "quickstart.toml").read_text()
        + "\n[agent.options]\nretries = 1\nbackoff_s = 0.0\n"
    )
    config.write_text(config.read_text().replace('proposer = "builtin"', 'proposer = "openai:x"'))
    run = _cli("run", str(config), "--base-url", fake_openai.url, env=env, cwd=tmp_path)
    assert run.returncode == 3, run.stderr
    assert "stopped: model openai:x" in run.stdout and "HTTP 503" in run.stdout
    assert "Traceback" not in run.stderr


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_sigkill_then_resume_with_a_model_matches_an_uninterrupted_run(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    """Killed while its 6th model call is in flight (5 stored), resumed, and equal to a run
    never killed: the stored calls are replayed, only the one in flight is made again, and
    the noisy measurements of the resumed calls are the ones the reference saw."""
    import signal
    import threading

    from discolab.storage.db import Database
    from discolab.storage.store import CampaignStore

    hold = threading.Event()  # set: the victim's call is in flight and held
    release = threading.Event()  # set: the victim is dead, let the held handler go
    victim_calls = {"n": 0}

    fake_openai.responder = law_discovery
    config = tmp_path / "c.toml"
    config.write_text(
        '[campaign]\nname = "kill"\nseed = 3\n[environment]\nid = "newton/gravity-v1"\n'
        '[environment.options]\nshift = "s2"\nbudget = 6\nnoise = 0.01\n'
        f'[agent]\nproposer = "openai:fake"\nstop_when_confident = false\n'
        f'[agent.options]\nbase_url = "{fake_openai.url}"\n'
    )

    def snapshot(url: str, cid: str) -> tuple[list[Any], list[Any], list[str]]:
        store = CampaignStore(Database(url))
        cands = [(r.candidate.source, r.candidate.generation) for r in store.candidates(cid)]
        exps = [(e.index, e.inputs, e.outputs) for e in store.experiments(cid)]
        return cands, exps, [c.key for c in store.calls.list(cid)]

    reference = sqlite_url(tmp_path / "ref.db")
    from discolab.config import load_config

    CampaignRunner(reference).start(load_config(config), campaign_id="ref")
    expected = snapshot(reference, "ref")
    requests_per_run = len(fake_openai.chat_requests)
    assert requests_per_run == 12

    def hold_the_sixth(body: dict[str, Any]) -> Reply:
        victim_calls["n"] += 1
        if victim_calls["n"] == 6:
            hold.set()
            release.wait(timeout=240)
        return law_discovery(body)

    fake_openai.responder = hold_the_sixth
    db = tmp_path / "victim.db"
    env = {**os.environ, "DISCOLAB_DB": str(db)}
    args = [sys.executable, "-m", "discolab", "run", str(config), "--id", "victim"]
    proc = subprocess.Popen(
        args, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        assert hold.wait(timeout=240), "the victim never made its 6th call"
        assert proc.poll() is None, "campaign finished before it could be killed"
        assert len(CampaignStore(Database(sqlite_url(db))).calls.list("victim")) == 5
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        release.set()
    fake_openai.responder = law_discovery
    before_resume = len(fake_openai.chat_requests)
    resumed = subprocess.run(
        [sys.executable, "-m", "discolab", "resume", "victim"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert snapshot(sqlite_url(db), "victim") == expected
    # Exactly the one call in flight at the kill is made twice; stored calls are replayed.
    assert len(fake_openai.chat_requests) - requests_per_run == requests_per_run + 1
    assert len(fake_openai.chat_requests) - before_resume == requests_per_run - 5
