"""A boson mode in a trap whose temperature is ramped: occupation and energy records.

The cryostat ramps the trap's temperature exponentially over a one-second sweep, from
``T_start`` to ``T_stop``, so the temperature is known at every sample time; the mode's
occupation in equilibrium at that temperature is the hidden law.

* :class:`CooledTrap` (simple): the ramp is slow enough that the mode stays in equilibrium;
  its mean occupation ``n`` is counted at each sample.
* :class:`RelaxingMode` (complex): the bath temperature is stepped (held between samples) and
  the mode exchanges quanta with the bath at a finite rate, so its occupation relaxes
  towards equilibrium with time constant ``tau`` (the rate equation of a damped oscillator
  in a thermal bath); the detector reads the mode's mean energy ``E (n + 1/2)``, zero-point
  energy included. A physicist divides by ``E``, removes the zero-point half quantum and
  undoes the lag with the exact one-step recursion of
  :mod:`~discolab.environments.physics.systems.response`.
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
)
from discolab.environments.physics.systems.response import (
    SWEEP_TIME,
    column,
    decay_factor,
    evaluate,
    geometric_sweep,
    record_is_usable,
    relax,
    sweep_times,
    unrelax,
)
from discolab.types import Variable
from discolab.verifiers.physics import relative_gap

ENERGY, TEMPERATURE = "E", "T"
"""Names of the occupation law's variables."""

_TAU = Variable("tau", "s", 0.02, 1.0, "relaxation time of the mode towards equilibrium")
_TIME = Variable("t", "s", 0.0, SWEEP_TIME, "time since the ramp started", log_scale=False)


def _controls(law_inputs: tuple[Variable, ...]) -> tuple[Variable, ...]:
    by_name = {v.name: v for v in law_inputs}
    temperature = by_name[TEMPERATURE]
    return (
        by_name[ENERGY],
        replace(temperature, name="T_start", description="trap temperature at the ramp start"),
        replace(temperature, name="T_stop", description="trap temperature at the ramp end"),
    )


def _ramp(controls: Mapping[str, float], t: np.ndarray) -> np.ndarray:
    return geometric_sweep(float(controls["T_start"]), float(controls["T_stop"]), t)


def _run_columns(controls: Mapping[str, float], temperature: np.ndarray) -> dict[str, np.ndarray]:
    return {ENERGY: np.full(temperature.shape, float(controls[ENERGY])), TEMPERATURE: temperature}


def _simulate_ramp(
    law: ArrayFn, controls: Mapping[str, np.ndarray], times: np.ndarray
) -> np.ndarray:
    """The law's occupation at the ramp temperatures of ``times`` (runs, len(times))."""
    temperature = geometric_sweep(
        column(controls, "T_start"), column(controls, "T_stop"), times[None, :]
    )
    columns = {ENERGY: column(controls, ENERGY), TEMPERATURE: temperature}
    return evaluate(law, columns, temperature.shape)


_RAMP_TEXT = (
    "A trap holds a gas of bosons; one of its modes has energy quantum E. A cryostat ramps "
    "the trap's temperature exponentially from T_start at t = 0 to T_stop at t = 1 s, so "
    "T = T_start * (T_stop / T_start)^(t / 1 s). The hidden law gives the mean number n "
    "of bosons in the mode in equilibrium at temperature T."
)


