"""efa/linear-system-v1: x + y for a system of two linear equations (Cramer's rule).

ax + by = e and cx + dy = f with ad − bc ≠ 0 have the single solution
x = (ed − bf)/(ad − bc), y = (af − ec)/(ad − bc). Difficulty: the coefficient size.
"""

from fractions import Fraction

ID = "efa/linear-system-v1"
TITLE = "System of two linear equations: the value of x + y"
FAMILY = "algebra"
SEED = {
    "problem": "Real numbers x and y satisfy 3x + 4y = 10 and 5x - 2y = 7. Find x + y.",
    "solution": (
        "Doubling the second equation and adding it to the first gives 13x = 24, so "
        "x = 24/13; then 4y = 10 − 72/13 = 58/13 and y = 29/26. So x + y = 48/26 + 29/26 = "
        "77/26."
    ),
    "answer": "77/26",
}


def _side(a, b):
    """``3x + 4y`` / ``5x - 2y`` / ``x - y`` (a coefficient 1 is implied, as usual)."""
    first = "" if a == 1 else str(a)
    second = "" if abs(b) == 1 else str(abs(b))
    return f"{first}x {'-' if b < 0 else '+'} {second}y"


class EFA:
    """x + y for the unique solution of ax + by = e, cx + dy = f."""

    answer_kind = "rational"
    options = {"max_coefficient": 9, "max_constant": 30}
    seed_params = {"a": 3, "b": 4, "e": 10, "c": 5, "d": -2, "f": 7}

    def __init__(self, max_coefficient=9, max_constant=30):
        if not 2 <= max_coefficient <= 1000:
            raise ValueError(f"max_coefficient must be in [2, 1000], got {max_coefficient}")
        if not 1 <= max_constant <= 10**6:
            raise ValueError(f"max_constant must be in [1, 10^6], got {max_constant}")
        self.max_coefficient = max_coefficient
        self.max_constant = max_constant

    def sample(self, rng):
        m, k = self.max_coefficient, self.max_constant
        nonzero = [c for c in range(-m, m + 1) if c != 0]
        while True:
            a, b, c, d = (rng.choice(nonzero) for _ in range(4))
            if a > 0 and c > 0 and a * d - b * c != 0:
                break
        return {"a": a, "b": b, "e": rng.randint(-k, k), "c": c, "d": d, "f": rng.randint(-k, k)}

    def render(self, params):
        p = params
        return (
            f"Real numbers x and y satisfy {_side(p['a'], p['b'])} = {p['e']} and "
            f"{_side(p['c'], p['d'])} = {p['f']}. Find x + y."
        )

    def solve(self, params):
        a, b, c, d = params["a"], params["b"], params["c"], params["d"]
        e, f = params["e"], params["f"]
        det = a * d - b * c
        return Fraction(e * d - b * f + a * f - e * c, det)
