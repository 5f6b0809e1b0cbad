"""Model proposals drive the evolver end to end through the scripted OpenAI-compatible server.

Diffs and rewrites come back from the fake server; the evolver applies them inside the
EVOLVE-BLOCK, runs the children in the ``process`` sandbox and stores every program. A
reply that is not a valid edit is stored as a failed program whose feedback reaches the next
prompt; prompts never carry the best-known value; a call cap stops the campaign cleanly.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from openai_server import FakeOpenAI, Reply

from discolab.evolve import EvolveRunner
from discolab.evolve_config import load_evolve_config
from discolab.storage.db import Database
from discolab.storage.store import CampaignStore

SEED = """import json
# EVOLVE-BLOCK-START
centers = [[0.1 + 0.16 * (k % 6), 0.1 + 0.2 * (k // 6)] for k in range(26)]
radii = [0.075] * 26
# EVOLVE-BLOCK-END
json.dump({"centers": centers, "radii": radii}, open("construction.json", "w"))
"""

DIFF = """I will grow the radii.
<<<<<<< SEARCH
radii = [0.075] * 26
=======
radii = [0.078] * 26
>>>>>>> REPLACE
"""

REWRITE = """```python
centers = [[0.1 + 0.16 * (k % 6), 0.1 + 0.2 * (k // 6)] for k in range(26)]
radii = [0.079] * 26
```"""

CONFIG = """
[campaign]
name = "evolve-model"
seed = 2
sandbox = "process"

[problem]
id = "programs/circle-packing-26-v1"

[evolver]
proposer = "vllm:coder"
mode = "{mode}"
seed_program = "seed.py"
max_iterations = 9
batch = 4
in_flight = 2
timeout_s = 60

[evolver.options]
base_url = "{url}"
retries = 0
read_timeout = 10.0

[evolver.archive]
islands = 2
{limits}
"""


def _config(tmp_path: Path, server: FakeOpenAI, mode: str, limits: str = "") -> Path:
    (tmp_path / "seed.py").write_text(SEED)
    path = tmp_path / "evolve.toml"
    path.write_text(CONFIG.format(mode=mode, url=server.url, limits=limits))
    return path


def _cycle(*replies: Reply):  # type: ignore[no-untyped-def]
    answers = itertools.cycle(replies)
    return lambda body: next(answers)


def _run(tmp_path: Path, config: Path):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    result = EvolveRunner(url).start(load_evolve_config(config), campaign_id="m")
    return result, CampaignStore(Database(url))


def test_scripted_diffs_drive_the_loop(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = _cycle(Reply(content=DIFF), Reply(content="no idea, sorry"))
    result, store = _run(tmp_path, _config(tmp_path, fake_openai, "diff"))
    assert result.status == "finished"
    records = store.candidates("m")
    assert len(records) == 9
    values = [r.evaluation.metrics.get("value") for r in records if r.evaluation.passed]
    assert max(values) == 26 * 0.078  # the diff applied, ran in the sandbox, and scored
    failed = [r for r in records if r.candidate.metadata.get("stage") == "propose"]
    assert failed and all("SEARCH" in r.evaluation.feedback for r in failed)
    assert store.calls.usage("m").calls == 8
    assert tuple(store.get_campaign("m").assistance) == ("seeded",)
    assert records[0].candidate.metadata["seeded"] is True
    prompts = [str(r.body["messages"]) for r in fake_openai.chat_requests]
    assert all("2.635" not in p and "2.634" not in p for p in prompts)
    later = prompts[-1]
    assert "value = " in later  # parents are shown with their verified values


def test_scripted_rewrites_drive_the_loop(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = _cycle(Reply(content=REWRITE))
    result, store = _run(tmp_path, _config(tmp_path, fake_openai, "rewrite"))
    assert result.status == "finished"
    best = max(r.evaluation.metrics["value"] for r in store.candidates("m") if r.evaluation.passed)
    assert best == 26 * 0.079


def test_a_call_cap_stops_the_campaign_cleanly(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = _cycle(Reply(content=DIFF))
    config = _config(tmp_path, fake_openai, "diff", limits="[limits]\nmax_calls = 3\n")
    result, store = _run(tmp_path, config)
    assert result.status == "stopped" and "resume" in (result.stop_reason or "")
    assert store.calls.usage("m").calls <= 4
    assert store.candidates("m")  # the seed and what finished are kept
