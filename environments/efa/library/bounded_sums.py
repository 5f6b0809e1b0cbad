"""efa/bounded-sums-v1: integer solutions of x_1 + ... + x_k = n with L ≤ x_i ≤ U.

Shifting by L leaves 0 ≤ y_i ≤ U − L; inclusion–exclusion over the variables that exceed the
bound gives Σ_j (−1)^j C(k, j) C(n' − j(U − L + 1) + k − 1, k − 1). Difficulty: the number of
variables and the bounds.
"""

from math import comb

ID = "efa/bounded-sums-v1"
TITLE = "Stars and bars with upper bounds (inclusion–exclusion)"
FAMILY = "combinatorics"
SEED = {
    "problem": (
        "How many ordered solutions in integers does x_1 + x_2 + x_3 = 12 have with "
        "1 ≤ x_i ≤ 6 for every i?"
    ),
    "solution": (
        "Put y_i = x_i − 1, so y_1 + y_2 + y_3 = 9 with 0 ≤ y_i ≤ 5. Without the upper bound "
        "there are C(11, 2) = 55 solutions; those with some y_i ≥ 6 number 3 · C(5, 2) = 30, "
        "and no two y_i can both be ≥ 6. So there are 55 − 30 = 25 solutions."
    ),
    "answer": "25",
}


class EFA:
    """The number of integer k-tuples with L ≤ x_i ≤ U summing to n."""

    answer_kind = "integer"
    options = {"max_variables": 6, "max_upper": 12}
    seed_params = {"variables": 3, "total": 12, "lower": 1, "upper": 6}

    def __init__(self, max_variables=6, max_upper=12):
        if not 3 <= max_variables <= 12:
            raise ValueError(f"max_variables must be in [3, 12], got {max_variables}")
        if not 4 <= max_upper <= 100:
            raise ValueError(f"max_upper must be in [4, 100], got {max_upper}")
        self.max_variables = max_variables
        self.max_upper = max_upper

    def sample(self, rng):
        k = rng.randint(3, self.max_variables)
        lower = rng.randint(0, 2)
        upper = rng.randint(lower + 2, self.max_upper)
        total = rng.randint(k * lower + 1, k * upper - 1)
        return {"variables": k, "total": total, "lower": lower, "upper": upper}

    def render(self, params):
        k = params["variables"]
        lhs = " + ".join(f"x_{i}" for i in range(1, k + 1))
        return (
            f"How many ordered solutions in integers does {lhs} = {params['total']} have "
            f"with {params['lower']} ≤ x_i ≤ {params['upper']} for every i?"
        )

    def solve(self, params):
        k = params["variables"]
        n = params["total"] - k * params["lower"]
        width = params["upper"] - params["lower"] + 1
        count, j = 0, 0
        while j <= k and n - j * width >= 0:
            count += (-1) ** j * comb(k, j) * comb(n - j * width + k - 1, k - 1)
            j += 1
        return count
