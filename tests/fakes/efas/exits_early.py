"""Hostile: solve ends the whole process (os._exit(0), a clean exit status) when b is a
multiple of 3, hoping the missing samples go unnoticed."""

import os


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
        if params["b"] % 3 == 0:
            os._exit(0)
        return params["a"] * params["b"] + params["c"]
