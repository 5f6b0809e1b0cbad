"""efa/dice-extreme-v1: the expected largest (or smallest) of k rolls of a fair s-sided die.

For the maximum M, E[M] = Σ_{m=1}^{s} P(M ≥ m) = Σ_{m=1}^{s} (1 − ((m − 1)/s)^k); for the
minimum, E = Σ_{m=1}^{s} ((s − m + 1)/s)^k. Difficulty: the number of rolls and faces.
"""

from fractions import Fraction

ID = "efa/dice-extreme-v1"
TITLE = "Expected maximum or minimum of repeated die rolls"
FAMILY = "probability"
SEED = {
    "problem": (
        "A fair die with faces numbered 1 to 6 is rolled 3 times. What is the expected value "
        "of the largest number rolled?"
    ),
    "solution": (
        "Let M be the largest roll. P(M ≥ m) = 1 − ((m − 1)/6)^3, so E[M] = Σ_{m=1}^{6} "
        "P(M ≥ m) = 6 − (0 + 1 + 8 + 27 + 64 + 125)/216 = 6 − 225/216 = 6 − 25/24 = 119/24."
    ),
    "answer": "119/24",
}


class EFA:
    """E[max] or E[min] of `rolls` independent rolls of a fair `faces`-sided die."""

    answer_kind = "rational"
    options = {"max_rolls": 6, "max_faces": 20}
    seed_params = {"faces": 6, "rolls": 3, "statistic": "largest"}

    def __init__(self, max_rolls=6, max_faces=20):
        if not 2 <= max_rolls <= 50:
            raise ValueError(f"max_rolls must be in [2, 50], got {max_rolls}")
        if not 4 <= max_faces <= 100:
            raise ValueError(f"max_faces must be in [4, 100], got {max_faces}")
        self.max_rolls = max_rolls
        self.max_faces = max_faces

    def sample(self, rng):
        return {
            "faces": rng.randint(4, self.max_faces),
            "rolls": rng.randint(2, self.max_rolls),
            "statistic": rng.choice(["largest", "smallest"]),
        }

    def render(self, params):
        return (
            f"A fair die with faces numbered 1 to {params['faces']} is rolled {params['rolls']} "
            f"times. What is the expected value of the {params['statistic']} number rolled?"
        )

    def solve(self, params):
        s, k = params["faces"], params["rolls"]
        if params["statistic"] == "largest":
            return sum(1 - Fraction(m - 1, s) ** k for m in range(1, s + 1))
        return sum(Fraction(s - m + 1, s) ** k for m in range(1, s + 1))
