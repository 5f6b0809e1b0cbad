"""The kissing problem in dimension 11, in AlphaEvolve's integer form.

Verifier: :mod:`discolab.verifiers.constructions.kissing` (exact integers:
``0 ∉ C`` and ``min ‖x - y‖² >= max ‖x‖²``; the score is ``|C|``). Behaviour descriptor: the
share of vectors whose squared norm is the largest one.

The seed enumerates the integer vectors with ``WEIGHT`` entries of size ``LEVEL`` (signs
free), in an order set by a knob, and keeps each one that is far enough from those already
kept: every setting is valid by construction. The default (weight 2) keeps all 220 vectors
``±e_i ± e_j``.
"""

from __future__ import annotations

from typing import Any

from discolab.environments.programs.base import Reference
from discolab.environments.programs.common import JSON_RULES, VerifiedProblem, seed_source
from discolab.verifiers.constructions.kissing import measure_kissing, parse_vectors
from discolab.verifiers.constructions.reading import Measured

_BLOCK = """
WEIGHT = 2  # nonzero entries per candidate vector
LEVEL = 1  # size of each nonzero entry
ORDER = 0  # rotation of the candidate order
LIMIT = 8000  # most candidates examined


def construct():
    weight = min(max(int(round(WEIGHT)), 1), DIM)
    level = max(abs(int(round(LEVEL))), 1)
    pool = []
    for support in itertools.combinations(range(DIM), weight):
        for signs in itertools.product((level, -level), repeat=weight):
            v = [0] * DIM
            for i, s in zip(support, signs):
                v[i] = s
            pool.append(v)
    shift = int(ORDER) % max(len(pool), 1)
    pool = (pool[shift:] + pool[:shift])[: max(int(LIMIT), 1)]
    norm = weight * level * level  # every candidate has this squared norm
    kept = np.zeros((0, DIM), dtype=np.int64)
    for v in pool:
        if kept.shape[0] == 0 or np.min(np.sum((kept - v) ** 2, axis=1)) >= norm:
            kept = np.vstack([kept, v])
    return {"vectors": kept.tolist()}
"""


class Kissing11(VerifiedProblem):
    """A kissing configuration in dimension 11, as a set of integer vectors.

    Data: ``{"vectors": [[a_1, ..., a_11], ...]}`` of JSON integers (floats and booleans
    refused; at most 5000 vectors, entries of at most 200 digits). Valid iff no vector is
    zero and every pairwise squared distance is at least the largest squared norm; the
    score is the number of vectors (maximised). Version 1.
    """

    id = "programs/kissing-11-v1"
    title = "Kissing number in dimension 11: integer vectors, maximise their number"
    direction = "max"
    references = (
        Reference("previous state of the art", 592),
        Reference("AlphaEvolve (2025)", 593),
    )
    statement = (
        "Construct as many nonzero integer vectors in dimension 11 as possible (maximise the "
        "count) such that the smallest squared distance between two of them is at least the "
        "largest squared norm among them: min_{x != y} |x - y|^2 >= max_x |x|^2 (checked "
        "exactly in integers; duplicates are too close). Such a set gives a kissing "
        "configuration of unit spheres centred at 2x/|x|. Entries must be JSON integers "
        "(not floats or booleans) of at most 200 digits; at most 5000 vectors. Write "
        '{"vectors": [[a_1, ..., a_11], ...]}. ' + JSON_RULES
    )

    def seed_program(self) -> str:
        """Greedy selection among vectors of fixed weight; the default gives 220."""
        return seed_source(
            "import itertools\nimport json\n\nimport numpy as np", _BLOCK, "DIM = 11  # dimension"
        )

    def parse(self, data: Any) -> list[list[int]]:
        return parse_vectors(data, 11)

    def measure(self, parsed: list[list[int]]) -> Measured:
        return measure_kissing(parsed)


PROBLEMS = (Kissing11,)
