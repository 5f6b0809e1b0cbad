"""Protocol detection follows what the server does, not what it says.

Two llama.cpp behaviours, replayed with the scripted fake server:

* without ``--jinja`` it answers ``HTTP 500: tools param requires --jinja flag``; that used to
  be retried as transient until the campaign stopped (exit 3);
* with ``--jinja`` and a chat template that cannot render tools it answers 200 and ignores
  them; ``protocol = "auto"`` used to stay in tools mode forever, telling the model to call a
  tool it never saw.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from openai_server import FakeOpenAI, Reply
from scripted import QUICKSTART_LAW, gravity_points, law_discovery

from discolab.agents.llm.journal import memory_journal
from discolab.agents.proposers.base import ProposalContext, ProposalRejected
from discolab.agents.proposers.catalog import make_proposer
from discolab.agents.proposers.journal_handle import JournalHandle
from discolab.campaign import CampaignRunner
from discolab.config import config_from_dict
from discolab.environments.catalog import make_environment
from discolab.storage.db import sqlite_url

JINJA_ERROR = b'{"error": {"code": 500, "message": "tools param requires --jinja flag"}}'


def _config(url: str) -> Any:
    return config_from_dict(
        {
            "campaign": {"name": "llama", "seed": 7},
            "environment": {
                "id": "newton/gravity-v1",
                "options": {"shift": "s2", "budget": 6, "max_batch": 20},
            },
            "agent": {
                "proposer": "openai:fake",
                "options": {"base_url": url, "retries": 2, "backoff_s": 0.01},
            },
        }
    )


def _no_jinja(body: dict[str, Any]) -> Reply:
    if body.get("tools"):
        return Reply(status=500, raw_body=JINJA_ERROR)
    return law_discovery(body)


def _drops_tools(body: dict[str, Any]) -> Reply:
    if body.get("tools"):
        return Reply(content="I would call run_experiment with masses of 1e24 kg and r = 1e8 m.")
    return law_discovery(body)


def test_a_server_that_needs_jinja_for_tools_gets_text(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    fake_openai.responder = _no_jinja
    runner = CampaignRunner(sqlite_url(tmp_path / "llama.db"))
    result = runner.start(_config(fake_openai.url), campaign_id="no-jinja")
    assert result.status == "finished", result.stop_reason
    assert result.summary["final_source"] == QUICKSTART_LAW
    first, second, *rest = fake_openai.chat_requests
    assert "tools" in first.body and "tools" not in second.body  # no retry of the 500
    assert rest and all("tools" not in r.body for r in rest)
    calls = runner.store.calls.list("no-jinja")
    assert "requires --jinja" in calls[0].result["protocol_switch"]
    assert calls[0].result["protocol"] == "text"


def test_a_server_that_drops_tools_silently_gets_text(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    fake_openai.responder = _drops_tools
    runner = CampaignRunner(sqlite_url(tmp_path / "llama.db"))
    result = runner.start(_config(fake_openai.url), campaign_id="dropped")
    assert result.status == "finished", result.stop_reason
    assert result.summary["final_source"] == QUICKSTART_LAW
    with_tools = ["tools" in r.body for r in fake_openai.chat_requests]
    assert with_tools[:2] == [True, True] and not any(with_tools[2:])
    calls = runner.store.calls.list("dropped")
    switched = [c for c in calls if "protocol_switch" in c.result]
    assert [c.key for c in switched] == ["r1-design"]
    assert "drop the tools" in switched[0].result["protocol_switch"]


def test_a_reply_with_tags_in_tools_mode_does_not_count_as_toolless(
    fake_openai: FakeOpenAI,
) -> None:
    def tags_only(body: dict[str, Any]) -> Reply:
        return Reply(content=f"<run_experiment>{json.dumps(gravity_points())}</run_experiment>")

    fake_openai.responder = tags_only
    proposer = make_proposer("openai:fake", {"base_url": fake_openai.url, "retries": 0})
    spec = make_environment("newton/gravity-v1", shift="s2").spec
    for round_ in range(4):
        context = ProposalContext(spec=spec, experiments=(), best=(), round=round_)
        assert proposer.design_experiments(context, np.random.default_rng(0))
    assert all("tools" in r.body for r in fake_openai.chat_requests)


def test_a_resumed_proposer_keeps_the_switch(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = _drops_tools
    spec = make_environment("newton/gravity-v1", shift="s2").spec
    journal = memory_journal()
    handle = JournalHandle(journal)
    first = make_proposer("openai:fake", {"base_url": fake_openai.url, "retries": 0})
    for round_ in (0, 1):
        context = ProposalContext(spec=spec, experiments=(), best=(), round=round_, journal=handle)
        with pytest.raises(ProposalRejected):  # prose, no tool call, no tag
            first.design_experiments(context, np.random.default_rng(0))
    # A new process resumes the campaign: its proposer starts in text mode.
    resumed = make_proposer("openai:fake", {"base_url": fake_openai.url, "retries": 0})
    context = ProposalContext(spec=spec, experiments=(), best=(), round=2, journal=handle)
    assert resumed.design_experiments(context, np.random.default_rng(0))
    assert "tools" not in fake_openai.chat_requests[-1].body
    assert len(fake_openai.chat_requests) == 3
