"""Damped oscillations: one released oscillator (simple) and two coupled ones (complex).

The law gives the angular frequency ``omega(k, m, b)`` of a damped mass on a spring; the
damping rate ``b / (2 m)`` is public physics. A mode of frequency ``omega`` and damping rate
``g`` released from ``q0`` at rest moves exactly as

    q(t) = q0 e^(-g t) (cos(omega t) + (g / omega) sin(omega t)),

so the records are closed-form (no integration error). Positions and velocities are both
recorded, so the state ``(q, p)`` is observed: one sampling step maps it linearly,
``(q, p)[k+1] = M (q, p)[k]``, and the propagator's off-diagonal entries give
``omega^2 + g^2 = -M21 / M12`` with no aliasing, whatever the sampling interval.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from discolab.environments.base import ArrayFn
from discolab.environments.physics.systems.apparatus import (
    COMPLEX,
    SIMPLE,
    Apparatus,
    LawSamples,
    empty_samples,
    evaluate_law,
    finite_series,
    run_columns,
    sampling_grid,
)
from discolab.types import Variable
from discolab.verifiers.physics import relative_gap

_TINY_STATE = 1e-150
"""States smaller than this fraction of the largest have decayed into rounding; not used."""
_MAX_CONDITION = 1e9
"""A record whose states barely rotate (sampling at a multiple of half a period) is dropped."""
_MIN_OSCILLATION = 1e-2
"""A mode with omega^2 below this fraction of omega^2 + g^2 is indistinguishable from creep."""


def _time(controls: Mapping[str, np.ndarray], points: int) -> np.ndarray:
    return sampling_grid(controls["tau"], points)[1]


def released_mode(
    omega: np.ndarray, rate: np.ndarray, start: np.ndarray, t: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Position and velocity of a damped mode released from ``start`` at rest (per run)."""
    w, g, q0 = (np.asarray(a, dtype=float)[:, None] for a in (omega, rate, start))
    with np.errstate(all="ignore"):
        decay = q0 * np.exp(-g * t)
        q = decay * (np.cos(w * t) + (g / w) * np.sin(w * t))
        p = -decay * ((w * w + g * g) / w) * np.sin(w * t)
    return q, p


def propagator(omega: float, rate: float, dt: float) -> np.ndarray:
    """The exact one-step map of ``(q, p)`` for a mode of frequency ``omega``."""
    with np.errstate(all="ignore"):
        c, s = np.cos(omega * dt), np.sin(omega * dt)
        e = np.exp(-rate * dt)
        return e * np.array(
            [
                [c + rate / omega * s, s / omega],
                [-(omega**2 + rate**2) / omega * s, c - rate / omega * s],
            ]
        )


def mode_frequency(q: np.ndarray, p: np.ndarray, rate: float) -> float | None:
    """``omega`` of a mode from its recorded state, or None when the record cannot tell."""
    sq, sp = float(np.max(np.abs(q))), float(np.max(np.abs(p)))
    if not (sq > 0 and sp > 0):
        return None
    state = np.stack([q / sq, p / sp], axis=1)
    norms = np.linalg.norm(state, axis=1)
    rows = np.nonzero((norms[:-1] > _TINY_STATE) & (norms[1:] > _TINY_STATE))[0]
    if rows.size < 3:
        return None
    before, after = state[rows], state[rows + 1]
    if np.linalg.cond(before) > _MAX_CONDITION:
        return None
    step, *_ = np.linalg.lstsq(before, after, rcond=None)
    m12, m21 = step[1, 0] * sq / sp, step[0, 1] * sp / sq  # lstsq solves before @ M.T
    if m12 == 0:
        return None
    total = -m21 / m12
    square = total - rate * rate
    if not (np.isfinite(square) and square > _MIN_OSCILLATION * total):
        return None
    return float(np.sqrt(square))


def step_residual(q: np.ndarray, p: np.ndarray, omega: float, rate: float, dt: float) -> float:
    """How far the candidate mode's exact propagator is from the recorded steps.

    Compares the changes of the state over each step, not the states, so a finely sampled
    record (where every step is close to the identity) still tells frequencies apart.
    """
    sq, sp = float(np.max(np.abs(q))), float(np.max(np.abs(p)))
    if not (sq > 0 and sp > 0):
        return 0.0
    m = propagator(omega, rate, dt)
    scale = np.array([[1.0, sp / sq], [sq / sp, 1.0]])
    state = np.stack([q / sq, p / sp])
    predicted = (m * scale) @ state[:, :-1] - state[:, :-1]
    return relative_gap(np.diff(state, axis=1).ravel(), predicted.ravel())


