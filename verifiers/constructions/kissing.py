"""Kissing configurations as AlphaEvolve states them, checked in exact integer arithmetic.

A construction is ``{"vectors": [[a_1, ..., a_d], ...]}`` of JSON integers. By AlphaEvolve's
lemma, a set ``C`` of points with ``0 ∉ C`` and ``min_{x≠y} ‖x - y‖² >= max_x ‖x‖²`` gives a
kissing configuration of ``|C|`` unit spheres (centres ``2x/‖x‖``). The check is exact: no
floats, no tolerance; duplicates fail (their distance is 0). The score is ``|C|``
(maximised).

Hostile input is bounded: at most :data:`MAX_VECTORS` vectors and entries of at most
:data:`MAX_DIGITS` digits. Pairwise distances use int64 numpy rows when every entry is at
most :data:`INT64_SAFE` in magnitude (then ``‖x - y‖²`` stays below 2**62 for ``d <= 16``),
else Python integers, whose quadratic pair loop is capped at :data:`MAX_BIG_VECTORS`.

Behaviour: the share of vectors whose squared norm equals the largest one (1 when all lie
on one sphere, as in lattice shells).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from discolab.verifiers.constructions.reading import InvalidConstruction, Measured, fields

MAX_VECTORS = 5000
MAX_DIGITS = 200
MAX_BIG_VECTORS = 1000
"""Most vectors accepted when some entry exceeds :data:`INT64_SAFE` (Python-int pairs)."""
INT64_SAFE = 2**28


def parse_vectors(data: Any, dimension: int) -> list[list[int]]:
    """``{"vectors": [...]}``: 1 to :data:`MAX_VECTORS` nonzero integer vectors of length
    ``dimension``; floats, bools and strings are refused."""
    vectors = fields(data, ("vectors",))["vectors"]
    if not isinstance(vectors, list) or not 1 <= len(vectors) <= MAX_VECTORS:
        count = len(vectors) if isinstance(vectors, list) else type(vectors).__name__
        raise InvalidConstruction(
            f"vectors must be a list of 1 to {MAX_VECTORS} integer vectors, got {count}"
        )
    limit = 10**MAX_DIGITS
    for i, vector in enumerate(vectors):
        if not isinstance(vector, list) or len(vector) != dimension:
            raise InvalidConstruction(f"vectors[{i}] must be a list of {dimension} integers")
        for k, entry in enumerate(vector):
            if isinstance(entry, bool) or not isinstance(entry, int):
                raise InvalidConstruction(
                    f"vectors[{i}][{k}] = {entry!r} is a {type(entry).__name__}; only JSON "
                    "integers are allowed"
                )
            if abs(entry) >= limit:
                raise InvalidConstruction(
                    f"vectors[{i}][{k}] has more than {MAX_DIGITS} digits; scale the vectors down"
                )
        if not any(vector):
            raise InvalidConstruction(f"vectors[{i}] is the zero vector; 0 must not be in the set")
    return vectors


def measure_kissing(vectors: list[list[int]]) -> Measured:
    """``|C|`` for a valid set: ``min ‖x - y‖² >= max ‖x‖²`` exactly.

    Raises:
        InvalidConstruction: two vectors are closer than the largest norm (naming them).
    """
    norms = [sum(a * a for a in v) for v in vectors]
    largest = max(norms)
    if len(vectors) == 1:
        closest, i, j = largest, 0, 0
    elif max(abs(a) for v in vectors for a in v) <= INT64_SAFE:
        closest, i, j = _closest_int64(np.array(vectors, dtype=np.int64))
    elif len(vectors) <= MAX_BIG_VECTORS:
        closest, i, j = _closest_python(vectors)
    else:
        raise InvalidConstruction(
            f"{len(vectors)} vectors with entries above {INT64_SAFE}; at most "
            f"{MAX_BIG_VECTORS} are checked with big integers, scale the vectors down"
        )
    if closest < largest:
        raise InvalidConstruction(
            f"vectors {i} and {j} are too close: ‖x - y‖² = {closest} < max ‖x‖² = {largest}"
        )
    on_sphere = sum(1 for s in norms if s == largest) / len(vectors)
    return Measured(float(len(vectors)), {"max_norm_squared": float(largest)}, on_sphere)


def _closest_int64(array: np.ndarray) -> tuple[int, int, int]:
    """The smallest squared distance over pairs (n >= 2) and one pair attaining it."""
    best, pair = -1, (-1, -1)
    for i in range(len(array) - 1):
        squared = np.sum((array[i + 1 :] - array[i]) ** 2, axis=1)
        k = int(np.argmin(squared))
        if best < 0 or int(squared[k]) < best:
            best, pair = int(squared[k]), (i, i + 1 + k)
    return best, *pair


def _closest_python(vectors: list[list[int]]) -> tuple[int, int, int]:
    best, pair = -1, (-1, -1)
    for i, u in enumerate(vectors):
        for j in range(i + 1, len(vectors)):
            squared = sum((a - b) ** 2 for a, b in zip(u, vectors[j], strict=True))
            if best < 0 or squared < best:
                best, pair = squared, (i, j)
    return best, *pair
