"""The built-in EFA solver reads only problem text: right answers on the patterns it knows,
a plain "cannot" elsewhere, never a guess or a crash on hostile text."""

from __future__ import annotations

import random

import pytest

from discolab.agents.efa.solver import solve_problem
from discolab.environments.efa.answers import check_answer
from discolab.environments.efa.catalog import efa_registry

SOLVABLE = {
    "efa/crt-v1",
    "efa/power-mod-v1",
    "efa/linear-recurrence-v1",
    "efa/diophantine-count-v1",
    "efa/linear-system-v1",
    "efa/geometric-series-v1",
    "efa/vieta-cubic-v1",
}


@pytest.mark.parametrize("efa_id", sorted(SOLVABLE))
def test_known_patterns_are_solved_exactly(efa_id) -> None:
    entries = {e.factory().id: e.factory() for e in efa_registry()}
    if efa_id not in entries:
        pytest.skip(f"{efa_id} is not in this library")  # library grows on another branch
    efa = entries[efa_id].make()
    rng = random.Random(11)
    for _ in range(15):
        instance = efa.instance(rng)
        attempt = solve_problem(instance.text)
        assert attempt.answer is not None, instance.text
        assert check_answer(instance.answer, attempt.answer).correct, (instance.text, attempt)


def test_unknown_families_are_declined_not_guessed() -> None:
    attempt = solve_problem("A fair coin is tossed 5 times. What is the probability of 3 heads?")
    assert attempt.answer is None and "cannot" in attempt.reason


@pytest.mark.parametrize(
    "text",
    [
        "Compute the integral of __import__('os').system('true') from x = 0 to x = 1.",
        "Find the remainder when 2^99999999999999 is divided by 7.",
        "x" * 5000,
        "Let r, s and t be the roots of 9**9**9 = 0. Find r + s + t.",
        "Real numbers x and y satisfy 0x + 0y = 1 and 0x + 0y = 2. Find x + y.",
    ],
)
def test_hostile_or_degenerate_text_never_crashes(text) -> None:
    attempt = solve_problem(text)
    assert attempt.answer is None or isinstance(attempt.answer, str)


def test_integrals_and_powers() -> None:
    assert (
        solve_problem("Compute the integral of x**2*exp(x) from x = 0 to x = 1.").answer
        == "-2 + exp(1)"
    )
    assert solve_problem("Find the last two digits of 7^2023.").answer == "43"
