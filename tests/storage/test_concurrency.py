"""Several processes on one SQLite file: no lost rows, no "database is locked", no half writes."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from discolab.storage import SCHEMA_VERSION, CampaignStore, Database, sqlite_url
from discolab.types import Candidate, CandidateKind

WORKER = textwrap.dedent(
    """
    import sys, time
    from discolab.storage import CampaignStore, Database
    from discolab.types import Candidate, CandidateKind, Evaluation

    url, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = CampaignStore(Database(url))
    store.count_candidates("shared")  # open the database before the start signal
    print("ready", flush=True)
    sys.stdin.readline()  # the start signal: both workers are ready
    for i in range(count):
        cand = Candidate(kind=CandidateKind.EXPRESSION, source=f"{name}*{i}", proposer=name)
        stored = store.record_candidate("shared", cand, key=f"{name}/{i}")
        store.record_evaluation(stored.id, "v", Evaluation(score=i / count, passed=False))
        time.sleep(0.001)  # like a real loop, do some work between writes
    print("ok")
    """
)

KILLED_MID_WRITE = textwrap.dedent(
    """
    import os, signal, sys
    from discolab.storage import Database
    from discolab.storage.models import CandidateRow

    db = Database(sys.argv[1])
    with db.write() as session:
        for i in range(50):
            session.add(CandidateRow(
                id=f"cand-{i}", campaign_id="shared", key=f"k{i}", seq=i, kind="expression",
                source="x", proposer="p",
            ))
        session.flush()
        os.kill(os.getpid(), signal.SIGKILL)
    """
)


def _spawn(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _shared_store(path: Path) -> CampaignStore:
    store = CampaignStore(Database(sqlite_url(path)))
    store.create_campaign(
        id="shared", name="shared", env_id="e", env_options={}, proposer="p", seed=0, config={}
    )
    return store


@pytest.mark.timeout(120)
def test_two_processes_write_concurrently(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    store = _shared_store(path)
    workers = [_spawn(WORKER, sqlite_url(path), name, "200") for name in ("a", "b")]
    for worker in workers:  # wait until each has opened the database, then start both
        assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    for worker in workers:
        out, err = worker.communicate(timeout=110)
        assert worker.returncode == 0, err
        assert out.strip() == "ok"
        assert "locked" not in err
    records = store.candidates("shared")
    assert len(records) == 400 == store.count_candidates("shared")
    assert {r.candidate.proposer for r in records} == {"a", "b"}
    assert all(r.evaluation is not None for r in records)
    assert [r.seq for r in records] == list(range(400))
    # Each worker's own candidates keep their order.
    for name in ("a", "b"):
        mine = [r.candidate.source for r in records if r.candidate.proposer == name]
        assert mine == [f"{name}*{i}" for i in range(200)]
    store.db.dispose()


@pytest.mark.timeout(60)
def test_processes_opening_a_fresh_database_together(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "d.db"
    script = textwrap.dedent(
        """
        import sys
        from discolab.storage import CampaignStore, Database
        store = CampaignStore(Database(sys.argv[1]))
        store.create_campaign(id=sys.argv[2], name="n", env_id="e", env_options={},
                              proposer="p", seed=0, config={})
        """
    )
    workers = [_spawn(script, sqlite_url(path), f"c{i}") for i in range(4)]
    for worker in workers:
        _, err = worker.communicate(timeout=50)
        assert worker.returncode == 0, err
    with Database(sqlite_url(path)) as db:
        assert sorted(c.id for c in CampaignStore(db).list_campaigns()) == [
            "c0",
            "c1",
            "c2",
            "c3",
        ]
        assert db.stored_schema_version() == SCHEMA_VERSION


@pytest.mark.timeout(60)
def test_process_killed_mid_transaction_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "killed.db"
    store = _shared_store(path)
    store.db.dispose()
    victim = _spawn(KILLED_MID_WRITE, sqlite_url(path))
    victim.communicate(timeout=50)
    assert victim.returncode == -signal.SIGKILL
    with Database(sqlite_url(path)) as db:
        after = CampaignStore(db)
        assert after.count_candidates("shared") == 0
        # The lock died with the process: writing works at once.
        cand = Candidate(kind=CandidateKind.EXPRESSION, source="x", proposer="p")
        assert after.record_candidate("shared", cand, key="k0").id is not None
        assert after.count_candidates("shared") == 1
