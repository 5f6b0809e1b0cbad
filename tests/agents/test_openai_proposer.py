"""The model law proposer: golden prompts, tool/text protocols, fallback, failures as data."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from openai_server import FakeOpenAI, Reply
from scripted import QUICKSTART_LAW, gravity_points, law_discovery

from discolab.agents.llm.prompts import explorer_messages
from discolab.agents.proposers.base import ProposalContext, ProposalRejected, ScoredCandidate
from discolab.agents.proposers.catalog import make_proposer
from discolab.environments.catalog import make_environment
from discolab.errors import ConfigError
from discolab.types import Candidate, CandidateKind, Evaluation, Experiment

GOLDEN = Path(__file__).parent / "golden"
SPEC = make_environment("newton/gravity-v1", shift="s2").spec


def _context(**changes: object) -> ProposalContext:
    exp = Experiment(0, ({"m1": 1e23, "m2": 1e21, "r": 1e8},), (4.4e10,))
    tried = ScoredCandidate(
        Candidate(CandidateKind.EXPRESSION, "C*m1*m2/r**2", "openai:m", generation=0),
        Evaluation(0.0, False, {"data_rel_log_error": 0.3}, feedback="C*m1*m2/r**2; fit 0.3"),
    )
    failed = ScoredCandidate(
        Candidate(CandidateKind.EXPRESSION, "m1 +* r", "openai:m", generation=0),
        Evaluation.failure("formula rejected: invalid syntax"),
    )
    values = {
        "spec": SPEC,
        "experiments": (exp,),
        "best": (tried,),
        "recent": (failed,),
        "round": 1,
    }
    return ProposalContext(**(values | changes))  # type: ignore[arg-type]


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text(), (
        f"prompt changed; rerun with UPDATE_GOLDEN=1 to accept ({name})"
    )


@pytest.mark.parametrize("purpose", ["design", "propose"])
@pytest.mark.parametrize("protocol", ["tools", "text"])
def test_explorer_prompts_match_golden_files(purpose: str, protocol: str) -> None:
    ctx = _context(last_error="experiment refused: point 0: r=1e+12 is outside its range")
    messages = explorer_messages(purpose, ctx, protocol)
    text = "\n\n".join(f"[{m['role']}]\n{m['content']}" for m in messages) + "\n"
    _golden(f"explorer_{purpose}_{protocol}.txt", text)
    assert "4.37e-14" not in text and "1.5" not in text  # never the hidden law
    assert "C, C1, C2" in text and "[1e+07, 1e+10]" in text


def _proposer(server: FakeOpenAI, **options: object):  # type: ignore[no-untyped-def]
    base = {"base_url": server.url, "read_timeout": 1.0, "retries": 0, "backoff_s": 0.0}
    return make_proposer("openai:fake", base | options)


def test_tool_protocol_round(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = law_discovery
    proposer = _proposer(fake_openai)
    points = proposer.design_experiments(_context(), np.random.default_rng(0))
    assert len(points) == 6 and set(points[0]) == {"m1", "m2", "r"}
    laws = proposer.propose(_context())
    assert laws[0].source == QUICKSTART_LAW and laws[0].model == "openai:fake"
    assert laws[0].metadata["transcript"] == "r1-propose" and laws[0].prompt_hash
    assert [t["function"]["name"] for t in fake_openai.chat_requests[0].body["tools"]] == [
        "run_experiment"
    ]


def test_server_without_tools_falls_back_to_text(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply(status=400))  # "tools are not supported"
    fake_openai.responder = law_discovery
    proposer = _proposer(fake_openai)
    assert len(proposer.design_experiments(_context(), np.random.default_rng(0))) == 6
    assert proposer.propose(_context())[0].source == QUICKSTART_LAW
    first, retry, propose = fake_openai.chat_requests
    assert "tools" in first.body and "tools" not in retry.body and "tools" not in propose.body
    assert "<run_experiment>" in retry.body["messages"][-1]["content"]


def test_text_protocol_when_configured(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = law_discovery
    proposer = _proposer(fake_openai, protocol="text")
    assert proposer.propose(_context())[0].source == QUICKSTART_LAW
    assert "tools" not in fake_openai.chat_requests[0].body


def test_garbage_is_a_failed_candidate_or_rejected_design(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply(content="no idea, sorry"), Reply(content="<final_law>"))
    proposer = _proposer(fake_openai, protocol="text")
    with pytest.raises(ProposalRejected, match="no experiment found"):
        proposer.design_experiments(_context(), np.random.default_rng(0))
    (failed,) = proposer.propose(_context())
    assert failed.metadata["parse_error"].startswith("no law found")


def test_model_options_are_validated() -> None:
    with pytest.raises(ConfigError, match=r"agent\.options\.temprature.*'temperature'"):
        make_proposer("ollama:m", {"temprature": 0.2})
    with pytest.raises(ConfigError, match=r"agent\.options\.api_key is not allowed"):
        make_proposer("ollama:m", {"api_key": "sk-x"})
    with pytest.raises(ConfigError, match=r"agent\.options\.protocol = 'tool'"):
        make_proposer("ollama:m", {"protocol": "tool"})
    with pytest.raises(ConfigError, match=r"read_timeout = 0\.0 must be > 0"):
        make_proposer("ollama:m", {"read_timeout": 0})


def test_ensemble_draws_members_by_weight(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = law_discovery
    members = [
        {"model": "openai:fast", "weight": 3.0, "base_url": fake_openai.url},
        {"model": "openai:strong", "weight": 1.0, "base_url": fake_openai.url},
    ]
    proposer = make_proposer("ensemble", {"retries": 0}, ensemble=members)
    for round_ in range(40):
        proposer.propose(_context(round=round_, seed=round_))
    models = [r.body["model"] for r in fake_openai.chat_requests]
    assert 20 <= models.count("fast") <= 38 and models.count("strong") >= 2
    assert proposer.name == "ensemble(openai:fast, openai:strong)"


def test_scripted_points_fit_the_task() -> None:
    env = make_environment("newton/gravity-v1", shift="s2")
    env.reset(seed=0)
    assert len(env.experiment(gravity_points())) == 6
