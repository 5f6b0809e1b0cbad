"""newton-v2: difficulty graded on the simplified law; newton-v1 stays as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from discolab.environments.catalog import _DOMAIN_MODULES, make_environment
from discolab.environments.physics.realise import Lab
from discolab.environments.physics.simplify import crosses_zero, input_exponents, is_monomial
from discolab.environments.physics.tree import Const, Var, call
from discolab.suites import load_suite

GOLDEN = Path(__file__).with_name("newton_v2_laws.json")
DOMAINS = {m.SETUP.name: (m.SETUP, m.ENVIRONMENTS[0].domain) for m in _DOMAIN_MODULES}


def _names(setup) -> list[str]:  # type: ignore[no-untyped-def]
    return [v.name for v in setup.inputs]


def test_newton_v2_lists_324_tasks_graded_by_slot() -> None:
    tasks = load_suite("newton-v2").tasks
    assert len(tasks) == 324 and len({t.id for t in tasks}) == 324
    assert all(t.options["shift"].startswith("v2-") for t in tasks)
    assert sorted({t.difficulty for t in tasks}) == ["easy", "hard", "medium"]
    assert {t.system for t in tasks} == {"vanilla", "simple", "complex"}


def test_newton_v2_laws_are_stable() -> None:
    expected = json.loads(GOLDEN.read_text())
    found = {
        t.id: make_environment(t.env_id, shift=t.options["shift"]).ground_truth().formula
        for t in load_suite("newton-v2").tasks
        if t.system == "vanilla"
    }
    assert found == expected


def test_half_of_the_v1_hard_laws_are_monomials() -> None:
    """The flaw v2 fixes: 18 of v1's 36 hard laws simplify to a product of powers."""
    count = sum(
        is_monomial(law.tree, _names(setup))
        for setup, domain in DOMAINS.values()
        for law in domain.laws
        if law.difficulty == "hard" and law.tree is not None
    )
    assert count == 18


@pytest.mark.parametrize("name", sorted(DOMAINS))
def test_v2_laws_are_graded_on_their_simplified_form(name: str) -> None:
    setup, domain = DOMAINS[name]
    check = Lab(setup).check
    canonical = input_exponents(setup.tree, _names(setup))
    for shift in (s for s in domain.shifts if s.startswith("v2-")):
        law = domain.law(shift)
        assert law.tree is not None and law.difficulty == shift.split("-")[1]
        values = {c.name: c.value for c in law.constants}
        assert not crosses_zero(law.tree, check, values), law.formula
        if law.difficulty == "hard":
            assert not is_monomial(law.tree, _names(setup)), law.formula
        mine = input_exponents(law.tree, _names(setup))
        if law.difficulty == "medium" and mine is not None and canonical is not None:
            assert sum(mine[n] != canonical[n] for n in mine) >= 2, law.formula


def test_simplification_sees_through_disguised_power_laws() -> None:
    G, m1, m2, r = Const("G"), Var("m1"), Var("m2"), Var("r")
    disguised = call("sqrt", G * m1 * m2 / r**3) ** 3
    assert is_monomial(disguised, ["m1", "m2", "r"])
    exponents = input_exponents(disguised, ["m1", "m2", "r"])
    assert exponents is not None
    assert {k: float(v) for k, v in exponents.items()} == {"m1": 1.5, "m2": 1.5, "r": -4.5}
    assert not is_monomial(G * (m1 + m2) / r**2, ["m1", "m2", "r"])
    assert not is_monomial(call("exp", -(G * r)) * m1, ["m1", "m2", "r"])
    columns = {"m1": Lab(DOMAINS["gravity"][0]).check["m1"]}
    assert crosses_zero(m1 - Const("c"), columns, {"c": 1e23})
    assert not crosses_zero(m1 + Const("c"), columns, {"c": 1e23})


def test_v2_shifts_build_at_every_level() -> None:
    for env_id in ("newton/decay-v1", "newton/decay-simple-v1", "newton/decay-complex-v1"):
        env = make_environment(env_id, shift="v2-hard-2")
        assert env.ground_truth().formula == DOMAINS["decay"][1].law("v2-hard-2").formula
