"""BenchmarkStore: stored runs round-trip, re-scoring replaces, group totals add up."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import pytest

from discolab.errors import StorageError
from discolab.storage import BenchmarkStore, Database, RunSpec, TaskResult


def _spec(label: str = "mine", sha: str = "f" * 64, suite: str = "s-v1", **kw: object) -> RunSpec:
    return RunSpec(suite_id=suite, suite_hash="h1", label=label, submission_sha256=sha, **kw)  # type: ignore[arg-type]


def _result(
    task: str, matched: bool, score: float, system: str = "vanilla", **kw: object
) -> TaskResult:  # type: ignore[misc]
    return TaskResult(
        task_id=task,
        domain=task.split("#")[0],
        difficulty=task.split("#")[1].split("-")[0],
        system=system,
        law="C*x" if score else None,
        score=score,
        symbolic_match=matched,
        **kw,  # type: ignore[arg-type]
    )


RESULTS = [
    _result("gravity#easy-1", True, 1.0),
    _result("gravity#hard-1", False, 0.5, metrics={"rmsle": math.inf, "r2": 0.25}),
    _result("decay#easy-1", True, 1.0, system="simple"),
    _result("decay#hard-1", False, 0.0, system="simple", error="no law submitted for this task"),
]


def _count(path: Path, table: str) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        con.close()


@pytest.fixture
def benchmarks(db: Database) -> BenchmarkStore:
    return BenchmarkStore(db)


def test_run_round_trip_with_totals(benchmarks: BenchmarkStore) -> None:
    spec = _spec(proposer="builtin", metadata={"proposer": "builtin"}, duration_s=1.5)
    run, replaced = benchmarks.record_run(spec, RESULTS)
    assert not replaced
    assert run.id.startswith("bench-")
    assert (run.tasks, run.matched, run.failed) == (4, 2, 1)
    assert run.accuracy == 0.5 and run.mean_score == pytest.approx(2.5 / 4)
    assert run.created_at.tzinfo is not None
    stored = benchmarks.get_run(run.id)
    assert stored == run and stored.spec == spec
    assert benchmarks.task_results(run.id) == RESULTS
    assert math.isinf(benchmarks.task_results(run.id)[1].metrics["rmsle"])


def test_nan_score_is_stored_as_null_and_counts_as_zero(benchmarks: BenchmarkStore) -> None:
    run, _ = benchmarks.record_run(_spec(), [_result("a#easy-1", False, math.nan)])
    assert run.mean_score == 0.0
    (back,) = benchmarks.task_results(run.id)
    assert math.isnan(back.score)


def test_rescoring_the_same_file_replaces_the_run(
    benchmarks: BenchmarkStore, db_path: Path
) -> None:
    first, _ = benchmarks.record_run(_spec(duration_s=1.0), RESULTS)
    improved = [_result(r.task_id, True, 1.0, system=r.system) for r in RESULTS]
    again, replaced = benchmarks.record_run(_spec(duration_s=2.0), improved)
    assert replaced and again.id == first.id
    assert again.accuracy == 1.0 and again.spec.duration_s == 2.0
    assert again.created_at >= first.created_at
    assert [r.id for r in benchmarks.runs("s-v1")] == [first.id]
    assert benchmarks.task_results(first.id) == improved
    assert _count(db_path, "benchmark_runs") == 1
    assert _count(db_path, "benchmark_tasks") == len(RESULTS)


def test_another_label_file_or_suite_is_another_run(benchmarks: BenchmarkStore) -> None:
    base, _ = benchmarks.record_run(_spec(), RESULTS)
    others = [
        benchmarks.record_run(_spec(label="other"), RESULTS),
        benchmarks.record_run(_spec(sha="0" * 64), RESULTS),
        benchmarks.record_run(_spec(suite="t-v1"), RESULTS),
    ]
    assert all(not replaced for _, replaced in others)
    assert len({base.id, *(run.id for run, _ in others)}) == 4
    assert len(benchmarks.runs("s-v1")) == 3
    assert benchmarks.suite_ids() == ["s-v1", "t-v1"]


def test_runs_are_listed_newest_first(benchmarks: BenchmarkStore) -> None:
    ids = [benchmarks.record_run(_spec(label=f"r{i}"), RESULTS)[0].id for i in range(3)]
    assert [r.id for r in benchmarks.runs("s-v1")] == ids[::-1]
    assert benchmarks.runs("nothing-v1") == []


def test_group_totals_per_run(benchmarks: BenchmarkStore) -> None:
    run, _ = benchmarks.record_run(_spec(), RESULTS)
    other, _ = benchmarks.record_run(_spec(label="b"), RESULTS[:1])
    by_system = benchmarks.group_totals("s-v1", "system")
    assert set(by_system) == {run.id, other.id}
    assert by_system[run.id]["vanilla"].tasks == 2
    assert by_system[run.id]["vanilla"].matched == 1
    assert by_system[run.id]["vanilla"].score_sum == pytest.approx(1.5)
    assert by_system[run.id]["simple"].accuracy == 0.5
    assert set(by_system[other.id]) == {"vanilla"}
    by_difficulty = benchmarks.group_totals("s-v1", "difficulty")
    assert by_difficulty[run.id]["easy"].accuracy == 1.0
    assert by_difficulty[run.id]["hard"].accuracy == 0.0
    with pytest.raises(ValueError, match="cannot group by 'shift'"):
        benchmarks.group_totals("s-v1", "shift")


def test_duplicate_task_ids_are_refused_and_nothing_is_stored(
    benchmarks: BenchmarkStore, db_path: Path
) -> None:
    with pytest.raises(ValueError, match="appears twice"):
        benchmarks.record_run(_spec(), [RESULTS[0], RESULTS[0]])
    assert benchmarks.runs("s-v1") == []


def test_a_failed_write_stores_nothing(benchmarks: BenchmarkStore, db_path: Path) -> None:
    bad = _result("x#easy-1", True, 1.0, metrics={"obj": object()})
    with pytest.raises((StorageError, TypeError)):
        benchmarks.record_run(_spec(), [RESULTS[0], bad])
    assert benchmarks.runs("s-v1") == []
    assert _count(db_path, "benchmark_tasks") == 0


def test_unknown_run_id_names_the_database(benchmarks: BenchmarkStore, db_path: Path) -> None:
    with pytest.raises(StorageError, match="no benchmark run 'bench-nope'") as info:
        benchmarks.get_run("bench-nope")
    assert str(db_path) in str(info.value)


def test_deleting_a_run_row_cascades_to_its_tasks(
    benchmarks: BenchmarkStore, db_path: Path
) -> None:
    run, _ = benchmarks.record_run(_spec(), RESULTS)
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("DELETE FROM benchmark_runs WHERE id = ?", (run.id,))
    con.commit()
    con.close()
    assert _count(db_path, "benchmark_tasks") == 0


def test_ranking_totals_and_origin_round_trip(benchmarks: BenchmarkStore) -> None:
    results = [
        _result("gravity#easy-1", True, 1.0, within_tolerance=True, ood_nmse=1e-6),
        _result("gravity#hard-1", False, 0.5, within_tolerance=True, ood_nmse=0.5),
        _result("decay#easy-1", True, 1.0, system="simple", ood_nmse=math.nan),
        _result("decay#hard-1", False, 0.0, system="simple", ood_nmse=math.inf),
    ]
    run, _ = benchmarks.record_run(_spec(origin="run", seed=7, proposer="builtin"), results)
    (stored,) = benchmarks.runs("s-v1")
    for got in (run, stored):
        assert (got.within_tolerance, got.accuracy_at_tolerance) == (2, 0.5)
        assert got.ood_nmse == math.inf  # median of (1e-6, 0.5, inf, inf): NaN counts as inf
        assert (got.spec.origin, got.spec.seed) == ("run", 7)
    back = benchmarks.task_results(run.id)
    assert [r.within_tolerance for r in back] == [True, True, False, False]
    assert [r.ood_nmse for r in back] == [1e-6, 0.5, math.inf, math.inf]
    totals = benchmarks.group_totals("s-v1", "system")[run.id]
    assert totals["vanilla"].within_tolerance == 2 and totals["vanilla"].accuracy_at_tolerance == 1
    assert totals["simple"].accuracy_at_tolerance == 0.0
    finite = [_result("gravity#easy-1", True, 1.0, ood_nmse=0.25)]
    run, _ = benchmarks.record_run(_spec(label="finite"), finite)
    assert run.ood_nmse == 0.25 and run.spec.origin == "file" and run.spec.seed is None


def test_unknown_origin_is_refused_by_name() -> None:
    with pytest.raises(StorageError, match="'cli'"):
        _spec(origin="cli")
