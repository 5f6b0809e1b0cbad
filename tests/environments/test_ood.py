"""newton-ood-v1: laws the mutation grammar cannot produce, at every system level."""

from __future__ import annotations

import numpy as np
import pytest

from discolab.environments.base import sample_inputs
from discolab.environments.catalog import _DOMAIN_MODULES, make_environment
from discolab.environments.physics.mutation import MIN_SHAPE_DIFFERENCE
from discolab.environments.physics.ood import OOD_LAWS
from discolab.environments.physics.realise import Lab
from discolab.environments.physics.tree import solve_units
from discolab.environments.physics.units import parse_unit
from discolab.suites import load_suite
from discolab.verifiers.expressions import parse_expression

VANILLA = {m.SETUP.name: m.ENVIRONMENTS[0] for m in _DOMAIN_MODULES}
SETUPS = {m.SETUP.name: m.SETUP for m in _DOMAIN_MODULES}
LAWS = [(domain, entry[0]) for domain, entries in OOD_LAWS.items() for entry in entries]
LAW_IDS = [f"{d}:{s}" for d, s in LAWS]


def test_the_suite_has_at_least_24_laws_at_three_levels() -> None:
    suite = load_suite("newton-ood-v1")
    assert len(LAWS) >= 24 and len(OOD_LAWS) == 12
    assert len(suite.tasks) == 3 * len(LAWS)
    assert {t.system for t in suite.tasks} == {"vanilla", "simple", "complex"}
    assert {t.difficulty for t in suite.tasks} == {"ood"}


@pytest.mark.parametrize(("domain", "shift"), LAWS, ids=LAW_IDS)
def test_law_parses_is_finite_unit_consistent_and_counts_its_constants(
    domain: str, shift: str
) -> None:
    law = VANILLA[domain].domain.law(shift)
    setup = SETUPS[domain]
    names = [v.name for v in setup.inputs]
    parsed = parse_expression(law.formula, names)
    assert parsed.parameters == ()
    columns = Lab(setup).check
    values = law.function(columns)
    assert np.all(np.isfinite(values)) and np.all(values > 0)
    np.testing.assert_allclose(parsed.evaluate(columns), values, rtol=1e-12)
    inputs = {v.name: parse_unit(v.unit) for v in setup.inputs}
    assert law.tree is not None
    assert solve_units(law.tree, inputs, parse_unit(setup.output.unit)) is not None
    assert law.constant_count == len(law.constants) >= 1
    assert law.difficulty == "ood"


@pytest.mark.parametrize(("domain", "shift"), LAWS, ids=LAW_IDS)
def test_law_is_not_a_grammar_law_refitted(domain: str, shift: str) -> None:
    """No generated (v1 or v2) or hand-written law of the domain, with its constants refitted
    to this law, matches it up to a constant factor (log-ratio spread below the generator's
    own threshold for "the same law")."""
    domain_laws = VANILLA[domain].domain
    law = domain_laws.law(shift)
    lab = Lab(SETUPS[domain])
    target = np.log(law.function(lab.check))
    lab.target = np.log(law.function(lab.fit))  # refit every structure to this law
    others = [domain_laws.law(s) for s in domain_laws.shifts if not s.startswith("ood-")]
    for other in others:
        assert other.tree is not None
        candidates = [other]
        refitted = lab.realise(other.tree, other.name, other.difficulty)
        if refitted is not None:
            candidates.append(refitted)
        for candidate in candidates:
            with np.errstate(all="ignore"):
                spread = np.std(target - np.log(candidate.function(lab.check)))
            assert not spread < MIN_SHAPE_DIFFERENCE, (other.name, candidate.formula)


OOD_TASKS = load_suite("newton-ood-v1").tasks


@pytest.mark.parametrize("task", OOD_TASKS, ids=[t.id for t in OOD_TASKS])
def test_each_environment_builds_and_answers_an_experiment(task) -> None:  # type: ignore[no-untyped-def]
    env = make_environment(task.env_id, **dict(task.options))
    spec = env.spec
    columns = sample_inputs(spec.inputs, min(env.max_batch, 4), np.random.default_rng(1))
    count = len(columns[spec.inputs[0].name])
    batch = [{k: float(v[i]) for k, v in columns.items()} for i in range(count)]
    answers = env.experiment(batch)
    assert len(answers) == len(batch)
    truth = env.ground_truth()
    assert truth.constants == len(type(env).domain.law(task.options["shift"]).constants)
    if not spec.observables:
        assert np.all(np.isfinite(answers)) and np.all(np.asarray(answers) > 0)
        return
    apparatus = type(env).apparatus
    recovered = 0
    for point, series in zip(batch, answers, strict=True):
        arrays = {name: np.asarray(values) for name, values in series.items()}
        assert all(np.all(np.isfinite(a)) for a in arrays.values())
        law_columns, law_values = apparatus.law_samples(point, arrays)
        if len(law_values):
            recovered += 1
            np.testing.assert_allclose(law_values, truth.evaluate(law_columns), rtol=1e-6)
    assert recovered >= 1
