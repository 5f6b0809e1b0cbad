"""efa/circle-lattice-points-v1: lattice points inside (or on) a circle about the origin.

Counting column by column, the points with x^2 + y^2 ≤ n number Σ_{|x| ≤ √n}
(2⌊√(n − x^2)⌋ + 1); those on the circle x^2 + y^2 = n are the columns where n − x^2 is a
perfect square (two points, or one when it is 0). Difficulty: how large n may be.
"""

from math import isqrt

ID = "efa/circle-lattice-points-v1"
TITLE = "Lattice points inside or on a circle centred at the origin"
FAMILY = "geometry"
SEED = {
    "problem": "How many points (x, y) with integer coordinates satisfy x^2 + y^2 ≤ 25?",
    "solution": (
        "Count by columns: for x = 0 there are 11 values of y (|y| ≤ 5); for x = ±1, ±2 and "
        "±3 there are 9 each (|y| ≤ 4); for x = ±4 there are 7 (|y| ≤ 3) and for x = ±5 just "
        "1. The total is 11 + 2(9 + 9 + 9 + 7 + 1) = 81."
    ),
    "answer": "81",
}

_RELATIONS = {"inside": "≤", "on": "="}


class EFA:
    """The number of lattice points with x^2 + y^2 ≤ n (inside) or = n (on)."""

    answer_kind = "integer"
    options = {"max_n": 2000}
    seed_params = {"n": 25, "where": "inside"}

    def __init__(self, max_n=2000):
        if not 10 <= max_n <= 10**8:
            raise ValueError(f"max_n must be in [10, 10^8], got {max_n}")
        self.max_n = max_n

    def sample(self, rng):
        where = rng.choice(sorted(_RELATIONS))
        n = rng.randint(5, self.max_n)
        if where == "on":  # a sum of two squares, so the answer is rarely 0
            a, b = rng.randint(0, isqrt(self.max_n)), rng.randint(1, isqrt(self.max_n))
            n = a * a + b * b if a * a + b * b <= self.max_n else n
        return {"n": n, "where": where}

    def render(self, params):
        relation = _RELATIONS[params["where"]]
        return (
            f"How many points (x, y) with integer coordinates satisfy "
            f"x^2 + y^2 {relation} {params['n']}?"
        )

    def solve(self, params):
        n, total = params["n"], 0
        for x in range(-isqrt(n), isqrt(n) + 1):
            rest = n - x * x
            root = isqrt(rest)
            if params["where"] == "inside":
                total += 2 * root + 1
            elif root * root == rest:
                total += 2 if root else 1
        return total
