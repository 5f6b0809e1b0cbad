"""System levels of the coulomb, ampere, hooke and calorimetry domains (simple and complex).

For each environment: seeded determinism, finite and informative records for every shift,
exact public inversion of the records into law samples, physics checks that accept the truth
and reject a wrong law, a task statement that hides the law, fast simulation, and a
confounder that really separates the complex level from the simple one.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable, Mapping

import numpy as np
import pytest

from discolab.environments.base import sample_inputs
from discolab.environments.catalog import environment_class, make_environment
from discolab.environments.physics.laws import number_text
from discolab.environments.physics.systems.apparatus import COMPLEX, SIMPLE, Apparatus
from discolab.environments.physics.systems.calorimeter import (
    LEAK_CONDUCTANCE,
    LeakyBathCalorimeter,
)
from discolab.environments.physics.systems.elastic import GRAVITY

DOMAINS = ("coulomb", "ampere", "hooke", "calorimetry")
IDS = tuple(f"newton/{d}-{level}-v1" for d in DOMAINS for level in ("simple", "complex"))
# The v2 and out-of-grammar shifts are covered by test_env_conformance.py (and test_ood.py).
CASES = [
    (env_id, shift)
    for env_id in IDS
    for shift in environment_class(env_id).domain.shifts
    if not shift.startswith(("v2-", "ood-"))
]
CASE_IDS = [f"{env_id}:{shift}" for env_id, shift in CASES]
RUNS = 300

Law = Callable[[Mapping[str, np.ndarray]], np.ndarray]


def _controls(app: Apparatus, n: int, seed: int) -> dict[str, np.ndarray]:
    return sample_inputs(app.controls, n, np.random.default_rng(seed))


def _point(controls: Mapping[str, np.ndarray], i: int) -> dict[str, float]:
    return {k: float(v[i]) for k, v in controls.items()}


def _record(records: Mapping[str, np.ndarray], i: int) -> dict[str, np.ndarray]:
    return {k: np.asarray(v)[i] for k, v in records.items()}


def _scaled(law: Law, factor: float) -> Law:
    return lambda columns: factor * np.asarray(law(columns), dtype=float)


def _bent(law: Law, name: str) -> Law:
    """``law`` times the square root of one of its variables: a wrong exponent."""
    return lambda columns: np.asarray(law(columns), float) * np.sqrt(columns[name] * 7.0)


@pytest.mark.parametrize("env_id", IDS)
def test_levels_and_registration(env_id: str) -> None:
    env = make_environment(env_id)
    app = type(env).apparatus
    assert app.level == (COMPLEX if "complex" in env_id else SIMPLE)
    assert env.spec.observables[0].name == "t" and env.spec.observables[0].unit == "s"
    vanilla = environment_class(env_id.replace("-simple", "").replace("-complex", ""))
    assert type(env).domain is vanilla.domain
    assert env.spec.law_inputs == vanilla().spec.inputs
    names = [v.name for v in app.controls]
    assert len(names) == len(set(names)), names
    for var in (*app.controls, *app.observables):
        assert var.unit.strip() and var.description.strip(), var
    for var in app.controls:
        assert 0 < var.low < var.high
        span = math.log10(var.high / var.low)
        assert (1 <= span <= 4) if var.log_scale else var.high / var.low < 10, var


@pytest.mark.parametrize("env_id", IDS)
def test_seeded_determinism(env_id: str) -> None:
    app = type(make_environment(env_id)).apparatus
    controls = _controls(app, 4, seed=3)
    points = [_point(controls, i) for i in range(4)]

    def run(seed: int, noise: float) -> list[list[dict[str, tuple[float, ...]]]]:
        env = make_environment(env_id, noise=noise, seed=seed)
        return [env.experiment(points) for _ in range(2)]

    first = run(5, 0.01)
    assert first == run(5, 0.01), "same seed, same records"
    assert first[0] != run(6, 0.01)[0], "another seed, other noise"
    assert first[0] != first[1], "each call draws fresh noise"
    assert run(1, 0.0) == run(2, 0.0), "without noise the seed does not matter"


@pytest.mark.parametrize("env_id", IDS)
def test_one_call_simulates_fast(env_id: str) -> None:
    env = make_environment(env_id, budget=50)
    app = type(env).apparatus
    controls = _controls(app, 4, seed=1)
    points = [_point(controls, i) for i in range(4)]
    env.experiment(points)  # warm-up: builds the domain's laws
    best = math.inf
    for _ in range(5):
        start = time.thread_time()  # CPU time of this thread, not the load of the machine
        env.experiment(points)
        best = min(best, time.thread_time() - start)
    assert best < 0.05, f"{env_id}: {best * 1e3:.1f} ms for 4 runs x 64 points"


@pytest.mark.parametrize(("env_id", "shift"), CASES, ids=CASE_IDS)
def test_every_shift_is_finite_informative_and_inverts_exactly(env_id: str, shift: str) -> None:
    env = make_environment(env_id, shift=shift)
    app, truth = type(env).apparatus, env.ground_truth()
    law = type(env).domain.law(shift).function
    controls = _controls(app, RUNS, seed=11)
    records = app.simulate(law, controls, 64)
    for name, values in records.items():
        assert values.shape == (RUNS, 64) and np.all(np.isfinite(values)), name
    informative, seen = 0, {v.name: [] for v in app.law_inputs}
    for i in range(RUNS):
        columns, y = app.law_samples(_point(controls, i), _record(records, i))
        if y.size == 0:
            continue
        informative += 1
        assert set(columns) == set(seen)
        np.testing.assert_allclose(y, truth.evaluate(columns), rtol=1e-6)
        for name, column in columns.items():
            seen[name].extend(column.tolist())
    assert informative >= 0.7 * RUNS, f"{informative}/{RUNS} random runs informative"
    for var in app.law_inputs:
        values = np.asarray(seen[var.name])
        assert math.log10(values.max() / values.min()) >= 1, f"{var.name} hardly varies"
        assert var.low / 2 <= values.min() and values.max() <= 2 * var.high, var.name


@pytest.mark.parametrize(("env_id", "shift"), CASES, ids=CASE_IDS)
def test_checks_accept_the_truth_and_reject_a_wrong_law(env_id: str, shift: str) -> None:
    env = make_environment(env_id, shift=shift)
    app = type(env).apparatus
    law = type(env).domain.law(shift).function
    controls = _controls(app, 40, seed=4)
    records = app.simulate(law, controls, 64)
    first = app.law_inputs[0].name
    own, scaled, bent = [], [], []
    for i in range(40):
        point, record = _point(controls, i), _record(records, i)
        residuals = app.checks(law, point, record)
        if not residuals:
            continue
        own.append(min(residuals.values()))
        scaled.append(max(app.checks(_scaled(law, 1.2), point, record).values()))
        bent.append(max(app.checks(_bent(law, first), point, record).values()))
    assert len(own) >= 20, "most runs can be checked"
    assert np.median(own) < 1e-6, own
    assert np.median(scaled) > 1e-2 and np.median(bent) > 1e-2, (scaled, bent)


def _forbidden(env_id: str, shift: str) -> tuple[list[str], list[str]]:
    """What would leak the hidden law of ``shift``: (substrings, whole tokens)."""
    law = type(make_environment(env_id)).domain.law(shift)
    substrings, tokens = [law.formula.replace(" ", "")], [shift]
    for constant in law.constants:
        value = constant.value
        tokens += [number_text(value), repr(value), f"{value:g}", f"{value:.3g}"]
        mantissa = f"{value:.2e}".split("e")[0].rstrip("0").rstrip(".")
        if len(mantissa.replace(".", "").lstrip("0")) > 1:
            tokens.append(mantissa)
    for _, exponent in re.findall(r"(\w+|\))\*\*\s*([0-9.]+)", law.formula):
        substrings.append(f"**{exponent}")
        if float(exponent) != int(float(exponent)):
            tokens.append(exponent)
    return substrings, tokens


@pytest.mark.parametrize(("env_id", "shift"), CASES, ids=CASE_IDS)
def test_statement_hides_the_law(env_id: str, shift: str) -> None:
    env = make_environment(env_id, shift=shift, noise=0.01)
    text = json.dumps(env.spec.to_dict())
    substrings, tokens = _forbidden(env_id, shift)
    for form in substrings:
        assert form not in text.replace(" ", ""), f"{form!r} leaked"
    for form in tokens:
        pattern = rf"(?<![\w.]){re.escape(form)}(?![0-9A-Za-df-z_]|\.\d)"
        assert not re.search(pattern, text), f"{form!r} leaked"
    description = env.spec.description
    for var in (*env.spec.inputs, *env.spec.observables):
        assert var.name in description, f"{var.name} is not explained"


# -- the complex level really confounds the law ------------------------------------------


def _complex_case(domain: str) -> tuple[Apparatus, Law, dict[str, np.ndarray], dict]:
    env = make_environment(f"newton/{domain}-complex-v1")
    app = type(env).apparatus
    law = env.ground_truth().function
    controls = _controls(app, 100, seed=2)
    return app, law, controls, app.simulate(law, controls, 64)


def test_hooke_complex_needs_gravity_and_the_spring_mass() -> None:
    app, _, controls, records = _complex_case("hooke")
    naive_errors = []
    for i in range(100):
        point, record = _point(controls, i), _record(records, i)
        _, truth = app.law_samples(point, record)
        if truth.size == 0:
            continue
        t, h = record["t"][1:], record["h"][1:]
        flying = h > 0
        naive = point["m"] * (h[flying] / t[flying]) ** 2 / 2  # simple-level inversion
        naive_errors.append(np.median(np.abs(naive / truth - 1)))
        assert np.all(record["h"] >= 0)
        inner = np.nonzero(flying[:-2] & flying[1:-1] & flying[2:])[0]
        if inner.size:
            dt = record["t"][1] - record["t"][0]
            accel = (h[inner + 2] - 2 * h[inner + 1] + h[inner]) / dt**2
            np.testing.assert_allclose(accel, -GRAVITY, rtol=1e-4, atol=1e-6 * GRAVITY / dt)
    assert np.median(naive_errors) > 0.05, "ignoring the confounders must be visibly wrong"


def test_calorimetry_complex_leak_is_estimated_and_matters() -> None:
    app, law, controls, records = _complex_case("calorimetry")
    assert isinstance(app, LeakyBathCalorimeter)
    naive_errors = []
    for i in range(100):
        point, record = _point(controls, i), _record(records, i)
        lam = app.leak_rate(point, record)
        assert lam == pytest.approx(LEAK_CONDUCTANCE / point["Cb"], rel=1e-6)
        heat = float(law({"m": np.array([point["m"]]), "dT": np.array([point["dT"]])})[0])
        t, theta = record["t"][-1:], record["theta"][-1:]
        leakless = theta / app._response(point, t, np.asarray(0.0))  # link undone, leak not
        naive_errors.append(abs(float(leakless[0]) / heat - 1))
    assert np.median(naive_errors) > 0.05, "ignoring the leak must be visibly wrong"


@pytest.mark.parametrize("domain", ["coulomb", "ampere"])
def test_two_body_complex_needs_the_reduced_mass(domain: str) -> None:
    app, law, controls, records = _complex_case(domain)
    ratios = []
    for i in range(100):
        point, record = _point(controls, i), _record(records, i)
        columns, force = app.law_samples(point, record)
        if force.size == 0:
            continue
        moved = np.abs(record["x1"]).max() + np.abs(record["y1"]).max()
        assert moved > 0, "the first body is not fixed"
        names = [v.name for v in app.controls if v.name.startswith(("m", "lam"))]
        heavier = max(point[n] for n in names[:2])
        lighter = min(point[n] for n in names[:2])
        ratios.append(lighter / heavier)
        np.testing.assert_allclose(force, law(columns), rtol=1e-6)
    assert np.median(ratios) > 0.1, "the bodies' inertias are comparable in a random design"
