"""efa/shoelace-area-v1: the area of a convex lattice polygon (shoelace formula).

Area = |Σ (x_i y_(i+1) − x_(i+1) y_i)|/2, a multiple of 1/2 for lattice vertices.
Difficulty: the coordinate range and the number of vertices (3 to 6, in convex position,
listed in order around the polygon).
"""

from fractions import Fraction

ID = "efa/shoelace-area-v1"
TITLE = "Area of a lattice polygon from its vertices (shoelace formula)"
FAMILY = "geometry"
SEED = {
    "problem": "Find the area of the triangle with vertices (2, 1), (7, 3) and (4, 8).",
    "solution": (
        "By the shoelace formula, 2 · 3 − 7 · 1 = −1, 7 · 8 − 4 · 3 = 44 and 4 · 1 − 2 · 8 = "
        "−12 sum to 31, so the area is 31/2."
    ),
    "answer": "31/2",
}

_NAMES = {3: "triangle", 4: "quadrilateral", 5: "pentagon", 6: "hexagon"}


def _hull(points):
    """The convex hull in counter-clockwise order (monotone chain, no collinear points)."""
    points = sorted(set(points))

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for p in points:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(points):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


class EFA:
    """The area of the convex lattice polygon with the given vertices, in order."""

    answer_kind = "rational"
    options = {"max_coordinate": 10, "max_vertices": 5}
    seed_params = {"vertices": [[2, 1], [7, 3], [4, 8]]}

    def __init__(self, max_coordinate=10, max_vertices=5):
        if not 3 <= max_coordinate <= 1000:
            raise ValueError(f"max_coordinate must be in [3, 1000], got {max_coordinate}")
        if not 3 <= max_vertices <= 6:
            raise ValueError(f"max_vertices must be in [3, 6], got {max_vertices}")
        self.max_coordinate = max_coordinate
        self.max_vertices = max_vertices

    def sample(self, rng):
        m = self.max_coordinate
        want = rng.randint(3, self.max_vertices)
        while True:
            points = [(rng.randint(-m, m), rng.randint(-m, m)) for _ in range(want)]
            hull = _hull(points)
            if len(hull) == want:
                start = rng.randrange(want)  # any vertex may be listed first
                return {"vertices": [list(p) for p in hull[start:] + hull[:start]]}

    def render(self, params):
        points = [f"({x}, {y})" for x, y in params["vertices"]]
        listed = ", ".join(points[:-1]) + " and " + points[-1]
        name = _NAMES[len(points)]
        return f"Find the area of the {name} with vertices {listed}."

    def solve(self, params):
        v = params["vertices"]
        twice = sum(
            v[i][0] * v[(i + 1) % len(v)][1] - v[(i + 1) % len(v)][0] * v[i][1]
            for i in range(len(v))
        )
        return Fraction(abs(twice), 2)
