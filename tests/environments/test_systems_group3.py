"""System levels of the snell, malus and bose-einstein domains (simple and complex apparatus).

For each environment: seeded determinism, finite and informative records for every shift,
exact public inversion of the records into law samples, physics checks that accept the truth
and reject a wrong law, a task statement that hides the law, and a confounder that really
separates the complex level from the simple one.
"""

from __future__ import annotations

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

IDS = (
    "newton/snell-simple-v1",
    "newton/snell-complex-v1",
    "newton/malus-simple-v1",
    "newton/malus-complex-v1",
    "newton/bose-einstein-simple-v1",
    "newton/bose-einstein-complex-v1",
)
# The v2 and out-of-grammar shifts are covered by test_env_conformance.py (and test_ood.py).
CASES = [
    (env_id, shift)
    for env_id in IDS
    for shift in environment_class(env_id).domain.shifts
    if not shift.startswith(("v2-", "ood-"))
]
CASE_IDS = [f"{env_id}:{shift}" for env_id, shift in CASES]
RUNS = 300


def _controls(app: Apparatus, n: int, seed: int) -> dict[str, np.ndarray]:
    return sample_inputs(app.controls, n, np.random.default_rng(seed))


def _point(controls: Mapping[str, np.ndarray], i: int) -> dict[str, float]:
    return {k: float(v[i]) for k, v in controls.items()}


def _record(records: Mapping[str, np.ndarray], i: int) -> dict[str, np.ndarray]:
    return {k: np.asarray(v)[i] for k, v in records.items()}


def _scaled(law: Callable[..., np.ndarray], factor: float) -> Callable[..., np.ndarray]:
    return lambda columns: factor * np.asarray(law(columns), dtype=float)


@pytest.mark.parametrize("env_id", IDS)
def test_levels_and_registration(env_id: str) -> None:
    env = make_environment(env_id)
    app = type(env).apparatus
    assert app.level == (COMPLEX if "complex" in env_id else SIMPLE)
    assert env.spec.observables[0].name == "t" and env.spec.observables[0].unit == "s"
    vanilla = environment_class(env_id.replace("-simple", "").replace("-complex", ""))
    assert type(env).domain is vanilla.domain
    assert env.spec.law_inputs == vanilla().spec.inputs
    for var in (*app.controls, *app.observables):
        assert var.unit.strip() and var.description.strip(), var
    for var in app.controls:
        assert 0 < var.low < var.high
        span = math.log10(var.high / var.low)
        assert (1 <= span <= 4) if var.log_scale else var.high / var.low < 10, var


@pytest.mark.parametrize("env_id", IDS)
def test_seeded_determinism(env_id: str) -> None:
    spec = make_environment(env_id).spec
    controls = _controls(type(make_environment(env_id)).apparatus, 4, seed=3)
    points = [_point(controls, i) for i in range(4)]

    def run(seed: int, noise: float) -> list[list[dict[str, tuple[float, ...]]]]:
        env = make_environment(env_id, noise=noise, seed=seed)
        return [env.experiment(points) for _ in range(2)]

    first = run(5, 0.01)
    assert first == run(5, 0.01)
    assert first[0] != run(6, 0.01)[0]
    assert first[0] != first[1]
    assert run(5, 0.0) == run(6, 0.0)
    axis = spec.observables[0].name
    assert first[0][0][axis] == run(6, 0.0)[0][0][axis], "the sampling axis is never noised"


@pytest.mark.parametrize(("env_id", "shift"), CASES, ids=CASE_IDS)
def test_every_shift_is_finite_informative_and_inverted_exactly(env_id: str, shift: str) -> None:
    env = make_environment(env_id, shift=shift)
    app, truth = type(env).apparatus, env.ground_truth()
    controls = _controls(app, RUNS, seed=17)
    records = app.simulate(truth.function, controls, 64)
    for name, values in records.items():
        assert values.shape == (RUNS, 64), name
        assert np.all(np.isfinite(values)), f"{name} is not finite"
    informative, worst = 0, 0.0
    columns: dict[str, list[np.ndarray]] = {v.name: [] for v in app.law_inputs}
    for i in range(RUNS):
        cols, y = app.law_samples(_point(controls, i), _record(records, i))
        if y.size == 0:
            continue
        informative += 1
        worst = max(worst, float(np.max(np.abs(y / truth.evaluate(cols) - 1.0))))
        for name in columns:
            columns[name].append(cols[name])
    assert informative >= 0.7 * RUNS
    assert worst < 1e-6, f"inversion off by {worst:.3g}"
    for var in app.law_inputs:
        values = np.concatenate(columns[var.name])
        assert np.all((values >= 0.99 * var.low) & (values <= 1.01 * var.high)), var.name
        if var.log_scale:
            covered = np.log(values.max() / values.min()) / np.log(var.high / var.low)
        else:
            covered = (values.max() - values.min()) / (var.high - var.low)
        assert covered > 0.8, f"{var.name} covers {covered:.2f} of its range"


