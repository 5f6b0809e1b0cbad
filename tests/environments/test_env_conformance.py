"""One conformance suite over every registered environment and every shift (check_env style).

Each case builds the environment through ``make_environment`` exactly as a campaign does and
checks the contract of ``environments/base.py``: seeding, budget, input validation, output
sanity, secrecy of the hidden law, agreement of the ground truth, resumption and noise.
"""

from __future__ import annotations

import itertools
import json
import keyword
import math
import re

import numpy as np
import pytest

from discolab.environments.base import Environment, sample_inputs
from discolab.environments.catalog import describe_environments, make_environment
from discolab.environments.physics.laws import number_text
from discolab.environments.physics.tree import solve_units
from discolab.environments.physics.units import parse_unit, same_unit
from discolab.errors import BudgetExhausted, ExperimentError
from discolab.types import TaskSpec
from discolab.verifiers.expressions import parse_expression

SAMPLED_FAMILIES = ("v2-", "ood-")
"""Shift families checked here through one representative each (``v2-hard-1``, ``ood-1``):
newton-v2 and the held-out laws have their own tests (tests/environments/test_newton_v2.py,
test_ood.py) and every one of their laws is judged in tests/verifiers/test_judge_truths.py;
running the whole conformance suite over each would multiply CI time for no new contract."""


def _conformance_shift(shift: str) -> bool:
    family = next((f for f in SAMPLED_FAMILIES if shift.startswith(f)), None)
    return family is None or shift in ("v2-hard-1", "ood-1")


CASES = [
    (info.id, shift)
    for info in describe_environments()
    for shift in info.shifts
    if _conformance_shift(shift)
]
IDS = [f"{env_id}:{shift}" for env_id, shift in CASES]
SYSTEM_IDS = {i.id for i in describe_environments() if make_environment(i.id).spec.is_system}
VANILLA = [c for c in CASES if c[0] not in SYSTEM_IDS]
SYSTEMS = [c for c in CASES if c[0] in SYSTEM_IDS]


def _points(spec: TaskSpec, n: int, seed: int) -> list[dict[str, float]]:
    columns = sample_inputs(spec.inputs, n, np.random.default_rng(seed))
    return [{name: float(columns[name][i]) for name in spec.input_names} for i in range(n)]


def _corners(spec: TaskSpec) -> list[dict[str, float]]:
    bounds = [(v.low, v.high) for v in spec.inputs]
    return [dict(zip(spec.input_names, c, strict=True)) for c in itertools.product(*bounds)]


def _columns(spec: TaskSpec, points: list[dict[str, float]]) -> dict[str, np.ndarray]:
    return {n: np.array([p[n] for p in points]) for n in spec.input_names}


def _token(text: str) -> re.Pattern[str]:
    """``text`` as a whole number or word, not part of a longer one (``8.99`` in ``8.99e9``)."""
    return re.compile(rf"(?<![\w.]){re.escape(text)}(?![0-9A-Za-df-z_]|\.\d)")


@pytest.fixture(params=CASES, ids=IDS)
def case(request: pytest.FixtureRequest) -> tuple[str, str]:
    return request.param


@pytest.fixture(params=VANILLA, ids=[f"{e}:{s}" for e, s in VANILLA])
def vanilla(request: pytest.FixtureRequest) -> tuple[str, str]:
    return request.param


@pytest.fixture(params=SYSTEMS, ids=[f"{e}:{s}" for e, s in SYSTEMS])
def system(request: pytest.FixtureRequest) -> tuple[str, str]:
    return request.param


def _bounded_input(spec: TaskSpec) -> int:
    """Index of the first input whose range excludes 0 (so 0 and -low are out of range)."""
    return next(i for i, v in enumerate(spec.inputs) if v.low > 0)


def test_spec_declares_the_task(case: tuple[str, str]) -> None:
    env_id, shift = case
    env = make_environment(env_id, shift=shift, noise=0.02, budget=7, max_batch=13)
    spec = env.spec
    assert isinstance(env, Environment)
    assert env.reset(seed=1) == spec
    assert spec.task_id == env_id
    assert (spec.budget, spec.max_batch, spec.noise) == (7, 13, 0.02)
    assert (env.budget, env.max_batch, env.noise) == (7, 13, 0.02)
    assert len(set(spec.input_names)) == len(spec.inputs) >= 1
    for var in (*spec.inputs, spec.output, *spec.law_inputs, *spec.observables):
        assert var.name.isidentifier() and not keyword.iskeyword(var.name), var
        assert var.unit.strip() and var.description.strip(), var
    law_variables = spec.law_inputs if spec.is_system else spec.inputs
    for var in law_variables:
        assert 0 < var.low < var.high, var
        if var.log_scale:
            assert 1 <= math.log10(var.high / var.low) <= 4, f"{var.name} spans 1-4 decades"
        else:
            assert var.high / var.low < 10, f"{var.name} is linear: less than a decade"
    for var in (*spec.inputs, *law_variables):
        assert not re.fullmatch(r"C\d*|pi", var.name), "input names must not shadow parameters"
    if spec.is_system:
        assert len({v.name for v in spec.observables}) == len(spec.observables) >= 2
        assert spec.points > 0 and spec.formula_inputs == spec.law_inputs
        for var in spec.inputs:
            assert 0 <= var.low < var.high and math.isfinite(var.high), var
            if var.log_scale:
                assert var.low > 0, f"{var.name} is log-scaled, so its range must be positive"
    assert spec.output.name not in spec.formula_names
    json.dumps(spec.to_dict())


