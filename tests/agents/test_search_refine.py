"""Forms that need the newer search capabilities, recovered exactly from noise-free data:
exponents off the grids (refinement), a power-law leading term plus a small correction
(anchored two-term fits), two extra factors at once and sums of trigonometric terms
(screened feature combinations), and outer powers whose inner terms need the wide exponents."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from exact_forms import same_law, sample

from discolab.agents.search import SearchResult, Solution, search_laws
from discolab.agents.search.combos import screened_sets, trig_sums
from discolab.agents.search.data import make_dataset
from discolab.agents.search.expr import (
    binary,
    evaluate,
    func,
    name_params,
    param,
    power,
    var,
)
from discolab.agents.search.features import build_library
from discolab.agents.search.powerlaw import fit_feature_set
from discolab.agents.search.refine import refine
from discolab.agents.search.terms import fit_two_terms
from discolab.agents.search.treeops import strip_scale
from discolab.types import Variable

Law = Callable[[dict[str, np.ndarray]], np.ndarray]

DECAY = (Variable("N0", "count", 1e2, 1e6), Variable("t", "s", 0.1, 100.0))
OSCILLATOR = (
    Variable("k", "N/m", 10.0, 1000.0),
    Variable("m", "kg", 0.1, 10.0),
    Variable("b", "kg/s", 0.01, 1.0),
)
MALUS = (Variable("I0", "W/m^2", 1.0, 1000.0), Variable("theta", "rad", 0.01, 1.4))
SNELL = (
    Variable("theta1", "rad", 0.01, 1.4),
    Variable("n1", "1", 1.0, 1.45),
    Variable("n2", "1", 1.6, 2.4),
)

FORMS: dict[str, tuple[tuple[Variable, ...], Law]] = {
    # exponent 1.3 inside an exponential: refinement of exp(C1*t**1.5)
    "decay-t1.3": (DECAY, lambda c: c["N0"] * np.exp(-0.00832 * c["t"] ** 1.3)),
    # leading term k/m**1.3 (off the monomial grid) plus a small damping correction
    "oscillator-m1.3": (
        OSCILLATOR,
        lambda c: np.sqrt(c["k"] / c["m"] ** 1.3 - 1.35 * (c["b"] / c["m"]) ** 2),
    ),
    # outer power 1.3 with an inner exponent 2.6
    "oscillator-pow1.3": (
        OSCILLATOR,
        lambda c: (c["k"] / c["m"] - 0.0347 * c["b"] / c["m"] ** 2.6) ** 1.3,
    ),
    # outer power 2.5 around k**0.5/m: the transform screen needs the wide exponents
    "oscillator-pow2.5": (
        OSCILLATOR,
        lambda c: (c["k"] ** 0.5 / c["m"] - 0.263 * c["b"] / c["m"] ** 2) ** 2.5,
    ),
    # two extra factors at once: a wrapped angle and a sum of inputs
    "snell-sum": (
        SNELL,
        lambda c: np.arcsin(c["n1"] * np.sin(c["theta1"] ** 3) / (c["n2"] + c["n1"])),
    ),
    "snell-sqrt-sum": (
        SNELL,
        lambda c: np.arcsin(np.sqrt(c["n1"] * np.sin(c["theta1"]) / (c["n2"] + c["n1"]))),
    ),
    # sums of two different trigonometric terms of one angle
    "malus-sqrt-cos": (
        MALUS,
        lambda c: c["I0"] ** 1.3 * (np.cos(c["theta"]) ** 0.5 + np.sin(c["theta"])) ** 2,
    ),
    "malus-cos-theta3": (
        MALUS,
        lambda c: np.sqrt(c["I0"]) * (np.cos(c["theta"] ** 3) + np.sin(c["theta"])) ** 2,
    ),
}


def run(key: str, n: int = 200, seed: int = 0) -> SearchResult:
    variables, law = FORMS[key]
    columns = sample(variables, n, seed)
    names = [v.name for v in variables]
    return search_laws(
        columns, law(columns), names, np.random.default_rng(seed), variables=variables
    )


def is_exact(solution: Solution, key: str) -> bool:
    """Same law as the form ``key`` up to its free constants (see ``same_law``)."""
    return same_law(solution, *FORMS[key])


@pytest.mark.parametrize("key", list(FORMS))
def test_new_form_is_recovered_exactly_and_picked(key: str) -> None:
    result = run(key)
    assert result.best is not None
    sources = [s.source for s in result.front]
    assert is_exact(result.best, key), (result.best.source, sources)
    assert result.converged


def test_search_with_new_stages_is_deterministic() -> None:
    first, second = run("oscillator-m1.3"), run("oscillator-m1.3")
    assert [(s.source, s.loss) for s in first.front] == [(s.source, s.loss) for s in second.front]


def _dataset(key: str, transform: Callable[[np.ndarray], np.ndarray] = lambda y: y):
    variables, law = FORMS[key]
    columns = sample(variables, 200, 0)
    names = [v.name for v in variables]
    data = make_dataset(columns, transform(law(columns)), names)
    assert data is not None
    return data, variables


def test_refine_snaps_an_off_grid_exponent() -> None:
    data, variables = _dataset("decay-t1.3")
    library = build_library(data, variables)
    # A fit with the grid exponent 1.5 inside the exponential: right structure, wrong number.
    start = name_params(
        binary(
            "mul",
            binary("mul", param(1.0), var("N0")),
            func("exp", binary("mul", param(-0.003), power(var("t"), 1.5))),
        )
    )
    values = evaluate(start, data.columns)
    loss = float(np.sqrt(np.mean((data.log_abs_y - np.log(values)) ** 2)))
    refined = refine(data, Solution(start, loss, origin="test"))
    assert refined is not None and library.inputs
    assert refined.source == "C*N0*exp(C1*t**1.3)"
    assert refined.loss < 1e-9
    assert refined.origin == "refine:test"


def test_refine_returns_none_without_improvement() -> None:
    data, _ = _dataset("decay-t1.3")
    exact = name_params(
        binary(
            "mul",
            binary("mul", param(1.0), var("N0")),
            func("exp", binary("mul", param(-0.00832), power(var("t"), 1.3))),
        )
    )
    assert refine(data, Solution(exact, 0.0, origin="test")) is None


def test_anchored_two_terms_find_an_off_grid_leading_term() -> None:
    data, variables = _dataset("oscillator-m1.3", lambda y: y**2)
    library = build_library(data, variables)
    leading = fit_feature_set(data, library.inputs, keep_per_set=3, by_dropped=False)
    anchors = [strip_scale(s.expr) for s in sorted(leading, key=lambda s: s.loss)[:3]]
    with_anchors = fit_two_terms(data, pair_exponents=(-2.0, -1.0, 1.0, 2.0), anchors=anchors)
    without = fit_two_terms(data, pair_exponents=(-2.0, -1.0, 1.0, 2.0))
    assert min(s.loss for s in with_anchors) < 0.5 * min(s.loss for s in without)
    assert any(refine(data, s) is not None and refine(data, s).loss < 1e-9 for s in with_anchors)


def test_two_term_fit_leads_with_the_positive_term() -> None:
    data, _ = _dataset("oscillator-pow2.5", lambda y: y**0.4)
    best = fit_two_terms(data, pair_exponents=(-2.0, -1.0, -0.5, 0.5, 1.0, 2.0))[0]
    assert best.fitted["C"] > 0, best.source


def test_screened_sets_pair_a_wrapped_angle_with_a_sum_of_inputs() -> None:
    data, variables = _dataset("snell-sum", np.sin)
    sets = screened_sets(data, build_library(data, variables))
    labels = [{f.label for f in fs} for fs in sets]
    assert any({"sin(theta1**3)", "n1+n2"} <= ls for ls in labels), labels


def test_trig_sums_offer_mixed_terms_of_one_angle() -> None:
    data, variables = _dataset("malus-sqrt-cos")
    labels = {f.label for f in trig_sums(data, build_library(data, variables))}
    assert "cos(theta)**0.5 + sin(theta)" in labels
    assert "cos(theta**3) + sin(theta)" in labels
    sets = screened_sets(data, build_library(data, variables))
    assert any("cos(theta)**0.5 + sin(theta)" in {f.label for f in fs} for fs in sets)
