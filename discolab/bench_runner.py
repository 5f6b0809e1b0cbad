"""Runs an agent over every task of a suite and writes a submission, resumably.

Each task is an ordinary campaign (stored, checkpointed) whose id is derived from the run name
and the task id, so running the same command again resumes unfinished tasks, reuses finished
ones and appends only what is missing to the submission file. Tasks run in parallel worker
processes; SQLite in WAL mode takes their writes.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import re
import zlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from discolab.config import AgentConfig, CampaignConfig, EnvironmentConfig
from discolab.errors import CampaignNotFound, DiscolabError
from discolab.splits import SECRET_OPTION
from discolab.suites import Suite, SuiteTask

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TaskOutcome:
    """What one task's campaign produced (one submission line)."""

    task_id: str
    law: str | None
    campaign_id: str
    experiments: int
    error: str | None = None
    assistance: tuple[str, ...] | None = None

    def to_line(self, proposer: str, seed: int | None = None) -> str:
        """The submission JSONL line for this outcome (with the campaign's assistance kinds,
        when recorded, so the file says what the agent had)."""
        return json.dumps(
            {
                "task": self.task_id,
                "law": self.law or "",
                "proposer": proposer,
                "campaign": self.campaign_id,
                "experiments": self.experiments,
            }
            | ({"seed": seed} if seed is not None else {})
            | ({"assistance": list(self.assistance)} if self.assistance is not None else {})
            | ({"error": self.error} if self.error else {})
        )


def campaign_id_for(run_name: str, task: SuiteTask) -> str:
    """A stable campaign id for (run, task): readable prefix plus a checksum of the task id."""
    slug = re.sub(r"[^a-z0-9]+", "-", f"{run_name}-{task.domain}-{task.options['shift']}".lower())
    return f"{slug.strip('-')}-{zlib.crc32(task.id.encode()):08x}"


def _task_config(
    suite: Suite, task: SuiteTask, proposer: str, options: dict, seed: int | None = None
) -> CampaignConfig:
    """The campaign of one task; ``seed`` (the agent's) defaults to the suite's seed."""
    env_options = {k: v for k, v in task.options.items()}
    return CampaignConfig(
        name=f"{suite.id} {task.id}",
        seed=int(env_options.get("seed", 0)) if seed is None else int(seed),
        environment=EnvironmentConfig(id=task.env_id, options=env_options),
        agent=AgentConfig(proposer=proposer, options=dict(options)),
    )


def run_task(
    database_url: str,
    suite: Suite,
    task: SuiteTask,
    proposer: str,
    options: dict,
    run_name: str,
    seed: int | None = None,
) -> TaskOutcome:
    """Run (or resume, or reuse) the campaign of one task; never raises for a task's failure.

    ``seed`` is the agent's seed (None: the suite's); the environment keeps the suite's.
    """
    from discolab.campaign import CampaignRunner

    cid = campaign_id_for(run_name, task)
    runner = CampaignRunner(database_url)
    secrets = {k: v for k, v in task.options.items() if k == SECRET_OPTION}
    try:
        try:
            result = runner.resume(cid, secrets=secrets)
        except CampaignNotFound:
            config = _task_config(suite, task, proposer, options, seed)
            result = runner.start(config, campaign_id=cid)
        summary = result.summary
        return TaskOutcome(
            task.id,
            summary.get("final_source"),
            cid,
            int(summary.get("calls_used", 0)),
            assistance=runner.store.get_campaign(cid).assistance,
        )
    except DiscolabError as exc:
        logger.warning("task %s failed: %s", task.id, exc)
        return TaskOutcome(task.id, None, cid, 0, error=str(exc))


def run_assistance(database_url: str, suite: Suite, run_name: str) -> str:
    """The assistance label of a ``bench run``: what its campaigns' proposers had.

    Read from the campaigns that ran (one per task), so it is what the proposer really
    took, not what a file claims; ``unknown`` when no campaign of the run is stored.
    """
    from discolab.assistance import UNKNOWN, label, union
    from discolab.storage.db import Database
    from discolab.storage.store import CampaignStore

    store = CampaignStore(Database(database_url))
    labels = []
    for task in suite.tasks:
        try:
            labels.append(label(store.get_campaign(campaign_id_for(run_name, task)).assistance))
        except CampaignNotFound:  # the task failed before its campaign was stored
            continue
    store.db.dispose()
    return union(labels) if labels else UNKNOWN


def done_tasks(submission: Path) -> set[str]:
    """Task ids already written to ``submission`` (for resuming a run)."""
    if not submission.is_file():
        return set()
    done = set()
    for line in submission.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("task"), str):
            done.add(entry["task"])
    return done


def run_suite(
    *,
    database_url: str,
    suite: Suite,
    proposer: str,
    options: dict | None,
    run_name: str,
    submission: Path,
    workers: int = 2,
    on_outcome: Callable[[TaskOutcome], None] | None = None,
    seed: int | None = None,
) -> list[TaskOutcome]:
    """Run every task not yet in ``submission`` and append each outcome as it finishes.

    ``seed`` is the agent's seed for every task (None: the suite's own seed).
    """
    options = dict(options or {})
    skip = done_tasks(submission)
    todo = [t for t in suite.tasks if t.id not in skip]
    submission.parent.mkdir(parents=True, exist_ok=True)
    outcomes: list[TaskOutcome] = []

    def record(outcome: TaskOutcome) -> None:
        with submission.open("a", encoding="utf-8") as handle:
            handle.write(outcome.to_line(proposer, seed) + "\n")
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)

    if workers <= 1:
        for task in todo:
            record(run_task(database_url, suite, task, proposer, options, run_name, seed))
        return outcomes
    spawn = multiprocessing.get_context("spawn")  # no fork of a threaded parent
    with ProcessPoolExecutor(max_workers=workers, mp_context=spawn) as pool:
        futures = [
            pool.submit(run_task, database_url, suite, t, proposer, options, run_name, seed)
            for t in todo
        ]
        for future in as_completed(futures):
            record(future.result())
    return outcomes
