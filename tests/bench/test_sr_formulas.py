"""A baseline's fitted model as a formula with free parameters (bench/sr_formulas.py).

Each test builds a model tree as gplearn or Operon would return it, converts it, and checks
the formula's text, its parameter count, and that it parses and equals the model when its
parameters take the fitted values.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import numpy as np
import pytest

from discolab.verifiers.expressions import parse_expression


@pytest.fixture(scope="module")
def sr(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("sr_formulas")


NAMES = ["m1", "m2", "r"]


def c(sr: ModuleType, value: float):  # type: ignore[no-untyped-def]
    return sr.Node("const", value=value)


def v(sr: ModuleType, index: int, weight: float | None = None):  # type: ignore[no-untyped-def]
    return sr.Node("var", value=weight, feature=index)


def convert(sr: ModuleType, tree: object, **kw: object) -> tuple[str, int]:
    expr = sr.to_sympy(tree, NAMES, positive=NAMES, **kw)
    return sr.free_constants(expr)


def test_fitted_scale_is_folded_into_one_parameter(sr: ModuleType) -> None:
    # Operon-like: (-0.776*m1) / (-0.036*r), two fitted numbers for one identifiable scale
    N = sr.Node
    tree = N("div", (N("mul", (c(sr, -0.776), v(sr, 0))), N("mul", (c(sr, -0.036), v(sr, 2)))))
    assert convert(sr, tree) == ("C*m1/r", 1)


def test_structural_integers_stay_and_constants_in_exp_merge_into_the_scale(sr: ModuleType) -> None:
    # gplearn in log space: exp(log m1 + log m2 - (log r + log r) - 1.5)
    N = sr.Node
    logs = N("add", (v(sr, 2), v(sr, 2)))
    tree = N("exp", (N("sub", (N("add", (v(sr, 0), v(sr, 1))), N("add", (logs, c(sr, 1.5))))),))
    assert convert(sr, tree, log_inputs=NAMES) == ("C*m1*m2/r**2", 1)


def test_simple_literals_are_kept_and_others_freed(sr: ModuleType) -> None:
    assert sr.simple_literal(2.0, exponent=False) == 2
    assert sr.simple_literal(-3.0000000001, exponent=False) == -3
    assert sr.simple_literal(11.0, exponent=False) is None  # past |n| <= 10
    assert sr.simple_literal(0.5, exponent=False) is None  # fractions only as exponents
    assert sr.simple_literal(0.5, exponent=True) == pytest.approx(0.5)
    assert str(sr.simple_literal(1.3, exponent=True)) == "13/10"
    assert str(sr.simple_literal(1.50017, exponent=True)) == "3/2"  # within 0.01: snapped
    assert str(sr.simple_literal(0.99979, exponent=True)) == "1"
    assert str(sr.simple_literal(1.305, exponent=True)) == "13/10"  # simplest within 0.01
    assert str(sr.simple_literal(-2.7171, exponent=True)) == "-E"
    assert float(sr.simple_literal(1.2734, exponent=True)) == 1.2734  # else kept as fitted
    assert sr.simple_literal(6.674e-11, exponent=False) is None  # tiny is fitted, not zero
    assert sr.simple_literal(0.0, exponent=False) == 0
    assert sr.simple_literal(float("nan"), exponent=True) is None


def test_free_exponent_and_tiny_scale(sr: ModuleType) -> None:
    N = sr.Node
    tree = N("mul", (c(sr, 6.674e-11), N("pow", (v(sr, 2), c(sr, -1.2734)))))
    formula, count = convert(sr, tree)
    assert (formula, count) == ("C/r**1.2734", 1)  # an exponent is structure, never freed
    near_e = N("mul", (c(sr, 3.0), N("pow", (v(sr, 2), c(sr, 2.7179)))))
    assert convert(sr, near_e) == ("C*r**exp(1)", 1)
    exact = N("mul", (c(sr, 6.674e-11), N("pow", (v(sr, 2), c(sr, -1.5)))))
    assert convert(sr, exact) == ("C/r**(3/2)", 1)


def test_weights_inside_functions_become_parameters_in_reading_order(sr: ModuleType) -> None:
    N = sr.Node
    tree = N(
        "add",
        (N("mul", (c(sr, 0.3), v(sr, 0, 2.5))), N("mul", (c(sr, 1.1), N("sin", (v(sr, 1, 0.7),))))),
    )
    formula, count = convert(sr, tree)
    assert (formula, count) == ("C*m1 + C1*sin(C2*m2)", 3)


def test_logs_of_products_split_and_protected_roots_lose_abs_on_positive_inputs(
    sr: ModuleType,
) -> None:
    N = sr.Node
    log = N("log", (N("mul", (c(sr, 3.0), v(sr, 0))),))
    assert convert(sr, log) == ("C*(C1 + log(m1))", 2)  # the offset, then the free scale
    root = N("sqrt", (N("sub", (v(sr, 0), v(sr, 1))),))
    assert convert(sr, root, protected=True) == ("C*sqrt(abs(m1 - m2))", 1)
    assert convert(sr, N("sqrt", (v(sr, 0),)), protected=True) == ("C*sqrt(m1)", 1)


def test_the_overall_scale_is_always_free(sr: ModuleType) -> None:
    N = sr.Node
    doubled = N("mul", (c(sr, 2.0), N("pow", (v(sr, 2), c(sr, -1.3)))))
    assert convert(sr, doubled) == ("C/r**(13/10)", 1)  # not held to the fitted 2
    expr = sr.to_sympy(doubled, NAMES, positive=NAMES)
    assert sr.free_constants(expr, free_scale=False) == ("2/r**(13/10)", 0)


def test_converted_formula_parses_and_reproduces_the_model(sr: ModuleType) -> None:
    N = sr.Node
    tree = N(
        "add",
        (
            N("mul", (c(sr, 2.7), N("div", (v(sr, 0), N("mul", (v(sr, 2), v(sr, 2))))))),
            N("mul", (c(sr, 0.4), N("cos", (N("mul", (c(sr, 1.7), v(sr, 1))),)))),
        ),
    )
    formula, count = convert(sr, tree)
    parsed = parse_expression(formula, NAMES)
    assert len(parsed.parameters) == count == 3
    rng = np.random.default_rng(0)
    cols = {n: rng.uniform(0.5, 2.0, 50) for n in NAMES}
    model = 2.7 * cols["m1"] / cols["r"] ** 2 + 0.4 * np.cos(1.7 * cols["m2"])
    assert formula == "C*cos(C1*m2) + C2*m1/r**2"  # parameters named in printed order
    got = parsed.evaluate(cols, {"C": 0.4, "C1": 1.7, "C2": 2.7})
    assert np.allclose(got, model)


@pytest.mark.parametrize(
    "tree",
    [
        ("log", -2.0),  # log of a negative constant is complex
        ("bad", None),
    ],
)
def test_models_without_a_real_formula_are_refused(sr: ModuleType, tree: tuple) -> None:
    name, value = tree
    node = sr.Node("log", (c(sr, value),)) if name == "log" else sr.Node("frobnicate", (v(sr, 0),))
    with pytest.raises(sr.ExportError):
        convert(sr, node)
    with pytest.raises(sr.ExportError, match="index 7"):
        sr.to_sympy(v(sr, 7), NAMES)
