"""Physics residuals: exact on consistent records, large on inconsistent ones, never raising."""

from __future__ import annotations

import math

import numpy as np
import pytest

from discolab.verifiers import physics


def _free_fall(points: int = 50, dt: float = 0.1, g: float = 9.81) -> tuple[np.ndarray, np.ndarray]:
    t = dt * np.arange(points)
    return t, -0.5 * g * t**2


def test_second_difference_is_the_constant_acceleration() -> None:
    t, x = _free_fall()
    np.testing.assert_allclose(physics.second_difference(x, 0.1), -9.81, rtol=1e-9)
    np.testing.assert_allclose(physics.central_velocity(x, 0.1), -9.81 * t[1:-1], rtol=1e-9)


def test_newton_residual_separates_the_law_from_a_wrong_one() -> None:
    t, x = _free_fall()
    assert physics.newton_residual(t, x, np.full_like(x, -9.81)) < 1e-9
    assert physics.newton_residual(t, x, np.full_like(x, -9.0)) > 0.05
    assert physics.newton_residual(t, x, np.full_like(x, np.nan)) == math.inf


def test_work_energy_residual_of_a_falling_body() -> None:
    t, x = _free_fall()
    mass = 2.0
    assert physics.work_energy_residual(t, x, mass, np.full_like(x, -9.81 * mass)) < 1e-9
    assert physics.work_energy_residual(t, x, mass, np.full_like(x, -5.0 * mass)) > 0.1


def test_momentum_residual_of_an_isolated_pair() -> None:
    v1 = np.stack([np.linspace(0, 1, 20), np.zeros(20)], axis=1)
    v2 = -0.5 * v1 + np.array([0.0, 3.0])
    assert physics.momentum_residual([1.0, 2.0], [v1, v2]) < 1e-12
    assert physics.momentum_residual([1.0, 1.0], [v1, v2]) > 0.01


def test_trajectory_error_is_relative_and_inf_for_a_broken_simulation() -> None:
    observed = {"t": np.arange(5.0), "x": np.array([1.0, 2.0, 3.0, 4.0, 5.0])}
    assert physics.trajectory_error(observed, dict(observed)) == 0.0
    shifted = {"t": observed["t"], "x": observed["x"] * 1.1}
    assert physics.trajectory_error(observed, shifted) == pytest.approx(0.1, rel=1e-9)
    broken = {"t": observed["t"], "x": np.array([1.0, np.inf, 3.0, 4.0, 5.0])}
    assert physics.trajectory_error(observed, broken) == math.inf
