"""efa/urn-draws-v1: drawing without replacement from an urn of red and blue balls.

The number of red balls drawn is hypergeometric: P(j red) = C(R, j) C(B, k − j)/C(R + B, k);
"at least j" sums the tail. Difficulty: how many balls the urn holds.
"""

from fractions import Fraction
from math import comb

ID = "efa/urn-draws-v1"
TITLE = "Urn without replacement: the probability of a number of red balls"
FAMILY = "probability"
SEED = {
    "problem": (
        "An urn contains 5 red balls and 7 blue balls. 4 balls are drawn at random without "
        "replacement. What is the probability that exactly 2 of the balls drawn are red?"
    ),
    "solution": (
        "All C(12, 4) = 495 sets of 4 balls are equally likely; C(5, 2) · C(7, 2) = 10 · 21 = "
        "210 of them have exactly 2 red balls. The probability is 210/495 = 14/33."
    ),
    "answer": "14/33",
}


class EFA:
    """P(exactly / at least `red_drawn` red among `drawn` balls drawn without replacement)."""

    answer_kind = "rational"
    options = {"max_balls": 12}
    seed_params = {"red": 5, "blue": 7, "drawn": 4, "red_drawn": 2, "comparison": "exactly"}

    def __init__(self, max_balls=12):
        if not 3 <= max_balls <= 200:
            raise ValueError(f"max_balls must be in [3, 200], got {max_balls}")
        self.max_balls = max_balls

    def sample(self, rng):
        red, blue = rng.randint(2, self.max_balls), rng.randint(2, self.max_balls)
        drawn = rng.randint(2, min(red + blue - 1, 10))
        return {
            "red": red,
            "blue": blue,
            "drawn": drawn,
            "red_drawn": rng.randint(max(1, drawn - blue), min(drawn, red)),
            "comparison": rng.choice(["exactly", "at least"]),
        }

    def render(self, params):
        return (
            f"An urn contains {params['red']} red balls and {params['blue']} blue balls. "
            f"{params['drawn']} balls are drawn at random without replacement. What is the "
            f"probability that {params['comparison']} {params['red_drawn']} of the balls "
            f"drawn are red?"
        )

    def solve(self, params):
        red, blue, drawn, j = params["red"], params["blue"], params["drawn"], params["red_drawn"]
        counts = range(j, j + 1) if params["comparison"] == "exactly" else range(j, drawn + 1)
        favourable = sum(comb(red, i) * comb(blue, drawn - i) for i in counts)
        return Fraction(favourable, comb(red + blue, drawn))