def test_seeded_determinism(case: tuple[str, str]) -> None:
    env_id, shift = case
    spec = make_environment(env_id, shift=shift).spec
    points = _points(spec, 20, seed=11)

    def run(seed: int, noise: float) -> list[list[float]]:
        env = make_environment(env_id, shift=shift, noise=noise, seed=seed, max_batch=20)
        return [env.experiment(points) for _ in range(3)]

    first = run(5, 0.05)
    assert first == run(5, 0.05), "same seed, same measurements"
    assert first[0] != run(6, 0.05)[0], "another seed, other noise"
    assert first[0] != first[1], "each call draws fresh noise"
    exact = run(5, 0.0)
    assert exact == run(6, 0.0), "without noise the seed does not matter"
    assert exact[0] == exact[1] == exact[2]
    env = make_environment(env_id, shift=shift, noise=0.05, max_batch=20)
    env.reset(seed=5)
    assert env.experiment(points) == first[0], "make_environment(seed=) is reset(seed=)"


def test_ground_truth_is_the_noise_free_experiment(vanilla: tuple[str, str]) -> None:
    env_id, shift = vanilla
    env = make_environment(env_id, shift=shift, noise=0.0)
    truth = env.ground_truth()
    spec = env.spec
    assert truth.inputs == spec.inputs
    points = _points(spec, 20, seed=3)
    measured = np.array(env.experiment(points))
    expected = truth.evaluate(_columns(spec, points))
    np.testing.assert_allclose(measured, expected, rtol=1e-13, atol=0)

    parsed = parse_expression(truth.formula, spec.input_names)
    assert parsed.parameters == (), "the formula carries its constant as a number"
    columns = sample_inputs(spec.inputs, 500, np.random.default_rng(4))
    for point in _corners(spec):
        for name, value in point.items():
            columns[name] = np.append(columns[name], value)
    np.testing.assert_allclose(parsed.evaluate(columns), truth.evaluate(columns), rtol=1e-12)


def test_budget_is_enforced(case: tuple[str, str]) -> None:
    env_id, shift = case
    env = make_environment(env_id, shift=shift, budget=3)
    spec = env.spec
    good = _points(spec, 2, seed=0)
    bad = [{**good[0], spec.input_names[0]: spec.inputs[0].high * 10 + 1}]
    with pytest.raises(ExperimentError):
        env.experiment(bad)
    assert (env.calls_used, env.calls_left) == (0, 3), "a refused call is not counted"
    for k in range(3):
        env.experiment(good)
        assert (env.calls_used, env.calls_left) == (k + 1, 2 - k)
    for batch in (good, bad):
        with pytest.raises(BudgetExhausted, match="budget of 3 calls"):
            env.experiment(batch)
    assert env.calls_used == 3
    env.reset(seed=0)
    assert (env.calls_used, env.calls_left) == (0, 3), "reset gives the budget back"


def _bad_requests(spec: TaskSpec, max_batch: int) -> list[tuple[object, str]]:
    """(batch, text the error must contain) for malformed experiment requests."""
    ok = _points(spec, 1, seed=0)[0]
    index = _bounded_input(spec)
    first, var = spec.input_names[index], spec.inputs[index]
    return [
        ([{**ok, first: var.high * 1.001}], repr(var.high * 1.001)),
        ([{**ok, first: var.low * 0.999}], repr(var.low * 0.999)),
        ([{**ok, first: -var.low}], repr(-var.low)),
        ([{**ok, first: 0.0}], "0.0"),
        ([{**ok, first: math.nan}], "nan"),
        ([{**ok, first: math.inf}], "inf"),
        ([{**ok, first: True}], "True"),
        ([{**ok, first: "1e3"}], "'1e3'"),
        ([{**ok, first: None}], "None"),
        ([{k: v for k, v in ok.items() if k != first}], first),
        ([{**ok, "zz_extra": 1.0}], "zz_extra"),
        ([ok] * (max_batch + 1), str(max_batch + 1)),
        ([], "non-empty"),
        (ok, "list"),
        ([ok, [1.0, 2.0]], "point 1"),
        ("abc", "point 0"),
    ]


