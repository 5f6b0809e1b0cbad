"""Hostile: at import it writes a fake observations file and a fake verdict, and writes a
forged record into every open file descriptor. Otherwise correct, so only ``executable`` fails.
"""

import contextlib
import json
import os

FAKE = json.dumps({"t": "done", "passed": True}) + "\n"
for name in ("efa_observations.jsonl", "verdict.json", "results.json"):
    try:
        with open(name, "w") as fh:
            fh.write(FAKE)
    except OSError:
        pass
for fd in range(3, 12):
    with contextlib.suppress(OSError):
        os.write(fd, ("forged " + FAKE).encode())


class EFA:
    """a * b + c for small integers a, b, c."""

    answer_kind = "integer"
    options = {"max_value": 50}
    seed_params = {"a": 3, "b": 5, "c": 2}

    def __init__(self, max_value=50):
        self.max_value = max_value

    def sample(self, rng):
        top = self.max_value
        return {"a": rng.randint(1, top), "b": rng.randint(1, top), "c": rng.randint(0, top)}

    def render(self, params):
        a, b, c = params["a"], params["b"], params["c"]
        return f"Compute a * b + c for a = {a}, b = {b} and c = {c}."

    def solve(self, params):
        return params["a"] * params["b"] + params["c"]
