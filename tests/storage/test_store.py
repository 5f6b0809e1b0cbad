"""CampaignStore: campaigns, idempotent records, round trips, ordering and messages."""

from __future__ import annotations

import math
import sqlite3
from datetime import UTC
from pathlib import Path

import pytest

from discolab.errors import CampaignNotFound, StorageError
from discolab.storage import CampaignStore, Database
from discolab.types import Candidate, CandidateKind, Evaluation, Experiment


def _cand(source: str = "x*y", **kw: object) -> Candidate:
    return Candidate(kind=CandidateKind.EXPRESSION, source=source, proposer="builtin", **kw)  # type: ignore[arg-type]


def _eval(score: float, **metrics: float) -> Evaluation:
    return Evaluation(score=score, passed=score > 0.9, metrics=metrics, feedback=f"s={score}")


def _count(path: Path, table: str) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        con.close()


# -- campaigns ---------------------------------------------------------------------------


def test_campaign_round_trip(store: CampaignStore) -> None:
    created = store.create_campaign(
        id="c1",
        name="first",
        env_id="newton/gravity-v1",
        env_options={"shift": 2, "noise": math.inf},
        proposer="openai:gpt-4.1",
        seed=42,
        config={"budget": 20, "nested": {"tol": math.nan, "mode": "inf"}},
    )
    got = store.get_campaign("c1")
    assert got.id == "c1" and got.name == "first" and got.env_id == "newton/gravity-v1"
    assert got.proposer == "openai:gpt-4.1" and got.seed == 42
    assert got.env_options == {"shift": 2, "noise": math.inf}
    assert got.config["budget"] == 20
    assert math.isnan(got.config["nested"]["tol"])
    assert got.config["nested"]["mode"] == "inf"  # a real string stays a string
    assert got.status == "created" and got.stop_reason is None and got.summary is None
    assert got.created_at.tzinfo == UTC and got.created_at == created.created_at


def test_set_status_and_summary(store: CampaignStore, campaign_id: str) -> None:
    before = store.get_campaign(campaign_id)
    store.set_status(campaign_id, "running")
    store.set_status(
        campaign_id, "finished", stop_reason="target reached", summary={"best": "G*m1*m2/r**2"}
    )
    got = store.get_campaign(campaign_id)
    assert got.status == "finished" and got.stop_reason == "target reached"
    assert got.summary == {"best": "G*m1*m2/r**2"}
    assert got.updated_at >= before.updated_at
    store.set_status(campaign_id, "stopped", stop_reason="user")
    assert store.get_campaign(campaign_id).summary == {"best": "G*m1*m2/r**2"}
    with pytest.raises(ValueError, match="'done'"):
        store.set_status(campaign_id, "done")  # type: ignore[arg-type]


def test_list_campaigns_newest_first(store: CampaignStore) -> None:
    for cid in ("a", "b", "c"):
        store.create_campaign(
            id=cid, name=cid, env_id="e", env_options={}, proposer="p", seed=0, config={}
        )
    assert [c.id for c in store.list_campaigns()] == ["c", "b", "a"]


def test_duplicate_campaign_is_refused(store: CampaignStore, campaign_id: str) -> None:
    with pytest.raises(StorageError, match="already exists"):
        store.create_campaign(
            id=campaign_id, name="x", env_id="e", env_options={}, proposer="p", seed=0, config={}
        )


def test_campaign_not_found_suggests_close_ids(store: CampaignStore, campaign_id: str) -> None:
    with pytest.raises(CampaignNotFound) as info:
        store.get_campaign("gravity")
    message = str(info.value)
    assert "'gravity'" in message and "did you mean 'gravity-1'" in message
    assert str(store.db.path) in message
    with pytest.raises(CampaignNotFound, match="did you mean 'gravity-1'"):
        store.candidates("gravty-1")
    with pytest.raises(CampaignNotFound, match="1 other campaign"):
        store.count_candidates("zzzzzz")


def test_campaign_not_found_in_empty_database(store: CampaignStore) -> None:
    with pytest.raises(CampaignNotFound, match="no campaigns yet"):
        store.get_campaign("anything")


# -- experiments -------------------------------------------------------------------------


def test_experiment_idempotent_and_round_trip(
    store: CampaignStore, campaign_id: str, db_path: Path
) -> None:
    first = Experiment(0, ({"m1": 1.0, "r": 2.5}, {"m1": math.inf, "r": 1.0}), (3.0, math.nan))
    stored = store.record_experiment(campaign_id, first)
    assert stored.inputs[0] == {"m1": 1.0, "r": 2.5}
    assert stored.inputs[1]["m1"] == math.inf and math.isnan(stored.outputs[1])
    # A resumed campaign re-measuring index 0 gets the stored measurement back.
    again = store.record_experiment(campaign_id, Experiment(0, ({"m1": 9.0, "r": 9.0},), (9.0,)))
    assert again.inputs[0] == {"m1": 1.0, "r": 2.5} and len(again.outputs) == 2
    store.record_experiment(campaign_id, Experiment(2, ({"m1": 2.0, "r": 1.0},), (8.0,)))
    store.record_experiment(campaign_id, Experiment(1, ({"m1": 1.0, "r": 1.0},), (4.0,)))
    assert [e.index for e in store.experiments(campaign_id)] == [0, 1, 2]
    got = store.get_experiment(campaign_id, 1)
    assert got is not None and got.outputs == (4.0,)
    assert store.get_experiment(campaign_id, 7) is None
    assert _count(db_path, "experiments") == 3


