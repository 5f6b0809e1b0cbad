"""System levels of fourier, decay, oscillator and sound: the apparatus behind each law.

For every simple and complex environment of these domains and every shift of its law: the
truth's records are finite over the declared controls, most random runs are informative,
the public inversion recovers the truth at noise 0, the physics checks tell the truth from a
wrong law, the statement hides the law, and an experiment is fast and seeded.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from discolab.environments.base import sample_inputs
from discolab.environments.catalog import make_environment
from discolab.environments.observations import law_data
from discolab.environments.physics.laws import number_text
from discolab.environments.physics.systems.apparatus import COMPLEX, SIMPLE, finite_law
from discolab.types import Experiment

DOMAINS = ("fourier", "decay", "oscillator", "sound")
ENVS = tuple(f"newton/{d}-{level}-v1" for d in DOMAINS for level in (SIMPLE, COMPLEX))
# The v2 and out-of-grammar shifts are covered by test_env_conformance.py (and test_ood.py).
CASES = [
    (env_id, shift)
    for env_id in ENVS
    for shift in type(make_environment(env_id)).domain.shifts
    if not shift.startswith(("v2-", "ood-"))
]
IDS = [f"{env_id}:{shift}" for env_id, shift in CASES]
RUNS = 300


def _runs(env_id: str, shift: str, n: int = RUNS, seed: int = 1):
    """The apparatus, the truth, random controls in range and the truth's noise-free records."""
    env = make_environment(env_id, shift=shift)
    app = type(env).apparatus
    truth = env.ground_truth()
    controls = sample_inputs(app.controls, n, np.random.default_rng(seed))
    records = app.simulate(finite_law(truth.function), controls, env.points)
    return app, truth, controls, records


def _run(controls, records, i: int) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    return (
        {k: float(v[i]) for k, v in controls.items()},
        {k: np.asarray(v[i]) for k, v in records.items()},
    )


@pytest.mark.parametrize("env_id", ENVS)
def test_levels_are_registered_with_the_vanilla_domain(env_id: str) -> None:
    env = make_environment(env_id)
    vanilla = make_environment(env_id.replace("-simple", "").replace("-complex", ""))
    app = type(env).apparatus
    assert app.level == (SIMPLE if "-simple-" in env_id else COMPLEX)
    assert type(env).domain.shifts == type(vanilla).domain.shifts
    assert app.law_inputs == vanilla.spec.inputs
    assert env.spec.observables[0].name == "t"
    for var in (*app.controls, *app.observables):
        assert var.unit.strip() and var.description.strip(), var
    assert type(env).__doc__ and env_id in type(env).__doc__


@pytest.mark.parametrize(("env_id", "shift"), CASES, ids=IDS)
def test_records_are_finite_informative_and_invert_to_the_truth(env_id: str, shift: str) -> None:
    app, truth, controls, records = _runs(env_id, shift)
    for name, values in records.items():
        assert values.shape == (RUNS, 64), name
        assert np.all(np.isfinite(values)), f"{name} is not finite for the truth"
    informative = 0
    seen: dict[str, list[np.ndarray]] = {v.name: [] for v in app.law_inputs}
    for i in range(RUNS):
        point, series = _run(controls, records, i)
        columns, y = app.law_samples(point, series)
        if y.size == 0:
            continue
        informative += 1
        expected = truth.evaluate(columns)
        np.testing.assert_allclose(y, expected, rtol=1e-6, err_msg=str(point))
        for name in seen:
            seen[name].append(columns[name])
    assert informative >= 0.7 * RUNS, f"only {informative} of {RUNS} runs are informative"
    for var in app.law_inputs:
        values = np.concatenate(seen[var.name])
        assert values.min() >= 0.5 * var.low and values.max() <= 1.25 * var.high, var.name
        low, high = (
            (math.log(var.low), math.log(var.high)) if var.log_scale else (var.low, var.high)
        )
        got = np.log(values) if var.log_scale else values
        assert np.ptp(got) >= 0.5 * (high - low), f"{var.name} barely varies"


