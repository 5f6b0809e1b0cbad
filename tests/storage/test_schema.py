"""Schema versions: recorded on creation, newer files refused, migrations applied once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Connection

from discolab.errors import StorageError
from discolab.storage import (
    SCHEMA_VERSION,
    BenchmarkStore,
    CampaignStore,
    Database,
    Migration,
    RunSpec,
    TaskResult,
    sqlite_url,
)
from discolab.storage.calls import ModelCall
from discolab.storage.schema import BASE_VERSION, MIGRATIONS, RANKING_COLUMNS, target_version

TABLES_ADDED_IN = {
    2: ("model_calls", "transcripts"),
    3: ("benchmark_runs", "benchmark_tasks"),
}
"""The tables each schema version added; an old layout is the current one without them."""
COLUMNS_ADDED_IN = {
    4: tuple((table, name) for table, name, _ in RANKING_COLUMNS),
    5: (("campaigns", "assistance"), ("benchmark_runs", "assistance")),
}
"""The columns each schema version added to tables that existed before it."""


def _create(path: Path, version: int = 1) -> None:
    """A database in the layout of schema ``version``, with one campaign (and, from version 2
    on, one model call)."""
    with Database(sqlite_url(path), migrations=MIGRATIONS[: version - BASE_VERSION]) as db:
        store = CampaignStore(db)
        store.create_campaign(
            id="old", name="old", env_id="e", env_options={}, proposer="p", seed=1, config={}
        )
        if version >= 2:
            store.calls.record("old", ModelCall(key="k", purpose="propose", model="m"))
    con = sqlite3.connect(path)
    for added in range(version + 1, SCHEMA_VERSION + 1):
        for table in TABLES_ADDED_IN.get(added, ()):
            con.execute(f"DROP TABLE {table}")
    present = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for added in range(version + 1, SCHEMA_VERSION + 1):
        for table, column in COLUMNS_ADDED_IN.get(added, ()):
            if table in present:
                con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    con.commit()
    con.close()


def _tables(path: Path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        con.close()


def _columns(path: Path, table: str) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {row[1] for row in con.execute(f"PRAGMA table_info({table})")}
    finally:
        con.close()


def test_version_recorded_on_creation(db: Database, db_path: Path) -> None:
    assert db.stored_schema_version() is None
    with db.read():
        pass
    assert db.stored_schema_version() == SCHEMA_VERSION == BASE_VERSION + len(MIGRATIONS)
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT schema_version FROM schema_info").fetchall() == [(SCHEMA_VERSION,)]
    con.close()


def test_newer_database_is_refused_naming_both_versions(db_path: Path) -> None:
    _create(db_path)
    con = sqlite3.connect(db_path)
    con.execute("UPDATE schema_info SET schema_version = 99")
    con.commit()
    con.close()
    with pytest.raises(StorageError) as info, Database(sqlite_url(db_path)).read():
        pass
    message = str(info.value)
    assert "schema version 99" in message
    assert f"up to {SCHEMA_VERSION}" in message
    assert str(db_path) in message


def test_migration_upgrades_an_old_database_once(db_path: Path) -> None:
    _create(db_path)
    calls: list[int] = []

    def add_notes(conn: Connection) -> None:
        calls.append(1)
        conn.exec_driver_sql("ALTER TABLE campaigns ADD COLUMN notes TEXT")

    migrations = [*MIGRATIONS, Migration(SCHEMA_VERSION, "add campaigns.notes", add_notes)]
    newer = SCHEMA_VERSION + 1
    with Database(sqlite_url(db_path), migrations=migrations) as db:
        assert db.schema_version == newer
        assert CampaignStore(db).get_campaign("old").name == "old"
        assert db.stored_schema_version() == newer
    assert "notes" in _columns(db_path, "campaigns")
    with Database(sqlite_url(db_path), migrations=migrations) as db, db.read():
        pass
    assert calls == [1]
    # The code without the migration now meets a newer file and refuses it.
    with (
        pytest.raises(StorageError, match=f"schema version {newer}"),
        Database(sqlite_url(db_path)).read(),
    ):
        pass


def test_fresh_database_skips_migrations_and_gets_latest_version(db_path: Path) -> None:
    def boom(conn: Connection) -> None:
        raise AssertionError("a fresh database must not be migrated")

    with Database(sqlite_url(db_path), migrations=[Migration(1, "x", boom)]) as db:
        with db.read():
            pass
        assert db.stored_schema_version() == 2


def test_failed_migration_leaves_database_unchanged(db_path: Path) -> None:
    _create(db_path)

    def half_done(conn: Connection) -> None:
        conn.exec_driver_sql("ALTER TABLE campaigns ADD COLUMN half TEXT")
        raise RuntimeError("disk on fire")

    db = Database(sqlite_url(db_path), migrations=[Migration(1, "half a change", half_done)])
    with pytest.raises(StorageError, match="half a change") as info, db.read():
        pass
    assert "disk on fire" in str(info.value)
    db.dispose()
    assert "half" not in _columns(db_path, "campaigns")
    with Database(sqlite_url(db_path)) as plain:
        assert plain.stored_schema_version() == 1
        assert CampaignStore(plain).get_campaign("old").id == "old"


def test_misnumbered_migrations_are_rejected() -> None:
    def noop(conn: Connection) -> None:
        return None

    with pytest.raises(ValueError, match="must start at 1"):
        target_version([Migration(2, "skips a version", noop)])


def test_version_1_database_gains_the_model_tables(db_path: Path) -> None:
    _create(db_path)
    assert "model_calls" not in _tables(db_path)
    with Database(sqlite_url(db_path)) as db:
        store = CampaignStore(db)
        assert store.get_campaign("old").name == "old"
        assert db.stored_schema_version() == SCHEMA_VERSION == 5
        assert store.calls.usage("old").calls == 0
    assert {"model_calls", "transcripts"} <= _tables(db_path)
    assert "prompt_tokens" in _columns(db_path, "model_calls")


@pytest.mark.parametrize("version", [1, 2, 3])
def test_old_layout_fixture_matches_its_version(db_path: Path, version: int) -> None:
    _create(db_path, version)
    present = _tables(db_path)
    for added, tables in TABLES_ADDED_IN.items():
        assert set(tables) <= present if added <= version else not set(tables) & present
    for added, columns in COLUMNS_ADDED_IN.items():
        for table, column in columns:
            if table in present:
                assert (column in _columns(db_path, table)) == (added <= version)
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT schema_version FROM schema_info").fetchall() == [(version,)]
    con.close()


@pytest.mark.parametrize("version", [1, 2])
def test_old_database_gains_the_benchmark_tables_and_keeps_its_data(
    db_path: Path, version: int
) -> None:
    _create(db_path, version)
    assert "benchmark_runs" not in _tables(db_path)
    with Database(sqlite_url(db_path)) as db:
        assert db.stored_schema_version() == version
        assert CampaignStore(db).get_campaign("old").name == "old"
        assert db.stored_schema_version() == SCHEMA_VERSION == 5
        assert CampaignStore(db).calls.usage("old").calls == (1 if version >= 2 else 0)
        benchmarks = BenchmarkStore(db)
        assert benchmarks.runs("s-v1") == []
        spec = RunSpec(suite_id="s-v1", suite_hash="h", label="a", submission_sha256="f")
        result = TaskResult("e#s1", "gravity", "easy", "vanilla", "C*m", 1.0, True)
        run, replaced = benchmarks.record_run(spec, [result])
        assert not replaced and run.accuracy == 1.0
    assert {"benchmark_runs", "benchmark_tasks"} <= _tables(db_path)
    assert {"suite_hash", "submission_sha256", "accuracy"} <= _columns(db_path, "benchmark_runs")
    assert {"run_id", "symbolic_match", "metrics"} <= _columns(db_path, "benchmark_tasks")
    con = sqlite3.connect(db_path)
    indexes = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    con.close()
    assert "ix_benchmark_tasks_run_id" in indexes


def test_version_3_database_gains_the_ranking_columns_and_old_runs_read_self_reported(
    db_path: Path,
) -> None:
    _create(db_path, 3)
    assert "origin" not in _columns(db_path, "benchmark_runs")
    con = sqlite3.connect(db_path)
    con.execute(
        "INSERT INTO benchmark_runs (id, suite_id, suite_hash, label, proposer, metadata, "
        "submission_path, submission_sha256, tasks, matched, accuracy, mean_score, failed, "
        "duration_s, created_at) VALUES ('bench-old', 's-v1', 'h', 'old', 'claimed-model', "
        "'{}', '', 'f', 2, 1, 0.5, 0.7, 0, 1.0, '2026-01-01 00:00:00')"
    )
    con.execute(
        "INSERT INTO benchmark_tasks (run_id, task_id, domain, difficulty, system, law, score, "
        "symbolic_match, metrics, error) VALUES ('bench-old', 'e#s1', 'gravity', 'easy', "
        "'vanilla', 'C*m', 1.0, 1, '{}', NULL)"
    )
    con.commit()
    con.close()
    with Database(sqlite_url(db_path)) as db:
        assert db.stored_schema_version() == 3
        benchmarks = BenchmarkStore(db)
        (old,) = benchmarks.runs("s-v1")
        assert db.stored_schema_version() == SCHEMA_VERSION == 5
        assert (old.spec.origin, old.spec.seed, old.spec.proposer) == (
            "file",
            None,
            "claimed-model",
        )
        assert (old.within_tolerance, old.accuracy_at_tolerance) == (0, 0.0)
        assert old.ood_nmse == float("inf") and old.accuracy == 0.5
        (task,) = benchmarks.task_results("bench-old")
        assert not task.within_tolerance and task.ood_nmse == float("inf")
        totals = benchmarks.group_totals("s-v1", "system")
        assert totals["bench-old"]["vanilla"].within_tolerance == 0
    for _, name, _ in RANKING_COLUMNS:
        assert name in _columns(db_path, "benchmark_runs") | _columns(db_path, "benchmark_tasks")


@pytest.mark.parametrize("version", [1, 2, 3, 4])
def test_old_database_gains_the_assistance_columns_as_unknown(db_path: Path, version: int) -> None:
    _create(db_path, version)
    if version >= 3:  # a run stored before assistance was recorded
        con = sqlite3.connect(db_path)
        con.execute(
            "INSERT INTO benchmark_runs (id, suite_id, suite_hash, label, metadata,"
            " submission_path, submission_sha256, tasks, matched, accuracy, mean_score, failed,"
            " duration_s, created_at) VALUES ('bench-old', 's-v1', 'h', 'old', '{}', '', 'f',"
            " 1, 1, 1.0, 1.0, 0, 0.0, '2026-01-01 00:00:00')"
        )
        con.commit()
        con.close()
    with Database(sqlite_url(db_path)) as db:
        store = CampaignStore(db)
        assert store.get_campaign("old").assistance is None  # recorded before: unknown
        fresh = store.create_campaign(
            id="new",
            name="n",
            env_id="e",
            env_options={},
            proposer="p",
            seed=0,
            config={},
            assistance=["inversion"],
        )
        assert fresh.assistance == store.get_campaign("new").assistance == ("inversion",)
        assert db.stored_schema_version() == SCHEMA_VERSION
        runs = BenchmarkStore(db).runs("s-v1")
        assert [r.spec.assistance for r in runs] == (["unknown"] if version >= 3 else [])
    assert "assistance" in _columns(db_path, "campaigns")
    assert "assistance" in _columns(db_path, "benchmark_runs")
