"""efa/telescoping-sum-v1: Σ 1/((n + p)(n + p + k)), finite or infinite, by telescoping.

1/((n + p)(n + p + k)) = (1/k)(1/(n + p) − 1/(n + p + k)), so the sum for n = 1..N is
(1/k) Σ_{j=1}^{k} (1/(p + j) − 1/(p + N + j)) and the infinite sum (1/k) Σ_{j=1}^{k} 1/(p + j).
Difficulty: the gap k, the shift p and the number of terms.
"""

from fractions import Fraction

ID = "efa/telescoping-sum-v1"
TITLE = "Telescoping sum of 1/((n + p)(n + p + k)), finite or infinite"
FAMILY = "calculus"
SEED = {
    "problem": "Compute the sum of 1/(n(n + 2)) over the integers n from 1 to 20.",
    "solution": (
        "1/(n(n + 2)) = (1/2)(1/n − 1/(n + 2)), so the sum telescopes to "
        "(1/2)(1 + 1/2 − 1/21 − 1/22) = (1/2)(3/2 − 43/462) = (1/2)(650/462) = 325/462."
    ),
    "answer": "325/462",
}


def _factor(offset):
    return "n" if offset == 0 else f"(n + {offset})"


class EFA:
    """Σ_{n=1}^{terms} 1/((n + first)(n + second)), first < second; terms 0: to infinity."""

    answer_kind = "rational"
    options = {"max_gap": 5, "max_shift": 5, "max_terms": 100}
    seed_params = {"first": 0, "second": 2, "terms": 20}

    def __init__(self, max_gap=5, max_shift=5, max_terms=100):
        if not 1 <= max_gap <= 50:
            raise ValueError(f"max_gap must be in [1, 50], got {max_gap}")
        if not 0 <= max_shift <= 100:
            raise ValueError(f"max_shift must be in [0, 100], got {max_shift}")
        if not 5 <= max_terms <= 10**6:
            raise ValueError(f"max_terms must be in [5, 10^6], got {max_terms}")
        self.max_gap = max_gap
        self.max_shift = max_shift
        self.max_terms = max_terms

    def sample(self, rng):
        infinite = rng.random() < 0.3
        first = rng.randint(0, self.max_shift)
        return {
            "first": first,
            "second": first + rng.randint(1, self.max_gap),
            "terms": 0 if infinite else rng.randint(5, self.max_terms),
        }

    def render(self, params):
        term = f"1/({_factor(params['first'])}{_factor(params['second'])})"
        span = (
            "over all positive integers n"
            if params["terms"] == 0
            else f"over the integers n from 1 to {params['terms']}"
        )
        return f"Compute the sum of {term} {span}."

    def solve(self, params):
        p, k, terms = params["first"], params["second"] - params["first"], params["terms"]
        total = sum(Fraction(1, p + j) for j in range(1, k + 1))
        if terms:
            total -= sum(Fraction(1, p + terms + j) for j in range(1, k + 1))
        return total / k
