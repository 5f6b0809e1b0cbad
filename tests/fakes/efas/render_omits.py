"""Broken: render omits c, which the answer uses (render/solve mismatch)."""


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
        return f"Compute a * b + c for a = {params['a']} and b = {params['b']}."

    def solve(self, params):
        return params["a"] * params["b"] + params["c"]
