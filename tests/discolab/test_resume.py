"""SIGKILL a real `discolab run` mid-campaign, resume it, and lose or duplicate nothing.

The killed-and-resumed campaign must store exactly the candidates, evaluations and
experiments an uninterrupted campaign with the same seed stores.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from discolab.campaign import CampaignRunner
from discolab.config import load_config
from discolab.storage.db import Database
from discolab.storage.store import CampaignStore

CONFIG = """
[campaign]
name = "resume-test"
seed = 11

[environment]
id = "newton/gravity-v1"
[environment.options]
shift = "{shift}"
noise = 0.01
budget = 8
max_batch = 12

[agent]
proposer = "builtin"
stop_when_confident = false
"""


def _shift() -> str:
    from discolab.environments.catalog import describe_environments

    info = next(i for i in describe_environments() if i.id == "newton/gravity-v1")
    return next(s for s in info.shifts if s != "canonical")


def _snapshot(url: str, cid: str) -> tuple[list, list]:
    store = CampaignStore(Database(url))
    candidates = [
        (
            r.candidate.source,
            r.candidate.generation,
            None if r.evaluation is None else round(r.evaluation.score, 9),
        )
        for r in store.candidates(cid)
    ]
    experiments = [(e.index, e.inputs, e.outputs) for e in store.experiments(cid)]
    return candidates, experiments


def _cli(*args: str, db: str) -> list[str]:
    return [sys.executable, "-m", "discolab", *args, "--db", db]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_sigkill_then_resume_matches_an_uninterrupted_run(tmp_path: Path) -> None:
    config = tmp_path / "campaign.toml"
    config.write_text(CONFIG.format(shift=_shift()))

    reference_url = f"sqlite:///{tmp_path / 'reference.db'}"
    CampaignRunner(reference_url).start(load_config(config), campaign_id="reference")
    expected = _snapshot(reference_url, "reference")
    assert len(expected[1]) == 8 and expected[0]

    db = str(tmp_path / "victim.db")
    url = f"sqlite:///{db}"
    for attempt, stop_after in enumerate((2, 5)):  # kill the first run, then the resumed one
        args = ("run", str(config), "--id", "victim") if attempt == 0 else ("resume", "victim")
        proc = subprocess.Popen(
            _cli(*args, db=db), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tmp_path
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if Path(db).exists():
                try:
                    done = len(CampaignStore(Database(url)).experiments("victim"))
                except Exception:  # the schema may not exist yet
                    done = 0
                if done >= stop_after:
                    break
            time.sleep(0.02)
        assert proc.poll() is None, "campaign finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()

    store = CampaignStore(Database(url))
    assert store.get_campaign("victim").status == "running"  # killed, never marked finished
    resumed = subprocess.run(_cli("resume", "victim", db=db), capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert "discovered law" in resumed.stdout

    assert store.get_campaign("victim").status == "finished"
    assert _snapshot(url, "victim") == expected
