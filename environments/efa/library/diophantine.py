"""efa/diophantine-count-v1: the number of non-negative solutions of ax + by = n.

With a, b coprime the solutions x run through one residue class modulo b; the count is the
number of its members in [0, n/a]. Difficulty: how large the coefficients and n may be.
"""

import math

ID = "efa/diophantine-count-v1"
TITLE = "Linear Diophantine equation: counting non-negative solutions of ax + by = n"
FAMILY = "number theory"
SEED = {
    "problem": ("How many ordered pairs (x, y) of non-negative integers satisfy 3x + 5y = 100?"),
    "solution": (
        "Reducing modulo 5, 3x ≡ 100 ≡ 0 (mod 5), so x is a multiple of 5; and 3x ≤ 100 "
        "gives x ≤ 33. Thus x ∈ {0, 5, 10, 15, 20, 25, 30}, each giving the non-negative "
        "integer y = (100 − 3x)/5, for 7 pairs."
    ),
    "answer": "7",
}


class EFA:
    """The number of pairs (x, y) of non-negative integers with ax + by = n."""

    answer_kind = "integer"
    options = {"max_coefficient": 20, "max_total": 500}
    seed_params = {"a": 3, "b": 5, "n": 100}

    def __init__(self, max_coefficient=20, max_total=500):
        if not 3 <= max_coefficient <= 1000:
            raise ValueError(f"max_coefficient must be in [3, 1000], got {max_coefficient}")
        if not 30 <= max_total <= 10**9:
            raise ValueError(f"max_total must be in [30, 10^9], got {max_total}")
        self.max_coefficient = max_coefficient
        self.max_total = max_total

    def sample(self, rng):
        while True:
            a = rng.randint(2, self.max_coefficient)
            b = rng.randint(2, self.max_coefficient)
            if a != b and math.gcd(a, b) == 1:
                break
        return {"a": a, "b": b, "n": rng.randint(20, self.max_total)}

    def render(self, params):
        return (
            "How many ordered pairs (x, y) of non-negative integers satisfy "
            f"{params['a']}x + {params['b']}y = {params['n']}?"
        )

    def solve(self, params):
        a, b, n = params["a"], params["b"], params["n"]
        g = math.gcd(a, b)
        if n % g:
            return 0
        a, b, n = a // g, b // g, n // g
        x0 = n * pow(a, -1, b) % b  # the least x ≥ 0 with ax ≡ n (mod b)
        if a * x0 > n:
            return 0
        return (n - a * x0) // (a * b) + 1
