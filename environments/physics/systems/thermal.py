"""Heat conduction through a slab: a block warmed by a reservoir (simple) and two isolated
blocks exchanging heat (complex).

The slab's heat flow ``P(A, dT, d)`` is the law. The blocks' temperatures are advanced with
the forward Euler scheme at the sampling interval, so one step of the record is exactly the
heat the slab carried during it: ``C (theta[k+1] - theta[k]) = dt P(dT[k])``. Temperatures
are recorded as changes from the start, so a run that barely warms still resolves its heat
flow to full floating-point precision. A thermostat disconnects the slab once the
temperature difference has fallen (or grown) by half of its starting value, which keeps every
difference the law sees within a factor of two of the one the agent set.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

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
    sampling_grid,
)
from discolab.types import Variable
from discolab.verifiers.physics import relative_gap

CUTOFF = 0.5
"""The slab is disconnected once the difference has moved this fraction of its start."""
_EDGE = 1.0 - 1e-12


def _time(controls: Mapping[str, np.ndarray], points: int) -> tuple[np.ndarray, np.ndarray]:
    return sampling_grid(controls["tau"], points)


def _series(name: str, description: str) -> Variable:
    return Variable(name, "K", -float("inf"), float("inf"), description, log_scale=False)


class _Slab:
    """The slab's geometry and how the law is called with a temperature difference."""

    def __init__(self, law_inputs: tuple[Variable, ...], difference: str) -> None:
        self.law_inputs = law_inputs
        self.difference = difference
        self.fixed = tuple(v.name for v in law_inputs if v.name != difference)
        var = next(v for v in law_inputs if v.name == difference)
        self.start = replace(
            var,
            name=f"{difference}0",
            description="starting temperature difference across the slab",
        )

    def flow(self, law: ArrayFn, controls: Mapping[str, np.ndarray], dT: np.ndarray) -> np.ndarray:
        columns = {n: np.asarray(controls[n], dtype=float) for n in self.fixed}
        columns[self.difference] = dT
        return evaluate_law(law, columns)

    def columns(self, controls: Mapping[str, float], dT: np.ndarray) -> dict[str, np.ndarray]:
        out = {n: np.full(dT.size, float(controls[n])) for n in self.fixed}
        out[self.difference] = dT
        return out

    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.law_inputs)


def _steps(dT: np.ndarray, dT0: float) -> np.ndarray:
    """Indices k whose step k -> k+1 ran with the slab connected."""
    live = np.abs(dT - dT0) < CUTOFF * dT0 * _EDGE
    return np.nonzero(live[:-1] & live[1:])[0]


