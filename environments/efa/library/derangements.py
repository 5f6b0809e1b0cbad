"""efa/derangements-v1: permutations of n objects with exactly k fixed points.

Choose the k fixed objects, C(n, k) ways, and derange the other n − k; the derangement
numbers satisfy D_0 = 1, D_1 = 0, D_m = (m − 1)(D_(m−1) + D_(m−2)). Difficulty: n.
"""

from math import comb

ID = "efa/derangements-v1"
TITLE = "Derangements: permutations with exactly k fixed points"
FAMILY = "combinatorics"
SEED = {
    "problem": (
        "7 letters are put into their 7 addressed envelopes, one letter in each envelope. In "
        "how many ways can this be done so that exactly 2 letters are in their correct "
        "envelopes?"
    ),
    "solution": (
        "Choose the 2 correct letters in C(7, 2) = 21 ways; the other 5 must all be wrong, a "
        "derangement of 5, and D_5 = 44 (from D_m = (m − 1)(D_(m−1) + D_(m−2)): 0, 1, 2, 9, "
        "44). The answer is 21 · 44 = 924."
    ),
    "answer": "924",
}


class EFA:
    """The number of permutations of n letters with exactly k in their own envelopes."""

    answer_kind = "integer"
    options = {"max_letters": 12}
    seed_params = {"letters": 7, "correct": 2}

    def __init__(self, max_letters=12):
        if not 4 <= max_letters <= 100:
            raise ValueError(f"max_letters must be in [4, 100], got {max_letters}")
        self.max_letters = max_letters

    def sample(self, rng):
        n = rng.randint(4, self.max_letters)
        return {"letters": n, "correct": rng.randint(0, n - 2)}

    def render(self, params):
        n, k = params["letters"], params["correct"]
        return (
            f"{n} letters are put into their {n} addressed envelopes, one letter in each "
            f"envelope. In how many ways can this be done so that exactly {k} letters are in "
            f"their correct envelopes?"
        )

    def solve(self, params):
        n, k = params["letters"], params["correct"]
        d = [1, 0]
        for m in range(2, n - k + 1):
            d.append((m - 1) * (d[-1] + d[-2]))
        return comb(n, k) * d[n - k]
