"""The factor stage: a power law in all inputs but one, times a curved factor of that one.

The laws are made up for these tests (none is a suite law), with exponents off every grid.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from exact_forms import same_law, sample

from discolab.agents.search import search_laws
from discolab.agents.search.budget import Budget
from discolab.agents.search.data import make_dataset
from discolab.agents.search.factor import fit_factors
from discolab.types import Variable

Law = Callable[[dict[str, np.ndarray]], np.ndarray]

PAIR = (Variable("p", "", 1.0, 30.0), Variable("w", "", 0.2, 5.0))
ANGLED = (Variable("p", "", 1.0, 30.0), Variable("phi", "deg", 5.0, 70.0, log_scale=False))

LAWS: dict[str, tuple[tuple[Variable, ...], Law]] = {
    "offset": (PAIR, lambda c: 1.3 * (c["p"] ** 1.37 + 4.2) * c["w"] ** -0.61),
    "saturation": (PAIR, lambda c: c["w"] ** 2.2 / (1 + 0.7 * c["w"] ** 1.5) * c["p"] ** 0.5),
    "tiny-offset": (PAIR, lambda c: 3e-21 * (c["p"] ** 1.37 + 4.2) * c["w"] ** -0.61),
    "threshold": (PAIR, lambda c: (c["p"] - 0.6) ** -0.5 * c["w"] ** 1.21),
    "anisotropy": (
        ANGLED,
        lambda c: c["p"] ** 0.83 * (1 + 0.45 * np.cos(np.pi * c["phi"] / 180) ** 2),
    ),
}


def data_for(key: str):
    variables, law = LAWS[key]
    columns = sample(variables, 200, seed=3)
    data = make_dataset(columns, law(columns), [v.name for v in variables])
    assert data is not None
    return data


@pytest.mark.parametrize("key", sorted(LAWS))
def test_factor_stage_recovers_the_law(key: str) -> None:
    with np.errstate(all="ignore"):
        solutions = fit_factors(data_for(key))
    assert any(same_law(s, *LAWS[key]) for s in solutions)


@pytest.mark.parametrize("key", ["offset", "threshold"])
def test_search_picks_the_factor_law(key: str) -> None:
    variables, law = LAWS[key]
    columns = sample(variables, 200, seed=4)
    result = search_laws(
        columns,
        law(columns),
        [v.name for v in variables],
        np.random.default_rng(0),
        variables=variables,
    )
    assert result.best is not None and same_law(result.best, variables, law)


def test_factor_stage_is_deterministic_and_charges_its_budget() -> None:
    data = data_for("saturation")
    first, second = Budget(10**6), Budget(10**6)
    with np.errstate(all="ignore"):
        a = fit_factors(data, first)
        b = fit_factors(data, second)
    assert [(s.source, s.loss) for s in a] == [(s.source, s.loss) for s in b]
    assert first.spent == second.spent > 0
    with np.errstate(all="ignore"):
        assert fit_factors(data, Budget(0)) == []


def test_too_few_points_give_nothing() -> None:
    data = make_dataset({"x": [1.0, 2.0, 3.0]}, [1.0, 2.0, 4.0], ["x"])
    assert data is not None and fit_factors(data) == []
