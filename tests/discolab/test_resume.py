"""SIGKILL a real `discolab run` mid-campaign, resume it, and lose or duplicate nothing.

The killed-and-resumed campaign must store exactly the candidates, evaluations and
experiments an uninterrupted campaign with the same seed stores.

The victim is the real CLI in a child process. It is killed at two chosen points rather than
after a guessed delay: a small driver wraps one store write so that, right after the write
has committed and before the graph checkpoints the step, the child reports on a pipe and
waits; the test reads the pipe (no polling, no sleeps) and sends SIGKILL. The first kill
lands after an experiment is stored, the second (in the resumed child) after a round's
candidates and evaluations are stored: the two places where a resume could lose or repeat
work. Measurement noise is 0 so the built-in search finishes each round in a fraction of a
second; that resumed experiments see the same *noise* is checked by the model-proposer kill
test (tests/discolab/test_openai_campaign.py) and the environment conformance tests.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
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
budget = 8
max_batch = 12

[agent]
proposer = "builtin"
stop_when_confident = false
[agent.options]
time_limit_s = 600.0  # the search ends by its generation budget, never by a loaded clock
"""

PAUSE_DRIVER = textwrap.dedent(
    """
    import os, signal, sys
    from discolab.storage.store import CampaignStore

    method, after, fd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    original = getattr(CampaignStore, method)
    seen = 0

    def pausing(self, *args, **kwargs):
        global seen
        result = original(self, *args, **kwargs)
        seen += 1
        if seen == after:
            os.write(fd, b"p")  # the write has committed; the step's checkpoint has not
            signal.pause()  # wait here for the SIGKILL
        return result

    setattr(CampaignStore, method, pausing)
    sys.argv = ["discolab", *sys.argv[4:]]
    from discolab.cli import main

    main()
    """
)


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
    return [*args, "--db", db]


def _kill_after(method: str, calls: int, cli_args: list[str], cwd: Path) -> None:
    """Run ``discolab CLI_ARGS`` until its ``calls``-th ``CampaignStore.method`` has committed,
    then kill it."""
    read_end, write_end = os.pipe()
    driver = [sys.executable, "-c", PAUSE_DRIVER, method, str(calls), str(write_end)]
    proc = subprocess.Popen(
        [*driver, *cli_args],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=cwd,
    )
    os.close(write_end)
    try:
        paused = os.read(read_end, 1)  # blocks until the pause, or EOF if the child exits
    finally:
        os.close(read_end)
    if paused != b"p":
        _, err = proc.communicate()
        pytest.fail(f"the campaign ended before {method} #{calls}: {err.decode()[-2000:]}")
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_sigkill_then_resume_matches_an_uninterrupted_run(tmp_path: Path) -> None:
    config = tmp_path / "campaign.toml"
    config.write_text(CONFIG.format(shift=_shift()))

    reference_url = f"sqlite:///{tmp_path / 'reference.db'}"
    CampaignRunner(reference_url).start(load_config(config), campaign_id="reference")
    expected = _snapshot(reference_url, "reference")
    assert len(expected[1]) == 8 and expected[0]

    db = str(tmp_path / "victim.db")
    url = f"sqlite:///{db}"
    # Killed right after experiment 2 is stored, before its step is checkpointed.
    _kill_after("record_experiment", 3, _cli("run", str(config), "--id", "victim", db=db), tmp_path)
    store = CampaignStore(Database(url))
    assert len(store.experiments("victim")) == 3
    # Resumed, then killed right after its second round's candidates are stored.
    _kill_after("record_batch", 2, _cli("resume", "victim", db=db), tmp_path)
    assert store.get_campaign("victim").status == "running"  # killed, never marked finished
    rounds = {r.candidate.generation for r in store.candidates("victim")}
    assert len(rounds) < 8  # stopped mid-campaign, with the last round not yet recorded

    resumed = subprocess.run(
        [sys.executable, "-m", "discolab", *_cli("resume", "victim", db=db)],
        capture_output=True,
        text=True,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert "discovered law" in resumed.stdout

    assert store.get_campaign("victim").status == "finished"
    assert _snapshot(url, "victim") == expected
