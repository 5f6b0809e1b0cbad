"""The symbolic-regression engine recovers power laws exactly and never crashes on garbage.

Every law here was written for these tests (textbook forms over made-up ranges, exponents
from simple rationals and closed forms); none comes from a benchmark suite."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from discolab.agents.search import (
    GPConfig,
    SearchConfig,
    Solution,
    pareto_front,
    pick,
    search_laws,
)
from discolab.agents.search.budget import Budget
from discolab.agents.search.data import make_dataset
from discolab.agents.search.expr import binary, evaluate, format_number, num, param, var
from discolab.agents.search.gp import run_gp
from discolab.agents.search.powerlaw import snap_options
from discolab.types import Variable

Law = Callable[[dict[str, np.ndarray]], np.ndarray]

# Laws written for these tests from textbook physics over made-up ranges (none is a suite law).
RADIATOR = (Variable("A", "m^2", 1e-2, 10.0), Variable("T", "K", 100.0, 3000.0))
ORBIT = (Variable("a", "m", 1e9, 1e12), Variable("M", "kg", 1e29, 1e31))
DRAG = (
    Variable("rho", "kg/m^3", 0.1, 1000.0),
    Variable("v", "m/s", 0.1, 100.0),
    Variable("S", "m^2", 1e-3, 10.0),
)
PIPE = (
    Variable("p", "Pa", 10.0, 1e4),
    Variable("R", "m", 1e-3, 1e-1),
    Variable("mu", "Pa s", 1e-3, 1.0),
    Variable("L", "m", 0.1, 10.0),
)
PAIR = (
    Variable("ma", "kg", 1.0, 100.0),
    Variable("mb", "kg", 1.0, 100.0),
    Variable("d", "m", 0.1, 10.0),
)
MOMENTUM = (Variable("px", "kg m/s", 0.1, 10.0), Variable("py", "kg m/s", 0.1, 10.0))
FREE = (Variable("u", "1", 0.1, 10.0), Variable("w", "1", 1.0, 100.0))

LAWS: dict[str, tuple[tuple[Variable, ...], Law, str]] = {
    "stefan": (RADIATOR, lambda c: 5.67e-8 * c["A"] * c["T"] ** 4, "C*A*T**4"),
    "kepler": (ORBIT, lambda c: 5.4e-6 * c["a"] ** 1.5 / c["M"] ** 0.5, "C*a**1.5/M**0.5"),
    "drag": (DRAG, lambda c: 0.47 * c["rho"] * c["v"] ** 2 * c["S"], "C*rho*S*v**2"),
    "poiseuille": (
        PIPE,
        lambda c: 0.39 * c["p"] * c["R"] ** 4 / (c["mu"] * c["L"]),
        "C*p*R**4/(mu*L)",
    ),
    "pair-sum": (PAIR, lambda c: 3.0 * (c["ma"] + c["mb"]) / c["d"] ** 2, "C*(ma + mb)/d**2"),
    "magnitude": (
        MOMENTUM,
        lambda c: 2.0 * (c["px"] ** 2 + c["py"] ** 2) ** 0.5,
        "C*(px**2 + py**2)**0.5",
    ),
    "exponent-e": (FREE, lambda c: 1.7 * c["u"] ** math.e * c["w"], "C*u**exp(1)*w"),
    "exponent-e-plus": (
        FREE,
        lambda c: 0.2 * c["u"] ** (math.e + 0.5) / c["w"],
        "C*u**(exp(1) + 0.5)/w",
    ),
    "exponent-3/7": (FREE, lambda c: 0.6 * c["u"] ** (3 / 7) * c["w"] ** 2, "C*u**(3/7)*w**2"),
    "exponent-tenths": (FREE, lambda c: 4.0 * c["u"] ** 1.7 / c["w"] ** 0.3, "C*u**1.7/w**0.3"),
    "exponent-sqrt2": (FREE, lambda c: 0.9 * c["u"] ** math.sqrt(2) * c["w"], "C*u**sqrt(2)*w"),
}


def sample(variables: tuple[Variable, ...], n: int, seed: int) -> dict[str, np.ndarray]:
    """``n`` log-uniform points over the declared ranges."""
    rng = np.random.default_rng(seed)
    return {v.name: np.exp(rng.uniform(math.log(v.low), math.log(v.high), n)) for v in variables}


def matches(solution: Solution, law: Law, columns: dict[str, np.ndarray]) -> bool:
    """Same law up to the constant: with ``C`` refit, relative error below 1e-6 everywhere."""
    ratio = evaluate(solution.expr, columns) / law(columns)
    if not np.all(np.isfinite(ratio)):
        return False
    scale = float(np.median(ratio))
    return bool(np.max(np.abs(ratio / scale - 1.0)) < 1e-6)


def run(variables, law, n=200, noise=0.0, seed=0, config=None):
    columns = sample(variables, n, seed)
    y = law(columns)
    if noise:
        y = y * (1 + noise * np.random.default_rng(seed + 1).standard_normal(n))
    names = [v.name for v in variables]
    return search_laws(
        columns,
        y,
        names,
        np.random.default_rng(seed),
        variables=variables,
        noise=noise,
        config=config,
    )


@pytest.mark.parametrize("key", list(LAWS))
def test_recovers_power_laws_exactly(key: str) -> None:
    variables, law, expected = LAWS[key]
    result = run(variables, law)
    held_out = sample(variables, 100, seed=99)
    assert any(matches(s, law, held_out) for s in result.front), [s.source for s in result.front]
    assert result.best is not None
    assert result.best.source == expected
    assert matches(result.best, law, held_out)
    assert result.converged
    assert result.best.fitted.keys() == {"C"}


@pytest.mark.parametrize(
    "key", ["pair-sum", "kepler", "exponent-e-plus", "exponent-tenths", "magnitude"]
)
def test_recovers_under_one_percent_noise(key: str) -> None:
    variables, law, expected = LAWS[key]
    result = run(variables, law, noise=0.01)
    assert result.best is not None and result.best.source == expected
    assert result.converged


def test_gp_finds_a_sum_of_terms() -> None:
    variables = RADIATOR
    law: Law = lambda c: 0.5 * c["A"] + 3.0 * c["T"] ** 0.5  # noqa: E731
    result = run(variables, law)
    assert result.best is not None
    assert result.best.origin in ("terms", "gp")
    assert matches(result.best, law, sample(variables, 50, seed=7))


def test_same_seed_same_front() -> None:
    variables = DRAG
    law: Law = lambda c: c["rho"] * np.exp(-c["S"] / 3.0) + c["v"]  # noqa: E731
    config = SearchConfig(gp=GPConfig(population=60, generations=8), time_limit_s=60)
    first = run(variables, law, n=80, config=config)
    second = run(variables, law, n=80, config=config)
    assert [(s.source, s.loss) for s in first.front] == [(s.source, s.loss) for s in second.front]


def test_a_binding_evaluation_budget_is_deterministic() -> None:
    """A counted budget that ends the genetic stage early gives the same front every time."""
    variables = DRAG
    law: Law = lambda c: c["rho"] * np.exp(-c["S"] / 3.0) + c["v"]  # noqa: E731
    config = SearchConfig(gp=GPConfig(population=60, generations=50), max_evaluations=150)
    first = run(variables, law, n=80, config=config)
    second = run(variables, law, n=80, config=config)
    assert [(s.source, s.loss) for s in first.front] == [(s.source, s.loss) for s in second.front]


def test_gp_stops_when_its_evaluations_are_spent() -> None:
    data = make_dataset({"x": np.linspace(1, 3, 40)}, np.sin(np.linspace(1, 3, 40)) + 3, ["x"])
    assert data is not None
    config = GPConfig(population=30, generations=40)
    small, large = Budget(1), Budget(10**6)
    run_gp(data, [], config, np.random.default_rng(0), small)
    run_gp(data, [], config, np.random.default_rng(0), large)
    assert small.spent <= config.population  # only the first population was scored
    assert large.spent > small.spent


@pytest.mark.parametrize(
    "outputs",
    [
        [2.5] * 20,
        [float("nan")] * 20,
        [float("nan")] * 5 + [1.0] * 15,
        [-1.0 * i for i in range(1, 21)],
        [0.0] * 20,
        [(-1.0) ** i * i for i in range(20)],
        [float("inf"), *range(1, 20)],
        [1e300] * 10 + [1e-300] * 10,
    ],
)
def test_garbage_never_crashes(outputs: list[float]) -> None:
    columns = sample(DRAG, 20, seed=3)
    config = SearchConfig(gp=GPConfig(population=20, generations=3))
    result = search_laws(
        columns, outputs, ["rho", "v", "S"], np.random.default_rng(0), config=config
    )
    assert result.reason or result.front
    for s in result.front:
        assert math.isfinite(s.loss)


def test_constant_outputs_give_the_constant() -> None:
    result = search_laws(
        sample(DRAG, 20, 3), [2.5] * 20, ["rho", "v", "S"], np.random.default_rng(0)
    )
    assert result.best is not None and result.best.source == "C"
    assert result.best.fitted["C"] == pytest.approx(2.5)


def test_negative_outputs_fit_a_negative_constant() -> None:
    variables, law, expected = LAWS["drag"]
    result = run(variables, lambda c: -law(c))
    assert result.best is not None and result.best.source == expected
    assert result.best.fitted["C"] < 0


def test_single_point_and_empty_data() -> None:
    one = search_laws({"x": [2.0]}, [3.0], ["x"], np.random.default_rng(0))
    assert one.front and one.best is not None
    empty = search_laws({"x": []}, [], ["x"], np.random.default_rng(0))
    assert empty.front == [] and empty.pick == -1 and empty.reason


def test_snap_options_prefer_simple_rationals() -> None:
    assert snap_options(1.5001, 0.001)[:2] == [2.0, 1.5]
    assert 0.0 in snap_options(0.02)
    assert any(abs(o - 1 / 3) < 1e-12 for o in snap_options(0.34))
    assert snap_options(2.6000001, 1e-6)[1] == 2.6  # the simplest value the data allow
    assert math.e in snap_options(2.71828, 1e-4)
    assert math.e + 1.5 in snap_options(4.2183, 1e-3)  # closed forms near e and pi
    assert 2.3712345 in snap_options(2.37123451, 1e-8)  # an exponent the data pin down
    assert not any(abs(o - 2.37123451) < 1e-6 for o in snap_options(2.37123451, 0.01))
    assert snap_options(2.6, 0.15)[1] == 2.5  # with a loose estimate, the simpler value first


def test_rendering_follows_the_formula_contract() -> None:
    assert format_number(2.0) == "2"
    assert format_number(1.5) == "1.5"
    assert format_number(1 / 3) == "(1/3)"
    assert format_number(3 / 7) == "(3/7)"
    assert format_number(2.6) == "2.6"
    assert format_number(math.e) == "exp(1)"
    assert format_number(math.e + 1.5) == "(exp(1) + 1.5)"
    assert format_number(-(math.pi - 0.5)) == "(-(pi - 0.5))"
    assert format_number(math.sqrt(2)) == "sqrt(2)"
    front = pareto_front(
        [
            Solution(param(1.0, "C"), 1.0),
            Solution(param(1.0, "C"), 0.5),
            Solution(var("x"), float("nan")),
            Solution(num(2.0), 2.0),
        ]
    )
    assert [s.source for s in front] == ["C"]
    assert front[0].loss == 0.5


def test_pick_allows_more_slack_on_small_samples() -> None:
    simple = Solution(param(1.0, "C"), 0.0058)
    richer = Solution(binary("mul", param(1.0, "C"), var("x")), 0.0052)
    front = pareto_front([simple, richer])
    assert pick(front, n_points=200) == 1  # on 200 points, 10% lower loss buys the extra node
    assert pick(front, n_points=20) == 0  # on 20 points that much is fitting the noise


CHARGES = (
    Variable("qa", "C", 1e-9, 1e-5),
    Variable("qb", "C", 1e-9, 1e-5),
    Variable("d", "m", 1e-3, 1e1),
)


@pytest.mark.parametrize(
    ("law", "expected"),
    [
        (lambda c: 3.0e9 * c["qa"] * c["qb"] / c["d"] ** 3, "C*qa*qb/d**3"),
        (lambda c: 2.0 * (c["qa"] + c["qb"]) ** 3 / c["d"] ** 2, "C*(qa + qb)**3/d**2"),
        (lambda c: np.abs(c["qa"] * c["qb"]) ** 1.5 / c["d"], "C*(abs(qa)*abs(qb))**1.5/d"),
    ],
)
def test_signed_inputs_and_outputs(law: Law, expected: str) -> None:
    columns = sample(CHARGES, 200, seed=4)
    signs = np.random.default_rng(5).choice([-1.0, 1.0], size=(2, 200))
    columns["qa"], columns["qb"] = columns["qa"] * signs[0], columns["qb"] * signs[1]
    result = search_laws(columns, law(columns), ["qa", "qb", "d"], np.random.default_rng(0))
    assert result.best is not None and result.best.source == expected
    assert result.converged
