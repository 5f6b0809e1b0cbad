"""SIGKILL a real `discolab evolve` mid-generation, resume it, and lose or repeat nothing.

The victim is the real CLI in a child process, on the ``process`` sandbox so the test runs
the same everywhere. A small driver wraps ``CampaignStore.record_batch`` (the evolver stores
each program the moment its evaluation completes) so that right after the N-th program has
committed the child reports on a pipe and waits; the test reads the pipe (no polling, no
sleeps) and sends SIGKILL. The resumed campaign must end with exactly the programs, scores
and iteration numbers of an uninterrupted campaign with the same seed: the archive is
rebuilt from SQLite, stored slots are not evaluated again, nothing is stored twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from discolab.evolve import EvolveRunner
from discolab.evolve_config import load_evolve_config
from discolab.storage.db import Database
from discolab.storage.store import CampaignStore

CONFIG = """
[campaign]
name = "evolve-resume"
seed = 5
sandbox = "process"

[problem]
id = "programs/circle-packing-26-v1"

[evolver]
max_iterations = 19
max_seconds = 100000
batch = 6
in_flight = 2
timeout_s = 60

[evolver.archive]
islands = 2
migration_interval = 5
"""

PAUSE_DRIVER = textwrap.dedent(
    """
    import os, signal, sys
    from discolab.storage.store import CampaignStore

    after, fd = int(sys.argv[1]), int(sys.argv[2])
    original = CampaignStore.record_batch
    seen = 0

    def pausing(self, campaign_id, items):
        # The evolver stores evaluations that complete together in one batch; store them
        # one at a time here so the kill lands right after the chosen program, whatever
        # the timing of the evaluations.
        global seen
        result = []
        for item in items:
            result += original(self, campaign_id, [item])
            seen += 1
            if seen == after:
                os.write(fd, b"p")  # the program is stored; its generation is not finished
                signal.pause()
        return result

    CampaignStore.record_batch = pausing
    sys.argv = ["discolab", *sys.argv[3:]]
    from discolab.cli import main

    main()
    """
)


def _snapshot(url: str, cid: str) -> list[tuple[int, str, float | None, str]]:
    store = CampaignStore(Database(url))
    rows = [
        (
            int(r.candidate.metadata["iteration"]),
            r.candidate.source,
            None if r.evaluation is None else r.evaluation.score,
            r.candidate.metadata.get("operator", ""),
        )
        for r in store.candidates(cid)
    ]
    return sorted(rows)


def _kill_after(calls: int, cli_args: list[str], cwd: Path) -> None:
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(
        [sys.executable, "-c", PAUSE_DRIVER, str(calls), str(write_end), *cli_args],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=cwd,
    )
    os.close(write_end)
    try:
        paused = os.read(read_end, 1)
    finally:
        os.close(read_end)
    if paused != b"p":
        _, err = proc.communicate()
        pytest.fail(f"the campaign ended before program #{calls}: {err.decode()[-2000:]}")
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_sigkill_then_resume_matches_an_uninterrupted_evolve_run(tmp_path: Path) -> None:
    config = tmp_path / "evolve.toml"
    config.write_text(CONFIG)
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    EvolveRunner(reference).start(load_evolve_config(config), campaign_id="reference")
    expected = _snapshot(reference, "reference")
    assert [row[0] for row in expected] == list(range(19))

    db = str(tmp_path / "victim.db")
    url = f"sqlite:///{db}"
    # Killed after the 10th program is stored: inside generation 2 (programs 7-12).
    _kill_after(10, ["evolve", str(config), "--id", "victim", "--db", db], tmp_path)
    store = CampaignStore(Database(url))
    assert len(store.candidates("victim")) == 10
    assert store.get_campaign("victim").status == "running"

    resumed = subprocess.run(
        [sys.executable, "-m", "discolab", "resume", "victim", "--db", db],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert "best value" in resumed.stdout
    assert store.get_campaign("victim").status == "finished"
    assert _snapshot(url, "victim") == expected
