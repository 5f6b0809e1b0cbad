"""Fitting free parameters accurately across decades, and strict metrics."""

from __future__ import annotations

import math

import numpy as np
import pytest

from discolab.errors import VerificationError
from discolab.verifiers.expressions import parse_expression
from discolab.verifiers.numeric import (
    fit_parameters,
    max_relative_error,
    nmse,
    relative_log_error,
    rmsle,
)
from discolab.verifiers.structure import parameter_roles

from .conftest import NAMES, G


def _gravity(columns: dict[str, np.ndarray], exponent: float = 2.0) -> np.ndarray:
    return G * columns["m1"] * columns["m2"] / columns["r"] ** exponent


@pytest.mark.parametrize(
    ("formula", "recovered"),
    [
        ("C*m1*m2/r**2", lambda p: p["C"]),
        ("m1*m2/(C*r**2)", lambda p: 1.0 / p["C"]),
        ("C1*C2*m1*m2/r**2", lambda p: p["C1"] * p["C2"]),
        ("-C*m1*m2/r**2", lambda p: -p["C"]),
        ("exp(C)*m1*m2/r**2", lambda p: math.exp(p["C"])),
        ("sqrt(C*m1**2)*m2/r**2", lambda p: math.sqrt(p["C"])),
        ("C1*m1**C2*m2/r**2", lambda p: p["C1"]),
    ],
)
def test_gravitational_constant_is_recovered_to_1e_9(
    formula: str, recovered, columns: dict[str, np.ndarray]
) -> None:
    parsed = parse_expression(formula, NAMES)
    fit = fit_parameters(parsed, columns, _gravity(columns))
    assert fit.success, fit.message
    assert fit.log_space
    assert abs(recovered(fit.params) / G - 1.0) < 1e-9
    assert fit.loss < 1e-10


def test_coulomb_scale_constant_is_recovered() -> None:
    rng = np.random.default_rng(3)
    q1, q2 = (np.exp(rng.uniform(math.log(1e-9), math.log(1e-6), 100)) for _ in range(2))
    r = np.exp(rng.uniform(math.log(1e-3), math.log(1.0), 100))
    y = 8.9875517923e9 * q1 * q2 / r**2
    parsed = parse_expression("C*q1*q2/r**2", ("q1", "q2", "r"))
    fit = fit_parameters(parsed, {"q1": q1, "q2": q2, "r": r}, y)
    assert abs(fit.params["C"] / 8.9875517923e9 - 1.0) < 1e-12


def test_exponent_and_additive_parameters_are_found(columns: dict[str, np.ndarray]) -> None:
    y = _gravity(columns)
    fit = fit_parameters(parse_expression("C1*m1*m2/r**C2", NAMES), columns, y)
    assert fit.params["C2"] == pytest.approx(2.0, rel=1e-10)
    fit = fit_parameters(parse_expression("C1*m1*m2/r**2 + C2", NAMES), columns, y)
    assert fit.params["C1"] == pytest.approx(G, rel=1e-9)
    assert abs(fit.params["C2"]) < 1e-20


def test_constant_inside_exp_spanning_decades_is_found() -> None:
    """A Planck-like law: the constant inside exp is 4.8e-11, far from any unit start."""
    rng = np.random.default_rng(5)
    t = np.exp(rng.uniform(math.log(1e2), math.log(1e4), 200))
    nu = np.exp(rng.uniform(math.log(1e12), math.log(1e15), 200))
    y = 1.47e-50 * nu**3 / (np.exp(4.799e-11 * nu / t) - 1.0)
    parsed = parse_expression("C1*nu**3/(exp(C2*nu/T) - 1)", ("nu", "T"))
    fit = fit_parameters(parsed, {"nu": nu, "T": t}, y)
    assert fit.params["C2"] == pytest.approx(4.799e-11, rel=1e-9)
    assert fit.params["C1"] == pytest.approx(1.47e-50, rel=1e-9)


