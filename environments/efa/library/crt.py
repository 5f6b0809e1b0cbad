"""efa/crt-v1: the smallest positive integer with given remainders (Chinese remainder theorem).

Moduli are pairwise coprime, so exactly one residue class modulo their product works, and
its least positive member is the answer. Difficulty: how many congruences and how large the
moduli may be.
"""

import math

ID = "efa/crt-v1"
TITLE = "Chinese remainder theorem: least positive solution of a system of congruences"
FAMILY = "number theory"
SEED = {
    "problem": (
        "Find the smallest positive integer N that leaves a remainder of 2 when divided by 3, "
        "a remainder of 3 when divided by 5, and a remainder of 2 when divided by 7."
    ),
    "solution": (
        "N ≡ 2 (mod 3) and N ≡ 2 (mod 7) together say N ≡ 2 (mod 21), so N = 2 + 21t. "
        "Then 2 + 21t ≡ 3 (mod 5) gives t ≡ 1 (mod 5), so the least positive N is 2 + 21 = 23."
    ),
    "answer": "23",
}


class EFA:
    """The least positive N with N ≡ r_i (mod m_i) for pairwise coprime m_i."""

    answer_kind = "integer"
    options = {"congruences": 3, "max_modulus": 20}
    seed_params = {"moduli": [3, 5, 7], "remainders": [2, 3, 2]}

    def __init__(self, congruences=3, max_modulus=20):
        if not 2 <= congruences <= 5:
            raise ValueError(f"congruences must be in [2, 5], got {congruences}")
        if not 5 <= max_modulus <= 200:
            raise ValueError(f"max_modulus must be in [5, 200], got {max_modulus}")
        self.congruences = congruences
        self.max_modulus = max_modulus

    def sample(self, rng):
        while True:
            moduli = []
            for _ in range(200):
                m = rng.randint(2, self.max_modulus)
                if all(math.gcd(m, other) == 1 for other in moduli):
                    moduli.append(m)
                if len(moduli) == self.congruences:
                    break
            if len(moduli) == self.congruences:
                break
        remainders = [rng.randint(0, m - 1) for m in moduli]
        return {"moduli": moduli, "remainders": remainders}

    def render(self, params):
        parts = [
            f"a remainder of {r} when divided by {m}"
            for m, r in zip(params["moduli"], params["remainders"], strict=True)
        ]
        listed = ", ".join(parts[:-1]) + ", and " + parts[-1]
        return f"Find the smallest positive integer N that leaves {listed}."

    def solve(self, params):
        n, modulus = 0, 1
        for m, r in zip(params["moduli"], params["remainders"], strict=True):
            # step n by the current modulus until it also satisfies n ≡ r (mod m)
            while n % m != r % m:
                n += modulus
            modulus *= m
        return n if n > 0 else modulus
