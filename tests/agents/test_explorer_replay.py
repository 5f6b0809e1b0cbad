"""A step replayed after a kill sees what it saw the first time.

When a campaign is killed between a store write and the checkpoint of its step, the resumed
graph replays from an older checkpoint while the store already holds the later write (the
experiment of the next round, the candidates of the round being replayed). These tests put
such "future" rows in the store before a round runs and check that no step reads them: the
proposer's context holds only the experiments its state has answered and the candidates of
earlier rounds, the verifier fits on the same experiments, and a replayed round stores no
extra candidate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from discolab.agents.explorer import ExplorerSettings, build_explorer
from discolab.agents.proposers.base import ProposalContext
from discolab.environments.catalog import make_environment
from discolab.storage.db import Database, sqlite_url
from discolab.storage.store import CampaignStore
from discolab.types import Candidate, CandidateKind, Evaluation, Experiment

CID = "replay"
BUDGET = 4


@dataclass
class SpyProposer:
    """Proposes one fixed formula per round and notes what each call could see."""

    name: str = "spy"
    seen: list[tuple[str, int, int, tuple[int, ...]]] = field(default_factory=list)

    def design_experiments(
        self, context: ProposalContext, rng: np.random.Generator
    ) -> list[dict[str, float]]:
        self._note("design", context)
        spec = context.spec
        return [{v.name: float(rng.uniform(v.low, v.high)) for v in spec.inputs}]

    def propose(self, context: ProposalContext) -> Sequence[Candidate]:
        self._note("propose", context)
        # One candidate per answered experiment: a context that saw too many experiments
        # would propose (and store) more candidates than an honest replay.
        return [
            Candidate(
                kind=CandidateKind.EXPRESSION,
                source=f"C*m1*m2/r**{i + 1}",
                proposer=self.name,
                generation=context.round,
            )
            for i in range(len(context.experiments))
        ]

    def _note(self, step: str, context: ProposalContext) -> None:
        generations = tuple(sorted({s.candidate.generation for s in context.best}))
        self.seen.append((step, context.round, len(context.experiments), generations))


@dataclass
class CountingVerifier:
    """Scores nothing; notes how many experiments each evaluation was given."""

    sizes: list[int] = field(default_factory=list)

    def evaluate(self, candidate: Candidate, experiments: list[Experiment]) -> Evaluation:
        self.sizes.append(len(experiments))
        return Evaluation(score=0.1, passed=True, metrics={"data_rel_log_error": 1.0})


def _store(path: Path) -> CampaignStore:
    store = CampaignStore(Database(sqlite_url(path)))
    store.create_campaign(
        id=CID,
        name=CID,
        env_id="newton/gravity-v1",
        env_options={},
        proposer="spy",
        seed=3,
        config={},
    )
    return store


def _run(store: CampaignStore, proposer: SpyProposer, verifier: CountingVerifier) -> None:
    env = make_environment("newton/gravity-v1", budget=BUDGET, seed=3)
    settings = ExplorerSettings(campaign_id=CID, seed=3, stop_when_confident=False)
    graph = build_explorer(
        env=env, proposer=proposer, verifier=verifier, store=store, settings=settings
    )
    graph.invoke({"round": 0}, {"recursion_limit": 100})


def test_future_experiments_in_the_store_are_not_seen(tmp_path: Path) -> None:
    reference_store = _store(tmp_path / "reference.db")
    reference = SpyProposer()
    _run(reference_store, reference, CountingVerifier())
    answered = reference_store.experiments(CID)
    assert len(answered) == BUDGET

    # Every experiment of the campaign is already stored, as after a kill of a later round.
    store = _store(tmp_path / "victim.db")
    for experiment in answered:
        store.record_experiment(CID, experiment)
    spy, verifier = SpyProposer(), CountingVerifier()
    _run(store, spy, verifier)

    assert spy.seen == reference.seen
    proposals = [s for s in spy.seen if s[0] == "propose"]
    assert [(r, n) for _, r, n, _ in proposals] == [(r, r + 1) for r in range(BUDGET)]
    # Each round's candidates were verified on that round's experiments only.
    assert verifier.sizes == [r + 1 for r in range(BUDGET) for _ in range(r + 1)]
    assert [e.outputs for e in store.experiments(CID)] == [e.outputs for e in answered]


def test_a_replayed_round_sees_only_earlier_rounds_candidates(tmp_path: Path) -> None:
    store = _store(tmp_path / "victim.db")
    # A later round's candidates are already stored (generation 2, as after a kill in
    # round 2); rounds 0 and 1 must not see them in their context.
    future = Candidate(
        kind=CandidateKind.EXPRESSION, source="C*m1*m2", proposer="spy", generation=2
    )
    store.record_batch(
        CID, [("r2-0", future, "laws-v1", Evaluation(0.1, True, {"data_rel_log_error": 0.0}))]
    )
    spy = SpyProposer()
    _run(store, spy, CountingVerifier())
    for step, round_, _, generations in spy.seen:
        assert all(g < round_ for g in generations), (step, round_, generations)
    # The replayed round 2 keeps the stored row under its key; nothing is added twice.
    sources = [r.candidate.source for r in store.candidates(CID)]
    assert sources.count("C*m1*m2") == 1
    assert len(sources) == sum(r + 1 for r in range(BUDGET))  # one row per key r<round>-<i>
