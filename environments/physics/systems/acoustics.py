"""A sound pulse travelling down a gas-filled tube: uniform gas (simple) and gas held in a
temperature gradient (complex).

The law gives the speed of sound ``v(gamma, T, M)``. A weak pulse starts at the closed end of
the tube at ``t = 0`` and a row of pressure probes along the tube reports the distance ``s``
of its front at every sample. In a uniform gas the front moves at one speed; in a gradient
the local speed changes with the local temperature, and the front is advanced with the
forward Euler scheme at the sampling interval, so one step of the record is exactly the
local speed times the interval: ``s[k+1] - s[k] = v(T(s[k])) dt``.
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

_EDGE = 1.0 - 1e-12


def _time(controls: Mapping[str, np.ndarray], points: int) -> tuple[np.ndarray, np.ndarray]:
    return sampling_grid(controls["tau"], points)


def _observables() -> tuple[Variable, ...]:
    return (
        Variable("t", "s", 0.0, float("inf"), "time since the pulse was emitted", False),
        Variable(
            "s",
            "m",
            -float("inf"),
            float("inf"),
            "distance of the pulse front from the emitting end",
            log_scale=False,
        ),
    )


class _Gas:
    """The law's variables and how the law is called at a temperature."""

    def __init__(self, law_inputs: tuple[Variable, ...], temperature: str) -> None:
        self.law_inputs = law_inputs
        self.temperature = temperature
        self.fixed = tuple(v.name for v in law_inputs if v.name != temperature)

    def speed(self, law: ArrayFn, controls: Mapping[str, np.ndarray], T: np.ndarray) -> np.ndarray:
        columns = {n: np.asarray(controls[n], dtype=float) for n in self.fixed}
        columns[self.temperature] = np.asarray(T, dtype=float)
        return evaluate_law(law, columns)

    def columns(self, controls: Mapping[str, float], T: np.ndarray) -> dict[str, np.ndarray]:
        out = {n: np.full(np.size(T), float(controls[n])) for n in self.fixed}
        out[self.temperature] = np.asarray(T, dtype=float)
        return out

    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.law_inputs)


