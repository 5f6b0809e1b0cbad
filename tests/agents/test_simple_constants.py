"""Fixing inner constants to simple values: fewer free parameters where the data allow."""

from __future__ import annotations

import numpy as np

from discolab.agents.search.data import make_dataset
from discolab.agents.search.expr import binary, func, name_params, param, var
from discolab.agents.search.front import Solution
from discolab.agents.search.simple_constants import simple_values, simplify_constants


def two_exponentials(c2: float, rate: float = -0.2):
    """``C*(exp(C1*x) + C2*exp(C3*x))`` with the given start values."""
    x = var("x")
    body = binary(
        "add",
        func("exp", binary("mul", param(0.2), x)),
        binary("mul", param(c2), func("exp", binary("mul", param(rate), x))),
    )
    return name_params(binary("mul", param(1.0), body))


def data_for(y_of_x, noise: float = 0.0, seed: int = 0):
    x = np.linspace(0.5, 10.0, 200)
    y = y_of_x(x) * (1 + noise * np.random.default_rng(seed).standard_normal(x.size))
    data = make_dataset({"x": x}, y, ["x"])
    assert data is not None
    return data


def test_a_sum_of_equal_terms_loses_its_coefficient() -> None:
    data = data_for(lambda x: np.exp(0.2 * x) + np.exp(-0.2 * x))
    start = Solution(two_exponentials(1.0000001), 1e-12)
    out = simplify_constants(data, start, limit=1e-8)
    assert len(out.fitted) == 3
    assert out.loss < 1e-8


def test_a_difference_is_written_as_one() -> None:
    data = data_for(lambda x: np.exp(0.2 * x) - np.exp(-0.7 * x))
    start = Solution(two_exponentials(-0.9999999, -0.7), 1e-12)
    out = simplify_constants(data, start, limit=1e-8)
    assert len(out.fitted) == 3 and " - " in out.source


def test_a_constant_the_data_pin_down_is_kept() -> None:
    data = data_for(lambda x: np.exp(0.2 * x) + 0.97 * np.exp(-0.2 * x), noise=1e-3)
    start = Solution(two_exponentials(0.97), 1e-3)
    out = simplify_constants(data, start, limit=1.1e-3)
    assert out is start


def test_simple_values_are_near_and_never_zero() -> None:
    assert simple_values(0.999) == [1.0]
    assert 0.0 not in simple_values(0.01)
    assert simple_values(0.6) == []


def test_a_scale_under_a_root_stays_free() -> None:
    data = data_for(lambda x: np.sqrt(5.0 + 0.01 * x))
    x = var("x")
    body = binary("add", param(1.0), binary("mul", param(0.002), x))
    start = Solution(name_params(func("sqrt", binary("mul", param(5.0), body))), 1e-12)
    out = simplify_constants(data, start, limit=1e-8)
    assert out.source == "sqrt(C*(1 + C1*x))"
