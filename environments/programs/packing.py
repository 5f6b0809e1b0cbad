"""Circle packing problems: n circles in the unit square or a rectangle of perimeter 4.

Verifier: :mod:`discolab.verifiers.constructions.packing` (containment ``r <= x <= 1 - r``,
overlap ``r_i + r_j > sqrt(dx**2 + dy**2)``, zero tolerance, ``worst_slack`` metric).
Behaviour descriptor: the spread of the radii, ``(max r - min r) / max r``.

Seeds place the centres in rows (counts, margin, row offset and zigzag are the knobs) and
then give every circle the largest radius the walls and the other circles allow, keeping a
clearance of 1e-12 on every constraint, so any layout the evolver tries is a valid packing.
"""

from __future__ import annotations

from typing import Any

from discolab.environments.programs.base import Reference
from discolab.environments.programs.common import JSON_RULES, VerifiedProblem, seed_source
from discolab.verifiers.constructions.packing import (
    Packing,
    measure_packing,
    parse_rect_packing,
    parse_square_packing,
)
from discolab.verifiers.constructions.reading import Measured

_LAYOUT = """
ROWS = {rows}  # circles per row, bottom to top
MARGIN = {margin}  # distance of the outer rows and columns from the walls
SHIFT = 0.0  # horizontal offset of every other row, in column spacings
WOBBLE = 0.0  # vertical zigzag inside each row
PASSES = 2  # rounds of growing each radius as far as the others allow
GAP = 1e-12  # clearance kept on every constraint


def layout(width, height):
    rows = [max(int(round(k)), 1) for k in ROWS]
    centres = []
    for r, count in enumerate(rows):
        y = MARGIN + (height - 2 * MARGIN) * r / max(len(rows) - 1, 1)
        for k in range(count):
            x = MARGIN + (width - 2 * MARGIN) * (k + SHIFT * (r % 2)) / max(count - 1, 1)
            centres.append((x, y + WOBBLE * (-1) ** k))
    while len(centres) < N:
        centres.append((width * (len(centres) % 2), 0.0))
    c = np.array(centres[:N], dtype=float)
    return np.column_stack((np.clip(c[:, 0], 0.0, width), np.clip(c[:, 1], 0.0, height)))


def radii(c, width, height):
    x, y = c[:, 0], c[:, 1]
    wall = np.minimum(np.minimum(x, width - x), np.minimum(y, height - y))
    d = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    np.fill_diagonal(d, np.inf)
    r = np.maximum(np.minimum(wall, d.min(axis=1) / 2) - GAP, 0.0)
    for _ in range(int(PASSES)):
        for i in range(N):
            r[i] = max(min(wall[i], np.min(d[i] - r)) - GAP, 0.0)
    return r
"""

_SQUARE = """
def construct():
    c = layout(1.0, 1.0)
    return {"centers": c.tolist(), "radii": radii(c, 1.0, 1.0).tolist()}
"""

_RECT = """
WIDTH = 1.0  # the rectangle's width; its height is 2 - WIDTH (perimeter 4)


def construct():
    width = min(max(float(WIDTH), 0.1), 1.9)
    height = 2.0 - width - 1e-12
    c = layout(width, height)
    r = radii(c, width, height)
    return {"width": width, "height": height, "centers": c.tolist(), "radii": r.tolist()}
"""


def _square_statement(n: int) -> str:
    return (
        f"Place {n} non-overlapping circles inside the unit square [0, 1] x [0, 1] so that "
        "the sum of their radii is as large as possible (maximise). Circle i with centre "
        "(x, y) and radius r must satisfy r >= 0, r <= x <= 1 - r and r <= y <= 1 - r; two "
        "circles must not overlap: r_i + r_j <= sqrt((x_i - x_j)**2 + (y_i - y_j)**2) "
        '(touching is allowed). Write {"centers": [[x, y], ...], "radii": [r, ...]} with '
        f"exactly {n} centres and {n} radii. " + JSON_RULES
    )


def _seed(n: int, rows: str, margin: float, tail: str) -> str:
    block = _LAYOUT.format(rows=rows, margin=margin) + tail
    return seed_source("import json\n\nimport numpy as np", block, f"N = {n}  # circles")


