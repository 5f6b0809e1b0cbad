"""efa/power-mod-v1: the remainder of a large power, a^b mod m.

Euler's theorem and the cycle of powers modulo m reduce the exponent; the answer is
``pow(a, b, m)``. Difficulty: how large the base, the exponent and the modulus may be.
"""

ID = "efa/power-mod-v1"
TITLE = "Modular exponentiation: the remainder of a^b divided by m"
FAMILY = "number theory"
SEED = {
    "problem": "Find the remainder when 7^2023 is divided by 100.",
    "solution": (
        "7^2 = 49 and 7^4 = 2401 ≡ 1 (mod 100), so the powers of 7 repeat with period 4 "
        "modulo 100. Since 2023 = 4·505 + 3, 7^2023 ≡ 7^3 = 343 ≡ 43 (mod 100)."
    ),
    "answer": "43",
}


class EFA:
    """The remainder of base^exponent on division by modulus."""

    answer_kind = "integer"
    options = {"max_base": 50, "max_exponent": 10000, "max_modulus": 1000}
    seed_params = {"base": 7, "exponent": 2023, "modulus": 100}

    def __init__(self, max_base=50, max_exponent=10000, max_modulus=1000):
        if not 3 <= max_base <= 10**6:
            raise ValueError(f"max_base must be in [3, 10^6], got {max_base}")
        if not 20 <= max_exponent <= 10**18:
            raise ValueError(f"max_exponent must be in [20, 10^18], got {max_exponent}")
        if not 10 <= max_modulus <= 10**9:
            raise ValueError(f"max_modulus must be in [10, 10^9], got {max_modulus}")
        self.max_base = max_base
        self.max_exponent = max_exponent
        self.max_modulus = max_modulus

    def sample(self, rng):
        return {
            "base": rng.randint(2, self.max_base),
            "exponent": rng.randint(10, self.max_exponent),
            "modulus": rng.randint(7, self.max_modulus),
        }

    def render(self, params):
        return (
            f"Find the remainder when {params['base']}^{params['exponent']} "
            f"is divided by {params['modulus']}."
        )

    def solve(self, params):
        return pow(params["base"], params["exponent"], params["modulus"])
