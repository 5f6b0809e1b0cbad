"""Realistic parent programs for the mutator's tests."""

from __future__ import annotations

CIRCLES = '''"""Pack 26 circles in the unit square: a ring layout and greedy radii."""
import json

import numpy as np

N = 26


def construct():
    # EVOLVE-BLOCK-START
    # layout constants
    ring = 0.35
    inner = 0.17
    centers = np.zeros((N, 2))
    centers[0] = [0.5, 0.5]
    for i in range(8):
        angle = 2 * np.pi * i / 8
        centers[i + 1] = [0.5 + inner * np.cos(angle), 0.5 + inner * np.sin(angle)]
    for i in range(17):
        angle = 2 * np.pi * i / 17 + 0.1
        centers[i + 9] = [0.5 + ring * np.cos(angle), 0.5 + ring * np.sin(angle)]
    centers = np.clip(centers, 0.01, 0.99)
    radii = np.minimum.reduce([centers[:, 0], centers[:, 1], 1 - centers[:, 0], 1 - centers[:, 1]])
    for _ in range(3):
        for i in range(N):
            for j in range(i + 1, N):
                d = np.sqrt(np.sum((centers[i] - centers[j]) ** 2))
                if radii[i] + radii[j] > d:
                    scale = d / (radii[i] + radii[j])
                    radii[i] *= scale
                    radii[j] *= scale
    radii = np.maximum(radii * 0.999, 0.0)
    shift = -0.05 if min(radii) < 0.02 else 0.0
    # EVOLVE-BLOCK-END
    return centers, radii


def main():
    centers, radii = construct()
    with open("construction.json", "w") as handle:
        json.dump({"centers": centers.tolist(), "radii": radii.tolist()}, handle)


if __name__ == "__main__":
    main()
'''

TOP = '''import math

# EVOLVE-BLOCK-START
def radii(n):
    """Equal radii."""
    base = 0.1
    out = [base] * n
    return out
# EVOLVE-BLOCK-END


def score(n):
    return sum(radii(n))
'''

NESTED = '''class Packer:
    """A method-level block: eight spaces of indentation."""

    def radii(self, n):
        scale = 1.0
        # EVOLVE-BLOCK-START
        base = 0.1 * scale
        out = [base] * n
        if n > 3:
            out[0] = base / 2
        # EVOLVE-BLOCK-END
        return out
'''

TWO_BLOCKS = """import numpy as np

# EVOLVE-BLOCK-START
WIDTH = 0.25
# EVOLVE-BLOCK-END


def layout(n):
    # EVOLVE-BLOCK-START
    xs = np.linspace(0.0, 1.0, n) * WIDTH
    return np.sin(xs)
    # EVOLVE-BLOCK-END
"""
