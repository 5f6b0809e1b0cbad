"""The gplearn baseline's program converter and its message when gplearn is missing.

The bench script is loaded from its file (``bench/`` is not a package); nothing here imports
gplearn, so the tests run without the ``bench`` extra.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType

import numpy as np
import pytest

from discolab.verifiers.expressions import parse_expression


@pytest.fixture(scope="module")
def baseline(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("gplearn_baseline")


def evaluate(formula: str, names: list[str], **columns: np.ndarray) -> np.ndarray:
    return parse_expression(formula, names).evaluate(columns, {"C": 1.0})


def test_raw_program_becomes_python_formula(baseline: ModuleType) -> None:
    formula = baseline.program_to_formula("add(mul(X0, X1), 0.5)", ["m", "r"])
    assert formula == "m * r + 0.5"


def test_operators_keep_their_meaning(baseline: ModuleType) -> None:
    program = "sub(X0, div(neg(X1), add(X0, inv(X1))))"
    formula = baseline.program_to_formula(program, ["a", "b"])
    a, b = np.array([1.5, 2.0, 7.0]), np.array([0.5, 3.0, 4.0])
    expected = a - (-b) / (a + 1 / b)
    assert np.allclose(evaluate(formula, ["a", "b"], a=a, b=b), expected)


def test_protected_sqrt_and_log_get_abs_unless_positive(baseline: ModuleType) -> None:
    program = "add(sqrt(X0), log(sub(X0, X1)))"
    assert baseline.program_to_formula(program, ["a", "b"], positive={"a", "b"}) == (
        "sqrt(a) + log(abs(a - b))"
    )
    assert baseline.program_to_formula(program, ["a", "b"]) == ("sqrt(abs(a)) + log(abs(a - b))")


def test_log_space_program_is_exponentiated_with_log_inputs(baseline: ModuleType) -> None:
    program = "sub(add(X0, X1), add(X2, 1.5))"  # log F = log m1 + log m2 - log r - 1.5
    formula = baseline.program_to_formula(
        program,
        ["m1", "m2", "r"],
        log_inputs={"m1", "m2", "r"},
        positive={"m1", "m2", "r"},
        log_output=True,
        scale=True,
    )
    assert formula == "C*exp(log(m1) + log(m2) - (log(r) + 1.5))"
    m1, m2, r = np.array([2.0, 1e3]), np.array([3.0, 5e-2]), np.array([4.0, 7.0])
    got = evaluate(formula, ["m1", "m2", "r"], m1=m1, m2=m2, r=r)
    assert np.allclose(got, m1 * m2 / r * np.exp(-1.5))


def test_negative_constants_and_exp(baseline: ModuleType) -> None:
    formula = baseline.program_to_formula("mul(-0.25, exp(X0))", ["t"])
    assert formula == "-0.25 * exp(t)"
    assert np.allclose(evaluate(formula, ["t"], t=np.array([0.0, 1.0])), [-0.25, -0.25 * np.e])


@pytest.mark.parametrize(
    "program", ["add(X0)", "pow(X0, X1)", "add(X0, X5)", "add(X0, X1", "X0 X1", ""]
)
def test_bad_programs_are_refused(baseline: ModuleType, program: str) -> None:
    with pytest.raises(ValueError):
        baseline.program_to_formula(program, ["a", "b"])


def test_missing_gplearn_exits_2_naming_the_extra(
    baseline: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "gplearn", None)  # makes `import gplearn...` fail
    monkeypatch.setitem(sys.modules, "gplearn.genetic", None)
    assert baseline.main(["--limit", "1"]) == 2
    err = capsys.readouterr().err
    assert "gplearn is not installed" in err
    assert "pip install -e .[bench]" in err
