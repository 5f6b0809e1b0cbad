"""efa/lattice-paths-v1: monotone lattice paths that avoid some blocked points.

Paths from (0, 0) to (m, n) by unit steps right or up number C(m + n, m); inclusion–exclusion
over the blocked points (a set of them is met by a path only if they form a chain) subtracts
the paths through any of them. Difficulty: the grid size and the number of blocked points.
"""

from itertools import combinations, pairwise
from math import comb

ID = "efa/lattice-paths-v1"
TITLE = "Lattice paths avoiding blocked points (inclusion–exclusion)"
FAMILY = "combinatorics"
SEED = {
    "problem": (
        "A path goes from (0, 0) to (6, 4) by unit steps, each one to the right or up. "
        "How many such paths do not pass through the point (2, 3)?"
    ),
    "solution": (
        "There are C(10, 4) = 210 paths in all. A path through (2, 3) is a path to (2, 3), "
        "C(5, 2) = 10 ways, followed by a path from (2, 3) to (6, 4), C(5, 1) = 5 ways, so 50 "
        "paths pass through it and 210 − 50 = 160 avoid it."
    ),
    "answer": "160",
}


def _paths(start, end):
    dx, dy = end[0] - start[0], end[1] - start[1]
    return comb(dx + dy, dx) if dx >= 0 and dy >= 0 else 0


class EFA:
    """Monotone paths (0, 0) → (width, height) avoiding every blocked point."""

    answer_kind = "integer"
    options = {"max_side": 10, "max_blocked": 2}
    seed_params = {"width": 6, "height": 4, "blocked": [[2, 3]]}

    def __init__(self, max_side=10, max_blocked=2):
        if not 3 <= max_side <= 40:
            raise ValueError(f"max_side must be in [3, 40], got {max_side}")
        if not 1 <= max_blocked <= 4:
            raise ValueError(f"max_blocked must be in [1, 4], got {max_blocked}")
        self.max_side = max_side
        self.max_blocked = max_blocked

    def sample(self, rng):
        width, height = rng.randint(3, self.max_side), rng.randint(3, self.max_side)
        inner = [(x, y) for x in range(width + 1) for y in range(height + 1)]
        inner = [p for p in inner if p not in ((0, 0), (width, height))]
        blocked = sorted(rng.sample(inner, rng.randint(1, self.max_blocked)))
        return {"width": width, "height": height, "blocked": [list(p) for p in blocked]}

    def render(self, params):
        points = [f"({x}, {y})" for x, y in params["blocked"]]
        if len(points) == 1:
            where = f"do not pass through the point {points[0]}"
        else:
            where = "pass through none of the points " + ", ".join(points[:-1])
            where += " and " + points[-1]
        return (
            f"A path goes from (0, 0) to ({params['width']}, {params['height']}) by unit "
            f"steps, each one to the right or up. How many such paths {where}?"
        )

    def solve(self, params):
        end = (params["width"], params["height"])
        blocked = sorted(tuple(p) for p in params["blocked"])
        total = 0
        for size in range(len(blocked) + 1):
            for subset in combinations(blocked, size):
                chain = [(0, 0), *subset, end]  # sorted points; a path meets them in order
                count = 1
                for start, stop in pairwise(chain):
                    count *= _paths(start, stop)
                total += (-1) ** size * count
        return total