def _observable(name: str, unit: str, description: str) -> Variable:
    return Variable(name, unit, -float("inf"), float("inf"), description, log_scale=False)


class _Damped:
    """What both apparatus share: the law's variables and the public damping rate."""

    def __init__(self, law_inputs: tuple[Variable, ...]) -> None:
        self.k, self.m, self.b = (v.name for v in law_inputs)

    def rate(self, controls: Mapping[str, np.ndarray | float]) -> np.ndarray:
        """The public damping rate ``b / (2 m)`` in 1/s."""
        b = np.asarray(controls[self.b], dtype=float)
        return b / (2.0 * np.asarray(controls[self.m], dtype=float))

    def omega(
        self, law: ArrayFn, controls: Mapping[str, np.ndarray], stiffness: np.ndarray
    ) -> np.ndarray:
        columns = {self.k: np.asarray(stiffness, dtype=float)}
        columns.update({n: np.asarray(controls[n], dtype=float) for n in (self.m, self.b)})
        return evaluate_law(law, columns)

    def sample(
        self, controls: Mapping[str, float], stiffness: list[float]
    ) -> dict[str, np.ndarray]:
        size = len(stiffness)
        return {
            self.k: np.asarray(stiffness, dtype=float),
            self.m: np.full(size, float(controls[self.m])),
            self.b: np.full(size, float(controls[self.b])),
        }


_START = Variable("x0", "m", 0.01, 0.1, "starting displacement of the released mass")
_RULE = (
    "A mass m on a spring of stiffness k with a damper of coefficient b oscillates with the "
    "angular frequency {w} of the hidden law, and its oscillation decays at the rate "
    "b/(2m): a mass released from q0 at rest moves as q(t) = q0 exp(-b t/(2m)) (cos({w} t) "
    "+ b/(2m {w}) sin({w} t))."
)


