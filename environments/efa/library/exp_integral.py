"""efa/exp-integral-v1: ∫_0^c x^k e^(ax) dx by repeated integration by parts.

An antiderivative of x^k e^(ax) is e^(ax) Σ_{j=0}^{k} (−1)^j k!/(k − j)! x^(k−j)/a^(j+1), so
the integral is e^(ac) P(c) − (−1)^k k!/a^(k+1) with P(c) a rational number: an exact
expression in exp. Difficulty: the power k and the size of a and c.
"""

from fractions import Fraction
from math import factorial

import sympy

ID = "efa/exp-integral-v1"
TITLE = "Integral of a power times an exponential, x^k e^(ax), over [0, c]"
FAMILY = "calculus"
SEED = {
    "problem": "Evaluate the integral of x^2 e^(x) with respect to x from x = 0 to x = 1.",
    "solution": (
        "Integrating by parts twice, an antiderivative is e^x (x^2 − 2x + 2). At x = 1 it is "
        "e, at x = 0 it is 2, so the integral is e − 2."
    ),
    "answer": "-2 + exp(1)",
}


def _exponent(a):
    return "x" if a == 1 else "-x" if a == -1 else f"{a}x"


class EFA:
    """∫_0^upper x^power e^(rate·x) dx."""

    answer_kind = "expression"
    options = {"max_power": 4, "max_rate": 3, "max_upper": 3}
    seed_params = {"power": 2, "rate": 1, "upper": 1}

    def __init__(self, max_power=4, max_rate=3, max_upper=3):
        if not 1 <= max_power <= 12:
            raise ValueError(f"max_power must be in [1, 12], got {max_power}")
        if not 1 <= max_rate <= 10:
            raise ValueError(f"max_rate must be in [1, 10], got {max_rate}")
        if not 1 <= max_upper <= 10:
            raise ValueError(f"max_upper must be in [1, 10], got {max_upper}")
        self.max_power = max_power
        self.max_rate = max_rate
        self.max_upper = max_upper

    def sample(self, rng):
        m = self.max_rate
        return {
            "power": rng.randint(1, self.max_power),
            "rate": rng.choice([r for r in range(-m, m + 1) if r != 0]),
            "upper": rng.randint(1, self.max_upper),
        }

    def render(self, params):
        k = params["power"]
        power = "x" if k == 1 else f"x^{k}"
        return (
            f"Evaluate the integral of {power} e^({_exponent(params['rate'])}) with respect to "
            f"x from x = 0 to x = {params['upper']}."
        )

    def solve(self, params):
        k, a, c = params["power"], params["rate"], params["upper"]
        at_c = sum(
            Fraction((-1) ** j * factorial(k) // factorial(k - j) * c ** (k - j), a ** (j + 1))
            for j in range(k + 1)
        )
        at_0 = Fraction((-1) ** k * factorial(k), a ** (k + 1))
        rational = sympy.Rational(at_c.numerator, at_c.denominator)
        return rational * sympy.exp(a * c) - sympy.Rational(at_0.numerator, at_0.denominator)
