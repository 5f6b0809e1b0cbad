"""The evolver graph: budgets, storage of every program once, resume, best-of-N."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest
from evolve_toy import SEED, ToyEvaluator
from langgraph.checkpoint.sqlite import SqliteSaver

from discolab.agents.evolution.database import ProgramDatabase, archive_settings
from discolab.agents.evolution.proposals import BuiltinProgramProposer
from discolab.agents.evolver import EvolverSettings, build_evolver, recursion_limit
from discolab.storage.db import Database
from discolab.storage.store import CampaignStore

ARCHIVE = {"islands": 2, "bins": 4, "migration_interval": 8, "max_code_length": 400}


def _store(tmp_path, cid: str = "evo") -> CampaignStore:
    store = CampaignStore(Database(f"sqlite:///{tmp_path / 'db.sqlite'}"))
    store.create_campaign(
        id=cid, name=cid, env_id="programs/toy-v1", env_options={}, proposer="builtin",
        seed=0, config={}, assistance=[],
    )  # fmt: skip
    return store


def _run(store, evaluator, tmp_path, *, strategy="evolve", iterations=25, seconds=1e9, cid="evo"):
    settings = EvolverSettings(
        campaign_id=cid, seed=3, task="toy", seed_program=SEED, strategy=strategy, batch=4,
        in_flight=2, max_iterations=iterations, max_seconds=seconds,
    )  # fmt: skip
    database = ProgramDatabase(store, cid, archive_settings(ARCHIVE))
    config = {"configurable": {"thread_id": cid}, "recursion_limit": recursion_limit(settings)}
    path = tmp_path / "checkpoints.sqlite"
    with closing(sqlite3.connect(str(path), check_same_thread=False)) as conn:
        saver = SqliteSaver(conn)
        saver.setup()
        graph = build_evolver(
            proposer=BuiltinProgramProposer(mutation_steps=2, crossover_rate=0.2),
            evaluator=evaluator,  # type: ignore[arg-type]
            database=database,
            settings=settings,
            checkpointer=saver,
        )
        start = None if saver.get_tuple(config) else {"generation": 0}
        for _ in graph.stream(start, config, stream_mode="updates", durability="sync"):
            pass
        return dict(graph.get_state(config).values), database


def _programs(store, cid="evo"):
    return [
        (r.candidate.metadata["iteration"], r.candidate.source, r.score)
        for r in sorted(store.candidates(cid), key=lambda r: r.candidate.metadata["iteration"])
    ]


def test_runs_to_the_program_budget_with_contiguous_iterations(tmp_path) -> None:
    store = _store(tmp_path)
    evaluator = ToyEvaluator()
    state, database = _run(store, evaluator, tmp_path, iterations=25)
    programs = _programs(store)
    assert [p[0] for p in programs] == list(range(25))
    assert evaluator.calls == sum(
        1 for r in store.candidates("evo") if r.candidate.metadata["stage"] != "propose"
    )
    assert "program budget of 25" in state["stop_reason"]
    assert state["iterations"] == 25
    assert database.completed == 25
    seed = store.candidates("evo")[0]
    assert seed.candidate.source == SEED and seed.candidate.generation == 0
    assert max(p[2] for p in programs) > seed.score  # evolution improved on the seed


def test_every_program_records_lineage_and_job(tmp_path) -> None:
    store = _store(tmp_path)
    _run(store, ToyEvaluator(), tmp_path, iterations=13)
    records = store.candidates("evo")
    ids = {r.candidate.id for r in records}
    for r in records[1:]:
        meta = r.candidate.metadata
        assert r.candidate.parent_ids and set(r.candidate.parent_ids) <= ids
        assert {"slot", "iteration", "operator", "stage", "selection", "strategy"} <= set(meta)
        assert r.candidate.island in (0, 1)
        assert r.evaluation is not None and r.verifier == "construction-v1"


def test_an_interrupted_run_resumes_to_exactly_the_uninterrupted_result(tmp_path) -> None:
    whole = _store(tmp_path / "a")
    _run(whole, ToyEvaluator(), tmp_path / "a", iterations=30)
    killed = _store(tmp_path / "b")
    first = ToyEvaluator(fail_after=11)  # dies in the middle of a generation
    with pytest.raises(KeyboardInterrupt):
        _run(killed, first, tmp_path / "b", iterations=30)
    stored_before = len(killed.candidates("evo"))
    assert 0 < stored_before < 30
    second = ToyEvaluator()
    state, _ = _run(killed, second, tmp_path / "b", iterations=30)
    assert _programs(killed) == _programs(whole)  # same programs, same scores, same numbers
    evaluated = sum(
        1 for r in killed.candidates("evo") if r.candidate.metadata["stage"] != "propose"
    )
    assert first.calls - 0 + second.calls >= evaluated
    # nothing stored before the kill is evaluated again after it:
    assert second.calls == evaluated - (first.calls - _in_flight_lost(first, stored_before, killed))
    assert state["iterations"] == 30


def _in_flight_lost(first: ToyEvaluator, stored_before: int, store: CampaignStore) -> int:
    """Evaluations the killed run finished but did not store (at most the in-flight width)."""
    records = store.candidates("evo")[:stored_before]
    stored_evaluated = sum(1 for r in records if r.candidate.metadata["stage"] != "propose")
    return first.calls - stored_evaluated


def test_best_of_n_mutates_only_the_seed(tmp_path) -> None:
    store = _store(tmp_path)
    _run(store, ToyEvaluator(), tmp_path, strategy="best-of-n", iterations=17)
    records = store.candidates("evo")
    seed_id = records[0].candidate.id
    assert len(records) == 17
    assert all(r.candidate.parent_ids[0] == seed_id for r in records[1:])
    assert {r.candidate.metadata["selection"] for r in records[1:]} == {"best-of-n"}


def test_the_time_budget_stops_new_generations_cleanly(tmp_path) -> None:
    store = _store(tmp_path)
    state, _ = _run(store, ToyEvaluator(), tmp_path, iterations=100, seconds=1e-9)
    assert "time budget" in state["stop_reason"]
    assert len(store.candidates("evo")) == 1  # the seed's generation finished, no other began


def test_the_archive_rebuilt_from_the_store_equals_the_live_one(tmp_path) -> None:
    store = _store(tmp_path)
    _, live = _run(store, ToyEvaluator(), tmp_path, iterations=29)
    rebuilt = ProgramDatabase(store, "evo", archive_settings(ARCHIVE))
    rebuilt.load(before_generation=10**6)
    assert rebuilt.archive.occupancy() == live.archive.occupancy()
    for island in range(2):
        assert [p.id for p in rebuilt.archive.elites(island)] == [
            p.id for p in live.archive.elites(island)
        ]


def test_worker_processes_make_the_same_children() -> None:
    from discolab.agents.evolution.proposals import Job
    from discolab.agents.proposers.program import Parent

    parent = Parent(id="p", code=SEED, score=0.6)
    donor = Parent(id="d", code=SEED.replace("0.2", "0.25"), score=0.65)
    jobs = [Job(slot, slot % 2, parent, (donor,), "elite") for slot in range(6)]
    alone = BuiltinProgramProposer(2, 0.3).propose(jobs, task="t", generation=3, seed=9)
    pooled = BuiltinProgramProposer(2, 0.3, workers=2)
    try:
        together = pooled.propose(jobs, task="t", generation=3, seed=9)
    finally:
        pooled.close()
    assert [p.candidate.source for p in alone] == [p.candidate.source for p in together]
    assert [p.candidate.metadata for p in alone] == [p.candidate.metadata for p in together]
