"""efa/heron-triangle-v1: area, inradius or circumradius of a triangle from its sides.

Heron: 16K^2 = (a + b + c)(−a + b + c)(a − b + c)(a + b − c) =: P, so K = √P/4, the
inradius is r = K/s = √P/(2(a + b + c)) and the circumradius R = abc/(4K) = abc/√P.
Answers are exact surds. Difficulty: the side lengths.
"""

import sympy

ID = "efa/heron-triangle-v1"
TITLE = "Triangle from its side lengths: area, inradius or circumradius (Heron)"
FAMILY = "geometry"
SEED = {
    "problem": "A triangle has side lengths 5, 6 and 7. Find its area.",
    "solution": (
        "The semiperimeter is s = 9, so by Heron's formula the area is "
        "√(9 · 4 · 3 · 2) = √216 = 6√6."
    ),
    "answer": "6*sqrt(6)",
}

_QUESTIONS = {
    "area": "Find its area.",
    "inradius": "Find the radius of its inscribed circle.",
    "circumradius": "Find the radius of its circumscribed circle.",
}


class EFA:
    """The area, inradius or circumradius of the triangle with sides a, b, c."""

    answer_kind = "expression"
    options = {"max_side": 20}
    seed_params = {"sides": [5, 6, 7], "quantity": "area"}

    def __init__(self, max_side=20):
        if not 4 <= max_side <= 1000:
            raise ValueError(f"max_side must be in [4, 1000], got {max_side}")
        self.max_side = max_side

    def sample(self, rng):
        while True:
            a, b, c = sorted(rng.randint(2, self.max_side) for _ in range(3))
            if a + b > c:
                break
        return {"sides": [a, b, c], "quantity": rng.choice(sorted(_QUESTIONS))}

    def render(self, params):
        a, b, c = params["sides"]
        return f"A triangle has side lengths {a}, {b} and {c}. {_QUESTIONS[params['quantity']]}"

    def solve(self, params):
        a, b, c = params["sides"]
        root = sympy.sqrt(sympy.Integer((a + b + c) * (-a + b + c) * (a - b + c) * (a + b - c)))
        if params["quantity"] == "area":
            return root / 4
        if params["quantity"] == "inradius":
            return root / (2 * (a + b + c))
        return sympy.Integer(a * b * c) / root
