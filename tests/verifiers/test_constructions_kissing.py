"""Kissing verifier: the 220 vectors ±e_i±e_j, exact integer checks, bounded hostile input."""

from __future__ import annotations

import itertools

import pytest

from discolab.environments.programs.catalog import make_problem
from discolab.verifiers.constructions.kissing import (
    INT64_SAFE,
    MAX_BIG_VECTORS,
    MAX_VECTORS,
    measure_kissing,
    parse_vectors,
)
from discolab.verifiers.constructions.reading import InvalidConstruction

KISSING = "programs/kissing-11-v1"


def root_vectors(dimension: int = 11, scale: int = 1) -> list[list[int]]:
    """±e_i ± e_j for i < j: 4 * C(d, 2) = 2d(d - 1) vectors (220 in dimension 11)."""
    out = []
    for i, j in itertools.combinations(range(dimension), 2):
        for si, sj in itertools.product((1, -1), repeat=2):
            v = [0] * dimension
            v[i], v[j] = si * scale, sj * scale
            out.append(v)
    return out


def test_the_220_root_vectors_are_a_tight_valid_configuration() -> None:
    vectors = root_vectors()
    assert len(vectors) == 2 * 11 * 10 == 220
    verdict = make_problem(KISSING).score({"vectors": vectors})
    assert verdict.valid, verdict.error
    assert verdict.value == 220.0 and verdict.behaviour == 1.0
    assert verdict.metrics["max_norm_squared"] == 2.0


def test_huge_entries_are_checked_exactly_with_python_integers() -> None:
    scale = 10**150
    assert scale > INT64_SAFE
    verdict = make_problem(KISSING).score({"vectors": root_vectors(scale=scale)})
    assert verdict.valid and verdict.value == 220.0


def test_a_huge_perturbation_below_float_precision_is_still_caught() -> None:
    vectors = root_vectors(scale=10**150)
    vectors[1][1] += 1  # one vector a hair longer: its neighbours are now too close
    verdict = make_problem(KISSING).score({"vectors": vectors})
    assert not verdict.valid and "too close" in verdict.error


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda v: v.append([0] * 11), "zero vector"),
        (lambda v: v.append(list(v[0])), "too close"),
        (lambda v: v.append([1] + [0] * 10), "too close"),
        (lambda v: v[0].__setitem__(0, 1.0), "float"),
        (lambda v: v[0].__setitem__(0, True), "bool"),
        (lambda v: v[0].__setitem__(0, "1"), "str"),
        (lambda v: v[0].__setitem__(0, None), "NoneType"),
        (lambda v: v[0].__setitem__(0, [1]), "list"),
        (lambda v: v[0].append(0), "11 integers"),
        (lambda v: v[0].pop(), "11 integers"),
        (lambda v: v[0].__setitem__(0, 10**200), "200 digits"),
    ],
)
def test_bad_vectors_fail_with_a_reason(edit, needle: str) -> None:
    vectors = root_vectors()
    edit(vectors)
    verdict = make_problem(KISSING).score({"vectors": vectors})
    assert not verdict.valid and needle in verdict.error, verdict.error


def test_too_close_names_the_pair() -> None:
    vectors = [[2] + [0] * 10, [0, 2] + [0] * 9, [1, 1] + [0] * 9]
    with pytest.raises(InvalidConstruction, match="vectors 0 and 2 are too close"):
        measure_kissing(parse_vectors({"vectors": vectors}, 11))


def test_input_size_is_bounded() -> None:
    problem = make_problem(KISSING)
    too_many = [[1] + [0] * 10] * (MAX_VECTORS + 1)
    assert "1 to 5000" in problem.score({"vectors": too_many}).error
    assert not problem.score({"vectors": []}).valid
    big = [[10**30 * (k + 1)] + [0] * 10 for k in range(MAX_BIG_VECTORS + 1)]
    assert "big integers" in problem.score({"vectors": big}).error


def test_one_vector_is_valid() -> None:
    verdict = make_problem(KISSING).score({"vectors": [[3] + [0] * 10]})
    assert verdict.valid and verdict.value == 1.0