def test_mixed_sign_outputs_fit_with_relative_residuals() -> None:
    x = np.linspace(-3.0, 3.0, 50)
    parsed = parse_expression("C1*x**3 + C2*x", ("x",))
    fit = fit_parameters(parsed, {"x": x}, 2.5 * x**3 - 1.2 * x)
    assert not fit.log_space
    assert fit.params["C1"] == pytest.approx(2.5, rel=1e-12)
    assert fit.params["C2"] == pytest.approx(-1.2, rel=1e-12)
    fit = fit_parameters(parse_expression("C1*sin(C2*x)", ("x",)), {"x": x}, 1.7 * np.sin(0.3 * x))
    assert fit.params["C2"] == pytest.approx(0.3, rel=1e-9)


def test_log_space_can_be_forced_off(columns: dict[str, np.ndarray]) -> None:
    parsed = parse_expression("C*m1*m2/r**2", NAMES)
    fit = fit_parameters(parsed, columns, _gravity(columns), log_space=False)
    assert not fit.log_space
    assert fit.params["C"] == pytest.approx(G, rel=1e-12)


def test_formula_without_parameters_is_just_evaluated(columns: dict[str, np.ndarray]) -> None:
    parsed = parse_expression("6.674e-11*m1*m2/r**2", NAMES)
    fit = fit_parameters(parsed, columns, _gravity(columns))
    assert fit.success and fit.params == {}
    assert fit.loss < 1e-14
    wrong = fit_parameters(parse_expression("m1*m2/r**2", NAMES), columns, _gravity(columns))
    assert wrong.loss == pytest.approx(-math.log(G), rel=1e-9)


def test_constant_formula_fits_one_value_per_point(columns: dict[str, np.ndarray]) -> None:
    y = np.full(200, 3.5)
    fit = fit_parameters(parse_expression("C", NAMES), columns, y)
    assert fit.params == {"C": pytest.approx(3.5, rel=1e-14)}
    fit = fit_parameters(parse_expression("C*C1", NAMES), columns, y)
    assert list(fit.params) == ["C", "C1"]  # parameter order, whatever the search order
    assert fit.params["C"] * fit.params["C1"] == pytest.approx(3.5, rel=1e-14)


def test_non_finite_predictions_fail_the_fit(columns: dict[str, np.ndarray]) -> None:
    parsed = parse_expression("C*m1/(r - r)", NAMES)
    fit = fit_parameters(parsed, columns, _gravity(columns))
    assert not fit.success
    assert fit.loss == math.inf
    assert "not finite" in fit.message


def test_wrong_sign_fails_in_log_space(columns: dict[str, np.ndarray]) -> None:
    parsed = parse_expression("C*m1*m2/log(r)", NAMES)  # log(r) changes sign on [0.1, 100]
    assert fit_parameters(parsed, columns, _gravity(columns)).loss == math.inf


def test_fit_is_deterministic_for_a_seed(columns: dict[str, np.ndarray]) -> None:
    rng = np.random.default_rng(9)
    y = _gravity(columns) * (1 + 0.05 * rng.standard_normal(200))
    parsed = parse_expression("C1*sin(C2*r) + C3*m1", NAMES)
    a = fit_parameters(parsed, columns, y, seed=4)
    b = fit_parameters(parsed, columns, y, seed=4)
    assert a == b


def test_malformed_data_is_a_verification_error(columns: dict[str, np.ndarray]) -> None:
    parsed = parse_expression("C*m1*m2/r**2", NAMES)
    with pytest.raises(VerificationError, match="shape"):
        fit_parameters(parsed, columns, np.ones(3))
    with pytest.raises(VerificationError, match="no input column 'r'"):
        fit_parameters(parsed, {"m1": columns["m1"], "m2": columns["m2"]}, np.ones(200))
    bad = fit_parameters(parsed, columns, np.full(200, np.nan))
    assert not bad.success and bad.loss == math.inf


