"""Calorimeters: the heat a warmed sample gives up, recorded as a heat flow or a temperature.

The law is the heat ``Q(m, dT)`` a sample of mass ``m`` holds when it is warmer than the
calorimeter by ``dT``. The sample is dropped into the calorimeter and gives up that heat
through a thermal link whose controller drains the sample's remaining excess heat with a
first-order time constant ``tau`` (a control): the heat flow into the calorimeter is
``P(t) = (Q/tau) exp(-t/tau)``, whatever the law.

* :class:`HeatFlowCalorimeter` (simple): a heat-flow sensor records ``P(t)``; inversion
  ``Q = ∫ P dt``, exactly ``Q = tau P(t) exp(t/tau)`` at every sample.
* :class:`LeakyBathCalorimeter` (complex): only the temperature rise ``theta(t)`` of a water
  bath of heat capacity ``Cb`` (a control) is recorded, and the bath leaks heat to the room
  at a rate ``Cb * lam * theta`` with a leak rate ``lam`` the agent is not told. The record
  is ``theta = Q/(Cb tau) * exp(-lam t) * t * phi((1/tau - lam) t)`` with
  ``phi(z) = (1 - exp(-z))/z``. Inversion: the sampled record of two exponentials obeys
  ``y[k+1] = a y[k]`` for ``y[k] = theta[k+1] - b theta[k]``, ``b = exp(-dt/tau)``, which
  gives ``a = exp(-lam dt)`` and so ``lam``; then ``Q`` at every sample.
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
    run_columns,
    samples_at_controls,
    sampling_grid,
)
from discolab.types import Variable
from discolab.verifiers.physics import relative_gap

SIGNAL_FLOOR = 1e-2
"""Samples below this fraction of a record's peak are not turned into law samples."""
LEAK_CONDUCTANCE = 1.0
"""Heat leak of the bath to the room, in W/K: hidden from the agent, estimated per record."""


def _time(controls: Mapping[str, np.ndarray], points: int) -> np.ndarray:
    return sampling_grid(controls["T"], points)[1]


def _heat(law: ArrayFn, inputs: tuple[Variable, ...], controls: Mapping) -> np.ndarray:
    columns = {v.name: np.asarray(controls[v.name], dtype=float) for v in inputs}
    with np.errstate(all="ignore"):
        return np.asarray(law(columns), dtype=float)


def _phi(z: np.ndarray) -> np.ndarray:
    """``(1 - exp(-z)) / z``, 1 at ``z = 0``, accurate for small ``|z|``."""
    z = np.asarray(z, dtype=float)
    with np.errstate(all="ignore"):
        safe = np.where(z == 0.0, 1.0, z)
        return np.where(z == 0.0, 1.0, -np.expm1(-safe) / safe)


def _bath_response(t: np.ndarray, tau: np.ndarray, lam: np.ndarray, cb: np.ndarray) -> np.ndarray:
    """Bath temperature rise per joule delivered, in K/J (the record divided by ``Q``)."""
    with np.errstate(all="ignore"):
        return np.exp(-lam * t) * t * _phi((1.0 / tau - lam) * t) / (cb * tau)


_TIME = Variable("t", "s", 0.0, float("inf"), "time since the sample was dropped in", False)


