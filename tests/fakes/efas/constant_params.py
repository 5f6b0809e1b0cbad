"""Broken: sample always returns the seed parameters (no degrees of freedom)."""


class EFA:
    """a * b + c for small integers a, b, c."""

    answer_kind = "integer"
    options = {"max_value": 50}
    seed_params = {"a": 3, "b": 5, "c": 2}

    def __init__(self, max_value=50):
        self.max_value = max_value

    def sample(self, rng):
        rng.random()
        return dict(self.seed_params)

    def render(self, params):
        a, b, c = params["a"], params["b"], params["c"]
        return f"Compute a * b + c for a = {a}, b = {b} and c = {c}."

    def solve(self, params):
        return params["a"] * params["b"] + params["c"]
