"""Valid but fragile: solve hangs on parameter sets sample never makes (total != a + b).

Its sampled problems are fine, so every property holds; the one-key variants built for
``render_solve_consistent`` all hang, and their time budget keeps the replay run bounded.
"""


class EFA:
    """a * b, given a, b and their sum."""

    answer_kind = "integer"
    options = {}
    seed_params = {"a": 3, "b": 5, "total": 8}

    def __init__(self):
        pass

    def sample(self, rng):
        a, b = rng.randint(2, 60), rng.randint(2, 60)
        return {"a": a, "b": b, "total": a + b}

    def render(self, params):
        a, b, total = params["a"], params["b"], params["total"]
        return f"Two numbers a = {a} and b = {b} add up to {total}. What is their product?"

    def solve(self, params):
        while params["total"] != params["a"] + params["b"]:
            pass
        return params["a"] * params["b"]