class HeatFlowCalorimeter(Apparatus):
    """Simple system: a heat-flow calorimeter records the heat flow out of the sample.

    Controls: the sample's mass ``m`` and its excess temperature ``dT`` (the law's
    variables), the link's time constant ``tau`` and the recording time ``T``. Records ``t``
    and the heat flow ``P``. Inversion: ``Q = tau P exp(t/tau)`` at every sample above 1% of
    the peak (the integral of the exponential heat flow, tail included).
    """

    level = SIMPLE

    def __init__(
        self,
        *,
        law_inputs: tuple[Variable, ...],
        law_output: Variable,
        tau: Variable,
        duration: Variable,
        title: str,
    ) -> None:
        m, dT = (v.name for v in law_inputs)
        description = (
            f"A sample of mass {m}, warmer than the calorimeter by {dT}, is dropped in at t = 0 "
            f"holding the excess heat {law_output.name} of the hidden law. A controlled "
            f"thermal link drains the sample's remaining excess heat at the rate (remaining "
            f"heat)/{tau.name}, so the heat flow into the calorimeter decays exponentially "
            f"with time constant {tau.name} and its integral over all time is "
            f"{law_output.name}. A heat-flow sensor records the heat flow P, sampled "
            f"{duration.name}/(points-1) apart."
        )
        observables = (_TIME, Variable("P", "W", 0.0, float("inf"), "heat flow", False))
        super().__init__(
            title=title,
            description=description,
            controls=(*law_inputs, tau, duration),
            observables=observables,
            law_inputs=law_inputs,
            law_output=law_output,
        )
        self.tau = tau.name

    def simulate(
        self, law: ArrayFn, controls: Mapping[str, np.ndarray], points: int
    ) -> dict[str, np.ndarray]:
        t = _time(controls, points)
        tau = np.asarray(controls[self.tau], dtype=float)[:, None]
        heat = _heat(law, self.law_inputs, controls)[:, None]
        with np.errstate(all="ignore"):
            return {"t": t, "P": heat / tau * np.exp(-t / tau)}

    def _heats(self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]) -> np.ndarray:
        t, p = np.asarray(series["t"], float), np.asarray(series["P"], float)
        if not (np.all(np.isfinite(p)) and np.all(np.isfinite(t))) or p.size == 0:
            return np.empty(0)
        tau = float(controls[self.tau])
        strong = p >= SIGNAL_FLOOR * np.max(p)
        with np.errstate(all="ignore"):
            heat = tau * p[strong] * np.exp(t[strong] / tau)
        return heat[np.isfinite(heat) & (heat > 0)]

    def law_samples(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> LawSamples:
        return samples_at_controls(self.law_inputs, controls, self._heats(controls, series))

    def checks(
        self, law: ArrayFn, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> dict[str, float]:
        """Heat balance: the recorded heat flow against the candidate's heat, drained by tau."""
        arrays = run_columns(controls)
        predicted = self.simulate(law, arrays, np.asarray(series["t"]).size)["P"][0]
        return {"heat_flow_residual": relative_gap(np.asarray(series["P"], float), predicted)}


class LeakyBathCalorimeter(Apparatus):
    """Complex system: a water bath with a heat leak; only its temperature is recorded.

    Controls: ``m``, ``dT`` (the law's variables), the bath's heat capacity ``Cb``, the
    link's time constant ``tau`` and the recording time ``T``. The heat flow of
    :class:`HeatFlowCalorimeter` warms the bath, which loses heat to the room at
    ``Cb * lam * theta``; ``lam`` is the leak conductance (hidden, fixed) over ``Cb``.
    Records ``t`` and the bath's temperature rise ``theta``. Inversion: estimate ``lam``
    from the record (the two-exponential recurrence), then ``Q = theta / response(t)``.
    """

    level = COMPLEX

    def __init__(
        self,
        *,
        law_inputs: tuple[Variable, ...],
        law_output: Variable,
        capacity: Variable,
        tau: Variable,
        duration: Variable,
        title: str,
    ) -> None:
        m, dT = (v.name for v in law_inputs)
        cb, tc = capacity.name, tau.name
        description = (
            f"A sample of mass {m}, warmer than the bath by {dT}, is dropped at t = 0 into a "
            f"stirred water bath of heat capacity {cb} holding the excess heat "
            f"{law_output.name} of the hidden law. A controlled thermal link drains the "
            f"sample's remaining excess heat into the bath at the rate (remaining heat)/{tc}, "
            f"so the heat flow into the bath is ({law_output.name}/{tc}) exp(-t/{tc}). The "
            f"bath also leaks heat to the room at a rate proportional to its temperature rise "
            f"theta: {cb} d(theta)/dt = heat flow in - G theta, with a leak conductance G that "
            "is not given (it is the same for every run). Only the bath's temperature rise "
            f"theta above the room is recorded, sampled {duration.name}/(points-1) apart."
        )
        observables = (
            _TIME,
            Variable("theta", "K", 0.0, float("inf"), "temperature rise of the bath", False),
        )
        super().__init__(
            title=title,
            description=description,
            controls=(*law_inputs, capacity, tau, duration),
            observables=observables,
            law_inputs=law_inputs,
            law_output=law_output,
        )
        self.capacity, self.tau = cb, tc

    def _response(self, controls: Mapping, t: np.ndarray, lam: np.ndarray) -> np.ndarray:
        tau = np.asarray(controls[self.tau], dtype=float)
        cb = np.asarray(controls[self.capacity], dtype=float)
        if t.ndim == 2:
            tau, cb, lam = tau[:, None], cb[:, None], np.asarray(lam)[:, None]
        return _bath_response(t, tau, lam, cb)

    def simulate(
        self, law: ArrayFn, controls: Mapping[str, np.ndarray], points: int
    ) -> dict[str, np.ndarray]:
        t = _time(controls, points)
        lam = LEAK_CONDUCTANCE / np.asarray(controls[self.capacity], dtype=float)
        heat = _heat(law, self.law_inputs, controls)[:, None]
        with np.errstate(all="ignore"):
            return {"t": t, "theta": heat * self._response(controls, t, lam)}

    def leak_rate(self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]) -> float:
        """The bath's leak rate ``lam`` in 1/s estimated from one record (NaN if it cannot)."""
        t, theta = np.asarray(series["t"], float), np.asarray(series["theta"], float)
        if t.size < 4 or not (np.all(np.isfinite(theta)) and np.all(np.isfinite(t))):
            return float("nan")
        dt = float(t[1] - t[0])
        b = np.exp(-dt / float(controls[self.tau]))
        y = theta[1:] - b * theta[:-1]
        with np.errstate(all="ignore"):
            a = float(np.dot(y[1:], y[:-1]) / np.dot(y[:-1], y[:-1]))
            lam = -np.log(a) / dt if 0.0 < a <= 1.0 else float("nan")
        return float(lam)

    def _heats(self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]) -> np.ndarray:
        lam = self.leak_rate(controls, series)
        if not np.isfinite(lam):
            return np.empty(0)
        t, theta = np.asarray(series["t"], float), np.asarray(series["theta"], float)
        strong = (theta >= SIGNAL_FLOOR * np.max(theta)) & (t > 0)
        with np.errstate(all="ignore"):
            heat = theta[strong] / self._response(controls, t[strong], np.asarray(lam))
        return heat[np.isfinite(heat) & (heat > 0)]

    def law_samples(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> LawSamples:
        return samples_at_controls(self.law_inputs, controls, self._heats(controls, series))

    def checks(
        self, law: ArrayFn, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> dict[str, float]:
        """Heat balance of the bath: the record against the candidate's heat, delivered by
        the link and leaked at the rate estimated from the record itself."""
        lam = self.leak_rate(controls, series)
        if not np.isfinite(lam):
            return {"heat_balance_residual": float("inf")}
        arrays = run_columns(controls)
        heat = float(_heat(law, self.law_inputs, arrays)[0])
        t = np.asarray(series["t"], float)
        with np.errstate(all="ignore"):
            predicted = heat * self._response(controls, t, np.asarray(lam))
        return {
            "heat_balance_residual": relative_gap(np.asarray(series["theta"], float), predicted)
        }
