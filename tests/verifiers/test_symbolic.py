"""Symbolic match: the hidden law up to free constants, with literals held fixed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from discolab.environments.base import GroundTruth
from discolab.types import Variable
from discolab.verifiers.expressions import parse_expression
from discolab.verifiers.symbolic import draw_truth_samples, symbolic_match

from .conftest import NAMES, G, make_truth


@pytest.fixture
def inverse_square() -> GroundTruth:
    return make_truth(exponent=2.0)


@pytest.mark.parametrize(
    "formula",
    [
        "C*m1*m2/r**2",
        "m1*m2*C/(r*r)",
        "C1*C2*m1*m2/r**2",
        "m1*m2/(C*r**2)",
        "6.674e-11*m1*m2/r**2",
        "C*(m1*m2)/(r**3/r)",
    ],
)
def test_equivalent_forms_match(formula: str, inverse_square: GroundTruth) -> None:
    result = symbolic_match(parse_expression(formula, NAMES), inverse_square)
    assert result.matched, result.reason
    assert result.max_rel_error <= 1e-6


@pytest.mark.parametrize(
    "formula",
    [
        "C*m1*m2/r**2.02",
        "6.674e-11*m1*m2/r**2.02",
        "6.6e-11*m1*m2/r**2",
        "C*m1*m2/r",
        "C*(m1 + m2)/r**2",
        "C*m1*m2/r**2*exp(C1*r)",
        "C1*m1*m2/r**2 + C2",
    ],
)
def test_different_laws_or_vanishing_terms_do_not_match(
    formula: str, inverse_square: GroundTruth
) -> None:
    assert not symbolic_match(parse_expression(formula, NAMES), inverse_square).matched


def test_fitted_constant_is_the_truth(inverse_square: GroundTruth) -> None:
    result = symbolic_match(parse_expression("C*m1*m2/r**2", NAMES), inverse_square)
    assert result.params["C"] == pytest.approx(G, rel=1e-12)


def test_vanishing_terms_are_named(inverse_square: GroundTruth) -> None:
    result = symbolic_match(parse_expression("C1*m1*m2/r**2 + C2", NAMES), inverse_square)
    assert not result.matched
    assert "simpler formula" in result.reason and "C2" in result.reason


def test_exponents_left_to_the_fit_do_not_match(inverse_square: GroundTruth) -> None:
    for formula in ("C1*m1*m2/r**C2", "C1*m1*m2*exp(C2*log(r))", "C1*m1*m2*C2**log(r)"):
        result = symbolic_match(parse_expression(formula, NAMES), inverse_square)
        assert not result.matched and "power of an input" in result.reason, formula


def test_too_many_parameters_do_not_match(inverse_square: GroundTruth) -> None:
    result = symbolic_match(parse_expression("C*m1*m2/r**2 + C1*C2*C3", NAMES), inverse_square)
    assert not result.matched and "at most 2" in result.reason


def test_a_fit_that_fails_is_not_called_a_wrong_law(inverse_square: GroundTruth) -> None:
    result = symbolic_match(parse_expression("C*m1*m2*log(-r)", NAMES), inverse_square)
    assert not result.matched and result.fit_failed


def test_a_surrogate_that_only_holds_where_fitted_does_not_match() -> None:
    # Over a narrow range, a free-constant stand-in can agree to the tolerance; off it, not.
    narrow = GroundTruth(
        "exp(-0.5*r)",
        lambda c: np.exp(-0.5 * c["r"]),
        (Variable("r", "m", 1.0, 1.006, log_scale=False),),
    )
    parsed = parse_expression("C*(1 + C1*r)", ("r",))
    result = symbolic_match(parsed, narrow)
    assert result.max_rel_error <= 1e-6
    assert not result.matched and "widened domain" in result.reason


def test_non_finite_candidates_do_not_match(inverse_square: GroundTruth) -> None:
    result = symbolic_match(parse_expression("C*m1*m2/(r - 1)**2", NAMES), inverse_square)
    assert not result.matched
    nan_candidate = symbolic_match(parse_expression("m1*m2/log(r - 1)", NAMES), inverse_square)
    assert not nan_candidate.matched and nan_candidate.max_rel_error == math.inf


def test_samples_are_deterministic_and_reusable(inverse_square: GroundTruth) -> None:
    a = draw_truth_samples(inverse_square, seed=7)
    b = draw_truth_samples(inverse_square, seed=7)
    assert (a.check_outputs == b.check_outputs).all()
    assert a.fit_outputs.shape == (200,) and a.check_outputs.shape == (2000,)
    parsed = parse_expression("C*m1*m2/r**2", NAMES)
    assert symbolic_match(parsed, inverse_square, samples=a).matched