@pytest.mark.parametrize("env_id", IDS)
@pytest.mark.parametrize("points", [8, 64, 1000])
def test_inversion_through_experiments(env_id: str, points: int) -> None:
    for shift in ("canonical", "hard-2"):
        env = make_environment(env_id, shift=shift, points=points, max_batch=6)
        app, truth = type(env).apparatus, env.ground_truth()
        controls = _controls(app, 6, seed=points)
        batch = [_point(controls, i) for i in range(6)]
        for point, record in zip(batch, env.experiment(batch), strict=True):
            series = {k: np.asarray(v, dtype=float) for k, v in record.items()}
            assert all(v.shape == (points,) for v in series.values())
            cols, y = app.law_samples(point, series)
            assert y.size >= 0.6 * points
            np.testing.assert_allclose(y, truth.evaluate(cols), rtol=1e-6)


@pytest.mark.parametrize("env_id", IDS)
def test_checks_accept_the_truth_and_reject_a_wrong_law(env_id: str) -> None:
    for shift in sorted({shift for _, shift in CASES}):
        env = make_environment(env_id, shift=shift)
        app, truth = type(env).apparatus, env.ground_truth()
        controls = _controls(app, 8, seed=5)
        records = app.simulate(truth.function, controls, 64)
        for i in range(8):
            point, record = _point(controls, i), _record(records, i)
            good = app.checks(truth.function, point, record)
            assert good and max(good.values()) < 1e-8, (shift, good)
            wrong = app.checks(_scaled(truth.function, 1.1), point, record)
            assert set(wrong) == set(good)
            assert max(wrong.values()) > 1e-2, (shift, wrong)
            assert min(wrong.values()) > 1e-9, (shift, wrong)


@pytest.mark.parametrize("env_id", IDS)
def test_hostile_candidates_do_not_crash(env_id: str) -> None:
    app = environment_class(env_id).apparatus
    controls = _controls(app, 3, seed=2)
    laws = (
        lambda c: np.float64(1.0),
        lambda c: np.full(np.shape(next(iter(c.values()))), np.nan),
        lambda c: np.exp(1e5 * next(iter(c.values()))),
    )
    for law in laws:
        records = app.simulate(law, controls, 16)
        assert all(v.shape == (3, 16) for v in records.values())
        for i in range(3):
            point, record = _point(controls, i), _record(records, i)
            cols, y = app.law_samples(point, record)
            assert np.all(np.isfinite(y)) and all(c.shape == y.shape for c in cols.values())
            for value in app.checks(law, point, record).values():
                assert value >= 0 or math.isnan(value)


@pytest.mark.parametrize("env_id", IDS)
def test_simulation_is_fast(env_id: str) -> None:
    env = make_environment(env_id, shift="hard-3")
    app, law = type(env).apparatus, env.ground_truth().function
    controls = _controls(app, 4, seed=1)
    best = math.inf
    for _ in range(5):
        start = time.thread_time()  # CPU time of this thread, not the load of the machine
        app.simulate(law, controls, 64)
        best = min(best, time.thread_time() - start)
    assert best < 0.05


@pytest.mark.parametrize(("env_id", "shift"), CASES, ids=CASE_IDS)
def test_description_hides_the_law(env_id: str, shift: str) -> None:
    env = make_environment(env_id, shift=shift, noise=0.01)
    text = env.spec.description
    squeezed = text.replace(" ", "")
    formula = env.ground_truth().formula
    assert formula not in text and formula.replace(" ", "") not in squeezed
    assert "**" not in text
    for constant in type(env).domain.law(shift).constants:
        value = constant.value
        for form in {number_text(value), repr(value), f"{value:g}", f"{value:.3g}"}:
            assert not re.search(rf"(?<![\w.]){re.escape(form)}(?![\w.])", text), form
    for exponent in re.findall(r"\*\*\s*([0-9.]+)", formula):
        if float(exponent) != int(float(exponent)):
            assert not re.search(rf"(?<![\w.]){re.escape(exponent)}(?![\w.])", text), exponent
    assert shift not in text
    for name in ("sin", "cos", "asin"):
        assert f"{name}(" not in text, f"the law's {name} is named"


def _naive_error(env_id: str) -> float:
    """Relative error of reading a complex record as if it came from the simple apparatus."""
    simple, complex_ = (
        make_environment(env_id.replace("-complex", "-simple")),
        make_environment(env_id),
    )
    app, truth = type(complex_).apparatus, complex_.ground_truth()
    controls = _controls(app, 16, seed=9)
    records = app.simulate(truth.function, controls, 64)
    naive = type(simple).apparatus
    errors = []
    for i in range(16):
        record = _record(records, i)
        if "s" in record:  # the slow photodiode's lit reading read as the intensity
            lit = record["t"] >= 0
            record = {"t": record["t"][lit], "I": record["s"][lit]}
        if "U" in record:  # the mean energy read as an occupation count
            record = {"t": record["t"], "n": record["U"] / controls["E"][i]}
        if "x1" in record:  # the first screen read as the only one
            record = {"t": record["t"], "x": record["x1"]}
        point = {k: v for k, v in _point(controls, i).items() if k != "tau"}
        cols, y = naive.law_samples(point, record)
        errors.append(float(np.median(np.abs(y / truth.evaluate(cols) - 1.0))))
    return float(np.median(errors))


@pytest.mark.parametrize("env_id", [i for i in IDS if "complex" in i])
def test_complex_confounder_defeats_the_simple_reading(env_id: str) -> None:
    assert _naive_error(env_id) > 0.01