@pytest.mark.parametrize(("env_id", "shift"), CASES, ids=IDS)
def test_checks_accept_the_truth_and_reject_a_wrong_law(env_id: str, shift: str) -> None:
    app, truth, controls, records = _runs(env_id, shift, n=40, seed=5)

    def scaled(columns):
        return 1.3 * truth.function(columns)

    def bent(columns):
        first = app.law_inputs[0]
        return truth.function(columns) * (columns[first.name] / first.low) ** 0.3

    tested = 0
    for i in range(40):
        point, series = _run(controls, records, i)
        if app.law_samples(point, series)[1].size < 1:
            continue
        own = app.checks(truth.function, point, series)
        assert own, "every apparatus has physics checks"
        assert max(own.values()) < 1e-6, own
        wrong = app.checks(scaled, point, series)
        assert max(wrong.values()) > 1e-2, wrong
        tested += 1
        if tested >= 8:
            break
    assert tested >= 5
    # A law that bends one variable shows up on at least one of the informative runs.
    residuals = []
    for i in range(40):
        point, series = _run(controls, records, i)
        if app.law_samples(point, series)[1].size:
            residuals.append(max(app.checks(bent, point, series).values()))
    assert max(residuals) > 1e-2


@pytest.mark.parametrize(("env_id", "shift"), CASES, ids=IDS)
def test_statement_hides_the_law(env_id: str, shift: str) -> None:
    env = make_environment(env_id, shift=shift, noise=0.01)
    text = env.spec.description
    formula = env.ground_truth().formula
    assert formula not in text and formula.replace(" ", "") not in text.replace(" ", "")
    for constant in type(env).domain.law(shift).constants:
        for form in {number_text(constant.value), repr(constant.value), f"{constant.value:g}"}:
            assert form not in text, f"constant {form} leaked"
    assert shift not in text


@pytest.mark.parametrize("env_id", ENVS)
def test_experiment_is_seeded_and_fast(env_id: str) -> None:
    env = make_environment(env_id)
    columns = sample_inputs(env.spec.inputs, 4, np.random.default_rng(3))
    points = [{k: float(v[i]) for k, v in columns.items()} for i in range(4)]

    def measure(seed: int, noise: float) -> list:
        return make_environment(env_id, noise=noise, seed=seed).experiment(points)

    first = measure(7, 0.05)
    assert first == measure(7, 0.05)
    assert first != measure(8, 0.05)
    assert measure(7, 0.0) == measure(8, 0.0)
    assert all(len(r["t"]) == 64 for r in first)
    assert first[0]["t"] == measure(8, 0.05)[0]["t"], "the sampling axis is never noised"

    app = type(env).apparatus
    truth = finite_law(env.ground_truth().function)
    best = math.inf
    for _ in range(5):
        start = time.thread_time()  # CPU time of this thread, not the load of the machine
        app.simulate(truth, columns, 64)
        best = min(best, time.thread_time() - start)
    assert best < 0.05, f"{best * 1e3:.1f} ms for 4 runs x 64 points"


@pytest.mark.parametrize("env_id", ENVS)
def test_noisy_records_still_give_law_samples(env_id: str) -> None:
    env = make_environment(env_id, noise=0.01, seed=2, max_batch=20)
    rng = np.random.default_rng(9)
    columns = sample_inputs(env.spec.inputs, 20, rng)
    points = [{k: float(v[i]) for k, v in columns.items()} for i in range(20)]
    outputs = env.experiment(points)
    experiment = Experiment(index=0, inputs=tuple(points), outputs=tuple(outputs))
    x, y = law_data(env.spec, [experiment])
    assert y.size >= 10
    assert set(x) == set(env.spec.formula_names)
    assert all(c.shape == y.shape for c in x.values())
