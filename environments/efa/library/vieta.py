"""efa/vieta-cubic-v1: symmetric functions of the roots of a cubic, by Vieta's formulas.

For ax^3 + bx^2 + cx + d with roots r, s, t: e1 = −b/a, e2 = c/a, e3 = −d/a, and
r^2 + s^2 + t^2 = e1^2 − 2e2, 1/r + 1/s + 1/t = e2/e3, r^3 + s^3 + t^3 = e1^3 − 3e1e2 + 3e3.
Difficulty: the coefficient size.
"""

from fractions import Fraction

ID = "efa/vieta-cubic-v1"
TITLE = "Vieta's formulas: a symmetric function of the roots of a cubic"
FAMILY = "algebra"
SEED = {
    "problem": (
        "Let r, s and t be the roots, counted with multiplicity, of 2x^3 - 3x^2 + 5x - 7 = 0. "
        "Find r^2 + s^2 + t^2."
    ),
    "solution": (
        "By Vieta, r + s + t = 3/2 and rs + st + tr = 5/2. Hence r^2 + s^2 + t^2 = "
        "(r + s + t)^2 − 2(rs + st + tr) = 9/4 − 5 = −11/4."
    ),
    "answer": "-11/4",
}

_TARGETS = {
    "squares": "r^2 + s^2 + t^2",
    "reciprocals": "1/r + 1/s + 1/t",
    "cubes": "r^3 + s^3 + t^3",
}


def _polynomial(coefficients):
    """``2x^3 - 3x^2 + 5x - 7`` from the coefficients, highest degree first."""
    degree = len(coefficients) - 1
    text = ""
    for i, c in enumerate(coefficients):
        power = degree - i
        if c == 0:
            continue
        size = str(abs(c)) if abs(c) != 1 or power == 0 else ""
        monomial = size + ("x" if power == 1 else f"x^{power}" if power > 1 else "")
        if not text:
            text = ("-" if c < 0 else "") + monomial
        else:
            text += (" - " if c < 0 else " + ") + monomial
    return text or "0"


class EFA:
    """r^2 + s^2 + t^2, 1/r + 1/s + 1/t or r^3 + s^3 + t^3 for the roots of a cubic."""

    answer_kind = "rational"
    options = {"max_coefficient": 9}
    seed_params = {"coefficients": [2, -3, 5, -7], "target": "squares"}

    def __init__(self, max_coefficient=9):
        if not 2 <= max_coefficient <= 1000:
            raise ValueError(f"max_coefficient must be in [2, 1000], got {max_coefficient}")
        self.max_coefficient = max_coefficient

    def sample(self, rng):
        m = self.max_coefficient
        a = rng.choice([c for c in range(-m, m + 1) if c != 0])
        b, c = rng.randint(-m, m), rng.randint(-m, m)
        d = rng.choice([c for c in range(-m, m + 1) if c != 0])  # no zero root
        return {"coefficients": [a, b, c, d], "target": rng.choice(sorted(_TARGETS))}

    def render(self, params):
        return (
            "Let r, s and t be the roots, counted with multiplicity, of "
            f"{_polynomial(params['coefficients'])} = 0. Find {_TARGETS[params['target']]}."
        )

    def solve(self, params):
        a, b, c, d = params["coefficients"]
        e1, e2, e3 = Fraction(-b, a), Fraction(c, a), Fraction(-d, a)
        if params["target"] == "squares":
            return e1 * e1 - 2 * e2
        if params["target"] == "reciprocals":
            return e2 / e3
        return e1**3 - 3 * e1 * e2 + 3 * e3
