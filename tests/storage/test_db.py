"""Database: file creation, SQLite pragmas, BEGIN IMMEDIATE, URLs and clear errors."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from discolab.errors import StorageError
from discolab.storage import CampaignStore, Database, default_database_url, sqlite_url
from discolab.storage.models import CampaignRow


def _pragma(db: Database, name: str) -> object:
    with db.read() as session:
        return session.execute(text(f"PRAGMA {name}")).scalar_one()


def test_nothing_touches_disk_until_first_use(db_path: Path) -> None:
    db = Database(sqlite_url(db_path))
    assert not db_path.parent.exists()
    with db.read():
        pass
    assert db_path.is_file()
    tables = sqlite3.connect(db_path).execute("SELECT name FROM sqlite_master").fetchall()
    names = {t[0] for t in tables}
    assert {"campaigns", "candidates", "evaluations", "experiments", "schema_info"} <= names
    db.dispose()


def test_sqlite_pragmas_are_set(db: Database) -> None:
    assert _pragma(db, "journal_mode") == "wal"
    assert _pragma(db, "busy_timeout") == 30_000
    assert _pragma(db, "foreign_keys") == 1
    assert _pragma(db, "synchronous") == 1  # NORMAL


def test_busy_timeout_is_configurable(db_path: Path) -> None:
    with Database(sqlite_url(db_path), busy_timeout=2.5) as db:
        assert _pragma(db, "busy_timeout") == 2_500


def test_write_takes_the_write_lock_on_entry(db: Database, db_path: Path) -> None:
    with db.read():
        pass
    other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    # No statement runs inside write(), yet BEGIN IMMEDIATE already holds the lock.
    with db.write(), pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("BEGIN IMMEDIATE")
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")
    other.close()


def test_readers_do_not_block_writers(db: Database, db_path: Path) -> None:
    with db.read():
        pass
    other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    with db.read() as session:
        assert session.execute(text("SELECT count(*) FROM campaigns")).scalar_one() == 0
        other.execute("BEGIN IMMEDIATE")
        other.execute(
            "INSERT INTO campaigns (id, name, env_id, env_options, proposer, seed, config,"
            " status, created_at, updated_at) VALUES ('w', 'w', 'e', '{}', 'p', 0, '{}',"
            " 'created', '2026-01-01', '2026-01-01')"
        )
        other.execute("COMMIT")
        # The reader keeps its snapshot until its session ends.
        assert session.execute(text("SELECT count(*) FROM campaigns")).scalar_one() == 0
    other.close()
    with db.read() as session:
        assert session.execute(text("SELECT count(*) FROM campaigns")).scalar_one() == 1


def test_write_commits_and_rolls_back(db: Database) -> None:
    with db.write() as session:
        session.add(CampaignRow(id="a", name="a", env_id="e", proposer="p", seed=0))
    with pytest.raises(RuntimeError), db.write() as session:
        session.add(CampaignRow(id="b", name="b", env_id="e", proposer="p", seed=0))
        session.flush()
        raise RuntimeError("killed mid-way")
    with db.read() as session:
        ids = session.execute(text("SELECT id FROM campaigns")).scalars().all()
    assert ids == ["a"]


def test_lock_held_past_busy_timeout_is_a_clear_error(db_path: Path) -> None:
    with Database(sqlite_url(db_path), busy_timeout=0.1) as db:
        store = CampaignStore(db)
        with db.read():
            pass
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StorageError, match="locked") as info:
                store.create_campaign(
                    id="x", name="x", env_id="e", env_options={}, proposer="p", seed=0, config={}
                )
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert str(db_path) in str(info.value)
        assert "busy timeout" in str(info.value)


def test_corrupt_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StorageError, match="not a") as info, Database(sqlite_url(path)).read():
        pass
    assert str(path) in str(info.value)


def test_unreachable_directory_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    path = blocker / "sub" / "discolab.db"
    db = Database(sqlite_url(path))
    with pytest.raises(StorageError, match="cannot create the directory") as info, db.read():
        pass
    assert str(path) in str(info.value)


def test_directory_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="is a directory"), Database(sqlite_url(tmp_path)).read():
        pass


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "not a url"])
def test_bad_urls_are_refused(url: str) -> None:
    with pytest.raises(StorageError, match="sqlite:///"):
        Database(url)


def test_relative_sqlite_path_is_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    db = Database("sqlite:///rel/d.db")
    assert db.path == tmp_path / "rel" / "d.db"
    assert str(tmp_path) in db.location


def test_other_urls_pass_through_without_sqlite_handling() -> None:
    db = Database("postgresql://alice:secret@db.example/discolab")
    assert db.path is None
    assert "secret" not in db.url
    assert "secret" not in repr(db)
    assert db.location == "database postgresql://alice:***@db.example/discolab"


def test_default_url_uses_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISCOLAB_DB", raising=False)
    assert default_database_url(tmp_path) == f"sqlite:///{tmp_path}/.discolab/discolab.db"
    monkeypatch.chdir(tmp_path)
    assert default_database_url() == f"sqlite:///{tmp_path}/.discolab/discolab.db"
    monkeypatch.setenv("DISCOLAB_DB", "postgresql://u@h/d")
    assert default_database_url(tmp_path) == "postgresql://u@h/d"
    monkeypatch.setenv("DISCOLAB_DB", str(tmp_path / "plain.db"))
    assert default_database_url() == f"sqlite:///{tmp_path}/plain.db"