class CirclePackingSquare(VerifiedProblem):
    """``n`` disjoint circles inside the unit square, maximising the sum of the radii.

    Data: ``{"centers": [[x, y]] * n, "radii": [r] * n}``. Constraints: ``r >= 0``,
    ``r <= x <= 1 - r``, ``r <= y <= 1 - r``, and no pair with
    ``r_i + r_j > sqrt((x_i - x_j)**2 + (y_i - y_j)**2)`` (touching allowed).
    Version 1: as AlphaEvolve (2025) published it.
    """

    direction = "max"
    n: int
    seed_rows: str
    seed_margin: float

    def seed_program(self) -> str:
        """Rows of circles with a wide margin (a weak start); radii grown greedily."""
        return _seed(self.n, self.seed_rows, self.seed_margin, _SQUARE)

    def parse(self, data: Any) -> Packing:
        return parse_square_packing(data, self.n)

    def measure(self, parsed: Packing) -> Measured:
        return measure_packing(parsed)


class CirclePacking26(CirclePackingSquare):
    """26 circles in the unit square (see :class:`CirclePackingSquare`)."""

    id = "programs/circle-packing-26-v1"
    title = "Circle packing: 26 circles in the unit square, maximise the sum of radii"
    n = 26
    statement = _square_statement(26)
    seed_rows = "(5, 5, 6, 5, 5)"
    seed_margin = 0.2
    references = (
        Reference("previous state of the art", 2.634),
        Reference("AlphaEvolve (2025)", 2.635863),
        Reference("later report", 2.635983),
    )


class CirclePacking32(CirclePackingSquare):
    """32 circles in the unit square (see :class:`CirclePackingSquare`)."""

    id = "programs/circle-packing-32-v1"
    title = "Circle packing: 32 circles in the unit square, maximise the sum of radii"
    n = 32
    statement = _square_statement(32)
    seed_rows = "(6, 5, 6, 5, 5, 5)"
    seed_margin = 0.2
    references = (
        Reference("previous state of the art", 2.936),
        Reference("AlphaEvolve (2025)", 2.937945),
        Reference("later report", 2.939573),
    )


class CirclePackingRect21(VerifiedProblem):
    """21 disjoint circles in a rectangle of perimeter 4, maximising the sum of radii.

    Data: ``{"width": w, "height": h, "centers": [[x, y]] * 21, "radii": [r] * 21}`` with
    ``w, h > 0`` and ``w + h <= 2`` (checked exactly on the floats); containment
    ``r <= x <= w - r``, ``r <= y <= h - r``; overlap as for the square. Version 1.
    """

    id = "programs/circle-packing-rect-21-v1"
    title = "Circle packing: 21 circles in a rectangle of perimeter 4, maximise the sum of radii"
    direction = "max"
    n = 21
    references = (
        Reference("previous state of the art", 2.364),
        Reference("AlphaEvolve (2025)", 2.365832),
    )
    statement = (
        "Choose a rectangle [0, width] x [0, height] with width > 0, height > 0 and "
        "width + height <= 2 (perimeter at most 4), and place 21 non-overlapping circles "
        "inside it so that the sum of their radii is as large as possible (maximise). Circle "
        "i with centre (x, y) and radius r must satisfy r >= 0, r <= x <= width - r and "
        "r <= y <= height - r; two circles must not overlap: r_i + r_j <= "
        "sqrt((x_i - x_j)**2 + (y_i - y_j)**2) (touching is allowed). Write "
        '{"width": w, "height": h, "centers": [[x, y], ...], "radii": [r, ...]} with exactly '
        "21 centres and 21 radii. " + JSON_RULES
    )

    def seed_program(self) -> str:
        """A square rectangle with rows of circles and a wide margin; radii grown greedily."""
        return _seed(self.n, "(5, 4, 4, 4, 4)", 0.2, _RECT)

    def parse(self, data: Any) -> Packing:
        return parse_rect_packing(data, self.n, 2)

    def measure(self, parsed: Packing) -> Measured:
        return measure_packing(parsed)


PROBLEMS = (CirclePacking26, CirclePacking32, CirclePackingRect21)