def test_bad_inputs_are_refused_with_a_clear_message(case: tuple[str, str]) -> None:
    env_id, shift = case
    env = make_environment(env_id, shift=shift, max_batch=5)
    for batch, needle in _bad_requests(env.spec, 5):
        with pytest.raises(ExperimentError) as info:
            env.experiment(batch)  # type: ignore[arg-type]
        assert needle in str(info.value), (batch, str(info.value))
    assert env.calls_used == 0
    edges = [{v.name: (v.low if i % 2 else v.high) for v in env.spec.inputs} for i in range(2)]
    assert len(env.experiment(edges)) == 2, "the range bounds themselves are allowed"
    numpy_point = {n: np.float32(x) for n, x in _points(env.spec, 1, seed=1)[0].items()}
    clipped = {v.name: min(max(float(numpy_point[v.name]), v.low), v.high) for v in env.spec.inputs}
    assert len(env.experiment([clipped])) == 1


def test_outputs_are_finite_and_positive(vanilla: tuple[str, str]) -> None:
    env_id, shift = vanilla
    spec = make_environment(env_id, shift=shift).spec
    points = _corners(spec) + _points(spec, 2000, seed=2)
    for noise in (0.0, 0.05):
        env = make_environment(env_id, shift=shift, noise=noise, max_batch=len(points))
        out = np.array(env.experiment(points))
        assert out.shape == (len(points),)
        assert np.all(np.isfinite(out)) and np.all(out > 0), (noise, out.min(), out.max())
        assert np.all((spec.output.low <= out) & (out <= spec.output.high))
    clean = make_environment(env_id, shift=shift).ground_truth().evaluate(_columns(spec, points))
    logs = np.log10(clean)
    assert logs.min() > -15 and logs.max() < 30, "outputs of a sensible size"
    assert logs.max() - logs.min() >= 1, "outputs vary over the domain"


def test_hidden_truth_is_not_visible_to_the_agent(case: tuple[str, str]) -> None:
    env_id, shift = case
    env = make_environment(env_id, shift=shift, noise=0.01)
    truth = env.ground_truth()
    visible = [json.dumps(env.spec.to_dict())]
    for batch, _ in _bad_requests(env.spec, env.max_batch):
        with pytest.raises(ExperimentError) as info:
            env.experiment(batch)  # type: ignore[arg-type]
        visible.append(str(info.value))
    text = "\n".join(visible)

    formula = truth.formula
    squeezed = text.replace(" ", "")
    assert formula not in text and formula.replace(" ", "") not in squeezed
    law = type(env).domain.law(shift)
    for constant in law.constants:
        value = constant.value
        mantissa = number_text(value).split("e")[0].removesuffix(".0")
        rounded = {f"{value:.3g}", f"{value:.2e}".split("e")[0]}  # 8.99e+09, 8.99, 237
        forms = {number_text(value), repr(value), f"{value:g}", f"{value:e}", *rounded}
        if len(mantissa.replace(".", "").lstrip("0")) > 1:
            forms.add(mantissa)
        for form in forms:
            assert not _token(form).search(text), f"constant {form!r} leaked"
    for base, exponent in re.findall(r"(\w+|\))\*\*\s*([0-9.]+)", formula):
        assert f"**{exponent}" not in squeezed, exponent
        assert f"{base}^{exponent}" not in squeezed, f"{base}^{exponent}"
        if float(exponent) != int(float(exponent)):
            assert not _token(exponent).search(text), f"exponent {exponent} leaked"
    assert not _token(shift).search(text), f"shift name {shift!r} leaked"


def test_restore_resumes_with_the_same_noise(case: tuple[str, str]) -> None:
    env_id, shift = case
    spec = make_environment(env_id, shift=shift).spec
    batches = [_points(spec, 4, seed=k) for k in range(4)]
    straight = make_environment(env_id, shift=shift, noise=0.1, budget=4, seed=9)
    uninterrupted = [straight.experiment(b) for b in batches]

    resumed = make_environment(env_id, shift=shift, noise=0.1, budget=4, seed=9)
    resumed.restore(2)
    assert (resumed.calls_used, resumed.calls_left) == (2, 2)
    assert [resumed.experiment(b) for b in batches[2:]] == uninterrupted[2:]
    with pytest.raises(BudgetExhausted):
        resumed.experiment(batches[0])
    for bad in (-1, 5):
        with pytest.raises(ExperimentError, match=str(bad)):
            resumed.restore(bad)


