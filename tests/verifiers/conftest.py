"""Shared fixtures for verifier tests: a hand-built gravity-like task with a known law."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pytest

from discolab.environments.base import GroundTruth, sample_inputs
from discolab.types import Experiment, TaskSpec, Variable

G = 6.674e-11
INPUTS = (
    Variable("m1", "kg", 1e-2, 1e3),
    Variable("m2", "kg", 1e-2, 1e3),
    Variable("r", "m", 1e-1, 1e2),
)
NAMES = ("m1", "m2", "r")


def make_truth(exponent: float = 1.5, constant: float = G) -> GroundTruth:
    """A hidden law ``constant * m1 * m2 / r**exponent`` over log-uniform ranges."""

    def law(columns: Mapping[str, np.ndarray]) -> np.ndarray:
        return constant * columns["m1"] * columns["m2"] / columns["r"] ** exponent

    return GroundTruth(f"{constant!r}*m1*m2/r**{exponent}", law, INPUTS)


def make_experiments(
    law: Callable[[Mapping[str, np.ndarray]], np.ndarray],
    *,
    calls: int = 5,
    batch: int = 20,
    noise: float = 0.01,
    seed: int = 1,
    inputs: tuple[Variable, ...] = INPUTS,
) -> list[Experiment]:
    """Noisy measurements of ``law`` as an agent would have collected them."""
    rng = np.random.default_rng(seed)
    experiments = []
    for k in range(calls):
        cols = sample_inputs(inputs, batch, rng)
        y = law(cols) * (1.0 + noise * rng.standard_normal(batch))
        points = tuple({n: float(cols[n][i]) for n in cols} for i in range(batch))
        experiments.append(Experiment(k, points, tuple(float(v) for v in y)))
    return experiments


@pytest.fixture
def spec() -> TaskSpec:
    return TaskSpec(
        task_id="test/gravity-v1",
        title="gravity-like test law",
        description="force between two masses",
        inputs=INPUTS,
        output=Variable("F", "N", 0.0, 1e9),
        budget=10,
        max_batch=20,
        noise=0.01,
    )


@pytest.fixture
def truth() -> GroundTruth:
    return make_truth()


@pytest.fixture
def columns() -> dict[str, np.ndarray]:
    return sample_inputs(INPUTS, 200, np.random.default_rng(0))
