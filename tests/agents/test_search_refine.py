"""Forms that need the newer search capabilities, recovered exactly from noise-free data
(each written for these tests, none a suite law):
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

# Written for these tests (made-up inputs and constants; none is a suite law).
CLOUD = (Variable("q", "count", 1e2, 1e6), Variable("s", "s", 0.1, 3.0))
SPRING = (
    Variable("p", "N/m", 10.0, 1000.0),
    Variable("w", "kg", 0.1, 10.0),
    Variable("g", "kg/s", 0.01, 0.1),
)
PRISM = (
    Variable("th", "rad", 0.01, 1.4),
    Variable("na", "1", 1.0, 1.45),
    Variable("nb", "1", 1.6, 2.4),
)
POLAR = (Variable("I", "W/m^2", 1.0, 1000.0), Variable("phi", "rad", 0.01, 1.4))

FORMS: dict[str, tuple[tuple[Variable, ...], Law]] = {
    # exponent 1.7 inside an exponential: refinement of a grid exponent
    "stretched-1.7": (CLOUD, lambda c: c["q"] * np.exp(-0.3 * c["s"] ** 1.7)),
    # leading term p/w**0.7 (off the monomial grid) plus a small damping correction
    "damped-w0.7": (
        SPRING,
        lambda c: np.sqrt(c["p"] / c["w"] ** 0.7 - 0.8 * (c["g"] / c["w"]) ** 2),
    ),
    # outer power 1.5 with an inner exponent 2.4 (off the monomial grid)
    "outer-1.5": (
        SPRING,
        lambda c: (c["p"] / c["w"] - 0.02 * c["g"] / c["w"] ** 2.4) ** 1.5,
    ),
    # two extra factors at once: a sine and a sum of inputs
    "prism-sum": (
        PRISM,
        lambda c: np.arcsin(c["na"] * np.sin(c["th"]) / (c["nb"] + c["na"])),
    ),
    # sums of two different trigonometric terms of one angle
    "mixed-trig": (
        POLAR,
        lambda c: c["I"] ** 0.7 * (np.cos(c["phi"]) ** 2 + np.sin(c["phi"]) ** 0.5) ** 2,
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
    first, second = run("damped-w0.7"), run("damped-w0.7")
    assert [(s.source, s.loss) for s in first.front] == [(s.source, s.loss) for s in second.front]


def _dataset(key: str, transform: Callable[[np.ndarray], np.ndarray] = lambda y: y):
    variables, law = FORMS[key]
    columns = sample(variables, 200, 0)
    names = [v.name for v in variables]
    data = make_dataset(columns, transform(law(columns)), names)
    assert data is not None
    return data, variables


def test_refine_snaps_an_off_grid_exponent() -> None:
    data, variables = _dataset("stretched-1.7")
    library = build_library(data, variables)
    # A fit with the grid exponent 1.5 inside the exponential: right structure, wrong number.
    start = name_params(
        binary(
            "mul",
            binary("mul", param(1.0), var("q")),
            func("exp", binary("mul", param(-0.3), power(var("s"), 1.5))),
        )
    )
    values = evaluate(start, data.columns)
    loss = float(np.sqrt(np.mean((data.log_abs_y - np.log(values)) ** 2)))
    refined = refine(data, Solution(start, loss, origin="test"))
    assert refined is not None and library.inputs
    assert refined.source == "C*q*exp(C1*s**1.7)"
    assert refined.loss < 1e-9
    assert refined.origin == "refine:test"


def test_refine_returns_none_without_improvement() -> None:
    data, _ = _dataset("stretched-1.7")
    exact = name_params(
        binary(
            "mul",
            binary("mul", param(1.0), var("q")),
            func("exp", binary("mul", param(-0.3), power(var("s"), 1.7))),
        )
    )
    assert refine(data, Solution(exact, 0.0, origin="test")) is None


def test_anchored_two_terms_find_an_off_grid_leading_term() -> None:
    data, variables = _dataset("damped-w0.7", lambda y: y**2)
    library = build_library(data, variables)
    leading = fit_feature_set(data, library.inputs, keep_per_set=3, by_dropped=False)
    anchors = [strip_scale(s.expr) for s in sorted(leading, key=lambda s: s.loss)[:3]]
    with_anchors = fit_two_terms(data, pair_exponents=(-2.0, -1.0, 1.0, 2.0), anchors=anchors)
    without = fit_two_terms(data, pair_exponents=(-2.0, -1.0, 1.0, 2.0))
    assert min(s.loss for s in with_anchors) < 0.5 * min(s.loss for s in without)
    assert any(refine(data, s) is not None and refine(data, s).loss < 1e-9 for s in with_anchors)


def test_two_term_fit_leads_with_the_positive_term() -> None:
    data, _ = _dataset("outer-1.5", lambda y: y ** (1 / 1.5))
    best = fit_two_terms(data, pair_exponents=(-2.0, -1.0, -0.5, 0.5, 1.0, 2.0))[0]
    assert best.fitted["C"] > 0, best.source


def test_screened_sets_pair_a_sine_with_a_sum_of_inputs() -> None:
    data, variables = _dataset("prism-sum", np.sin)
    sets = screened_sets(data, build_library(data, variables))
    labels = [{f.label for f in fs} for fs in sets]
    assert any({"sin(th)", "na+nb"} <= ls for ls in labels), labels


def test_trig_sums_offer_mixed_terms_of_one_angle() -> None:
    data, variables = _dataset("mixed-trig")
    labels = {f.label for f in trig_sums(data, build_library(data, variables))}
    assert "cos(phi)**2 + sin(phi)**0.5" in labels
    assert "cos(phi**3) + sin(phi)" in labels
    sets = screened_sets(data, build_library(data, variables))
    assert any("cos(phi)**2 + sin(phi)**0.5" in {f.label for f in fs} for fs in sets)
