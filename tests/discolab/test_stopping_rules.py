"""Stopping rules: a weak or non-compliant model always ends a campaign cleanly.

Each test is a failure seen with a small local model behind llama.cpp, replayed with the
scripted fake server:

* every design reply is unusable, so no round spends budget: the campaign used to loop until
  LangGraph raised ``GraphRecursionError`` (a traceback, the campaign left ``running``);
* the model measures one input point over and over and proposes a one-constant law, which
  fits a single point exactly: the campaign used to stop "converged" on a wrong law.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from openai_server import FakeOpenAI, Reply
from scripted import QUICKSTART_LAW, law_discovery, purpose

from discolab.campaign import CampaignRunner
from discolab.config import config_from_dict
from discolab.storage.db import sqlite_url

WRONG_LAW = "C*m1*m2/r**2"


def _config(url: str, **agent: Any) -> Any:
    return config_from_dict(
        {
            "campaign": {"name": "weak", "seed": 5},
            "environment": {
                "id": "newton/gravity-v1",
                "options": {"shift": "s2", "budget": 6, "max_batch": 8},
            },
            "agent": {
                "proposer": "openai:fake",
                "options": {"base_url": url, "retries": 1, "backoff_s": 0.01},
            }
            | agent,
        }
    )


def _mute(body: dict[str, Any]) -> Reply:
    """A model that never uses the reply format (no tags, no tool calls)."""
    return Reply(content="I think the answer depends on the masses. Let me think more.")


def test_unusable_designs_stop_the_campaign_resumably(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    fake_openai.responder = _mute
    runner = CampaignRunner(sqlite_url(tmp_path / "weak.db"))
    result = runner.start(_config(fake_openai.url), campaign_id="mute")

    assert result.status == "stopped"
    assert "no experiment answered in 3 consecutive rounds" in (result.stop_reason or "")
    assert "discolab resume mute" in (result.stop_reason or "")
    record = runner.store.get_campaign("mute")
    assert record.status == "stopped" and record.stop_reason == result.stop_reason
    assert runner.store.experiments("mute") == []
    assert len(fake_openai.chat_requests) == 3  # three design calls, then the rule

    # The model recovers: the resumed campaign starts the next round and finishes.
    fake_openai.responder = law_discovery
    resumed = runner.resume("mute")
    assert resumed.status == "finished", resumed.stop_reason
    assert resumed.summary["final_source"] == QUICKSTART_LAW
    assert len(runner.store.experiments("mute")) >= 2


def test_unusable_designs_exit_with_code_3_and_no_traceback(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    fake_openai.responder = _mute
    config = tmp_path / "weak.toml"
    config.write_text(
        "[campaign]\nname = 'weak'\nseed = 5\n"
        "[environment]\nid = 'newton/gravity-v1'\n"
        "[environment.options]\nshift = 's2'\nbudget = 6\nmax_batch = 8\n"
        f"[agent]\nproposer = 'openai:fake'\n"
        f"[agent.options]\nbase_url = '{fake_openai.url}'\nretries = 1\nbackoff_s = 0.01\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "discolab", "run", str(config), "--db", str(tmp_path / "w.db")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert run.returncode == 3, run.stderr[-2000:]
    assert "Traceback" not in run.stderr and "Traceback" not in run.stdout
    assert "no experiment answered" in run.stdout


def test_a_law_that_keeps_no_readable_form_stops_the_campaign(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    def unreadable_laws(body: dict[str, Any]) -> Reply:
        if purpose(body) == "design":
            return law_discovery(body)
        return Reply(content="The law is probably a power law of some kind.")

    fake_openai.responder = unreadable_laws
    runner = CampaignRunner(sqlite_url(tmp_path / "weak.db"))
    result = runner.start(_config(fake_openai.url), campaign_id="vague")
    assert result.status == "stopped"
    assert "3 consecutive replies held no readable law" in (result.stop_reason or "")
    assert len(runner.store.experiments("vague")) == 3


def test_one_repeated_point_never_makes_a_law_confident(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    point = {"m1": 1e24, "m2": 1e22, "r": 1e8}

    def one_point(body: dict[str, Any]) -> Reply:
        if purpose(body) == "design":
            if body.get("tools"):
                return Reply(content="", tool_calls=[("run_experiment", {"points": [point] * 4})])
            return Reply(content=f"<run_experiment>{json.dumps([point] * 4)}</run_experiment>")
        if body.get("tools"):
            return Reply(tool_calls=[("propose_law", {"formula": WRONG_LAW})])
        return Reply(content=f"<final_law>{WRONG_LAW}</final_law>")

    fake_openai.responder = one_point
    runner = CampaignRunner(sqlite_url(tmp_path / "weak.db"))
    result = runner.start(_config(fake_openai.url), campaign_id="one-point")

    # The law fits the single point exactly, yet the campaign spends its whole budget.
    assert result.status == "finished"
    assert result.stop_reason == "experiment budget spent (6 calls)"
    assert result.summary["final_source"] == WRONG_LAW
    assert result.summary["symbolic_match"] is False
    # And the model is told why, in the next request.
    later = [json.dumps(r.body["messages"]) for r in fake_openai.chat_requests[2:]]
    assert later and all("cannot confirm any law" in text for text in later)
    assert all("only 1 distinct input point" in text for text in later)
