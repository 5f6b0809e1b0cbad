"""Continued-fraction quotients, Berlekamp–Massey and the quasi-polynomial reading."""

from __future__ import annotations

from fractions import Fraction

import pytest

from discolab.agents.constants.sequences import (
    Recurrence,
    berlekamp_massey,
    partial_quotients,
    quasi_polynomial,
    root_of_unity_period,
)
from discolab.errors import ConfigError


def test_fibonacci_has_the_order_two_recurrence() -> None:
    fib = [0, 1]
    while len(fib) < 30:
        fib.append(fib[-1] + fib[-2])
    rec = berlekamp_massey(fib)
    assert rec is not None
    assert rec.connection == (1, -1, -1)
    assert rec.length == 2 and rec.prefix == 0
    assert rec.holds_on(fib)
    assert root_of_unity_period(rec, 12) is None  # the golden ratio is no root of unity


def test_a_cubic_needs_four_terms_and_the_root_one_four_times() -> None:
    cubic = [2 * k**3 - k + 5 for k in range(20)]
    rec = berlekamp_massey(cubic)
    assert rec is not None
    assert rec.connection == (1, -4, 6, -4, 1)  # (1 - x)^4
    assert root_of_unity_period(rec, 6) == (1, 4)
    pattern = quasi_polynomial(cubic, rec, 6)
    assert pattern is not None
    assert pattern.polynomials == ((5, -1, 0, 2),)


def test_a_period_three_quasi_polynomial_with_a_prefix() -> None:
    # 7, then (1, 3k + 2, k²) repeated: the prefix term breaks the relation
    seq = [7] + [v for k in range(15) for v in (1, 3 * k + 2, k * k)]
    rec = berlekamp_massey(seq)
    assert rec is not None
    assert rec.prefix == 1
    assert rec.order == 9  # (x³ − 1)³
    assert rec.holds_on(seq)
    pattern = quasi_polynomial(seq, rec, 8)
    assert pattern is not None
    assert (pattern.prefix, pattern.period) == (1, 3)
    assert pattern.polynomials == ((1,), (2, 3), (0, 0, 1))
    assert [pattern.at(i) for i in range(1, 10)] == seq[1:10]


def test_rational_sequences_are_exact() -> None:
    seq = [Fraction(1, 2**k) for k in range(12)]
    rec = berlekamp_massey(seq)
    assert rec is not None
    assert rec.connection == (1, Fraction(-1, 2))


def test_a_sequence_without_structure_needs_half_its_length() -> None:
    quotients = partial_quotients("pi", 40)
    assert quotients[:6] == [3, 7, 15, 1, 292, 1]
    rec = berlekamp_massey(quotients)
    assert rec is not None and rec.length >= 19
    assert berlekamp_massey(quotients, max_length=10) is None  # stopped early


def test_quotients_of_e_and_e_squared() -> None:
    assert partial_quotients("e", 12) == [2, 1, 2, 1, 1, 4, 1, 1, 6, 1, 1, 8]
    assert partial_quotients("e2", 11) == [7, 2, 1, 1, 3, 18, 5, 1, 1, 6, 30]


def test_signed_quotients_rebuild_the_constant() -> None:
    quotients = partial_quotients("e", 20, "signed")
    assert quotients[:6] == [3, -4, 2, 5, -2, -7]
    assert all(abs(c) >= 2 for c in quotients[1:])
    value = Fraction(quotients[-1])
    for c in reversed(quotients[:-1]):
        value = c + 1 / value
    assert abs(float(value) - 2.718281828459045) < 1e-15


def test_many_quotients_are_certified_by_raising_the_precision() -> None:
    quotients = partial_quotients("e", 300)
    assert len(quotients) == 300
    assert quotients[-3:] == [1, 1, 200]  # a_{3k-1} = 2k


def test_bad_options_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="unknown constant"):
        partial_quotients("tau", 10)
    with pytest.raises(ConfigError, match="variant"):
        partial_quotients("e", 10, "backwards")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="terms"):
        partial_quotients("e", 0)


def test_recurrence_text_reads_like_a_formula() -> None:
    rec = Recurrence(tuple(Fraction(c) for c in (1, 0, 0, -2, 0, 0, 1)), 7)
    assert rec.text == "s(n) = 2·s(n-3) - s(n-6)"
    assert Recurrence((Fraction(1), Fraction(1, 2)), 1).text == "s(n) = -1/2·s(n-1)"
