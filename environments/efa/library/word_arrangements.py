"""efa/word-arrangements-v1: arrangements of a word with repeated letters, optionally with
no two equal letters adjacent.

Without the condition the count is the multinomial n!/Π n_i!. With it, inclusion–exclusion
glues each letter's n_i copies into k_i blocks: Σ_k Π_i (−1)^(n_i − k_i) C(n_i − 1, k_i − 1)
· (Σ k_i)!/Π k_i!. Difficulty: the word length and the number of distinct letters.
"""

import string
from itertools import product
from math import comb, factorial

ID = "efa/word-arrangements-v1"
TITLE = "Arrangements of a word with repeated letters (optionally no equal neighbours)"
FAMILY = "combinatorics"
SEED = {
    "problem": "How many distinct arrangements of the letters of the word MISSISSIPPI are there?",
    "solution": (
        "MISSISSIPPI has 11 letters: 1 M, 4 I, 4 S and 2 P. The distinct arrangements number "
        "11!/(1! · 4! · 4! · 2!) = 39916800/1152 = 34650."
    ),
    "answer": "34650",
}

_CONDITIONS = {
    "any": "",
    "separated": " in which no two identical letters are adjacent",
}


def _multinomial(counts):
    out = factorial(sum(counts))
    for c in counts:
        out //= factorial(c)
    return out


class EFA:
    """The number of distinct arrangements of the word, under the condition."""

    answer_kind = "integer"
    options = {"max_length": 10, "max_distinct": 4}
    seed_params = {"word": "MISSISSIPPI", "condition": "any"}

    def __init__(self, max_length=10, max_distinct=4):
        if not 4 <= max_length <= 26:
            raise ValueError(f"max_length must be in [4, 26], got {max_length}")
        if not 2 <= max_distinct <= 8:
            raise ValueError(f"max_distinct must be in [2, 8], got {max_distinct}")
        self.max_length = max_length
        self.max_distinct = max_distinct

    def sample(self, rng):
        while True:
            letters = rng.sample(string.ascii_uppercase, rng.randint(2, self.max_distinct))
            word = [c for c in letters for _ in range(rng.randint(1, 4))]
            if 4 <= len(word) <= self.max_length and len(word) > len(letters):
                break
        rng.shuffle(word)
        return {"word": "".join(word), "condition": rng.choice(sorted(_CONDITIONS))}

    def render(self, params):
        return (
            f"How many distinct arrangements of the letters of the word {params['word']} are "
            f"there{_CONDITIONS[params['condition']]}?"
        )

    def solve(self, params):
        word = params["word"]
        counts = [word.count(c) for c in sorted(set(word))]
        if params["condition"] == "any":
            return _multinomial(counts)
        total = 0
        for blocks in product(*(range(1, n + 1) for n in counts)):
            sign_ways = 1
            for n, k in zip(counts, blocks, strict=True):
                sign_ways *= (-1) ** (n - k) * comb(n - 1, k - 1)
            total += sign_ways * _multinomial(blocks)
        return total
