"""efa/trig-integral-v1: ∫_0^(π/q) x^k sin(ax) dx or x^k cos(ax) dx, exactly, in powers of π.

Both are the imaginary and real parts of ∫_0^L x^k e^(iax) dx, which integration by parts
gives as e^(iaL) Σ_{j=0}^{k} (−1)^j k!/(k − j)! L^(k−j)/(ia)^(j+1) − (−1)^k k!/(ia)^(k+1).
For L = π/q with q ∈ {1, 2}, e^(iaL) = i^(2a/q), so the answer is a polynomial in π with
rational coefficients, computed in exact Gaussian rationals. Difficulty: k and a.
"""

from fractions import Fraction
from math import factorial

import sympy

ID = "efa/trig-integral-v1"
TITLE = "Integral of x^k sin(ax) or x^k cos(ax) over [0, π] or [0, π/2]"
FAMILY = "calculus"
SEED = {
    "problem": "Evaluate the integral of x^2 cos(x) with respect to x from x = 0 to x = pi/2.",
    "solution": (
        "Integrating by parts twice, an antiderivative is x^2 sin x + 2x cos x − 2 sin x. "
        "At x = π/2 it is π^2/4 − 2, at x = 0 it is 0, so the integral is π^2/4 − 2."
    ),
    "answer": "-2 + pi**2/4",
}

_I_POWERS = ((1, 0), (0, 1), (-1, 0), (0, -1))  # i^0, i^1, i^2, i^3 as (re, im)


def _mul(z, w):
    return (z[0] * w[0] - z[1] * w[1], z[0] * w[1] + z[1] * w[0])


class EFA:
    """∫_0^(π/divisor) x^power f(rate·x) dx with f = sin or cos."""

    answer_kind = "expression"
    options = {"max_power": 3, "max_rate": 4}
    seed_params = {"power": 2, "function": "cos", "rate": 1, "divisor": 2}

    def __init__(self, max_power=3, max_rate=4):
        if not 1 <= max_power <= 10:
            raise ValueError(f"max_power must be in [1, 10], got {max_power}")
        if not 1 <= max_rate <= 20:
            raise ValueError(f"max_rate must be in [1, 20], got {max_rate}")
        self.max_power = max_power
        self.max_rate = max_rate

    def sample(self, rng):
        return {
            "power": rng.randint(1, self.max_power),
            "function": rng.choice(["sin", "cos"]),
            "rate": rng.randint(1, self.max_rate),
            "divisor": rng.choice([1, 2]),
        }

    def render(self, params):
        k, a = params["power"], params["rate"]
        power = "x" if k == 1 else f"x^{k}"
        argument = "x" if a == 1 else f"{a}x"
        upper = "pi" if params["divisor"] == 1 else f"pi/{params['divisor']}"
        return (
            f"Evaluate the integral of {power} {params['function']}({argument}) with respect "
            f"to x from x = 0 to x = {upper}."
        )

    def solve(self, params):
        k, a, q = params["power"], params["rate"], params["divisor"]
        # coefficients[m] = (re, im) of the coefficient of π^m in ∫_0^(π/q) x^k e^(iax) dx
        coefficients = [(Fraction(0), Fraction(0)) for _ in range(k + 1)]
        boundary = _I_POWERS[(2 * a // q) % 4]  # e^(iaπ/q)
        for j in range(k + 1):
            real = Fraction(
                (-1) ** j * factorial(k) // factorial(k - j), a ** (j + 1) * q ** (k - j)
            )
            # 1/i^(j+1) = i^(3(j+1))
            term = _mul(boundary, _mul((real, Fraction(0)), _I_POWERS[(3 * (j + 1)) % 4]))
            m = k - j
            coefficients[m] = (coefficients[m][0] + term[0], coefficients[m][1] + term[1])
        constant = _mul(
            (Fraction((-1) ** k * factorial(k), a ** (k + 1)), Fraction(0)),
            _I_POWERS[(3 * (k + 1)) % 4],
        )
        coefficients[0] = (coefficients[0][0] - constant[0], coefficients[0][1] - constant[1])
        part = 0 if params["function"] == "cos" else 1
        return sum(
            sympy.Rational(c[part].numerator, c[part].denominator) * sympy.pi**m
            for m, c in enumerate(coefficients)
        )