def test_parameter_roles_come_from_structure() -> None:
    roles = parameter_roles(parse_expression("C1*C2*m1*m2/r**2", NAMES))
    assert (roles.linear, roles.nonlinear, roles.scale) == (("C1",), ("C2",), "C1")
    roles = parameter_roles(parse_expression("m1*m2/(C*r**2)", NAMES))
    assert roles.scale == "C" and roles.reciprocal
    roles = parameter_roles(parse_expression("C1*m1 + C2*m2 + C3", NAMES))
    assert roles.linear == ("C1", "C2", "C3") and roles.scale is None
    roles = parameter_roles(parse_expression("C1*exp(C2*r)*(m1 + C3)", NAMES))
    assert roles.linear == ("C1",) and roles.nonlinear == ("C2", "C3") and roles.scale == "C1"


# -- metrics -----------------------------------------------------------------------------------


def test_rmsle_matches_the_usual_definition_for_non_negative_outputs() -> None:
    y, p = np.array([0.0, 1.0, 9.0]), np.array([1.0, 1.0, 4.0])
    expected = math.sqrt(np.mean((np.log1p(p) - np.log1p(y)) ** 2))
    assert rmsle(y, p) == pytest.approx(expected)
    assert rmsle([-1.0, 2.0], [-1.0, 2.0]) == 0.0
    assert math.isfinite(rmsle([-5.0], [3.0]))


def test_relative_log_error_is_scale_free_and_sign_strict() -> None:
    y = np.array([1e-20, 1.0, 1e20])
    assert relative_log_error(y, 2 * y) == pytest.approx(math.log(2))
    assert relative_log_error(y, y / 2) == pytest.approx(math.log(2))
    assert relative_log_error([1.0, 2.0], [1.0, -2.0]) == math.inf
    assert relative_log_error([0.0, 2.0], [0.0, 2.0]) == 0.0
    assert relative_log_error([0.0, 2.0], [1e-9, 2.0]) == math.inf


def test_nmse_normalises_by_variance() -> None:
    y = np.array([1.0, 2.0, 3.0, 4.0])
    assert nmse(y, y) == 0.0
    assert nmse(y, np.full(4, y.mean())) == pytest.approx(1.0)
    assert nmse(y * 1e200, y * 1e200 * 1.1) == pytest.approx(nmse(y, y * 1.1))
    assert nmse([3.0, 3.0], [3.0, 3.0]) == 0.0
    assert nmse([0.0, 0.0], [0.0, 1.0]) == math.inf


@pytest.mark.parametrize("metric", [rmsle, relative_log_error, nmse, max_relative_error])
@pytest.mark.parametrize(
    ("y_true", "y_pred"),
    [
        ([1.0, 2.0], [1.0, np.nan]),
        ([1.0, 2.0], [1.0, np.inf]),
        ([1.0, 2.0], [1.0, -np.inf]),
        ([1.0, 2.0], [1.0, 2.0, 3.0]),
        ([1.0, 2.0], [[1.0, 2.0]]),
        ([], []),
        ([1.0, np.nan], [1.0, 2.0]),
        ([1.0, 2.0], ["a", "b"]),
    ],
)
def test_metrics_are_strict_inf_never_nan(metric, y_true, y_pred) -> None:
    assert metric(y_true, y_pred) == math.inf


def test_max_relative_error() -> None:
    assert max_relative_error([1.0, -2.0], [1.1, -2.0]) == pytest.approx(0.1)
    assert max_relative_error([0.0, 1.0], [0.0, 1.0]) == 0.0
    assert max_relative_error([0.0, 1.0], [1e-30, 1.0]) == math.inf


def test_constant_far_outside_random_starts_is_found_by_the_decade_scan() -> None:
    """1/k_B ~ 7.2e22 inside exp(C*E/T) is out of reach of random starts (1e-12 .. 1e12)."""
    rng = np.random.default_rng(0)
    energy = np.exp(rng.uniform(np.log(1e-23), np.log(1e-21), 200))
    temperature = np.exp(rng.uniform(np.log(10.0), np.log(1000.0), 200))
    y = 1.0 / (np.exp(energy / (1.380649e-23 * temperature)) - 1.0)
    parsed = parse_expression("1/(exp(C*E/T) - 1)", ["E", "T"])
    fit = fit_parameters(parsed, {"E": energy, "T": temperature}, y)
    assert fit.success
    assert fit.params["C"] == pytest.approx(1 / 1.380649e-23, rel=1e-9)
