"""The judge is not too strict: every hidden law, with its constants left free, is a match.

For every law of every vanilla physics environment (newton-v1, newton-v2, the held-out
out-of-grammar laws, and the hard variants of a private seed), the law's own tree is written
with its hidden constants as free parameters ``C, C1, ...`` — the formula an agent that found the
structure would submit — and must be a symbolic match of the truth. This guards every rule
of the judge (parameter cap, exponent policy, extrapolation, removability) against false
negatives on the suites themselves.
"""

from __future__ import annotations

import pytest

from discolab.environments.catalog import environment_class, environment_registry
from discolab.environments.physics.laws import Law
from discolab.environments.physics.tree import render
from discolab.verifiers.expressions import parse_expression
from discolab.verifiers.symbolic import symbolic_match

PRIVATE_SEED = 4242
"""A private seed no suite uses: its hard variants are judged too (fresh draws of the grammar)."""


def _vanilla_laws() -> list[tuple[str, Law, int | None]]:
    laws: list[tuple[str, Law, int | None]] = []
    for env_id in sorted(environment_registry().ids()):
        if not env_id.startswith("newton/") or "-simple-" in env_id or "-complex-" in env_id:
            continue
        domain = environment_class(env_id).domain
        laws.extend((env_id, law, None) for law in domain.laws)
        laws.extend((env_id, domain.law(shift), None) for shift in domain.generated)
        if domain.private is not None:
            for slot in ("hard-1", "hard-2", "hard-3"):
                laws.append((env_id, domain.law(slot, PRIVATE_SEED), PRIVATE_SEED))
    return laws


def free_formula(law: Law) -> str:
    """The law's structure with every hidden constant a free parameter."""
    if law.tree is None:  # a legacy law: constant * shape
        return "C * " + law.formula.split(" * ", 1)[1]
    names = {c.name: ("C" if i == 0 else f"C{i}") for i, c in enumerate(law.constants)}
    return render(law.tree, names)


LAWS = _vanilla_laws()


@pytest.mark.parametrize(
    ("env_id", "law", "variant_seed"),
    LAWS,
    ids=[f"{e}#{law.name}" + (f"@{seed}" if seed else "") for e, law, seed in LAWS],
)
def test_the_law_with_free_constants_matches_itself(
    env_id: str, law: Law, variant_seed: int | None
) -> None:
    from discolab.environments.catalog import make_environment

    options = {"variant_seed": variant_seed} if variant_seed is not None else {}
    env = make_environment(env_id, shift=law.name, **options)
    assert env.ground_truth().formula == law.formula
    formula = free_formula(law)
    parsed = parse_expression(formula, env.spec.formula_names)
    result = symbolic_match(parsed, env.ground_truth())
    assert result.matched, f"{formula}: {result.reason}"