# -- candidates and evaluations ----------------------------------------------------------


def test_candidate_round_trip_every_field(store: CampaignStore, campaign_id: str) -> None:
    parent = store.record_candidate(campaign_id, _cand("x"), key="p")
    original = Candidate(
        kind=CandidateKind.PROGRAM,
        source="def f(x):\n    return x ** 2\n",
        proposer="openai:qwen",
        parent_ids=(str(parent.id), "cand-other"),
        generation=3,
        island=2,
        model="qwen2.5-coder",
        prompt_hash="abc123",
        metadata={"loss": math.inf, "bad": math.nan, "tags": ["a", "b"], "n": {"k": -math.inf}},
    )
    stored = store.record_candidate(campaign_id, original, key="k1")
    assert stored.id is not None and stored.id.startswith("cand-") and len(stored.id) == 17
    [_, record] = store.candidates(campaign_id)
    got = record.candidate
    assert got.id == stored.id
    assert got.kind is CandidateKind.PROGRAM and got.source == original.source
    assert got.proposer == "openai:qwen" and got.parent_ids == (parent.id, "cand-other")
    assert (got.generation, got.island) == (3, 2)
    assert (got.model, got.prompt_hash) == ("qwen2.5-coder", "abc123")
    assert got.metadata["loss"] == math.inf and math.isnan(got.metadata["bad"])
    assert got.metadata["tags"] == ["a", "b"] and got.metadata["n"] == {"k": -math.inf}
    assert record.evaluation is None and record.verifier is None and record.seq == 1


def test_candidate_with_preset_id_keeps_it(store: CampaignStore, campaign_id: str) -> None:
    stored = store.record_candidate(campaign_id, _cand(id="cand-chosen"), key="k")
    assert stored.id == "cand-chosen"


def test_candidate_by_id_has_its_latest_evaluation(store: CampaignStore, campaign_id: str) -> None:
    stored = store.record_candidate(campaign_id, _cand("x"), key="k")
    assert store.candidate(stored.id).evaluation is None
    store.record_evaluation(stored.id, "v1", _eval(0.25))
    store.record_evaluation(stored.id, "v2", _eval(0.75))
    found = store.candidate(stored.id)
    assert found.candidate.source == "x" and found.evaluation.score == 0.75
    assert found.verifier == "v2"
    assert store.candidate("cand-missing") is None


def test_candidate_is_idempotent_on_key(
    store: CampaignStore, campaign_id: str, db_path: Path
) -> None:
    first = store.record_candidate(campaign_id, _cand("x"), key="round-0/0")
    again = store.record_candidate(campaign_id, _cand("something else"), key="round-0/0")
    assert again.id == first.id and again.source == "x"
    assert store.count_candidates(campaign_id) == 1 == _count(db_path, "candidates")


def test_same_key_in_another_campaign_is_a_new_candidate(
    store: CampaignStore, campaign_id: str
) -> None:
    store.create_campaign(
        id="other", name="o", env_id="e", env_options={}, proposer="p", seed=0, config={}
    )
    a = store.record_candidate(campaign_id, _cand(), key="k")
    b = store.record_candidate("other", _cand(), key="k")
    assert a.id != b.id


def test_evaluation_round_trip_and_idempotent(
    store: CampaignStore, campaign_id: str, db_path: Path
) -> None:
    cand = store.record_candidate(campaign_id, _cand(), key="k")
    assert cand.id is not None
    evaluation = Evaluation(
        score=0.25,
        passed=False,
        metrics={"rmse": math.inf, "r2": -math.inf, "nan": math.nan, "complexity": 5.0},
        feedback="off by a factor r",
        error="diverged",
    )
    stored = store.record_evaluation(cand.id, "numeric", evaluation)
    again = store.record_evaluation(cand.id, "numeric", _eval(1.0))
    for got in (stored, again, store.candidates(campaign_id)[0].evaluation):
        assert got is not None
        assert got.score == 0.25 and got.passed is False
        assert got.metrics["rmse"] == math.inf and got.metrics["r2"] == -math.inf
        assert math.isnan(got.metrics["nan"]) and got.metrics["complexity"] == 5.0
        assert got.feedback == "off by a factor r" and got.error == "diverged"
    assert _count(db_path, "evaluations") == 1


