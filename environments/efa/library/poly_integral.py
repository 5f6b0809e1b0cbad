"""efa/polynomial-integral-v1: the definite integral of a polynomial.

∫_a^b Σ c_k x^k dx = Σ c_k (b^(k+1) − a^(k+1))/(k + 1), exact in fractions.
Difficulty: the degree and the coefficient size.
"""

from fractions import Fraction

ID = "efa/polynomial-integral-v1"
TITLE = "Definite integral of a polynomial"
FAMILY = "calculus"
SEED = {
    "problem": "Evaluate the integral of 5x^3 - 2x^2 + 4 with respect to x from x = -1 to x = 2.",
    "solution": (
        "An antiderivative is F(x) = 5x^4/4 − 2x^3/3 + 4x. F(2) = 20 − 16/3 + 8 = 68/3 and "
        "F(−1) = 5/4 + 2/3 − 4 = −25/12, so the integral is 68/3 + 25/12 = 297/12 = 99/4."
    ),
    "answer": "99/4",
}


def _polynomial(coefficients):
    """``5x^3 - 2x^2 + 4`` from the coefficients, highest degree first."""
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
    """∫_lower^upper p(x) dx for p given by its coefficients, highest degree first."""

    answer_kind = "rational"
    options = {"max_degree": 4, "max_coefficient": 9}
    seed_params = {"coefficients": [5, -2, 0, 4], "lower": -1, "upper": 2}

    def __init__(self, max_degree=4, max_coefficient=9):
        if not 1 <= max_degree <= 20:
            raise ValueError(f"max_degree must be in [1, 20], got {max_degree}")
        if not 1 <= max_coefficient <= 1000:
            raise ValueError(f"max_coefficient must be in [1, 1000], got {max_coefficient}")
        self.max_degree = max_degree
        self.max_coefficient = max_coefficient

    def sample(self, rng):
        m = self.max_coefficient
        degree = rng.randint(2, max(2, self.max_degree))
        leading = rng.choice([c for c in range(-m, m + 1) if c != 0])
        coefficients = [leading] + [rng.randint(-m, m) for _ in range(degree)]
        lower = rng.randint(-3, 2)
        return {"coefficients": coefficients, "lower": lower, "upper": rng.randint(lower + 1, 4)}

    def render(self, params):
        return (
            f"Evaluate the integral of {_polynomial(params['coefficients'])} with respect to x "
            f"from x = {params['lower']} to x = {params['upper']}."
        )

    def solve(self, params):
        a, b = params["lower"], params["upper"]
        degree = len(params["coefficients"]) - 1
        return sum(
            Fraction(c * (b ** (degree - i + 1) - a ** (degree - i + 1)), degree - i + 1)
            for i, c in enumerate(params["coefficients"])
        )
