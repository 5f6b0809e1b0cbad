"""efa/divisors-v1: the number, the sum or the square divisors of an integer.

From N = Π p^e: τ(N) = Π (e + 1), σ(N) = Π (p^(e+1) − 1)/(p − 1), and the perfect-square
divisors number Π (⌊e/2⌋ + 1). Difficulty: how many prime factors N has and how large it is.
"""

ID = "efa/divisors-v1"
TITLE = "Divisor functions: number, sum, or square divisors of an integer"
FAMILY = "number theory"
SEED = {
    "problem": "Find the sum of all positive divisors of 720.",
    "solution": (
        "720 = 2^4 · 3^2 · 5. The divisor sum is multiplicative, so σ(720) = "
        "(1 + 2 + 4 + 8 + 16)(1 + 3 + 9)(1 + 5) = 31 · 13 · 6 = 2418."
    ),
    "answer": "2418",
}

_PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31)
_QUESTIONS = {
    "count": "How many positive divisors does {n} have?",
    "sum": "Find the sum of all positive divisors of {n}.",
    "square": "How many positive divisors of {n} are perfect squares?",
}


def _factor(n):
    factors, p = {}, 2
    while p * p <= n:
        while n % p == 0:
            factors[p] = factors.get(p, 0) + 1
            n //= p
        p += 1
    if n > 1:
        factors[n] = factors.get(n, 0) + 1
    return factors


class EFA:
    """τ(N), σ(N) or the number of square divisors of N, by the question asked."""

    answer_kind = "integer"
    options = {"max_primes": 4, "max_n": 10**6}
    seed_params = {"n": 720, "question": "sum"}

    def __init__(self, max_primes=4, max_n=10**6):
        if not 2 <= max_primes <= len(_PRIMES):
            raise ValueError(f"max_primes must be in [2, {len(_PRIMES)}], got {max_primes}")
        if not 100 <= max_n <= 10**9:
            raise ValueError(f"max_n must be in [100, 10^9], got {max_n}")
        self.max_primes = max_primes
        self.max_n = max_n

    def sample(self, rng):
        while True:
            primes = rng.sample(_PRIMES, rng.randint(2, self.max_primes))
            n = 1
            for p in primes:
                n *= p ** rng.randint(1, 4)
            if 12 <= n <= self.max_n:
                break
        return {"n": n, "question": rng.choice(sorted(_QUESTIONS))}

    def render(self, params):
        return _QUESTIONS[params["question"]].format(n=params["n"])

    def solve(self, params):
        out = 1
        for p, e in _factor(params["n"]).items():
            if params["question"] == "count":
                out *= e + 1
            elif params["question"] == "sum":
                out *= (p ** (e + 1) - 1) // (p - 1)
            else:
                out *= e // 2 + 1
        return out