class PulseInTube(Apparatus):
    """Simple system: a pulse front running down a long tube of uniform gas.

    Controls: ``gamma``, ``T``, ``M`` of the gas and the recording time ``tau``. Records
    ``t`` and the front's distance ``s``. Inversion: the slope of ``s`` against ``t``
    (least squares through the origin) is the speed.
    """

    level = SIMPLE

    def __init__(
        self,
        *,
        law_inputs: tuple[Variable, ...],
        law_output: Variable,
        temperature: str,
        duration: Variable,
        title: str,
    ) -> None:
        self.gas = _Gas(law_inputs, temperature)
        v = law_output.name
        description = (
            "A weak sound pulse is emitted at t = 0 from the closed end of a long straight "
            f"tube filled with a gas at rest, uniform at temperature {temperature}; the pulse "
            f"front travels at the speed {v} of the hidden law. Pressure probes along the "
            "tube report the distance s of the front from the emitting end every "
            "tau/(points-1); the tube is long enough that the front never reaches its end."
        )
        super().__init__(
            title=title,
            description=description,
            controls=(*law_inputs, duration),
            observables=_observables(),
            law_inputs=law_inputs,
            law_output=law_output,
        )

    def simulate(
        self, law: ArrayFn, controls: Mapping[str, np.ndarray], points: int
    ) -> dict[str, np.ndarray]:
        _, t = _time(controls, points)
        T = np.asarray(controls[self.gas.temperature], dtype=float)
        speed = self.gas.speed(law, controls, T)
        with np.errstate(all="ignore"):
            return {"t": t, "s": speed[:, None] * t}

    def law_samples(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> LawSamples:
        t, s = np.asarray(series["t"], float), np.asarray(series["s"], float)
        if not finite_series(t, s) or not np.any(t > 0):
            return empty_samples(self.gas.names())
        with np.errstate(all="ignore"):
            speed = float(np.dot(t, s) / np.dot(t, t))
        if not np.isfinite(speed) or speed == 0:
            return empty_samples(self.gas.names())
        T = np.array([float(controls[self.gas.temperature])])
        return self.gas.columns(controls, T), np.array([speed])

    def checks(
        self, law: ArrayFn, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> dict[str, float]:
        """The recorded front against the candidate's speed times the elapsed time."""
        t, s = np.asarray(series["t"], float), np.asarray(series["s"], float)
        if not finite_series(t, s):
            return {}
        arrays = run_columns(controls)
        speed = float(self.gas.speed(law, arrays, arrays[self.gas.temperature])[0])
        with np.errstate(all="ignore"):
            return {"front_residual": relative_gap(s, speed * t)}


class PulseInGradient(Apparatus):
    """Complex system: a pulse front crossing a tube whose gas is held in a temperature
    gradient.

    Controls: ``gamma`` and ``M`` of the gas, the temperatures ``T1`` (emitting end) and
    ``T2`` (far end), the tube length ``L`` and the recording time ``tau``. The temperature
    falls or rises linearly along the tube, so the front's speed changes as it goes; the
    front is absorbed (and ``s`` stays at ``L``) when it reaches the far end. Records ``t``
    and ``s``. Inversion: ``v = (s[k+1] - s[k]) / dt`` at ``T = T1 + (T2 - T1) s[k] / L``.
    """

    level = COMPLEX

    def __init__(
        self,
        *,
        law_inputs: tuple[Variable, ...],
        law_output: Variable,
        temperature: str,
        ends: tuple[Variable, Variable],
        length: Variable,
        duration: Variable,
        title: str,
    ) -> None:
        self.gas = _Gas(law_inputs, temperature)
        v = law_output.name
        hot, far = (e.name for e in ends)
        L = length.name
        description = (
            f"A straight tube of length {L} is filled with a gas at rest whose temperature is "
            f"held at {hot} at the closed emitting end and {far} at the far end, varying "
            f"linearly in between: {temperature}(s) = {hot} + ({far} - {hot}) s / {L}. A weak "
            "sound pulse is emitted at t = 0; its front moves at the local speed "
            f"{v}({temperature}(s)) of the hidden law. The front is advanced with the "
            "forward Euler scheme at the sampling interval tau/(points-1): s[k+1] = s[k] + "
            f"{v}(at s[k]) dt. Pressure probes report the distance s of the front from the "
            f"emitting end every sample; the far end absorbs the pulse, and s stays at {L} "
            "once the front has reached it."
        )
        fixed = tuple(v for v in law_inputs if v.name != temperature)
        super().__init__(
            title=title,
            description=description,
            controls=(*fixed, *ends, length, duration),
            observables=_observables(),
            law_inputs=law_inputs,
            law_output=law_output,
        )
        self.ends, self.length = (hot, far), L

    def _profile(self, controls: Mapping[str, np.ndarray | float], s: np.ndarray) -> np.ndarray:
        hot, far = (np.asarray(controls[n], dtype=float) for n in self.ends)
        return hot + (far - hot) * s / np.asarray(controls[self.length], dtype=float)

    def simulate(
        self, law: ArrayFn, controls: Mapping[str, np.ndarray], points: int
    ) -> dict[str, np.ndarray]:
        dt, t = _time(controls, points)
        L = np.asarray(controls[self.length], dtype=float)
        s = np.zeros((L.size, points))
        held = np.zeros(L.size, dtype=bool)
        for k in range(1, points):
            speed = self.gas.speed(law, controls, self._profile(controls, s[:, k - 1]))
            with np.errstate(all="ignore"):
                step = np.where(held, 0.0, dt * speed)
                s[:, k] = np.clip(s[:, k - 1] + step, 0.0, L)
            held |= ~((s[:, k] > 0.0) & (s[:, k] < L))
        return {"t": t, "s": s}

    def _record(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> tuple[float, np.ndarray, np.ndarray] | None:
        t, s = np.asarray(series["t"], float), np.asarray(series["s"], float)
        if not finite_series(t, s) or t[1] <= t[0]:
            return None
        L = float(controls[self.length])
        inside = (s < L * _EDGE) & (s >= 0)
        inside[1:] &= s[1:] > 0  # a front back at the emitting end was absorbed there
        k = np.nonzero(inside[:-1] & inside[1:])[0]
        return float(t[1] - t[0]), s, k

    def law_samples(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> LawSamples:
        record = self._record(controls, series)
        if record is None:
            return empty_samples(self.gas.names())
        dt, s, k = record
        speed = (s[k + 1] - s[k]) / dt
        keep = np.isfinite(speed) & (speed != 0)
        T = self._profile(controls, s[k][keep])
        return self.gas.columns(controls, T), speed[keep]

    def checks(
        self, law: ArrayFn, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> dict[str, float]:
        """Every step of the front against the candidate's local speed."""
        record = self._record(controls, series)
        if record is None or record[2].size == 0:
            return {}
        dt, s, k = record
        arrays = {n: np.full(k.size, float(c)) for n, c in controls.items()}
        speed = self.gas.speed(law, arrays, self._profile(controls, s[k]))
        with np.errstate(all="ignore"):
            return {"front_residual": relative_gap(s[k + 1] - s[k], speed * dt)}
