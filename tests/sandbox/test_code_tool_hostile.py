"""Hostile code through the model's code tool is contained by the Docker sandbox.

The model (scripted, fake server) sends code that reaches for the network, the host's files,
the host's environment secrets and a fork bomb. Each run's output goes back to the model and
into the transcript; none of it may carry a secret or a host file, and the campaign ends
cleanly.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

_FAKES = str(Path(__file__).resolve().parents[1] / "fakes")
if _FAKES not in sys.path:
    sys.path.insert(0, _FAKES)

from openai_server import Reply, serve  # noqa: E402
from scripted import gravity_points, purpose  # noqa: E402

from discolab.campaign import CampaignRunner  # noqa: E402
from discolab.config import config_from_dict  # noqa: E402
from discolab.storage.db import sqlite_url  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SECRET = "sk-live-CODE-TOOL-SECRET-31337"

ATTACKS = {
    "network": (
        "import socket\n"
        "for host in ('127.0.0.1', '8.8.8.8'):\n"
        "    try:\n"
        "        socket.create_connection((host, 80), timeout=2); print('CONNECTED', host)\n"
        "    except OSError as exc:\n"
        "        print('blocked', host, type(exc).__name__)\n"
    ),
    "host files": (
        f"import os\nfor p in ({str(REPO / 'README.md')!r}, '/root', '/etc/shadow'):\n"
        "    try:\n"
        "        print('LEAKED', p, len(open(p).read()) if os.path.isfile(p) else os.listdir(p))\n"
        "    except OSError as exc:\n"
        "        print('denied', p, type(exc).__name__)\n"
    ),
    "secrets": "import os\nprint(sorted(os.environ.items()))\n",
    "fork bomb": "import os\nwhile True:\n    os.fork()\n",
}


def _hostile_model(body: dict[str, Any]) -> Reply:
    if purpose(body) == "design":
        import json

        return Reply(content=f"<run_experiment>{json.dumps(gravity_points())}</run_experiment>")
    messages = body["messages"]
    runs = sum("Output of your code:" in str(m["content"]) for m in messages)
    if runs < len(ATTACKS):
        code = list(ATTACKS.values())[runs]
        return Reply(content=f"<run_python>{code}</run_python>")
    return Reply(content="<final_law>C*m1*m2/r**2</final_law>")


@pytest.mark.docker
@pytest.mark.timeout(900)
def test_hostile_code_through_the_tool_is_contained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("DISCOLAB_TEST_SECRET", SECRET)
    with serve() as server:
        server.responder = _hostile_model
        config = config_from_dict(
            {
                "campaign": {"name": "hostile", "seed": 1, "sandbox": "docker"},
                "environment": {
                    "id": "newton/gravity-v1",
                    "options": {"shift": "canonical", "budget": 1, "max_batch": 20},
                },
                "agent": {
                    "proposer": "openai:fake",
                    "options": {
                        "base_url": server.url,
                        "retries": 0,
                        "protocol": "text",
                        "code_tool": True,
                        "code_runs": len(ATTACKS),
                    },
                },
            }
        )
        runner = CampaignRunner(sqlite_url(tmp_path / "hostile.db"))
        result = runner.start(config, campaign_id="hostile")
    assert result.status == "finished", result.stop_reason
    runs = {
        c.key: c.result["output"]
        for c in runner.store.calls.list("hostile")
        if c.key.startswith("r0-propose-code")
    }
    outputs = [runs[f"r0-propose-code{i}"] for i in range(len(ATTACKS))]
    network, files, secrets, bomb = outputs
    assert "CONNECTED" not in network and network.count("blocked") == 2
    assert "LEAKED" not in files and files.count("denied") == 3
    assert SECRET not in secrets and "OPENAI_API_KEY" not in secrets
    assert "killed" in bomb or "timed out" in bomb or "status" in bomb
    calls = runner.store.calls.list("hostile")
    everything = "".join(str(c.result) + str(c.messages) for c in calls)
    assert SECRET not in everything
