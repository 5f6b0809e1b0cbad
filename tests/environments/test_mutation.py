"""Units, expression trees, seeded variant generation and the newton-v1 task list."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from discolab.environments.catalog import make_environment
from discolab.environments.physics.decay import SETUP as DECAY
from discolab.environments.physics.gravity import SETUP as GRAVITY
from discolab.environments.physics.malus import SETUP as MALUS
from discolab.environments.physics.mutation import (
    MUTATION_COUNT,
    canonical_law,
    edits,
    generate_variants,
    is_tidy,
)
from discolab.environments.physics.tree import Const, Var, call, evaluate, render, solve_units
from discolab.environments.physics.units import UnitError, format_unit, parse_unit, same_unit
from discolab.environments.physics.variants import NEWTON_V1_SEED
from discolab.errors import ConfigError
from discolab.suites import load_suite
from discolab.verifiers.expressions import parse_expression

GOLDEN = Path(__file__).with_name("newton_v1_laws.json")


@pytest.mark.parametrize(
    ("text", "base"),
    [
        ("N*m^2/kg^2", "m^3/(kg*s^2)"),
        ("W/(m*K)", "kg*m/(s^3*K)"),
        ("J/K", "kg*m^2/(s^2*K)"),
        ("rad/s", "1/s"),
        ("1", "1"),
        ("count", "1"),
        ("m^(4/3)", "m^(4/3)"),
        ("m^1.5*kg^-2", "m^1.5/kg^2"),
        ("C^2", "s^2*A^2"),
    ],
)
def test_units_read_and_write_in_base_units(text: str, base: str) -> None:
    assert format_unit(parse_unit(text)) == base
    assert same_unit(parse_unit(base), parse_unit(text))


@pytest.mark.parametrize("text", ["furlong", "m^", "(m", "m**x", "kg m"])
def test_bad_units_are_refused(text: str) -> None:
    with pytest.raises(UnitError):
        parse_unit(text)


def test_render_keeps_grouping_and_matches_the_safe_parser() -> None:
    a, b, c = Var("a"), Var("b"), Var("c")
    trees = [
        a * (b * c),
        a / (b / c) ** 1.5,
        -a * b,
        call("sqrt", a - b / c) ** 2.5,
        call("exp", -Const("k") * a) / (b + c),
    ]
    columns = {n: np.linspace(1.0, 3.0, 7) for n in "abc"}
    for tree in trees:
        text = render(tree, {"k": "0.3"})
        parsed = parse_expression(text, ["a", "b", "c"])
        np.testing.assert_allclose(
            parsed.evaluate(columns), evaluate(tree, columns, {"k": 0.3}), rtol=1e-15
        )
    assert render(trees[0], {}) == "a * (b * c)"


def test_constant_units_are_solved_and_inconsistency_is_found() -> None:
    lam, t, n0 = Const("lam"), Var("t"), Var("N0")
    inputs = {"t": parse_unit("s"), "N0": parse_unit("count")}
    units = solve_units(n0 * call("exp", -lam * t**1.5), inputs, parse_unit("count"))
    assert units is not None and format_unit(units["lam"]) == "1/s^1.5"
    assert solve_units(n0 + t, inputs, parse_unit("count")) is None, "a sum of unlike terms"
    assert solve_units(call("exp", t), inputs, parse_unit("1")) is None, "exp of seconds"


def test_variants_are_seeded_named_and_distinct() -> None:
    first = generate_variants(GRAVITY, NEWTON_V1_SEED)
    again = generate_variants(GRAVITY, NEWTON_V1_SEED)
    private = generate_variants(GRAVITY, 7)
    assert [law.formula for law in first] == [law.formula for law in again]
    assert [law.formula for law in first] != [law.formula for law in private]
    names = [f"{d}-{k}" for d in ("easy", "medium", "hard") for k in (1, 2, 3)]
    assert [law.name for law in first] == names
    assert [law.difficulty for law in first] == [n.split("-")[0] for n in names]
    assert len({law.formula for law in (*first, canonical_law(GRAVITY))}) == 10
    two = generate_variants(MALUS, 3, per_difficulty=2)
    assert [law.name for law in two] == [
        "easy-1",
        "easy-2",
        "medium-1",
        "medium-2",
        "hard-1",
        "hard-2",
    ]


@pytest.mark.parametrize("setup", [DECAY, MALUS], ids=["decay", "malus"])
def test_private_variants_are_valid(setup) -> None:  # type: ignore[no-untyped-def]
    for law in generate_variants(setup, 12345):
        assert law.tree is not None and is_tidy(law.tree)
        assert edits(setup.tree, law.tree) >= MUTATION_COUNT[law.difficulty]
        parse_expression(law.formula, [v.name for v in setup.inputs])


def _vanilla_suite(noise: str = "") -> tuple:
    """The tasks of the shipped suite file that benchmark mode runs (configs/suites/)."""
    return load_suite(f"newton-vanilla{noise}-v1").tasks


def test_fixed_suite_variants_have_their_difficulty() -> None:
    for task in _vanilla_suite():
        shift = task.options["shift"]
        env = make_environment(task.env_id, shift=shift)
        domain = type(env).domain
        canonical, law = domain.law("canonical"), domain.law(shift)
        assert law.difficulty == task.difficulty
        assert canonical.tree is not None and law.tree is not None
        assert edits(canonical.tree, law.tree) >= MUTATION_COUNT[task.difficulty], law.formula


def test_fixed_suite_laws_are_stable() -> None:
    """The 108 hidden laws of newton-v1 never change (regenerate the file only for a v2)."""
    expected = json.loads(GOLDEN.read_text())
    found = {
        t.id: make_environment(t.env_id, shift=t.options["shift"]).ground_truth().formula
        for t in _vanilla_suite()
    }
    assert found == expected


def test_newton_v1_lists_108_vanilla_tasks() -> None:
    tasks = _vanilla_suite()
    assert load_suite("newton-vanilla-v1").id == "newton-vanilla-v1"
    assert len(tasks) == 108 and len({t.id for t in tasks}) == 108
    assert len({t.domain for t in tasks}) == 12
    for domain in {t.domain for t in tasks}:
        mine = [t for t in tasks if t.domain == domain]
        assert sorted(t.difficulty for t in mine) == sorted(["easy", "medium", "hard"] * 3)
    assert all(t.system == "vanilla" and t.options["noise"] == 0.0 for t in tasks)
    assert tasks[0].id == f"{tasks[0].env_id}#{tasks[0].options['shift']}"
    for task in tasks:  # every task builds (a bad one raises ConfigError)
        make_environment(task.env_id, **dict(task.options))
    assert all(t.options["noise"] == 0.01 for t in _vanilla_suite("-noise1e-2"))


def test_shift_typo_suggests_the_generated_name() -> None:
    with pytest.raises(ConfigError, match="did you mean 'easy-1'"):
        make_environment("newton/snell-v1", shift="easy1")
