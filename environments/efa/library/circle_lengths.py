"""efa/circle-lengths-v1: chord, tangent and common-tangent lengths by Pythagoras.

A chord at distance d from the centre of a circle of radius r has length 2√(r^2 − d^2); a
tangent from a point at distance D has length √(D^2 − r^2); two circles of radii r_1, r_2
with centres D apart have a common external tangent of length √(D^2 − (r_1 − r_2)^2) and,
when apart, a common internal one of length √(D^2 − (r_1 + r_2)^2). Answers are exact
surds. Difficulty: the radii.
"""

import sympy

ID = "efa/circle-lengths-v1"
TITLE = "Circle lengths: chords, tangents and common tangents (Pythagoras)"
FAMILY = "geometry"
SEED = {
    "problem": (
        "A chord of a circle of radius 7 lies at distance 3 from the center of the circle. "
        "Find the length of the chord."
    ),
    "solution": (
        "The perpendicular from the center bisects the chord, so half the chord is "
        "√(7^2 − 3^2) = √40 = 2√10 and the chord has length 4√10."
    ),
    "answer": "4*sqrt(10)",
}


class EFA:
    """The length of a chord, a tangent segment, or a common tangent of two circles."""

    answer_kind = "expression"
    options = {"max_radius": 15}
    seed_params = {"kind": "chord", "radii": [7], "distance": 3}

    def __init__(self, max_radius=15):
        if not 3 <= max_radius <= 1000:
            raise ValueError(f"max_radius must be in [3, 1000], got {max_radius}")
        self.max_radius = max_radius

    def sample(self, rng):
        m = self.max_radius
        kind = rng.choice(["chord", "tangent", "external", "internal"])
        if kind == "chord":
            r = rng.randint(2, m)
            return {"kind": kind, "radii": [r], "distance": rng.randint(1, r - 1)}
        if kind == "tangent":
            r = rng.randint(1, m)
            return {"kind": kind, "radii": [r], "distance": rng.randint(r + 1, 3 * m)}
        r1, r2 = sorted(rng.sample(range(1, m + 1), 2))
        nearest = r2 - r1 + 1 if kind == "external" else r1 + r2 + 1
        return {"kind": kind, "radii": [r1, r2], "distance": rng.randint(nearest, 3 * m)}

    def render(self, params):
        d, radii = params["distance"], params["radii"]
        if params["kind"] == "chord":
            return (
                f"A chord of a circle of radius {radii[0]} lies at distance {d} from the "
                "center of the circle. Find the length of the chord."
            )
        if params["kind"] == "tangent":
            return (
                f"A point P lies at distance {d} from the center of a circle of radius "
                f"{radii[0]}. Find the length of a tangent segment from P to the circle."
            )
        return (
            f"Two circles have radii {radii[0]} and {radii[1]}, and their centers are {d} "
            f"apart. Find the length of a common {params['kind']} tangent segment, between "
            "its two points of tangency."
        )

    def solve(self, params):
        d, radii = params["distance"], params["radii"]
        if params["kind"] == "chord":
            return 2 * sympy.sqrt(sympy.Integer(radii[0] ** 2 - d**2))
        if params["kind"] == "tangent":
            return sympy.sqrt(sympy.Integer(d**2 - radii[0] ** 2))
        gap = radii[1] - radii[0] if params["kind"] == "external" else radii[1] + radii[0]
        return sympy.sqrt(sympy.Integer(d**2 - gap**2))