class ReleasedOscillator(Apparatus):
    """Simple system: a damped mass on a spring released from rest.

    Controls: ``k``, ``m``, ``b``, the starting displacement ``x0`` and the recording time
    ``tau``. Records ``t``, the position ``x`` and the velocity ``v``. Inversion: fit the
    one-step map of ``(x, v)``; ``omega^2 = -M21 / M12 - (b / 2m)^2``.
    """

    level = SIMPLE

    def __init__(
        self,
        *,
        law_inputs: tuple[Variable, ...],
        law_output: Variable,
        duration: Variable,
        title: str,
    ) -> None:
        w = law_output.name
        description = (
            f"{_RULE.format(w=w)} The mass is released from x0 at rest at t = 0; a position "
            "sensor and a velocity sensor (Doppler) record it every tau/(points-1)."
        )
        self.core = _Damped(law_inputs)
        super().__init__(
            title=title,
            description=description,
            controls=(*law_inputs, _START, duration),
            observables=(
                Variable("t", "s", 0.0, float("inf"), "time since release", log_scale=False),
                _observable("x", "m", "position of the mass (0 at the spring's rest length)"),
                _observable("v", "m/s", "velocity of the mass"),
            ),
            law_inputs=law_inputs,
            law_output=law_output,
        )

    def simulate(
        self, law: ArrayFn, controls: Mapping[str, np.ndarray], points: int
    ) -> dict[str, np.ndarray]:
        t = _time(controls, points)
        core = self.core
        omega = core.omega(law, controls, np.asarray(controls[core.k], dtype=float))
        x, v = released_mode(omega, core.rate(controls), controls["x0"], t)
        return {"t": t, "x": x, "v": v}

    def law_samples(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> LawSamples:
        core = self.core
        names = tuple(v.name for v in self.law_inputs)
        x, v = np.asarray(series["x"], float), np.asarray(series["v"], float)
        if not finite_series(series["t"], x, v):
            return empty_samples(names)
        omega = mode_frequency(x, v, float(core.rate(controls)))
        if omega is None:
            return empty_samples(names)
        return core.sample(controls, [float(controls[core.k])]), np.array([omega])

    def checks(
        self, law: ArrayFn, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> dict[str, float]:
        """Every recorded step against the exact propagator of the candidate's frequency."""
        core = self.core
        t = np.asarray(series["t"], float)
        x, v = np.asarray(series["x"], float), np.asarray(series["v"], float)
        if not finite_series(t, x, v):
            return {}
        arrays = run_columns(controls)
        omega = float(core.omega(law, arrays, arrays[core.k])[0])
        rate = float(core.rate(controls))
        return {"step_residual": step_residual(x, v, omega, rate, float(t[1] - t[0]))}


class CoupledOscillators(Apparatus):
    """Complex system: two identical damped oscillators joined by a coupling spring.

    Controls: ``k``, ``m``, ``b`` (each oscillator), the coupling stiffness ``kappa``, the
    starting displacement ``x0`` of mass 1 (mass 2 starts at rest at 0) and ``tau``.
    Records ``t``, ``x1, v1, x2, v2``: the masses beat, mixing two frequencies. Inversion:
    the normal modes ``(x1 + x2) / 2`` (stiffness ``k``) and ``(x1 - x2) / 2`` (stiffness
    ``k + 2 kappa``) are independent damped oscillators; each gives one sample as in
    :class:`ReleasedOscillator`.
    """

    level = COMPLEX

    def __init__(
        self,
        *,
        law_inputs: tuple[Variable, ...],
        law_output: Variable,
        duration: Variable,
        coupling: Variable,
        title: str,
    ) -> None:
        w = law_output.name
        k = law_inputs[0].name
        description = (
            f"{_RULE.format(w=w)} Two identical such oscillators (each k, m, b) are joined by "
            f"a coupling spring of stiffness {coupling.name} between the two masses. Mass 1 "
            "is released from x0 and mass 2 from 0, both at rest, at t = 0. Position and "
            "velocity sensors record both masses every tau/(points-1). The coupled pair is "
            "not itself a single oscillator of stiffness "
            f"{k}: its motion is a superposition of normal modes."
        )
        controls = (*law_inputs, coupling, _START, duration)
        self.core = _Damped(law_inputs)
        super().__init__(
            title=title,
            description=description,
            controls=controls,
            observables=(
                Variable("t", "s", 0.0, float("inf"), "time since release", log_scale=False),
                _observable("x1", "m", "position of mass 1 (0 at rest)"),
                _observable("v1", "m/s", "velocity of mass 1"),
                _observable("x2", "m", "position of mass 2 (0 at rest)"),
                _observable("v2", "m/s", "velocity of mass 2"),
            ),
            law_inputs=law_inputs,
            law_output=law_output,
        )
        self.coupling = coupling.name

    def _stiffness(self, controls: Mapping[str, np.ndarray | float]) -> tuple:
        k = np.asarray(controls[self.core.k], dtype=float)
        return k, k + 2.0 * np.asarray(controls[self.coupling], dtype=float)

    def simulate(
        self, law: ArrayFn, controls: Mapping[str, np.ndarray], points: int
    ) -> dict[str, np.ndarray]:
        t = _time(controls, points)
        core = self.core
        rate = core.rate(controls)
        half = 0.5 * np.asarray(controls["x0"], dtype=float)
        modes = [
            released_mode(core.omega(law, controls, s), rate, half, t)
            for s in self._stiffness(controls)
        ]
        (qs, ps), (qa, pa) = modes
        return {"t": t, "x1": qs + qa, "v1": ps + pa, "x2": qs - qa, "v2": ps - pa}

    @staticmethod
    def _modes(series: Mapping[str, np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
        x1, v1, x2, v2 = (np.asarray(series[n], float) for n in ("x1", "v1", "x2", "v2"))
        return [(0.5 * (x1 + x2), 0.5 * (v1 + v2)), (0.5 * (x1 - x2), 0.5 * (v1 - v2))]

    def law_samples(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> LawSamples:
        core = self.core
        names = tuple(v.name for v in self.law_inputs)
        if not finite_series(*(series[n] for n in ("t", "x1", "v1", "x2", "v2"))):
            return empty_samples(names)
        rate = float(core.rate(controls))
        stiffness, omegas = [], []
        for s, (q, p) in zip(self._stiffness(controls), self._modes(series), strict=True):
            omega = mode_frequency(q, p, rate)
            if omega is not None:
                stiffness.append(float(s))
                omegas.append(omega)
        return core.sample(controls, stiffness), np.asarray(omegas, dtype=float)

    def checks(
        self, law: ArrayFn, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> dict[str, float]:
        """The steps of both normal modes against the candidate's exact propagators."""
        core = self.core
        t = np.asarray(series["t"], float)
        if not finite_series(*(series[n] for n in ("t", "x1", "v1", "x2", "v2"))):
            return {}
        arrays = run_columns(controls)
        rate, dt = float(core.rate(controls)), float(t[1] - t[0])
        out = {}
        for name, s, (q, p) in zip(
            ("in_phase_step_residual", "anti_phase_step_residual"),
            self._stiffness(arrays),
            self._modes(series),
            strict=True,
        ):
            omega = float(core.omega(law, arrays, s)[0])
            out[name] = step_residual(q, p, omega, rate, dt)
        return out
