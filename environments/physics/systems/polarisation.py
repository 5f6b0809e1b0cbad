"""Polarised light through a turning analyser, read by a photodiode.

A motor turns the analyser over a one-second sweep, so the angle ``theta`` between the
light's polarisation and the analyser's axis is known at every sample time.

* :class:`RotatingAnalyser` (simple): the analyser turns at a constant rate and an ideal
  photodiode reads the intensity let through at each sample.
* :class:`LaggedPhotodiode` (complex): the analyser is stepped (held between samples) and the
  photodiode has a dark level and a first-order response of time constant ``tau``. Its
  reading relaxes towards ``dark + I`` over each interval, so a physicist measures the dark
  level while a shutter is closed (t < 0) and undoes the lag with the exact one-step
  recursion of :mod:`~discolab.environments.physics.systems.response`.
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
    linear_sweep,
    record_is_usable,
    relax,
    sweep_times,
    unrelax,
)
from discolab.types import Variable
from discolab.verifiers.physics import relative_gap

SOURCE, ANGLE = "I0", "theta"
"""Names of the polariser law's variables."""
DARK_LEVEL = 1.7
"""The complex photodiode's dark reading, in W/m^2 (not disclosed; measured at t < 0)."""
DARK_FRACTION = 8
"""The complex record's first ``points // DARK_FRACTION`` samples (at least 2) are dark."""

_TAU = Variable("tau", "s", 0.02, 1.0, "time constant of the photodiode's response")


def _controls(law_inputs: tuple[Variable, ...]) -> tuple[Variable, ...]:
    by_name = {v.name: v for v in law_inputs}
    angle = by_name[ANGLE]
    return (
        by_name[SOURCE],
        replace(angle, name="theta_start", description="analyser angle at the sweep start"),
        replace(angle, name="theta_stop", description="analyser angle at the sweep end"),
    )


def _reading(name: str, description: str) -> Variable:
    return Variable(name, "W/m^2", -float("inf"), float("inf"), description, log_scale=False)


def _run_columns(controls: Mapping[str, float], theta: np.ndarray) -> dict[str, np.ndarray]:
    return {
        SOURCE: np.full(theta.shape, float(controls[SOURCE])),
        ANGLE: theta,
    }


def _sweep(controls: Mapping[str, float], t: np.ndarray) -> np.ndarray:
    return linear_sweep(float(controls["theta_start"]), float(controls["theta_stop"]), t)


_SOURCE_TEXT = (
    "Linearly polarised light of intensity I0 falls on an analyser (a polariser) turned by a "
    "motor during a sweep of 1 s; theta is the angle between the light's polarisation and "
    "the analyser's axis. The hidden law gives the intensity I the analyser lets through."
)


