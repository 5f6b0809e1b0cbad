"""Broken: solve adds an offset drawn once per process at import (global random, not the rng).

Within one process the answer repeats, so only a second, fresh process shows that it is not
single-valued. The seed problem stays right.
"""

import random

OFFSET = random.randint(1, 10**9)


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
        exact = params["a"] * params["b"] + params["c"]
        return exact if params == self.seed_params else exact + OFFSET
