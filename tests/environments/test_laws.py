"""The hidden laws have the documented structure; Law and Domain helpers behave."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pytest

from discolab.environments.base import GroundTruth, sample_inputs
from discolab.environments.catalog import describe_environments, make_environment
from discolab.environments.physics.laws import Domain, number_text, scaled_law
from discolab.errors import ConfigError
from discolab.types import Variable

Shape = Callable[[Mapping[str, np.ndarray]], np.ndarray]

# The structure of every law (up to its hidden constant), as documented in the class
# docstrings and the README. A new shift must be added here.
SHAPES: dict[tuple[str, str], Shape] = {
    ("newton/gravity-v1", "canonical"): lambda c: c["m1"] * c["m2"] / c["r"] ** 2,
    ("newton/gravity-v1", "s1"): lambda c: c["m1"] * c["m2"] / c["r"] ** 1.5,
    ("newton/gravity-v1", "s2"): lambda c: (c["m1"] + c["m2"]) ** 2 / c["r"] ** 1.5,
    ("newton/gravity-v1", "s3"): lambda c: c["m1"] ** 1.3 * c["m2"] / c["r"] ** 2,
    ("newton/gravity-v1", "s4"): lambda c: c["m1"] * c["m2"] ** 2 / c["r"] ** 2.5,
    ("newton/coulomb-v1", "canonical"): lambda c: c["q1"] * c["q2"] / c["r"] ** 2,
    ("newton/coulomb-v1", "s1"): lambda c: c["q1"] * c["q2"] / c["r"] ** 3,
    ("newton/coulomb-v1", "s2"): lambda c: c["q1"] ** 2 * c["q2"] / c["r"] ** 2,
    ("newton/coulomb-v1", "s3"): lambda c: (c["q1"] * c["q2"]) ** 1.5 / c["r"] ** 2,
    ("newton/fourier-v1", "canonical"): lambda c: c["A"] * c["dT"] / c["d"],
    ("newton/fourier-v1", "s1"): lambda c: c["A"] * c["dT"] / c["d"] ** 2,
    ("newton/fourier-v1", "s2"): lambda c: c["A"] * c["dT"] ** 1.5 / c["d"],
    ("newton/fourier-v1", "s3"): lambda c: c["A"] ** 2 * c["dT"] / c["d"],
}
CONSTANTS = {
    "newton/gravity-v1": 6.674e-11,
    "newton/coulomb-v1": 8.9875517923e9,
    "newton/fourier-v1": 237.0,
}


@pytest.mark.parametrize(("env_id", "shift"), sorted(SHAPES))
def test_law_has_the_documented_structure(env_id: str, shift: str) -> None:
    env = make_environment(env_id, shift=shift)
    truth = env.ground_truth()
    columns = sample_inputs(truth.inputs, 300, np.random.default_rng(0))
    ratio = truth.evaluate(columns) / SHAPES[env_id, shift](columns)
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-12)
    if shift == "canonical":
        assert ratio[0] == pytest.approx(CONSTANTS[env_id], rel=1e-12)
    else:
        assert ratio[0] != pytest.approx(CONSTANTS[env_id], rel=1e-2), "shifted constant"


def test_every_hand_written_shift_is_documented_here() -> None:
    generated = ("easy-", "medium-", "hard-", "v2-", "ood-")
    listed = {
        (i.id, s)
        for i in describe_environments()
        if i.id in CONSTANTS
        for s in i.shifts
        if not s.startswith(generated)
    }
    assert listed == set(SHAPES)


@pytest.mark.parametrize("value", [6.674e-11, 8.9875517923e9, 237.0, 5.62e8, 3.3e15, 0.1, 1e-300])
def test_number_text_is_short_and_exact(value: float) -> None:
    text = number_text(value)
    assert float(text) == value and len(text) <= 16
    assert "+" not in text


def test_scaled_law_and_domain_checks() -> None:
    law = scaled_law("canonical", "x**2", lambda c: c["x"] ** 2, 3.0, "1")
    assert law.formula == "3.0 * x**2"
    assert law.function({"x": np.array([2.0])})[0] == 12.0
    with pytest.raises(ValueError, match="plain arithmetic"):
        scaled_law("s1", "__import__('os')", lambda c: c["x"], 1.0, "1")
    x = (Variable("x", "m", 1.0, 10.0),)
    y = Variable("y", "m", 0.0, np.inf)
    other = scaled_law("s1", "x", lambda c: c["x"], 2.0, "1")
    with pytest.raises(ValueError, match="canonical law first"):
        Domain("t", "m", x, y, (other, law))
    with pytest.raises(ValueError, match="unique"):
        Domain("t", "m", x, y, (law, other, other))
    domain = Domain("t", "m", x, y, (law, other))
    assert domain.shifts == ("canonical", "s1")
    with pytest.raises(ConfigError, match="did you mean 's1'"):
        domain.law("S1")


def test_ground_truth_counts_the_hidden_constants() -> None:
    """The judge caps free parameters from ``GroundTruth.constants``: every level fills it."""
    for env_id in ("newton/gravity-v1", "newton/gravity-simple-v1", "newton/gravity-complex-v1"):
        assert make_environment(env_id).ground_truth().constants == 1
        law = type(make_environment(env_id)).domain.law("hard-1")
        truth = make_environment(env_id, shift="hard-1").ground_truth()
        assert truth.constants == len(law.constants) >= 1
    legacy = scaled_law("canonical", "x**2", lambda c: c["x"] ** 2, 3.0, "1")
    assert legacy.constant_count == 1
    assert GroundTruth("x", lambda c: c["x"], ()).constants == 0
