"""`bench run` is resumable: finished tasks are skipped and no line is written twice."""

from __future__ import annotations

import json
from pathlib import Path

from discolab.bench_runner import campaign_id_for, done_tasks, run_suite
from discolab.storage.db import Database
from discolab.storage.store import CampaignStore
from discolab.suites import suite_from_dict

SUITE = {
    "suite": {"id": "mini-v1"},
    "options": {"noise": 0.0, "budget": 3, "max_batch": 12, "seed": 0},
    "tasks": [{"env": "newton/fourier-v1", "shifts": ["canonical", "s1", "s2"]}],
}


def test_run_suite_resumes_and_never_duplicates(tmp_path: Path) -> None:
    suite = suite_from_dict(SUITE)
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    submission = tmp_path / "run.jsonl"
    first = suite.tasks[0]
    submission.write_text(json.dumps({"task": first.id, "law": "C*A*dT/d"}) + "\n")

    outcomes = run_suite(
        database_url=url,
        suite=suite,
        proposer="builtin",
        options={},
        run_name="t",
        submission=submission,
        workers=1,
    )
    assert sorted(o.task_id for o in outcomes) == sorted(t.id for t in suite.tasks[1:])
    assert all(o.law and o.error is None for o in outcomes)

    again = run_suite(
        database_url=url,
        suite=suite,
        proposer="builtin",
        options={},
        run_name="t",
        submission=submission,
        workers=1,
    )
    assert again == []
    lines = [json.loads(x) for x in submission.read_text().splitlines()]
    assert len(lines) == 3 and done_tasks(submission) == {t.id for t in suite.tasks}

    store = CampaignStore(Database(url))
    stored = {c.id for c in store.list_campaigns()}
    assert stored == {campaign_id_for("t", t) for t in suite.tasks[1:]}
    assert all(store.get_campaign(c).status == "finished" for c in stored)


def test_a_seed_replaces_the_agents_seed_only() -> None:
    from discolab.bench_runner import TaskOutcome, _task_config

    suite = suite_from_dict(SUITE)
    task = suite.tasks[0]
    default = _task_config(suite, task, "builtin", {})
    seeded = _task_config(suite, task, "builtin", {}, seed=7)
    assert (default.seed, seeded.seed) == (0, 7)
    assert seeded.environment.options == default.environment.options  # same tasks, same data
    line = json.loads(TaskOutcome(task.id, "C", "cid", 3).to_line("builtin", seed=7))
    assert (line["proposer"], line["seed"]) == ("builtin", 7)
    assert "seed" not in json.loads(TaskOutcome(task.id, "C", "cid", 3).to_line("builtin"))
