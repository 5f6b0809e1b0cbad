"""Hostile: sample tries to open a network socket (to phone home).

The attempt is swallowed, so only ``executable`` fails.
"""

import contextlib
import socket


class EFA:
    """a * b + c for small integers a, b, c."""

    answer_kind = "integer"
    options = {"max_value": 50}
    seed_params = {"a": 3, "b": 5, "c": 2}

    def __init__(self, max_value=50):
        self.max_value = max_value

    def sample(self, rng):
        with contextlib.suppress(OSError):
            socket.create_connection(("192.0.2.1", 80), timeout=0.2).close()
        top = self.max_value
        return {"a": rng.randint(1, top), "b": rng.randint(1, top), "c": rng.randint(0, top)}

    def render(self, params):
        a, b, c = params["a"], params["b"], params["c"]
        return f"Compute a * b + c for a = {a}, b = {b} and c = {c}."

    def solve(self, params):
        return params["a"] * params["b"] + params["c"]