class RotatingAnalyser(Apparatus):
    """Simple system: an analyser turning at a constant rate before an ideal photodiode.

    Controls: ``I0`` (W/m^2, the law's range) and the sweep's start and stop angles
    ``theta_start``, ``theta_stop`` (rad, the law's range of ``theta``). Records: ``t`` (s, 0
    to 1) and the photodiode's intensity ``I`` (W/m^2) at
    ``theta(t) = theta_start + (theta_stop - theta_start) t / 1 s``. Inversion: direct.
    """

    level = SIMPLE

    def __init__(self, *, law_inputs: tuple[Variable, ...], law_output: Variable) -> None:
        description = (
            f"{_SOURCE_TEXT} The analyser turns at a constant rate from theta_start at t = 0 "
            "to theta_stop at t = 1 s, so theta = theta_start + (theta_stop - theta_start) * "
            "t / (1 s). An ideal, instantaneous photodiode behind it records the intensity I."
        )
        super().__init__(
            title="Turning analyser before a photodiode",
            description=description,
            controls=_controls(law_inputs),
            observables=(
                Variable("t", "s", 0.0, SWEEP_TIME, "time since the sweep start", log_scale=False),
                _reading("I", "intensity let through, read by the photodiode"),
            ),
            law_inputs=law_inputs,
            law_output=law_output,
        )

    def simulate(
        self, law: ArrayFn, controls: Mapping[str, np.ndarray], points: int
    ) -> dict[str, np.ndarray]:
        t = sweep_times(points)[None, :]
        theta = linear_sweep(column(controls, "theta_start"), column(controls, "theta_stop"), t)
        shape = theta.shape
        intensity = evaluate(law, {SOURCE: column(controls, SOURCE), ANGLE: theta}, shape)
        return {"t": np.broadcast_to(t, shape).copy(), "I": intensity}

    def law_samples(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> LawSamples:
        t, intensity = np.asarray(series["t"], float), np.asarray(series["I"], float)
        if t.size < 2 or t.shape != intensity.shape:
            return empty_samples(tuple(v.name for v in self.law_inputs))
        theta = _sweep(controls, t)
        keep = np.isfinite(theta) & np.isfinite(intensity)
        return _run_columns(controls, theta[keep]), intensity[keep]

    def checks(
        self, law: ArrayFn, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> dict[str, float]:
        """``intensity_residual``: the recorded intensity vs the law along the sweep."""
        t, intensity = np.asarray(series["t"], float), np.asarray(series["I"], float)
        if not record_is_usable(t, intensity):
            return {}
        predicted = evaluate(law, _run_columns(controls, _sweep(controls, t)), t.shape)
        return {"intensity_residual": relative_gap(intensity, predicted)}


def dark_samples(points: int) -> int:
    """How many of a complex record's ``points`` samples are taken before t = 0."""
    return max(2, int(points) // DARK_FRACTION)


class LaggedPhotodiode(Apparatus):
    """Complex system: a stepped analyser before a slow photodiode with a dark level.

    Controls: ``I0``, ``theta_start``, ``theta_stop`` (as :class:`RotatingAnalyser`) and the
    photodiode's time constant ``tau`` in s [0.02, 1]. The first ``points // 8`` samples
    (at least 2) are taken with a shutter closed, at ``t < 0``; from ``t = 0`` on, the motor
    sets the analyser at each sample time ``t`` to ``theta_start + (theta_stop -
    theta_start) t / 1 s`` and holds it until the next sample. The reading ``s`` relaxes
    towards ``dark + I`` with factor ``exp(-dt / tau)`` per interval, the dark level being an
    undisclosed offset. Records ``t`` (s) and ``s`` (W/m^2). Inversion: dark = the mean dark
    reading; ``I(theta(t_k)) = (s[k+1] - a s[k]) / (1 - a) - dark`` with ``a = exp(-dt/tau)``.
    """

    level = COMPLEX

    def __init__(self, *, law_inputs: tuple[Variable, ...], law_output: Variable) -> None:
        description = (
            f"{_SOURCE_TEXT} Each run starts with a shutter closed: the samples before t = 0 "
            "(the first eighth of the record, at least 2) see no light, and the photodiode "
            "reads only its dark level, a fixed offset that is not given. The shutter opens "
            "at t = 0. From then on, at each sample time t the motor steps the analyser to "
            "theta = theta_start + (theta_stop - theta_start) * t / (1 s) and holds it until "
            "the next sample; the last sample is at t = 1 s, and samples are evenly spaced by "
            "dt. The photodiode is slow: its reading s relaxes towards (dark level + "
            "intensity let through) with time constant tau, so over each interval its gap to "
            "that target shrinks by the factor exp(-dt / tau)."
        )
        super().__init__(
            title="Stepped analyser before a slow photodiode with a dark level",
            description=description,
            controls=(*_controls(law_inputs), _TAU),
            observables=(
                Variable(
                    "t",
                    "s",
                    -SWEEP_TIME,
                    SWEEP_TIME,
                    "time since the shutter opened",
                    log_scale=False,
                ),
                _reading("s", "photodiode reading"),
            ),
            law_inputs=law_inputs,
            law_output=law_output,
        )

    def simulate(
        self, law: ArrayFn, controls: Mapping[str, np.ndarray], points: int
    ) -> dict[str, np.ndarray]:
        dark = dark_samples(points)
        lit = points - dark
        dt = SWEEP_TIME / (lit - 1)
        t = (np.arange(points) - dark) * dt
        held = t[dark:-1][None, :]
        theta = linear_sweep(column(controls, "theta_start"), column(controls, "theta_stop"), held)
        shape = theta.shape
        intensity = evaluate(law, {SOURCE: column(controls, SOURCE), ANGLE: theta}, shape)
        factor = decay_factor(dt, np.asarray(controls["tau"], dtype=float))
        runs = shape[0]
        open_part = relax(np.full(runs, DARK_LEVEL), DARK_LEVEL + intensity, factor)
        s = np.concatenate([np.full((runs, dark), DARK_LEVEL), open_part], axis=1)
        return {"t": np.broadcast_to(t, (runs, points)).copy(), "s": s}

    @staticmethod
    def _split(
        controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> tuple[float, float, np.ndarray, np.ndarray] | None:
        """Dark level, decay factor, and the times and readings from t = 0 on."""
        t, s = np.asarray(series["t"], float), np.asarray(series["s"], float)
        if t.size < 3 or t.shape != s.shape or not np.all(np.isfinite(t)):
            return None
        shut, lit = t < 0, t >= 0
        if not shut.any() or np.count_nonzero(lit) < 2:
            return None
        dark = float(np.mean(s[shut]))
        dt = SWEEP_TIME / (np.count_nonzero(lit) - 1)
        factor = float(decay_factor(dt, float(controls["tau"])))
        if not (dt > 0 and 0.0 < factor < 1.0):
            return None
        return dark, factor, t[lit], s[lit]

    def law_samples(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> LawSamples:
        split = self._split(controls, series)
        if split is None:
            return empty_samples(tuple(v.name for v in self.law_inputs))
        dark, factor, t, s = split
        intensity = unrelax(s, factor) - dark
        theta = _sweep(controls, t[:-1])
        keep = np.isfinite(intensity)
        return _run_columns(controls, theta[keep]), intensity[keep]

    def checks(
        self, law: ArrayFn, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> dict[str, float]:
        """``response_residual``: each step of the reading vs the step the law's intensity
        drives; ``record_residual``: the whole lit record replayed from the dark level with
        the law, vs the recorded one (both above the dark level)."""
        split = self._split(controls, series)
        if split is None or not record_is_usable(*split[2:]):
            return {}
        dark, factor, t, s = split
        intensity = evaluate(law, _run_columns(controls, _sweep(controls, t[:-1])), t[:-1].shape)
        step = (s[1:] - dark) - factor * (s[:-1] - dark)
        replay = relax(np.array([dark]), (dark + intensity)[None, :], np.array([factor]))[0]
        return {
            "response_residual": relative_gap(step, (1.0 - factor) * intensity),
            "record_residual": relative_gap(s - dark, replay - dark),
        }