class CooledTrap(Apparatus):
    """Simple system: a trap ramped slowly, the mode's occupation counted at each sample.

    Controls: the mode energy ``E`` (J) and the ramp's start and stop temperatures
    ``T_start``, ``T_stop`` (K; the law's range of ``T``). Records: ``t`` (s, 0 to 1) and the
    mean occupation ``n`` at ``T(t) = T_start (T_stop / T_start)^(t / 1 s)``. Inversion:
    direct.
    """

    level = SIMPLE

    def __init__(self, *, law_inputs: tuple[Variable, ...], law_output: Variable) -> None:
        description = (
            f"{_RAMP_TEXT} The ramp is slow enough that the mode stays in equilibrium; its "
            "mean occupation n is counted at each sample."
        )
        super().__init__(
            title="Boson mode in a trap on a temperature ramp",
            description=description,
            controls=_controls(law_inputs),
            observables=(
                _TIME,
                Variable(
                    "n", "1", 0.0, float("inf"), "mean occupation of the mode", log_scale=False
                ),
            ),
            law_inputs=law_inputs,
            law_output=law_output,
        )

    def simulate(
        self, law: ArrayFn, controls: Mapping[str, np.ndarray], points: int
    ) -> dict[str, np.ndarray]:
        times = sweep_times(points)
        n = _simulate_ramp(law, controls, times)
        return {"t": np.broadcast_to(times, n.shape).copy(), "n": n}

    def law_samples(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> LawSamples:
        t, n = np.asarray(series["t"], float), np.asarray(series["n"], float)
        if t.size < 2 or t.shape != n.shape:
            return empty_samples(tuple(v.name for v in self.law_inputs))
        temperature = _ramp(controls, t)
        keep = np.isfinite(temperature) & np.isfinite(n)
        return _run_columns(controls, temperature[keep]), n[keep]

    def checks(
        self, law: ArrayFn, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> dict[str, float]:
        """``occupation_residual``: the counted occupation vs the law along the ramp."""
        t, n = np.asarray(series["t"], float), np.asarray(series["n"], float)
        if not record_is_usable(t, n):
            return {}
        predicted = evaluate(law, _run_columns(controls, _ramp(controls, t)), t.shape)
        return {"occupation_residual": relative_gap(n, predicted)}


class RelaxingMode(Apparatus):
    """Complex system: a mode relaxing towards a stepped bath, read as its mean energy.

    Controls: ``E``, ``T_start``, ``T_stop`` (as :class:`CooledTrap`) and the mode's
    relaxation time ``tau`` in s [0.02, 1]. Before ``t = 0`` the mode is in equilibrium
    at ``T_start``; at each sample time ``t`` the bath is set to the ramp temperature
    ``T(t)`` and held until the next sample, while the occupation relaxes towards the
    equilibrium value at the bath temperature (gap shrinking by ``exp(-dt / tau)`` per
    interval). Records ``t`` (s) and the mode's mean energy ``U = E (n + 1/2)`` (J).
    Inversion: ``n = U / E - 1/2``; ``n[0]`` is the equilibrium occupation at ``T_start`` and
    ``(n[k+1] - a n[k]) / (1 - a)`` the one at ``T(t_k)``, ``a = exp(-dt / tau)``.
    """

    level = COMPLEX

    def __init__(self, *, law_inputs: tuple[Variable, ...], law_output: Variable) -> None:
        description = (
            f"{_RAMP_TEXT} Before t = 0 the mode has been in equilibrium at T_start. The "
            "cryostat steps the temperature: at each sample time t it sets T(t) and holds it "
            "until the next sample (samples are evenly spaced by dt, the last at t = 1 s). The "
            "mode exchanges quanta with the gas at a finite rate, so its mean occupation n "
            "relaxes towards the equilibrium value at the current temperature with time "
            "constant tau: over each interval the gap shrinks by the factor exp(-dt / tau). A "
            "detector records the mode's mean energy U = E (n + 1/2), the zero-point energy "
            "E/2 included."
        )
        super().__init__(
            title="Boson mode relaxing on a stepped temperature ramp, energy read out",
            description=description,
            controls=(*_controls(law_inputs), _TAU),
            observables=(
                _TIME,
                Variable("U", "J", 0.0, float("inf"), "mean energy of the mode", log_scale=False),
            ),
            law_inputs=law_inputs,
            law_output=law_output,
        )

    def simulate(
        self, law: ArrayFn, controls: Mapping[str, np.ndarray], points: int
    ) -> dict[str, np.ndarray]:
        times = sweep_times(points)
        equilibrium = _simulate_ramp(law, controls, times[:-1])
        dt = SWEEP_TIME / (points - 1)
        factor = decay_factor(dt, np.asarray(controls["tau"], dtype=float))
        n = relax(equilibrium[:, 0], equilibrium, factor)
        energy = column(controls, ENERGY)
        with np.errstate(all="ignore"):
            u = energy * (n + 0.5)
        return {"t": np.broadcast_to(times, n.shape).copy(), "U": u}

    @staticmethod
    def _occupation(
        controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, float] | None:
        """Times, occupations and the decay factor of one run, or None if unreadable."""
        t, u = np.asarray(series["t"], float), np.asarray(series["U"], float)
        if t.size < 3 or t.shape != u.shape or not np.all(np.isfinite(t)):
            return None
        dt = SWEEP_TIME / (t.size - 1)
        factor = float(decay_factor(dt, float(controls["tau"])))
        if not 0.0 < factor < 1.0:
            return None
        with np.errstate(all="ignore"):
            n = u / float(controls[ENERGY]) - 0.5
        return t, n, factor

    def law_samples(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> LawSamples:
        read = self._occupation(controls, series)
        if read is None:
            return empty_samples(tuple(v.name for v in self.law_inputs))
        t, n, factor = read
        # n[0] is the start equilibrium; step k >= 1 gives the equilibrium at T(t_k).
        occupation = np.concatenate([n[:1], unrelax(n, factor)[1:]])
        temperature = _ramp(controls, t[:-1])
        keep = np.isfinite(occupation)
        return _run_columns(controls, temperature[keep]), occupation[keep]

    def checks(
        self, law: ArrayFn, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> dict[str, float]:
        """``relaxation_residual``: each step of the occupation vs the step the law's
        equilibrium drives; ``equilibrium_residual``: the first occupation vs the law at
        ``T_start``."""
        read = self._occupation(controls, series)
        if read is None or not record_is_usable(read[1]):
            return {}
        t, n, factor = read
        temperature = _ramp(controls, t[:-1])
        predicted = evaluate(law, _run_columns(controls, temperature), temperature.shape)
        step = n[1:] - factor * n[:-1]
        return {
            "relaxation_residual": relative_gap(step, (1.0 - factor) * predicted),
            "equilibrium_residual": relative_gap(n[:1], predicted[:1]),
        }
