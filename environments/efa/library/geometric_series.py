"""efa/geometric-series-v1: the sum of the first n terms of a geometric sequence.

S_n = a(1 − r^n)/(1 − r) with a rational ratio r ≠ 1, computed in fractions. Difficulty:
the size of the ratio's numerator and denominator and the number of terms.
"""

import math
from fractions import Fraction

ID = "efa/geometric-series-v1"
TITLE = "Geometric series: the sum of the first n terms"
FAMILY = "algebra"
SEED = {
    "problem": (
        "The first term of a geometric sequence is 48 and its common ratio is -1/2. "
        "Find the sum of its first 7 terms."
    ),
    "solution": (
        "S_7 = 48 · (1 − (−1/2)^7)/(1 − (−1/2)) = 48 · (1 + 1/128)/(3/2) = 32 · 129/128 = 129/4."
    ),
    "answer": "129/4",
}


class EFA:
    """a + ar + ... + ar^(n−1) for a rational ratio r = p/q."""

    answer_kind = "rational"
    options = {"max_ratio_part": 5, "max_terms": 10}
    seed_params = {"first": 48, "ratio_numerator": -1, "ratio_denominator": 2, "terms": 7}

    def __init__(self, max_ratio_part=5, max_terms=10):
        if not 2 <= max_ratio_part <= 50:
            raise ValueError(f"max_ratio_part must be in [2, 50], got {max_ratio_part}")
        if not 3 <= max_terms <= 60:
            raise ValueError(f"max_terms must be in [3, 60], got {max_terms}")
        self.max_ratio_part = max_ratio_part
        self.max_terms = max_terms

    def sample(self, rng):
        m = self.max_ratio_part
        while True:
            p, q = rng.randint(-m, m), rng.randint(1, m)
            if p != 0 and p != q and math.gcd(p, q) == 1:
                break
        first = rng.choice([c for c in range(-100, 101) if c != 0])
        terms = rng.randint(3, self.max_terms)
        return {"first": first, "ratio_numerator": p, "ratio_denominator": q, "terms": terms}

    def render(self, params):
        p, q = params["ratio_numerator"], params["ratio_denominator"]
        ratio = str(p) if q == 1 else f"{p}/{q}"
        return (
            f"The first term of a geometric sequence is {params['first']} and its common "
            f"ratio is {ratio}. Find the sum of its first {params['terms']} terms."
        )

    def solve(self, params):
        r = Fraction(params["ratio_numerator"], params["ratio_denominator"])
        return params["first"] * (1 - r ** params["terms"]) / (1 - r)