def test_noise_has_the_declared_relative_level(vanilla: tuple[str, str]) -> None:
    env_id, shift = vanilla
    n, noise = 4000, 0.05
    env = make_environment(env_id, shift=shift, noise=noise, max_batch=n, seed=21)
    points = _points(env.spec, n, seed=22)
    measured = np.array(env.experiment(points))
    relative = measured / env.ground_truth().evaluate(_columns(env.spec, points)) - 1.0
    assert abs(relative.mean()) < 4 * noise / math.sqrt(n)
    assert relative.std() == pytest.approx(noise, rel=0.06)


def test_units_are_consistent(case: tuple[str, str]) -> None:
    env_id, shift = case
    env = make_environment(env_id, shift=shift)
    law = type(env).domain.law(shift)
    spec = env.spec
    assert law.tree is not None, "every law has an expression tree"
    inputs = {v.name: parse_unit(v.unit) for v in spec.formula_inputs}
    units = solve_units(law.tree, inputs, parse_unit(spec.output.unit))
    assert units is not None, f"{law.formula} cannot be made dimensionally consistent"
    assert set(units) == {c.name for c in law.constants}
    for constant in law.constants:
        assert same_unit(parse_unit(constant.unit), units[constant.name]), constant


# -- system levels (a law inside an apparatus) ---------------------------------------------


def _records(env: Environment, points: list[dict[str, float]]) -> list[dict[str, np.ndarray]]:
    return [{k: np.asarray(v) for k, v in r.items()} for r in env.experiment(points)]


def test_system_records_are_finite_series(system: tuple[str, str]) -> None:
    env_id, shift = system
    spec = make_environment(env_id, shift=shift).spec
    points = _corners(spec) + _points(spec, 300, seed=2)
    env = make_environment(env_id, shift=shift, max_batch=len(points))
    names = [v.name for v in spec.observables]
    for record in _records(env, points):
        assert list(record) == names
        for name, values in record.items():
            assert values.shape == (spec.points,), name
            assert np.all(np.isfinite(values)), (name, record)
        axis = record[names[0]]
        assert np.all(np.diff(axis) > 0), "the sampling axis increases"


def test_system_records_invert_to_the_hidden_law(system: tuple[str, str]) -> None:
    """The apparatus' public inversion recovers the law from noise-free records, and a
    random design is mostly informative (what a Latin-hypercube agent would get)."""
    env_id, shift = system
    env = make_environment(env_id, shift=shift, max_batch=200)
    spec, truth = env.spec, env.ground_truth()
    apparatus = type(env).apparatus
    points = _points(spec, 200, seed=5)
    informative = 0
    for point, record in zip(points, _records(env, points), strict=True):
        columns, y = apparatus.law_samples(point, record)
        if y.size == 0:
            continue
        informative += 1
        assert set(columns) == set(spec.formula_names)
        np.testing.assert_allclose(y, truth.evaluate(columns), rtol=1e-5)
    assert informative >= 0.6 * len(points), f"only {informative}/200 random runs informative"


def test_system_checks_tell_the_law_from_a_wrong_one(system: tuple[str, str]) -> None:
    env_id, shift = system
    env = make_environment(env_id, shift=shift, max_batch=20)
    truth = env.ground_truth()
    apparatus = type(env).apparatus
    points = _points(env.spec, 20, seed=8)

    def wrong(columns: dict[str, np.ndarray]) -> np.ndarray:
        first = columns[env.spec.formula_names[0]]
        return truth.evaluate(columns) * (1.0 + 0.3 * np.log1p(first / first.mean()))

    own_worst, other_worst = [], []
    for point, record in zip(points, _records(env, points), strict=True):
        own = apparatus.checks(truth.function, point, record)
        if not own:
            continue  # a run too short to check (stopped at once)
        other = apparatus.checks(wrong, point, record)
        own_worst.append(max(own.values()))
        other_worst.append(max(other.values()))
    assert len(own_worst) >= len(points) // 2, "most runs can be checked"
    assert np.median(own_worst) < 1e-3, own_worst
    assert np.median(other_worst) > max(1e-2, 10 * np.median(own_worst)), other_worst


def test_system_noise_spares_the_axis_and_has_the_declared_level(system: tuple[str, str]) -> None:
    env_id, shift = system
    clean_env = make_environment(env_id, shift=shift, max_batch=50)
    noisy_env = make_environment(env_id, shift=shift, max_batch=50, noise=0.05, seed=3)
    points = _points(clean_env.spec, 50, seed=9)
    axis = clean_env.spec.observables[0].name
    relative = []
    for clean, noisy in zip(_records(clean_env, points), _records(noisy_env, points), strict=True):
        np.testing.assert_array_equal(clean[axis], noisy[axis])
        for name in clean:
            if name == axis:
                continue
            peak = np.max(np.abs(clean[name]))
            big = np.abs(clean[name]) > 1e-3 * peak
            relative.extend((noisy[name][big] / clean[name][big] - 1.0).tolist())
    assert np.std(relative) == pytest.approx(0.05, rel=0.1)
