"""Fixtures for the storage tests: a fresh SQLite database in a temporary directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from discolab.storage import CampaignStore, Database, sqlite_url


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test database lives (inside a directory that does not exist yet)."""
    return tmp_path / "nested" / "dir" / "discolab.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    """A database handle; the file is created on first use."""
    with Database(sqlite_url(db_path)) as database:
        yield database


@pytest.fixture
def store(db: Database) -> CampaignStore:
    """A store over :func:`db`."""
    return CampaignStore(db)


@pytest.fixture
def campaign_id(store: CampaignStore) -> str:
    """The id of a freshly created campaign."""
    store.create_campaign(
        id="gravity-1",
        name="gravity",
        env_id="newton/gravity-v1",
        env_options={"noise": 0.01},
        proposer="builtin",
        seed=7,
        config={"budget": 10},
    )
    return "gravity-1"
