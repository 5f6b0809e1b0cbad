"""efa/linear-recurrence-v1: the n-th term of a_n = p·a_(n−1) + q·a_(n−2).

The seed is solved by the characteristic equation; the generator's answers come from
iterating the recurrence in exact integers. Difficulty: the coefficient size and how far out
the asked term is.
"""

ID = "efa/linear-recurrence-v1"
TITLE = "Second-order linear recurrence: the n-th term"
FAMILY = "algebra"
SEED = {
    "problem": (
        "A sequence satisfies a_1 = 1, a_2 = 3 and a_n = 3a_{n-1} - 2a_{n-2} for n ≥ 3. Find a_10."
    ),
    "solution": (
        "The characteristic equation t^2 = 3t − 2 has roots 1 and 2, so a_n = A + B·2^n. "
        "From A + 2B = 1 and A + 4B = 3, B = 1 and A = −1, so a_n = 2^n − 1 and "
        "a_10 = 1024 − 1 = 1023."
    ),
    "answer": "1023",
}


def _term(coefficient, name, first):
    sign = "-" if coefficient < 0 else "+"
    size = "" if abs(coefficient) == 1 else str(abs(coefficient))
    if first:
        return f"{'-' if coefficient < 0 else ''}{size}{name}"
    return f" {sign} {size}{name}"


class EFA:
    """a_index of a_1, a_2 and a_n = p·a_(n−1) + q·a_(n−2)."""

    answer_kind = "integer"
    options = {"max_coefficient": 5, "max_index": 25}
    seed_params = {"a1": 1, "a2": 3, "p": 3, "q": -2, "index": 10}

    def __init__(self, max_coefficient=5, max_index=25):
        if not 2 <= max_coefficient <= 100:
            raise ValueError(f"max_coefficient must be in [2, 100], got {max_coefficient}")
        if not 6 <= max_index <= 200:
            raise ValueError(f"max_index must be in [6, 200], got {max_index}")
        self.max_coefficient = max_coefficient
        self.max_index = max_index

    def sample(self, rng):
        m = self.max_coefficient
        coefficients = [c for c in range(-m, m + 1) if c != 0]
        return {
            "a1": rng.randint(-10, 10),
            "a2": rng.randint(-10, 10),
            "p": rng.choice(coefficients),
            "q": rng.choice(coefficients),
            "index": rng.randint(6, self.max_index),
        }

    def render(self, params):
        rule = _term(params["p"], "a_{n-1}", True) + _term(params["q"], "a_{n-2}", False)
        return (
            f"A sequence satisfies a_1 = {params['a1']}, a_2 = {params['a2']} and "
            f"a_n = {rule} for n ≥ 3. Find a_{params['index']}."
        )

    def solve(self, params):
        previous, current = params["a1"], params["a2"]
        for _ in range(params["index"] - 2):
            previous, current = current, params["p"] * current + params["q"] * previous
        return current
