"""efa/expected-draws-v1: expected draws without replacement until the first (or the last)
red ball.

The b blue balls fall into the r + 1 gaps around the r red ones, each gap equally likely, so
b/(r + 1) blue balls precede the first red on average: E[first] = (r + b + 1)/(r + 1); by
symmetry the last red comes at E[last] = r(r + b + 1)/(r + 1). Difficulty: the urn size.
"""

from fractions import Fraction

ID = "efa/expected-draws-v1"
TITLE = "Expected number of draws without replacement until the first or last red ball"
FAMILY = "probability"
SEED = {
    "problem": (
        "An urn contains 4 red balls and 6 blue balls. Balls are drawn at random, one at a "
        "time and without replacement, until the first red ball is drawn. What is the "
        "expected number of draws?"
    ),
    "solution": (
        "The 4 red balls cut the random order into 5 gaps, and by symmetry each blue ball is "
        "equally likely to lie in any of them, so on average 6/5 blue balls come before the "
        "first red. The expected number of draws is 1 + 6/5 = 11/5."
    ),
    "answer": "11/5",
}

_UNTIL = {"first": "the first red ball is drawn", "last": "every red ball has been drawn"}


class EFA:
    """E[number of draws] until the first red ball, or until all red balls, are drawn."""

    answer_kind = "rational"
    options = {"max_balls": 30}
    seed_params = {"red": 4, "blue": 6, "until": "first"}

    def __init__(self, max_balls=30):
        if not 2 <= max_balls <= 10**6:
            raise ValueError(f"max_balls must be in [2, 10^6], got {max_balls}")
        self.max_balls = max_balls

    def sample(self, rng):
        return {
            "red": rng.randint(2, self.max_balls),
            "blue": rng.randint(2, self.max_balls),
            "until": rng.choice(sorted(_UNTIL)),
        }

    def render(self, params):
        return (
            f"An urn contains {params['red']} red balls and {params['blue']} blue balls. "
            "Balls are drawn at random, one at a time and without replacement, until "
            f"{_UNTIL[params['until']]}. What is the expected number of draws?"
        )

    def solve(self, params):
        r, b = params["red"], params["blue"]
        first = Fraction(r + b + 1, r + 1)
        return first if params["until"] == "first" else r * first
