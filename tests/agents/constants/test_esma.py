"""ESMA: PCF conjectures from the continued-fraction sequence alone, checked by the verifier."""

from __future__ import annotations

import mpmath
import pytest

from discolab.agents.constants.esma import EsmaConjecture, esma_search
from discolab.environments.constants.library import constant_value
from discolab.environments.constants.pcf import canonical_key, parse_pcf
from discolab.errors import ConfigError


@pytest.fixture(scope="module")
def e_conjectures() -> list[EsmaConjecture]:
    return esma_search("e", terms=60)


@pytest.fixture(scope="module")
def e2_conjectures() -> list[EsmaConjecture]:
    return esma_search("e2", terms=60, variants=("regular",))


def _check_verified(found: list[EsmaConjecture], constant: str, period: int) -> None:
    assert found, f"no conjecture for {constant}"
    for c in found:
        assert c.verdict is not None
        assert c.verified, (c.pcf.text, c.verdict.reason)
        assert c.verdict.constant == constant
        assert c.verdict.transform == c.transform  # the derived relation is the one found
        assert c.verdict.digits >= 50
    assert {c.period for c in found if c.variant == "regular"} == {period}
    assert len({canonical_key(c.pcf) for c in found}) == len(found)


def test_e_gives_verified_formulas(e_conjectures: list[EsmaConjecture]) -> None:
    _check_verified(e_conjectures, "e", period=3)
    regular = [c for c in e_conjectures if c.variant == "regular"]
    assert len(regular) == 3  # one per phase of the period
    assert {c.pattern.prefix for c in regular} == {1}
    assert regular[0].recurrence.text == "s(n) = 2·s(n-3) - s(n-6)"


def test_e_rediscovers_the_classical_fraction(e_conjectures: list[EsmaConjecture]) -> None:
    # (e + 1)/(e − 1) = 2 + 1/(6 + 1/(10 + ...)), Euler's
    texts = {c.pcf.text: c.limit_text for c in e_conjectures}
    assert texts[parse_pcf("PCF(4*n + 2, 1)").text] == "(e + 1)/(e - 1)"
    classical = next(c for c in e_conjectures if c.pcf.a == (2, 4))
    assert classical.statement == "PCF(4*n + 2, 1) = (e + 1)/(e - 1)"


def test_the_signed_expansion_of_e_gives_more(e_conjectures: list[EsmaConjecture]) -> None:
    signed = [c for c in e_conjectures if c.variant == "signed"]
    assert signed and all(c.period == 4 for c in signed)
    # a signed step contracts to a faster fraction than a regular one
    assert min(c.verdict.rate for c in signed) > max(  # type: ignore[union-attr,operator]
        c.verdict.rate
        for c in e_conjectures
        if c.variant == "regular"  # type: ignore[union-attr]
    )


def test_e_squared_gives_verified_formulas(e2_conjectures: list[EsmaConjecture]) -> None:
    _check_verified(e2_conjectures, "e2", period=5)
    assert len(e2_conjectures) == 5
    pattern = e2_conjectures[0].pattern
    # e² = [7; 2, 1, 1, 3, 18, 5, 1, 1, 6, 30, ...]: (3k+2, 1, 1, 3k+3, 12k+18)
    assert pattern.polynomials == ((2, 3), (1,), (1,), (3, 3), (18, 12))


def test_the_limit_matches_the_transform_without_the_verifier() -> None:
    (first, *_) = esma_search("e2", terms=40, variants=("regular",), verify=False)
    assert first.verdict is None and not first.verified
    with mpmath.workdps(80):
        value = first.pcf.to_ramanujantools().limit(300).as_float()
        claimed = first.transform.apply(constant_value("e2", 80))
        assert abs(value - claimed) < mpmath.mpf(10) ** -70


def test_periodic_quotients_give_quadratic_irrationals() -> None:
    found = esma_search("sqrt2", terms=20, variants=("regular",))
    assert [c.pcf.text for c in found] == ["PCF(2, 1)"]
    assert found[0].verified


def test_conjectures_too_large_to_check_are_dropped() -> None:
    # the nearest-integer expansion of e² contracts to fractions with huge transforms
    assert esma_search("e2", terms=60, variants=("signed",), verify=False) == []
    small = esma_search("e", terms=40, variants=("regular",), max_height=2, verify=False)
    assert [c.limit_text for c in small] == ["(e + 1)/(e - 1)", "-e - 2"]  # not 3e


def test_pi_gives_nothing() -> None:
    assert esma_search("pi", terms=60) == []


def test_too_few_terms_for_the_confirmation_gives_nothing() -> None:
    # e²'s relation has length 11: 20 terms cannot confirm it three times over
    assert esma_search("e2", terms=20, verify=False) == []


def test_bad_options_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="terms"):
        esma_search("e", terms=9)
    with pytest.raises(ConfigError, match="unknown constant 'tau'"):
        esma_search("tau")
    with pytest.raises(ConfigError, match="max_period"):
        esma_search("e", max_period=0)
    with pytest.raises(ConfigError, match="variant"):
        esma_search("e", variants=("floor",))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="max_height"):
        esma_search("e", max_height=5000)
    with pytest.raises(ConfigError, match="confirmation"):
        esma_search("e", confirmation=1)


@pytest.mark.parametrize("start", [1, 2, 3])
def test_the_contraction_agrees_with_ramanujantools(start: int) -> None:
    # ramanujantools' companion form of the block matrix is the same recurrence, two steps on
    import sympy
    from ramanujantools import Matrix
    from ramanujantools.pcf import PCF

    from discolab.agents.constants.cmf import shifted, to_integer_pcf
    from discolab.agents.constants.esma import K, block_matrix, contract
    from discolab.agents.constants.sequences import (
        berlekamp_massey,
        partial_quotients,
        quasi_polynomial,
    )
    from discolab.environments.constants.pcf import canonical

    quotients = partial_quotients("e", 30)
    recurrence = berlekamp_massey(quotients)
    assert recurrence is not None
    pattern = quasi_polynomial(quotients, recurrence, 6)
    assert pattern is not None
    block = block_matrix(pattern, start)
    ours = contract(block, 0)
    assert ours is not None
    companion = PCF(Matrix(block.subs(K, sympy.Symbol("n"))))
    theirs = to_integer_pcf(companion.a_n, companion.b_n)
    assert theirs is not None
    assert canonical(shifted(theirs, -2)) == canonical(ours)