def test_nan_score_survives(store: CampaignStore, campaign_id: str) -> None:
    cand = store.record_candidate(campaign_id, _cand(), key="k")
    assert cand.id is not None
    assert math.isnan(store.record_evaluation(cand.id, "v", _eval(math.nan)).score)


def test_latest_evaluation_is_reported(store: CampaignStore, campaign_id: str) -> None:
    cand = store.record_candidate(campaign_id, _cand(), key="k")
    assert cand.id is not None
    store.record_evaluation(cand.id, "numeric", _eval(0.5))
    store.record_evaluation(cand.id, "symbolic", _eval(1.0))
    [record] = store.candidates(campaign_id)
    assert record.verifier == "symbolic" and record.score == 1.0


def test_evaluation_of_unknown_candidate_is_refused(store: CampaignStore) -> None:
    with pytest.raises(StorageError, match="no candidate 'cand-nope'"):
        store.record_evaluation("cand-nope", "v", _eval(1.0))


def test_batch_is_idempotent(store: CampaignStore, campaign_id: str, db_path: Path) -> None:
    items = [(f"r0/{i}", _cand(f"x+{i}"), "numeric", _eval(i / 10)) for i in range(5)]
    first = store.record_batch(campaign_id, items)
    again = store.record_batch(campaign_id, items)
    assert [c.id for c in first] == [c.id for c in again]
    assert [c.source for c in first] == [f"x+{i}" for i in range(5)]
    assert _count(db_path, "candidates") == 5 == _count(db_path, "evaluations")
    records = store.candidates(campaign_id)
    assert [r.seq for r in records] == [0, 1, 2, 3, 4]
    assert [r.score for r in records] == [0.0, 0.1, 0.2, 0.3, 0.4]


def test_batch_accepts_unevaluated_candidates(store: CampaignStore, campaign_id: str) -> None:
    store.record_batch(campaign_id, [("a", _cand(), "v", None)])
    [record] = store.candidates(campaign_id)
    assert record.evaluation is None


def test_failed_batch_leaves_nothing(store: CampaignStore, campaign_id: str, db_path: Path) -> None:
    good = [(f"k{i}", _cand(), "v", _eval(0.5)) for i in range(3)]
    poisoned = _cand(metadata={"unserialisable": object()})
    with pytest.raises(StorageError):
        store.record_batch(campaign_id, [*good, ("bad", poisoned, "v", _eval(0.1))])
    assert store.count_candidates(campaign_id) == 0
    assert _count(db_path, "evaluations") == 0


def test_candidate_in_unknown_campaign_is_refused(store: CampaignStore, campaign_id: str) -> None:
    with pytest.raises(CampaignNotFound):
        store.record_candidate("nope", _cand(), key="k")
    with pytest.raises(CampaignNotFound):
        store.record_batch("nope", [("k", _cand(), "v", _eval(1.0))])


# -- best --------------------------------------------------------------------------------


def test_best_orders_by_score_then_complexity_then_insertion(
    store: CampaignStore, campaign_id: str
) -> None:
    items = [
        ("a", _cand("a"), "v", _eval(0.5, complexity=3.0)),
        ("b", _cand("b"), "v", _eval(0.9, complexity=9.0)),
        ("c", _cand("c"), "v", _eval(0.9, complexity=4.0)),
        ("d", _cand("d"), "v", _eval(0.9, complexity=4.0)),
        ("e", _cand("e"), "v", _eval(math.nan)),
        ("f", _cand("f"), "v", None),
        ("g", _cand("g", metadata={"complexity": 1}), "v", _eval(0.9)),
        ("h", _cand("h"), "v", _eval(0.9)),
    ]
    store.record_batch(campaign_id, items)
    best = store.best(campaign_id)
    assert [r.candidate.source for r in best] == ["g", "c", "d", "b", "h", "a", "e"]
    assert [r.candidate.source for r in store.best(campaign_id, n=2)] == ["g", "c"]
    assert store.best(campaign_id, n=0) == []


def test_best_by_metric(store: CampaignStore, campaign_id: str) -> None:
    store.record_batch(
        campaign_id,
        [
            ("a", _cand("a"), "v", _eval(0.9, r2=0.1)),
            ("b", _cand("b"), "v", _eval(0.1, r2=0.8)),
            ("c", _cand("c"), "v", _eval(0.5)),
        ],
    )
    assert [r.candidate.source for r in store.best(campaign_id, by="r2")] == ["b", "a", "c"]


def test_store_survives_reopening(db: Database, store: CampaignStore, campaign_id: str) -> None:
    cand = store.record_candidate(campaign_id, _cand(), key="k")
    db.dispose()
    reopened = CampaignStore(Database(db.url))
    assert reopened.record_candidate(campaign_id, _cand("new"), key="k").id == cand.id
    reopened.db.dispose()
