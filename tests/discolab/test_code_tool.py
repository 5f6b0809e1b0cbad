"""The code tool: a model runs Python on its own data in the sandbox, then answers.

A scripted model (fake server) fits its measurements in log space with numpy inside the
sandbox, reads the exponents off the printed output and proposes the law they give. The
campaign records assistance ``code``, and every code run (code and output) is in the
transcript; a resumed step replays the stored outputs instead of running the code again.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from openai_server import FakeOpenAI, Reply
from scripted import purpose

from discolab.agents.llm.client import Completion, ToolCall
from discolab.agents.llm.code_tool import CodeRunner, data_file, parse_code
from discolab.agents.proposers.catalog import make_proposer
from discolab.campaign import CampaignRunner
from discolab.config import config_from_dict
from discolab.errors import ConfigError
from discolab.storage.db import sqlite_url
from discolab.types import Experiment

FIT = """
import json
import numpy as np
rows = json.load(open("data.json"))
X = np.array([[1.0] + [np.log(r["inputs"][k]) for k in ("m1", "m2", "r")] for r in rows])
y = np.log([r["output"] for r in rows])
coef = np.linalg.lstsq(X, y, rcond=None)[0]
print("exponents", " ".join(f"{c:.2f}" for c in coef[1:]))
"""


def _fitting_model(body: dict[str, Any]) -> Reply:
    """Designs spread points; asks for the fit, then proposes what the fit printed."""
    if purpose(body) == "design":
        points = [
            {"m1": m1, "m2": m2, "r": r}
            for m1, m2, r in itertools.product((1e22, 1e24), (1e20, 1e23), (1e7, 1e9))
        ]
        return Reply(content=f"<run_experiment>{json.dumps(points)}</run_experiment>")
    last = str(body["messages"][-1]["content"])
    found = re.search(r"exponents (\S+) (\S+) (\S+)", last)
    if found is None:
        return Reply(content=f"Let me fit first.\n<run_python>{FIT}</run_python>")
    a, b, c = (round(float(x)) for x in found.groups())
    return Reply(content=f"<final_law>C*m1**{a}*m2**{b}*r**({c})</final_law>")


def _config(url: str, **options: Any) -> Any:
    return config_from_dict(
        {
            "campaign": {"name": "code", "seed": 3, "sandbox": "process"},
            "environment": {
                "id": "newton/gravity-v1",
                "options": {"shift": "canonical", "budget": 3, "max_batch": 20},
            },
            "agent": {
                "proposer": "openai:fake",
                "stop_when_confident": False,
                "options": {"base_url": url, "retries": 0, "protocol": "text", "code_tool": True}
                | options,
            },
        }
    )


def test_a_model_that_fits_its_data_in_the_sandbox_finds_the_law(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    fake_openai.responder = _fitting_model
    runner = CampaignRunner(sqlite_url(tmp_path / "code.db"))
    result = runner.start(_config(fake_openai.url), campaign_id="code")
    assert result.status == "finished", result.stop_reason
    assert result.summary["symbolic_match"] is True
    assert result.summary["assistance"] == "code"
    runs = [c for c in runner.store.calls.list("code") if c.key.endswith("-code0")]
    assert [c.key for c in runs] == ["r0-propose-code0", "r1-propose-code0", "r2-propose-code0"]
    assert "np.linalg.lstsq" in runs[0].result["code"]
    assert runs[0].result["output"].startswith("exponents 1.00 1.00 -2.00")
    # The model saw the output in the follow-up request of the same step.
    follow_up = fake_openai.chat_requests[2].body["messages"]
    assert "Output of your code:\nexponents 1.00 1.00 -2.00" in follow_up[-1]["content"]
    assert "data.json" in fake_openai.chat_requests[1].body["messages"][1]["content"]


def test_the_tool_is_off_by_default_and_says_so_in_assistance(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    fake_openai.responder = _fitting_model
    runner = CampaignRunner(sqlite_url(tmp_path / "code.db"))
    result = runner.start(_config(fake_openai.url, code_tool=False), campaign_id="plain")
    assert result.summary["assistance"] == "none"
    assert not any("-code" in c.key for c in runner.store.calls.list("plain"))
    assert "run_python" not in json.dumps(fake_openai.chat_requests[1].body)


def test_bad_code_options_are_clear_errors() -> None:
    url = "http://127.0.0.1:9/v1"
    with pytest.raises(ConfigError, match=r"code_sandbox = 'dockr'.*docker"):
        make_proposer("openai:fake", {"base_url": url, "code_sandbox": "dockr"})
    with pytest.raises(ConfigError, match="code_runs = 0"):
        make_proposer("openai:fake", {"base_url": url, "code_tool": True, "code_runs": 0})


def test_code_requests_are_read_from_tool_calls_tags_and_fences() -> None:
    tool = Completion(text="", tool_calls=(ToolCall("run_python", '{"code": "print(1)"}'),))
    assert parse_code(tool) == "print(1)"
    tag = Completion(text="<run_python>\n```python\nprint(2)\n```\n</run_python>")
    assert parse_code(tag) == "print(2)"
    assert parse_code(Completion(text="<final_law>C*m1</final_law>")) is None


def test_the_data_file_holds_the_agents_measurements_only() -> None:
    exp = Experiment(0, ({"m1": 1e23, "m2": 1e21, "r": 1e8},), (float("inf"),))
    assert json.loads(data_file([exp])) == [
        {"call": 0, "inputs": {"m1": 1e23, "m2": 1e21, "r": 1e8}, "output": None}
    ]


def test_a_failing_run_is_output_not_an_exception() -> None:
    runner = CodeRunner(sandbox="process")
    try:
        text = runner.run("raise SystemExit('boom')", [])
    finally:
        runner.close()
    assert "exited with status 1" in text and "boom" in text
