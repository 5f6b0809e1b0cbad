"""A scripted model that plays a law-discovery session on the gravity quickstart.

It answers the explorer's two kinds of requests: ``design`` (choose experiment points) and
``propose`` (propose laws), with tool calls when the request offers tools and with the tagged
text protocol otherwise. It always proposes ``C*(m1 + m2)**2/r**1.5``, the hidden law of the
quickstart (shift ``s2``), plus a wrong runner-up.
"""

from __future__ import annotations

import json
from typing import Any

from openai_server import Reply

QUICKSTART_LAW = "C*(m1 + m2)**2/r**1.5"
RUNNER_UP = "C*m1*m2/r**2"


def gravity_points(n: int = 6, shift: int = 0) -> list[dict[str, float]]:
    """``n`` points spread over the gravity task's ranges (decades of each input)."""
    points = []
    for i in range(n):
        k = (i + shift) % n
        points.append(
            {
                "m1": 10.0 ** (22 + (k % 4)),
                "m2": 10.0 ** (20 + (k * 7 % 5)),
                "r": 10.0 ** (7 + k % 4),
            }
        )
    return points


def purpose(body: dict[str, Any]) -> str:
    """``design`` or ``propose``, from the tools offered or the last user message."""
    names = [t["function"]["name"] for t in body.get("tools") or []]
    if names:
        return "design" if "run_experiment" in names else "propose"
    text = str(body["messages"][-1]["content"])
    return "design" if "<run_experiment>" in text else "propose"


def law_discovery(body: dict[str, Any]) -> Reply:
    """The scripted scientist: experiments first, then the law."""
    step = purpose(body)
    uses_tools = bool(body.get("tools"))
    if step == "design":
        points = gravity_points(shift=len(body["messages"][-1]["content"]) % 3)
        if uses_tools:
            return Reply(content="", tool_calls=[("run_experiment", {"points": points})])
        return Reply(
            content="<think>vary each input</think>I will measure:\n"
            f"<run_experiment>{json.dumps(points)}</run_experiment>"
        )
    if uses_tools:
        return Reply(
            tool_calls=[
                ("propose_law", {"formula": QUICKSTART_LAW}),
                ("propose_law", {"formula": RUNNER_UP}),
            ]
        )
    return Reply(
        content=f"The data fit\n<final_law>{QUICKSTART_LAW}</final_law>\n"
        f"<final_law>{RUNNER_UP}</final_law>"
    )
