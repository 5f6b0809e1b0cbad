"""`discolab evolve` on a PCF problem: the builtin proposer and a scripted model find e.

Candidate programs run in the sandbox and write ``{"a": ..., "b": ...}``; the host parses
the polynomials safely and the PCF verifier scores them. The builtin run is deterministic
(one evaluation in flight, a fixed seed).
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import pytest
from openai_server import FakeOpenAI, Reply
from typer.testing import CliRunner

from discolab.cli import _mount_subcommands, app
from discolab.environments.programs.catalog import make_problem
from discolab.evolve import EvolveRunner
from discolab.evolve_config import load_evolve_config
from discolab.storage.db import Database
from discolab.storage.store import CampaignStore

BUILTIN = """
[campaign]
name = "pcf-e"
seed = 3
sandbox = "{sandbox}"

[problem]
id = "constants/pcf-e-v1"

[evolver]
max_iterations = {iterations}
batch = 4
in_flight = 1
timeout_s = 60
"""

MODEL = """
[campaign]
name = "pcf-e-model"
seed = 2
sandbox = "process"

[problem]
id = "constants/pcf-e-v1"

[evolver]
proposer = "vllm:coder"
mode = "diff"
max_iterations = 7
batch = 3
in_flight = 1
timeout_s = 60

[evolver.options]
base_url = "{url}"
retries = 0
read_timeout = 10.0

[evolver.archive]
islands = 1
"""

TO_E = """Euler's fraction has b_n = -n.
<<<<<<< SEARCH
A = [3, 2]  # a_n coefficients, constant term first
B = [1, 2]  # b_n coefficients, constant term first
=======
A = [3, 1]
B = [0, -1]
>>>>>>> REPLACE
"""

HOSTILE = """Let the host evaluate it.
<<<<<<< SEARCH
    return {"a": a, "b": b}
=======
    return {"a": "__import__('os').system('id')", "b": "NaN"}
>>>>>>> REPLACE
"""


def _store(db: Path) -> CampaignStore:
    return CampaignStore(Database(f"sqlite:///{db}"))


def _best(store: CampaignStore, cid: str):  # type: ignore[no-untyped-def]
    valid = [r for r in store.candidates(cid) if r.evaluation.passed]
    return max(valid, key=lambda r: r.evaluation.metrics["value"])


def test_builtin_evolve_finds_a_formula_for_e(tmp_path: Path) -> None:
    _mount_subcommands()
    config = tmp_path / "evolve.toml"
    config.write_text(BUILTIN.format(sandbox="process", iterations=24))
    db = tmp_path / "db.sqlite"
    result = CliRunner().invoke(app, ["evolve", str(config), "--id", "p1", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "campaign p1 finished" in result.output and "24 programs" in result.output
    store = _store(db)
    records = store.candidates("p1")
    assert len(records) == 24
    seed_value = records[0].evaluation.metrics["value"]
    assert seed_value < 1.0  # the seed is not a formula for e
    best = _best(store, "p1")
    assert best.evaluation.metrics["verified"] == 1.0 and best.evaluation.metrics["value"] > 1.0
    # the best program's construction verifies again from scratch
    problem = make_problem("constants/pcf-e-v1")
    source = best.candidate.source
    a = json.loads(source.split("A = ")[-1].split("\n")[0].split("#")[0])
    b = json.loads(source.split("B = ")[-1].split("\n")[0].split("#")[0])
    rescored = problem.score({"a": a, "b": b})
    assert rescored.valid and rescored.value == best.evaluation.metrics["value"]


def _cycle(*replies: Reply):  # type: ignore[no-untyped-def]
    answers = itertools.cycle(replies)
    return lambda body: next(answers)


def test_a_scripted_model_drives_the_pcf_problem(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = _cycle(Reply(content=HOSTILE), Reply(content=TO_E))
    path = tmp_path / "evolve.toml"
    path.write_text(MODEL.format(url=fake_openai.url))
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    result = EvolveRunner(url).start(load_evolve_config(path), campaign_id="m")
    assert result.status == "finished"
    store = CampaignStore(Database(url))
    records = store.candidates("m")
    assert len(records) == 7
    best = _best(store, "m")
    assert best.evaluation.metrics["verified"] == 1.0
    assert best.evaluation.metrics["value"] == pytest.approx(1.59222, abs=1e-4)
    refused = [r for r in records if r.candidate.metadata.get("stage") == "shape"]
    assert refused and all("not a polynomial" in r.evaluation.feedback for r in refused)
    assert all(r.evaluation.metrics.get("value") is None for r in refused)
    prompts = [str(r.body["messages"]) for r in fake_openai.chat_requests]
    # the best-known value reaches no prompt before a program earns it
    assert "1.5922" not in prompts[0] and "Euler (1737)" not in prompts[0]
    assert any("PCF" in p or "continued fraction" in p for p in prompts)


def _docker_problem() -> str | None:
    from discolab.errors import SandboxUnavailable
    from discolab.sandbox import SandboxConfig
    from discolab.sandbox.docker import connect, require_image

    try:
        require_image(connect(10), SandboxConfig().image)
    except SandboxUnavailable as exc:
        return str(exc)
    return None


@pytest.mark.docker
def test_builtin_evolve_in_docker(tmp_path: Path) -> None:
    problem = _docker_problem()
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Docker tests must run in CI: {problem}")
        pytest.skip(problem)
    config = tmp_path / "evolve.toml"
    config.write_text(BUILTIN.format(sandbox="docker", iterations=12))
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    result = EvolveRunner(url).start(load_evolve_config(config), campaign_id="d")
    assert result.status == "finished" and result.summary["programs"] == 12
    assert result.summary["best_value"] > 1.0
