"""EFA answers: canonical forms per kind and the exact check of untrusted answer text."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy

from discolab.environments.efa.answers import REAL_TOLERANCE, Answer, check_answer, to_answer
from discolab.errors import ExpressionError


def test_canonical_forms() -> None:
    assert to_answer(23, "integer") == Answer("integer", "23")
    assert to_answer(Fraction(6, 4), "rational") == Answer("rational", "3/2")
    assert to_answer(sympy.sqrt(8), "expression").text == "2*sqrt(2)"
    assert to_answer(sympy.E - 2, "expression").text == "-2 + exp(1)"
    assert to_answer(0.1, "real").text == "0.1"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (2.0, "integer"),
        (Fraction(1, 2), "integer"),
        (0.5, "rational"),
        (True, "integer"),
        (float("nan"), "real"),
        (float("inf"), "real"),
        ("7", "expression"),
    ],
)
def test_values_of_the_wrong_kind_are_refused(value, kind) -> None:
    with pytest.raises(ExpressionError):
        to_answer(value, kind)


@pytest.mark.parametrize(
    ("expected", "given", "ok"),
    [
        (Answer("integer", "23"), "23", True),
        (Answer("integer", "23"), " +23 ", True),
        (Answer("integer", "23"), "23.0", False),
        (Answer("integer", "23"), "22", False),
        (Answer("rational", "3/2"), "6/4", True),
        (Answer("rational", "3/2"), "1.5", False),
        (Answer("rational", "2"), "2", True),
        (Answer("expression", "2*sqrt(2)"), "sqrt(8)", True),
        (Answer("expression", "-2 + exp(1)"), "exp(1) - 2", True),
        (Answer("expression", "pi/4"), "0.785398", False),
        (Answer("real", "0.1"), "0.1000000001", True),
        (Answer("real", "0.1"), "0.1001", False),
        (Answer("real", "0.1"), "nan", False),
        (Answer("expression", "pi"), "__import__('os').getcwd()", False),
        (Answer("expression", "pi"), "9**9**9**9", False),
        (Answer("integer", "1"), "1" * 500, False),
        (Answer("integer", "1"), "", False),
    ],
)
def test_check_answer(expected, given, ok) -> None:
    verdict = check_answer(expected, given)
    assert verdict.correct is ok
    if not ok:
        assert verdict.reason


def test_real_tolerance_is_documented_and_small() -> None:
    assert REAL_TOLERANCE == 1e-6


def test_answer_json_round_trip_and_bad_data() -> None:
    answer = Answer("rational", "3/2")
    assert Answer.from_json(answer.to_json()) == answer
    for bad in (
        {"kind": "vector", "text": "1"},
        {"kind": "integer"},
        [1],
        {"kind": "integer", "text": "1" * 500},
    ):
        with pytest.raises(ExpressionError):
            Answer.from_json(bad)
