"""efa/dice-sum-v1: the probability that the sum of k fair s-sided dice is (at least) t.

The number of ways to roll each sum comes from multiplying out (x + x^2 + ... + x^s)^k,
one die at a time; the probability is the favourable count over s^k. Difficulty: the number
of dice and faces.
"""

from fractions import Fraction

ID = "efa/dice-sum-v1"
TITLE = "Sum of several fair dice: the probability of a total"
FAMILY = "probability"
SEED = {
    "problem": (
        "When 3 fair dice, each with faces numbered 1 to 6, are rolled, what is the "
        "probability that the sum of the numbers shown is exactly 10?"
    ),
    "solution": (
        "Of the 6^3 = 216 equally likely outcomes, those with sum 10 are the permutations of "
        "{1,3,6}, {1,4,5}, {2,2,6}, {2,3,5}, {2,4,4}, {3,3,4}: 6 + 6 + 3 + 6 + 3 + 3 = 27. "
        "The probability is 27/216 = 1/8."
    ),
    "answer": "1/8",
}


class EFA:
    """P(sum of `dice` fair `faces`-sided dice is exactly / at least `target`)."""

    answer_kind = "rational"
    options = {"max_dice": 5, "max_faces": 8}
    seed_params = {"dice": 3, "faces": 6, "target": 10, "comparison": "exactly"}

    def __init__(self, max_dice=5, max_faces=8):
        if not 2 <= max_dice <= 20:
            raise ValueError(f"max_dice must be in [2, 20], got {max_dice}")
        if not 4 <= max_faces <= 20:
            raise ValueError(f"max_faces must be in [4, 20], got {max_faces}")
        self.max_dice = max_dice
        self.max_faces = max_faces

    def sample(self, rng):
        dice, faces = rng.randint(2, self.max_dice), rng.randint(4, self.max_faces)
        return {
            "dice": dice,
            "faces": faces,
            "target": rng.randint(dice + 1, dice * faces - 1),
            "comparison": rng.choice(["exactly", "at least"]),
        }

    def render(self, params):
        return (
            f"When {params['dice']} fair dice, each with faces numbered 1 to {params['faces']}, "
            f"are rolled, what is the probability that the sum of the numbers shown is "
            f"{params['comparison']} {params['target']}?"
        )

    def solve(self, params):
        faces = params["faces"]
        ways = [1]  # ways[t] = the number of rolls so far with sum t
        for _ in range(params["dice"]):
            new = [0] * (len(ways) + faces)
            for total, count in enumerate(ways):
                if count:
                    for face in range(1, faces + 1):
                        new[total + face] += count
            ways = new
        t = params["target"]
        favourable = ways[t] if params["comparison"] == "exactly" else sum(ways[t:])
        return Fraction(favourable, faces ** params["dice"])
