"""A spy proposer: real campaigns, and at every call a walk of all its context can reach.

A proposer may read the task statement, its own experiments and the agent-visible feedback
on its candidates. Whatever it can reach from its :class:`ProposalContext` by attribute
walking (see tests/support/reach.py) must hold no hidden law, no shift name, no held-out
metric (name or value) and no store, engine, session, environment, verifier, registry or
ground-truth object.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver
from openai_server import FakeOpenAI
from reach import walk
from scripted import law_discovery
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

import discolab.campaign as campaign_module
from discolab.agents.explorer import is_confident
from discolab.agents.llm.journal import CallJournal, MemoryCallStore
from discolab.agents.proposers.base import ProposalContext
from discolab.agents.proposers.journal_handle import JournalHandle
from discolab.campaign import CampaignRunner
from discolab.config import config_from_dict
from discolab.environments.base import Environment, GroundTruth
from discolab.environments.catalog import make_environment
from discolab.registry import Registry
from discolab.storage.calls import ModelCallStore
from discolab.storage.db import Database, sqlite_url
from discolab.storage.records import CampaignRecord
from discolab.storage.store import CampaignStore
from discolab.types import Candidate, Evaluation
from discolab.verifiers.laws import HELDOUT_METRICS, LawVerifier

FORBIDDEN_TYPES: tuple[type, ...] = (
    CampaignStore,
    ModelCallStore,
    MemoryCallStore,
    CallJournal,
    Database,
    Engine,
    Connection,
    Session,
    sqlite3.Connection,
    SQLModel,
    CampaignRecord,
    CampaignRunner,
    BaseCheckpointSaver,
    Environment,
    LawVerifier,
    GroundTruth,
    Registry,
)

HEAVY_TYPES = (Database, Engine, Connection, Session, sqlite3.Connection, BaseCheckpointSaver)
"""Reported but not walked into: they reach every row of the database."""


@dataclass
class Secrets:
    """What the spy looks for, refreshed from the store before every walk."""

    formula: str
    shift: str
    values: set[float] = field(default_factory=set)

    def problem(self, obj: Any) -> str | None:
        if isinstance(obj, FORBIDDEN_TYPES):
            return f"a {type(obj).__name__}"
        if isinstance(obj, str):
            if obj in HELDOUT_METRICS:
                return f"the held-out metric name {obj!r}"
            if self.formula.replace(" ", "") in obj.replace(" ", ""):
                return "the hidden law"
            if re.search(rf"(?<![A-Za-z0-9]){re.escape(self.shift)}(?![A-Za-z0-9])", obj):
                return f"the shift name {self.shift!r} in {obj[:80]!r}"
        elif isinstance(obj, float | np.floating) and float(obj) in self.values:
            return f"the held-out figure {float(obj)!r}"
        return None


def _telling(value: float) -> bool:
    """A figure specific enough that finding it in the context means it leaked."""
    return math.isfinite(value) and abs(value) > 1e-12 and value != round(value)


class SpyProposer:
    """Wraps a real proposer; walks its context at every call before delegating."""

    def __init__(self, inner: Any, store: CampaignStore, cid: str, secrets: Secrets) -> None:
        self.inner = inner
        self.name = inner.name
        self._store, self._cid, self._secrets = store, cid, secrets
        self.walks = 0
        self.reached = 0
        self.feedback_seen = 0
        self.problems: list[str] = []

    @property
    def secret_values(self) -> set[float]:
        return self._secrets.values

    def _spy(self, context: ProposalContext) -> None:
        for record in self._store.candidates(self._cid):
            if record.evaluation is None:
                continue
            held = [record.evaluation.metrics.get(k, math.nan) for k in HELDOUT_METRICS]
            self._secrets.values |= {
                float(v) for v in (*held, record.evaluation.score) if _telling(float(v))
            }
        self.walks += 1
        assert isinstance(context.journal, JournalHandle)  # the journal is there, as a handle
        for item in walk(context, prune=lambda obj: isinstance(obj, HEAVY_TYPES)):
            self.reached += 1
            if isinstance(item.value, Evaluation) and item.value.feedback:
                self.feedback_seen += 1
            problem = self._secrets.problem(item.value)
            if problem is not None:
                self.problems.append(f"{item.path}: {problem}")

    def design_experiments(
        self, context: ProposalContext, rng: np.random.Generator
    ) -> list[dict[str, float]]:
        self._spy(context)
        return self.inner.design_experiments(context, rng)

    def propose(self, context: ProposalContext) -> Sequence[Candidate]:
        self._spy(context)
        return self.inner.propose(context)

    def is_confident(self, context: ProposalContext, candidates: Sequence[Candidate]) -> bool:
        return is_confident(self.inner, context, candidates)


def _spied_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, data: dict[str, Any], cid: str
) -> SpyProposer:
    runner = CampaignRunner(sqlite_url(tmp_path / "spy.db"))
    env = data["environment"]
    truth = make_environment(env["id"], **env["options"]).ground_truth()
    secrets = Secrets(formula=truth.formula, shift=env["options"]["shift"])
    spies: list[SpyProposer] = []
    build = campaign_module.make_proposer

    def make_spy(*args: Any, **kwargs: Any) -> SpyProposer:
        spies.append(SpyProposer(build(*args, **kwargs), runner.store, cid, secrets))
        return spies[-1]

    monkeypatch.setattr(campaign_module, "make_proposer", make_spy)
    result = runner.start(config_from_dict(data), campaign_id=cid)
    assert result.status == "finished"
    return spies[-1]


def _assert_found_nothing(spy: SpyProposer, rounds: int) -> None:
    assert spy.walks >= 2 * rounds - 1  # design and propose of every round were walked
    assert spy.reached > 500 and spy.feedback_seen > 0  # the walk saw experiments and feedback
    assert spy.secret_values  # held-out figures were stored, so their absence means something
    assert spy.problems == [], "\n".join(spy.problems[:20])


BUILTIN = {"population": 24, "generations": 2, "max_front": 4}


@pytest.mark.parametrize(
    ("env_id", "options"),
    [
        ("newton/gravity-v1", {"shift": "easy-1", "budget": 3, "max_batch": 10}),
        ("newton/gravity-simple-v1", {"shift": "hard-3", "budget": 2, "max_batch": 2}),
    ],
)
def test_builtin_campaign_context_reaches_no_truth(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env_id: str, options: dict[str, Any]
) -> None:
    # A bench-run style id: the campaign id itself names the shift.
    cid = f"bench-gravity-{options['shift']}-0c0ffee0"
    data = {
        "campaign": {"name": f"newton-v1 {env_id}#{options['shift']}", "seed": 3},
        "environment": {"id": env_id, "options": options},
        "agent": {"proposer": "builtin", "options": BUILTIN, "stop_when_confident": False},
    }
    spy = _spied_run(monkeypatch, tmp_path, data, cid)
    _assert_found_nothing(spy, rounds=options["budget"])


def test_model_campaign_context_reaches_no_truth(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    fake_openai.responder = law_discovery
    data = {
        "campaign": {"name": "spy s2", "seed": 7},
        "environment": {
            "id": "newton/gravity-v1",
            "options": {"shift": "s2", "budget": 3, "max_batch": 6, "noise": 0.01},
        },
        "agent": {
            "proposer": "openai:fake",
            "options": {"base_url": fake_openai.url, "read_timeout": 5.0, "retries": 1},
            "stop_when_confident": False,
        },
    }
    spy = _spied_run(monkeypatch, tmp_path, data, "spy-s2-llm")
    _assert_found_nothing(spy, rounds=3)
    assert len(fake_openai.chat_requests) == 6  # the journal still recorded every call


def test_the_walk_finds_what_is_planted() -> None:
    """The walker follows closures, bound methods, slots, containers and properties."""
    store = MemoryCallStore()

    class Slotted:
        __slots__ = ("_hidden",)

        def __init__(self) -> None:
            self._hidden = store

    class WithProperty:
        @property
        def door(self) -> Any:
            return store

    def closure() -> Any:
        return store

    for planted in (
        closure,
        store.get,
        Slotted(),
        WithProperty(),
        {"key": [store]},
        MemoryCallStore.get.__get__(store),
    ):
        found = [r.path for r in walk({"x": planted}) if r.value is store]
        assert found, planted
