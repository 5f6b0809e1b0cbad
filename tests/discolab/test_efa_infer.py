"""Infer campaigns end to end: a scripted OpenAI-compatible model writes EFAs from a seed
problem; the property verifier scores each in the process sandbox; failures feed the next
prompt; the first EFA that passes is stored and generates problems; resume replays."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openai_server import FakeOpenAI, Reply
from typer.testing import CliRunner

from discolab.cli import _mount_subcommands, app
from discolab.efa.config import efa_config_from_dict
from discolab.efa.infer import InferRunner
from discolab.environments.efa.catalog import get_efa
from discolab.errors import ConfigError

GOOD = get_efa("efa/crt-v1").source.split("class EFA", 1)[1]
GOOD_MODULE = "import math\n\n\nclass EFA" + GOOD

NO_CODE = "I think the answer is 23."
CONSTANT = """```python
class EFA:
    answer_kind = "integer"
    options = {}
    seed_params = {"n": 23}

    def __init__(self):
        pass

    def sample(self, rng):
        return {"n": 23}

    def render(self, params):
        return f"What is {params['n']}?"

    def solve(self, params):
        return params["n"]
```"""


def _config(url: str, attempts: int = 3) -> dict:
    return {
        "campaign": {"name": "infer-crt", "sandbox": "process"},
        "efa": {
            "task": "infer",
            "seed_efa": "efa/crt-v1",
            "proposer": "vllm:coder",
            "options": {"base_url": url, "retries": 0},
            "attempts": attempts,
            "samples": 8,
        },
    }


@pytest.fixture
def sandbox():
    from discolab.sandbox import Limits
    from discolab.sandbox.process import ProcessSandbox

    with ProcessSandbox(Limits(timeout=30.0, memory_mb=1024)) as box:
        yield box


def test_failures_feed_the_next_prompt_and_a_passing_efa_is_stored(
    tmp_path: Path, fake_openai: FakeOpenAI, sandbox
) -> None:
    fake_openai.script(
        Reply(content=NO_CODE),
        Reply(content=CONSTANT),
        Reply(content=f"Here it is:\n```python\n{GOOD_MODULE}```"),
    )
    runner = InferRunner(f"sqlite:///{tmp_path / 'db.sqlite'}")
    config = efa_config_from_dict(_config(fake_openai.url, attempts=4))
    result = runner.start(config, campaign_id="i1", sandbox=sandbox)
    assert result.status == "finished" and result.summary["passed"]
    records = runner.store.candidates("i1")
    assert [r.evaluation.passed for r in records] == [False, False, True]
    assert "no Python module" in records[0].evaluation.feedback
    assert records[1].evaluation.metrics["has_degrees_of_freedom"] == 0.0
    prompts = [r.body["messages"][-1]["content"] for r in fake_openai.chat_requests]
    assert len(prompts) == 3
    assert "no Python module" in prompts[1] and "has_degrees_of_freedom" in prompts[2]
    for prompt in prompts:
        assert "Find the smallest positive integer N" in prompt  # the seed problem
        assert "answer_kind" in prompt  # the format
        assert "def solve(self, params):\n        n, modulus" not in prompt  # no library code

    efa_id = result.summary["efa_id"]
    _mount_subcommands()
    sampled = CliRunner().invoke(
        app,
        [
            "efa",
            "sample",
            efa_id,
            "-n",
            "4",
            "--db",
            str(tmp_path / "db.sqlite"),
            "--sandbox",
            "process",
        ],
    )
    assert sampled.exit_code == 0, sampled.output
    rows = [json.loads(line) for line in sampled.output.splitlines()]
    assert len(rows) == 4 and all(r["kind"] == "integer" for r in rows)
    varied = CliRunner().invoke(
        app,
        [
            "efa",
            "vary",
            efa_id,
            "--per-point",
            "3",
            "--db",
            str(tmp_path / "db.sqlite"),
            "--sandbox",
            "process",
        ],
        env={"COLUMNS": "200"},
    )
    assert varied.exit_code == 0 and "hardest:" in varied.output, varied.output
    failed = records[1].candidate.id
    refused = CliRunner().invoke(
        app, ["efa", "sample", failed, "--db", str(tmp_path / "db.sqlite"), "--sandbox", "process"]
    )
    assert refused.exit_code == 2 and "did not pass" in refused.output


def test_resume_replays_journaled_calls_without_paying_again(
    tmp_path: Path, fake_openai: FakeOpenAI, sandbox
) -> None:
    fake_openai.script(Reply(content=CONSTANT), Reply(content=CONSTANT))
    runner = InferRunner(f"sqlite:///{tmp_path / 'db.sqlite'}")
    config = efa_config_from_dict(_config(fake_openai.url, attempts=2))
    seen: list[int] = []

    def stop(progress) -> None:
        seen.append(progress.attempt)
        if progress.attempt == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        runner.start(config, campaign_id="r1", on_progress=stop, sandbox=sandbox)
    assert runner.store.get_campaign("r1").status == "stopped"
    result = runner.resume("r1", sandbox=sandbox)
    assert result.status == "finished" and not result.summary["passed"]
    assert len(runner.store.candidates("r1")) == 2
    assert len(fake_openai.chat_requests) == 2  # attempt 1 was not asked again


def test_a_dead_model_stops_the_campaign_cleanly(tmp_path: Path, sandbox) -> None:
    runner = InferRunner(f"sqlite:///{tmp_path / 'db.sqlite'}")
    config = efa_config_from_dict(_config("http://127.0.0.1:9/v1", attempts=2))
    result = runner.start(config, campaign_id="d1", sandbox=sandbox)
    assert result.status == "stopped" and "discolab resume d1" in result.stop_reason


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"proposer": "builtin"}, "needs a model string"),
        ({"task": "solve"}, "efa.task must be 'infer'"),
        ({"seed_efa": "efa/nope-v1"}, "unknown EFA id"),
        ({"samples": 500}, "efa.samples"),
        ({"bogus": 1}, "unknown key"),
    ],
)
def test_bad_infer_configs(change, fragment) -> None:
    data = _config("http://127.0.0.1:1/v1")
    data["efa"].update(change)
    with pytest.raises(Exception) as err:
        efa_config_from_dict(data)
    assert fragment in str(err.value)
    assert isinstance(err.value, ConfigError) or "unknown EFA id" in str(err.value)


FAKES = Path(__file__).resolve().parents[1] / "fakes" / "efas"
BROKEN = [
    ("nondeterministic", "single_valued"),
    ("constant_params", "has_degrees_of_freedom"),
    ("render_omits", "render_solve_consistent"),
    ("crash_some", "executable"),
    ("infinite_loop", "executable"),
    ("reads_answer_key", "executable"),
    ("opens_socket", "executable"),
]


@pytest.fixture(scope="module")
def docker_box():
    import os

    from discolab.errors import SandboxUnavailable
    from discolab.sandbox import Limits, SandboxConfig
    from discolab.sandbox.docker import DockerSandbox, connect, require_image

    config = SandboxConfig(limits=Limits(timeout=30.0, memory_mb=512), pool_size=1)
    try:
        require_image(connect(10), config.image)
    except SandboxUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Docker tests must run in CI but cannot: {exc}")
        pytest.skip(f"Docker is not available: {exc}")
    with DockerSandbox(config) as box:
        yield box


@pytest.mark.docker
def test_the_campaign_continues_past_broken_efas_in_docker(
    tmp_path: Path, fake_openai: FakeOpenAI, docker_box
) -> None:
    replies = [
        Reply(content=f"```python\n{(FAKES / f'{name}.py').read_text()}```") for name, _ in BROKEN
    ]
    fake_openai.script(*replies, Reply(content=f"```python\n{GOOD_MODULE}```"))
    runner = InferRunner(f"sqlite:///{tmp_path / 'db.sqlite'}")
    config = efa_config_from_dict(_config(fake_openai.url, attempts=len(BROKEN) + 1))
    result = runner.start(config, campaign_id="b1", sandbox=docker_box)
    records = runner.store.candidates("b1")
    assert len(records) == len(BROKEN) + 1
    for record, (name, prop) in zip(records, BROKEN, strict=False):
        metrics = record.evaluation.metrics
        assert metrics[prop] == 0.0, (name, record.evaluation.feedback)
        assert prop in record.evaluation.feedback, name
    assert records[-1].evaluation.passed
    assert result.summary["passed"] and result.status == "finished"


def test_run_and_show_through_the_cli(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply(content=CONSTANT), Reply(content=f"```python\n{GOOD_MODULE}```"))
    config = tmp_path / "infer.toml"
    config.write_text(
        '[campaign]\nname = "cli-infer"\nsandbox = "process"\n\n[efa]\ntask = "infer"\n'
        'seed_efa = "efa/crt-v1"\nproposer = "vllm:coder"\nattempts = 3\nsamples = 6\n\n'
        f'[efa.options]\nbase_url = "{fake_openai.url}"\nretries = 0\n'
    )
    _mount_subcommands()
    db = str(tmp_path / "db.sqlite")
    env = {"COLUMNS": "220"}
    ran = CliRunner().invoke(app, ["run", str(config), "--id", "c1", "--db", db], env=env)
    assert ran.exit_code == 0, ran.output
    assert "attempt 1/3: failed" in ran.output and "attempt 2/3: passed" in ran.output
    assert "stored EFA" in ran.output
    shown = CliRunner().invoke(app, ["show", "c1", "--db", db], env=env)
    assert shown.exit_code == 0, shown.output
    assert "has_degrees_of_freedom" in shown.output and "✗" in shown.output
    listed = CliRunner().invoke(app, ["list", "--db", db], env=env)
    assert "c1" in listed.output


def test_run_with_no_model_server_exits_3(tmp_path: Path) -> None:
    config = tmp_path / "infer.toml"
    config.write_text(
        '[campaign]\nname = "dead"\nsandbox = "process"\n\n[efa]\ntask = "infer"\n'
        'proposer = "vllm:coder"\n\n[efa.options]\nbase_url = "http://127.0.0.1:9/v1"\n'
        "retries = 0\n"
    )
    _mount_subcommands()
    ran = CliRunner().invoke(app, ["run", str(config), "--db", str(tmp_path / "d.sqlite")])
    assert ran.exit_code == 3 and "discolab resume" in ran.output


def test_a_crash_in_the_loop_fails_with_a_reason(
    tmp_path: Path, fake_openai: FakeOpenAI, sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from discolab.errors import ProposerError

    def broken(*args, **kwargs):
        raise RuntimeError("verifier bug")

    monkeypatch.setattr(InferRunner, "_score", staticmethod(broken))
    fake_openai.script(Reply(content=CONSTANT))
    runner = InferRunner(f"sqlite:///{tmp_path / 'db.sqlite'}")
    config = efa_config_from_dict(_config(fake_openai.url, attempts=1))
    with pytest.raises(ProposerError, match="infer loop crashed"):
        runner.start(config, campaign_id="x1", sandbox=sandbox)
    record = runner.store.get_campaign("x1")
    assert record.status == "failed" and "discolab resume x1" in record.stop_reason
