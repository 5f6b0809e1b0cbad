"""The search never raises on finite data: root causes fixed, and a safety net per stage."""

from __future__ import annotations

import logging
import math
from dataclasses import replace

import numpy as np
import pytest

from discolab.agents.proposers.base import ProposalContext
from discolab.agents.proposers.builtin import BuiltinLawProposer
from discolab.agents.search import GPConfig, SearchConfig, search_laws
from discolab.agents.search import engine as engine_module
from discolab.agents.search.data import make_dataset
from discolab.agents.search.expr import num
from discolab.agents.search.terms import fit_two_terms
from discolab.types import Experiment, TaskSpec, Variable

SMALL_GP = SearchConfig(gp=GPConfig(population=20, generations=2))


def test_a_constant_anchor_joins_the_two_term_fit() -> None:
    # A power law whose exponents all snap to 0 is the constant shape 1: it used to reach
    # np.column_stack as a scalar and raise "all the input array dimensions ... must match".
    x = np.random.default_rng(0).uniform(1.0, 2.0, 30)
    data = make_dataset({"x": x}, 2.0 + 1e-3 * x, ["x"])
    assert data is not None
    solutions = fit_two_terms(data, anchors=[num(1.0)])
    assert solutions and solutions[0].loss < 1e-9
    assert solutions[0].source == "C*(1 + C1*x)"


def test_an_offset_under_a_square_root_is_found_not_crashed_on() -> None:
    # The transform stage fits y**2 = 5 + 0.01*x, whose leading power law is the constant.
    rng = np.random.default_rng(1)
    x, z = rng.uniform(1.0, 90.0, 200), rng.uniform(1.0, 3.0, 200)
    y = np.sqrt(5.0 + 0.01 * x)
    # The factor stage states this law as C*(x + C1)**0.5 before transforms run; off here.
    config = SearchConfig(use_factors=False)
    result = search_laws({"x": x, "z": z}, y, ["x", "z"], np.random.default_rng(0), config=config)
    assert result.best is not None and result.best.loss < 1e-8
    assert result.best.source == "sqrt(C*(1 + C1*x))"


def test_a_failing_stage_is_logged_and_skipped(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> list[object]:
        raise ValueError("stage exploded")

    monkeypatch.setattr(engine_module, "fit_transformed", broken)
    x = np.random.default_rng(2).uniform(1.0, 10.0, 50)
    with caplog.at_level(logging.WARNING):
        config = replace(SMALL_GP, use_factors=False)  # it would fit 1 + x before transforms
        result = search_laws({"x": x}, 1.0 + x, ["x"], np.random.default_rng(0), config=config)
    assert result.best is not None
    assert "search stage transforms failed" in caplog.text


def test_a_failing_factor_stage_is_logged_and_skipped(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> list[object]:
        raise ValueError("stage exploded")

    monkeypatch.setattr(engine_module, "fit_factors", broken)
    x = np.random.default_rng(2).uniform(1.0, 10.0, 50)
    with caplog.at_level(logging.WARNING):
        result = search_laws({"x": x}, 1.0 + x, ["x"], np.random.default_rng(0), config=SMALL_GP)
    assert result.best is not None
    assert "search stage factor failed" in caplog.text


SPEC = TaskSpec(
    task_id="test/robust-v1",
    title="robustness",
    description="any finite data",
    inputs=(Variable("a", "m", 0.1, 10.0), Variable("b", "m", 0.1, 10.0)),
    output=Variable("y", "1", -math.inf, math.inf, log_scale=False),
    budget=10,
    max_batch=20,
)


def _context(outputs: np.ndarray, inputs: np.ndarray) -> ProposalContext:
    points = tuple({"a": float(p[0]), "b": float(p[1])} for p in inputs)
    experiments = (Experiment(0, points, tuple(float(v) for v in outputs)),)
    return ProposalContext(spec=SPEC, experiments=experiments, round=0, seed=0)


def test_the_proposer_survives_a_search_error(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("search exploded")

    import discolab.agents.proposers.builtin as builtin_module

    monkeypatch.setattr(builtin_module, "search_laws", broken)
    inputs = np.random.default_rng(3).uniform(0.1, 10.0, (20, 2))
    with caplog.at_level(logging.ERROR):
        assert BuiltinLawProposer().propose(_context(inputs[:, 0], inputs)) == []
    assert "search failed" in caplog.text


@pytest.mark.parametrize("seed", range(12))
def test_random_finite_data_never_raise(seed: int) -> None:
    """Odd but finite data: repeated points, zeros, huge and tiny magnitudes, mixed signs."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 60))
    inputs = rng.choice([0.0, 1.0, 1e-300, 1e300, -2.0, 3.5], size=(n, 2)) * rng.random((n, 2))
    if seed % 3 == 0:
        inputs = np.repeat(inputs[:1], n, axis=0)
    outputs = rng.choice([0.0, 1.0, -1.0, 1e-200, 1e200], size=n) * rng.random(n)
    if seed % 4 == 1:
        outputs = np.abs(inputs[:, 0]) ** 0.5 + 1e-3 * inputs[:, 1]
    proposer = BuiltinLawProposer(generations=2, population=20)
    candidates = proposer.propose(_context(outputs, inputs))
    for c in candidates:
        assert math.isfinite(c.metadata["loss"])


def test_sign_changes_no_input_carries_still_give_a_front() -> None:
    # Every output is non-zero, but an oscillation flips their sign: no log-space shape can
    # carry that pattern, so the search refits on the linear loss rather than return nothing.
    rng = np.random.default_rng(4)
    amplitude, t = rng.uniform(1.0, 10.0, 120), rng.uniform(0.0, 10.0, 120)
    y = amplitude * np.exp(-0.2 * t) * np.cos(3.0 * t)
    result = search_laws(
        {"A": amplitude, "t": t}, y, ["A", "t"], np.random.default_rng(0), config=SMALL_GP
    )
    assert result.front and result.best is not None
    assert all(math.isfinite(s.loss) for s in result.front)