class BlockOnReservoir(Apparatus):
    """Simple system: a block warmed by a hot reservoir through the slab.

    Controls: the slab's area and thickness, the starting difference ``dT0`` between the
    reservoir and the block, the block's heat capacity ``Cb`` and the recording time ``tau``.
    Records ``t`` and the block's temperature rise ``theta``; the difference the slab sees is
    ``dT0 - theta``. Inversion: ``P = Cb (theta[k+1] - theta[k]) / dt`` at ``dT0 - theta[k]``.
    """

    level = SIMPLE

    def __init__(
        self,
        *,
        law_inputs: tuple[Variable, ...],
        law_output: Variable,
        difference: str,
        capacity: Variable,
        duration: Variable,
        title: str,
    ) -> None:
        self.slab = _Slab(law_inputs, difference)
        start = self.slab.start
        controls = (
            *(v for v in law_inputs if v.name != difference),
            start,
            capacity,
            duration,
        )
        P, cap = law_output.name, capacity.name
        description = (
            f"A metal block of heat capacity {cap} (uniform temperature, no other losses) "
            f"touches one face of the slab; the other face is held by a large reservoir at a "
            f"fixed temperature, {start.name} above the block's starting temperature. The "
            f"slab carries the heat flow {P} of the hidden law at the current difference "
            f"{difference} = {start.name} - theta, where theta is the block's temperature "
            f"rise, so {cap} dtheta/dt = {P}. The block is advanced with the forward Euler "
            f"scheme at the sampling interval tau/(points-1): {cap} (theta[k+1] - theta[k]) "
            f"= {P}(at theta[k]) dt. A thermostat disconnects the slab for good, holding "
            f"theta, once {difference} has moved by half of {start.name}."
        )
        observables = (
            Variable("t", "s", 0.0, float("inf"), "time since the start", log_scale=False),
            _series("theta", "temperature rise of the block since the start"),
        )
        super().__init__(
            title=title,
            description=description,
            controls=controls,
            observables=observables,
            law_inputs=law_inputs,
            law_output=law_output,
        )
        self.capacity = cap

    def simulate(
        self, law: ArrayFn, controls: Mapping[str, np.ndarray], points: int
    ) -> dict[str, np.ndarray]:
        dt, t = _time(controls, points)
        dT0 = np.asarray(controls[self.slab.start.name], dtype=float)
        cap = np.asarray(controls[self.capacity], dtype=float)
        limit = CUTOFF * dT0
        theta = np.zeros((dT0.size, points))
        held = np.zeros(dT0.size, dtype=bool)
        for k in range(1, points):
            power = self.slab.flow(law, controls, dT0 - theta[:, k - 1])
            with np.errstate(all="ignore"):
                step = np.where(held, 0.0, dt * power / cap)
                theta[:, k] = np.clip(theta[:, k - 1] + step, -limit, limit)
            held |= ~(np.abs(theta[:, k]) < limit)
        return {"t": t, "theta": theta}

    def _record(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray] | None:
        t = np.asarray(series["t"], dtype=float)
        theta = np.asarray(series["theta"], dtype=float)
        if not finite_series(t, theta) or t[1] <= t[0]:
            return None
        dT0 = float(controls[self.slab.start.name])
        k = _steps(dT0 - theta, dT0)
        return float(t[1] - t[0]), theta, dT0 - theta, k

    def law_samples(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> LawSamples:
        record = self._record(controls, series)
        if record is None:
            return empty_samples(self.slab.names())
        dt, theta, dT, k = record
        power = float(controls[self.capacity]) * (theta[k + 1] - theta[k]) / dt
        keep = np.isfinite(power) & (power != 0)
        return self.slab.columns(controls, dT[k][keep]), power[keep]

    def checks(
        self, law: ArrayFn, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> dict[str, float]:
        """Heat balance of every connected step: the block's heat gain vs the law's flow."""
        record = self._record(controls, series)
        if record is None or record[3].size == 0:
            return {}
        dt, theta, dT, k = record
        arrays = {n: np.full(k.size, float(v)) for n, v in controls.items()}
        gained = float(controls[self.capacity]) * (theta[k + 1] - theta[k])
        return {
            "heat_balance_residual": relative_gap(gained, dt * self.slab.flow(law, arrays, dT[k]))
        }


class TwoBlocks(Apparatus):
    """Complex system: two isolated blocks exchanging heat only through the slab.

    Controls: the slab's area and thickness, the starting difference ``dT0`` (hot block
    minus cold block), the heat capacities ``Ch`` and ``Cc`` and the recording time ``tau``.
    Records ``t`` and the temperature changes ``theta_h`` (hot block) and ``theta_c`` (cold
    block). Both temperatures move, so the difference ``dT0 + theta_h - theta_c`` relaxes at
    a rate set by both capacities. Inversion: ``P = Cc (theta_c[k+1] - theta_c[k]) / dt``
    (equally ``-Ch (theta_h[k+1] - theta_h[k]) / dt``) at that difference.
    """

    level = COMPLEX

    def __init__(
        self,
        *,
        law_inputs: tuple[Variable, ...],
        law_output: Variable,
        difference: str,
        capacities: tuple[Variable, Variable],
        duration: Variable,
        title: str,
    ) -> None:
        self.slab = _Slab(law_inputs, difference)
        start = self.slab.start
        controls = (
            *(v for v in law_inputs if v.name != difference),
            start,
            *capacities,
            duration,
        )
        P = law_output.name
        hot, cold = (c.name for c in capacities)
        description = (
            f"Two metal blocks, a hot one of heat capacity {hot} and a cold one of heat "
            f"capacity {cold}, are thermally isolated from everything but the slab between "
            f"them. The hot block starts {start.name} above the cold one. The slab carries the "
            f"heat flow {P} of the hidden law at the current difference {difference} = "
            f"{start.name} + theta_h - theta_c, where theta_h and theta_c are the blocks' "
            f"temperature changes since the start: heat leaves the hot block ({hot} "
            f"dtheta_h/dt = -{P}) and enters the cold one ({cold} dtheta_c/dt = {P}). Both "
            "blocks are advanced with the forward Euler scheme at the sampling interval "
            "tau/(points-1), the flow evaluated at the start of each step. A thermostat "
            f"disconnects the slab for good, holding both blocks, once {difference} has "
            f"moved by half of {start.name} (the last step is shortened to end there)."
        )
        observables = (
            Variable("t", "s", 0.0, float("inf"), "time since the start", log_scale=False),
            _series("theta_h", "temperature change of the hot block since the start"),
            _series("theta_c", "temperature change of the cold block since the start"),
        )
        super().__init__(
            title=title,
            description=description,
            controls=controls,
            observables=observables,
            law_inputs=law_inputs,
            law_output=law_output,
        )
        self.hot, self.cold = hot, cold

    def simulate(
        self, law: ArrayFn, controls: Mapping[str, np.ndarray], points: int
    ) -> dict[str, np.ndarray]:
        dt, t = _time(controls, points)
        dT0 = np.asarray(controls[self.slab.start.name], dtype=float)
        hot = np.asarray(controls[self.hot], dtype=float)
        cold = np.asarray(controls[self.cold], dtype=float)
        relax = 1.0 / hot + 1.0 / cold
        limit = CUTOFF * dT0
        th, tc = np.zeros((dT0.size, points)), np.zeros((dT0.size, points))
        held = np.zeros(dT0.size, dtype=bool)
        for k in range(1, points):
            dT = dT0 + th[:, k - 1] - tc[:, k - 1]
            with np.errstate(all="ignore"):
                heat = np.where(held, 0.0, dt * self.slab.flow(law, controls, dT))
                moved = dT - heat * relax - dT0
                over = ~(np.abs(moved) < limit)
                bound = dT0 + np.sign(moved) * limit
                heat = np.where(over & ~held, (dT - bound) / relax, heat)
            th[:, k] = th[:, k - 1] - heat / hot
            tc[:, k] = tc[:, k - 1] + heat / cold
            held |= over
        return {"t": t, "theta_h": th, "theta_c": tc}

    def _record(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        t = np.asarray(series["t"], dtype=float)
        th = np.asarray(series["theta_h"], dtype=float)
        tc = np.asarray(series["theta_c"], dtype=float)
        if not finite_series(t, th, tc) or t[1] <= t[0]:
            return None
        dT0 = float(controls[self.slab.start.name])
        dT = dT0 + th - tc
        return float(t[1] - t[0]), th, tc, dT, _steps(dT, dT0)

    def law_samples(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> LawSamples:
        record = self._record(controls, series)
        if record is None:
            return empty_samples(self.slab.names())
        dt, th, tc, dT, k = record
        hot, cold = float(controls[self.hot]), float(controls[self.cold])
        # Both blocks measure the same heat; their mean halves the noise of either.
        power = 0.5 * (cold * (tc[k + 1] - tc[k]) - hot * (th[k + 1] - th[k])) / dt
        keep = np.isfinite(power) & (power != 0)
        return self.slab.columns(controls, dT[k][keep]), power[keep]

    def checks(
        self, law: ArrayFn, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> dict[str, float]:
        """Heat balance of the cold block against the law, and energy conservation."""
        record = self._record(controls, series)
        if record is None or record[4].size == 0:
            return {}
        dt, th, tc, dT, k = record
        hot, cold = float(controls[self.hot]), float(controls[self.cold])
        arrays = {n: np.full(k.size, float(v)) for n, v in controls.items()}
        gained = cold * (tc[k + 1] - tc[k])
        return {
            "heat_balance_residual": relative_gap(gained, dt * self.slab.flow(law, arrays, dT[k])),
            "energy_residual": relative_gap(cold * tc, -hot * th),
        }
