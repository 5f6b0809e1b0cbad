"""Refraction of a swept laser beam: spot positions on screens below an interface.

A laser in medium 1 turns at a constant rate over a one-second sweep, so the angle of
incidence ``theta1`` is known at every sample time; the refracted beam runs straight through
medium 2 and lights a spot on a horizontal screen at a known depth. The spot's position is
``depth * tan(theta2)`` from the point below the point of incidence, so a physicist reads the
refraction angle back as ``atan(position / depth)``.

* :class:`SweptRefraction` (simple): the laser pivots about the point of incidence; one screen.
* :class:`OffsetRefractometer` (complex): the laser pivots at an undisclosed height above the
  interface, so the point of incidence wanders along the interface during the sweep and
  every spot is shifted by an unknown amount; two screens at depths ``L`` and ``2 L`` let
  the shift cancel in the spot separation.
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
    constant_columns,
    empty_samples,
)
from discolab.environments.physics.systems.response import (
    column,
    evaluate,
    linear_sweep,
    record_is_usable,
    sweep_times,
)
from discolab.types import Variable
from discolab.verifiers.physics import relative_gap

ANGLE, INDEX_IN, INDEX_OUT = "theta1", "n1", "n2"
"""Names of the refraction law's variables."""
PIVOT_HEIGHT = 0.043
"""Height of the complex apparatus' laser pivot above the interface, in m (not disclosed)."""

_DEPTH = Variable("L", "m", 0.1, 1.0, "depth of the (first) screen below the interface")
_TIME = Variable("t", "s", 0.0, 1.0, "time since the start of the sweep", log_scale=False)


def _slope(theta2: np.ndarray) -> np.ndarray:
    """``tan(theta2)`` where the refracted beam heads down to the screens, NaN elsewhere."""
    with np.errstate(all="ignore"):
        return np.where(np.abs(theta2) < 0.5 * np.pi, np.tan(theta2), np.nan)


def _position(name: str, description: str) -> Variable:
    return Variable(name, "m", -float("inf"), float("inf"), description, log_scale=False)


def _controls(law_inputs: tuple[Variable, ...]) -> tuple[Variable, ...]:
    by_name = {v.name: v for v in law_inputs}
    angle = by_name[ANGLE]
    return (
        by_name[INDEX_IN],
        by_name[INDEX_OUT],
        replace(angle, name="theta_start", description="angle of incidence at the sweep start"),
        replace(angle, name="theta_stop", description="angle of incidence at the sweep end"),
        _DEPTH,
    )


_SWEEP_TEXT = (
    "A laser in medium 1 (refractive index n1) shines onto a flat horizontal interface with "
    "medium 2 (index n2) below it. A motor turns the laser at a constant rate from the angle "
    "of incidence theta_start at t = 0 to theta_stop at t = 1 s (angles from the normal to "
    "the interface), so theta1 = theta_start + (theta_stop - theta_start) * t / (1 s). The "
    "hidden law gives the angle of refraction theta2 of the beam in medium 2, which travels "
    "in a straight line."
)


class _Refraction(Apparatus):
    """What both refraction apparatus share: controls, the sweep and the law call."""

    def __init__(
        self,
        *,
        law_inputs: tuple[Variable, ...],
        law_output: Variable,
        title: str,
        description: str,
        observables: tuple[Variable, ...],
    ) -> None:
        super().__init__(
            title=title,
            description=description,
            controls=_controls(law_inputs),
            observables=observables,
            law_inputs=law_inputs,
            law_output=law_output,
        )

    @staticmethod
    def _angles(
        law: ArrayFn, controls: Mapping[str, np.ndarray], points: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Time grid, incidence and refraction angles, each ``(runs, points)``."""
        t = sweep_times(points)[None, :]
        theta1 = linear_sweep(column(controls, "theta_start"), column(controls, "theta_stop"), t)
        shape = theta1.shape
        columns = {
            ANGLE: theta1,
            INDEX_IN: column(controls, INDEX_IN),
            INDEX_OUT: column(controls, INDEX_OUT),
        }
        return np.broadcast_to(t, shape).copy(), theta1, evaluate(law, columns, shape)

    def _run(self, controls: Mapping[str, float], t: np.ndarray) -> dict[str, np.ndarray]:
        """One run's controls as ``(1,)`` arrays and its incidence angles along ``t``."""
        arrays = {n: np.asarray([float(v)], dtype=float) for n, v in controls.items()}
        theta1 = linear_sweep(arrays["theta_start"][0], arrays["theta_stop"][0], t)
        return {**arrays, ANGLE: theta1}

    def _samples(
        self, controls: Mapping[str, float], theta1: np.ndarray, tan2: np.ndarray
    ) -> LawSamples:
        with np.errstate(all="ignore"):
            theta2 = np.arctan(tan2)
        keep = np.isfinite(theta2) & np.isfinite(theta1)
        columns = constant_columns(
            {n: controls[n] for n in (INDEX_IN, INDEX_OUT)}, int(np.count_nonzero(keep))
        )
        columns[ANGLE] = theta1[keep]
        return columns, theta2[keep]


class SweptRefraction(_Refraction):
    """Simple system: a laser swept about the point of incidence, one screen below.

    Controls: ``n1``, ``n2``, the sweep's start and stop angles ``theta_start``,
    ``theta_stop`` (rad, the law's range of ``theta1``) and the screen depth ``L`` in m
    [0.1, 1]. Records: ``t`` (s, 0 to 1) and the spot position ``x`` (m) on the screen,
    ``L * tan(theta2)``. Inversion: ``theta2 = atan(x / L)`` at ``theta1(t)``.
    """

    level = SIMPLE

    def __init__(self, *, law_inputs: tuple[Variable, ...], law_output: Variable) -> None:
        description = (
            f"{_SWEEP_TEXT} The laser pivots about the point where its beam meets the "
            "interface, so the beam always enters medium 2 at the same point. A horizontal "
            "screen at depth L below the interface carries a position-sensitive detector that "
            "records the position x of the beam's spot, measured from the point of the screen "
            "straight below the point of incidence (positive on the far side of the normal). "
            "A sample without a refracted beam reaching the screen is recorded as NaN."
        )
        super().__init__(
            law_inputs=law_inputs,
            law_output=law_output,
            title="Laser swept across an interface, spot on a screen",
            description=description,
            observables=(_TIME, _position("x", "position of the beam's spot on the screen")),
        )

    def simulate(
        self, law: ArrayFn, controls: Mapping[str, np.ndarray], points: int
    ) -> dict[str, np.ndarray]:
        t, _, theta2 = self._angles(law, controls, points)
        return {"t": t, "x": column(controls, "L") * _slope(theta2)}

    def law_samples(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> LawSamples:
        t, x = np.asarray(series["t"], float), np.asarray(series["x"], float)
        if t.size < 2 or t.shape != x.shape or not np.all(np.isfinite(t)):
            return empty_samples(tuple(v.name for v in self.law_inputs))
        run = self._run(controls, t)
        with np.errstate(all="ignore"):
            tan2 = x / float(controls["L"])
        return self._samples(controls, run[ANGLE], tan2)

    def checks(
        self, law: ArrayFn, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> dict[str, float]:
        """``screen_residual``: the recorded spots vs the spots the law's angles predict."""
        t, x = np.asarray(series["t"], float), np.asarray(series["x"], float)
        if not record_is_usable(t, x):
            return {}
        run = self._run(controls, t)
        theta2 = evaluate(law, {n: run[n] for n in (ANGLE, INDEX_IN, INDEX_OUT)}, t.shape)
        predicted = float(controls["L"]) * _slope(theta2)
        return {"screen_residual": relative_gap(x, predicted)}


class OffsetRefractometer(_Refraction):
    """Complex system: the laser pivots at an undisclosed height, two screens below.

    Controls as :class:`SweptRefraction`. The pivot's height ``h`` above the interface is not
    given, so the beam enters medium 2 at ``h * tan(theta1)`` from the point below the pivot,
    a shift that moves during the sweep and hides the refraction in either spot alone.
    Records: ``t`` and the spot positions ``x1`` on a thin, partially transmitting screen at
    depth ``L`` and ``x2`` on a screen at ``2 L``. Inversion: ``theta2 = atan((x2 - x1) / L)``
    (the entry point cancels); ``x1 - L tan(theta2)`` must then be proportional to
    ``tan(theta1)``, one height for the whole sweep.
    """

    level = COMPLEX

    def __init__(self, *, law_inputs: tuple[Variable, ...], law_output: Variable) -> None:
        description = (
            f"{_SWEEP_TEXT} The laser's pivot sits at a fixed height above the interface that "
            "is not given, so the point where the beam enters medium 2 moves along the "
            "interface as the laser turns. Below the interface, a thin partially transmitting "
            "screen at depth L and a second screen at depth 2 L carry position-sensitive "
            "detectors that record the positions x1 and x2 of the beam's spots, both measured "
            "from the vertical line through the pivot (positive on the far side). A sample "
            "without a refracted beam reaching the screens is recorded as NaN."
        )
        super().__init__(
            law_inputs=law_inputs,
            law_output=law_output,
            title="Laser on a raised pivot across an interface, two screens",
            description=description,
            observables=(
                _TIME,
                _position("x1", "position of the spot on the screen at depth L"),
                _position("x2", "position of the spot on the screen at depth 2 L"),
            ),
        )

    def simulate(
        self, law: ArrayFn, controls: Mapping[str, np.ndarray], points: int
    ) -> dict[str, np.ndarray]:
        t, theta1, theta2 = self._angles(law, controls, points)
        depth = column(controls, "L")
        with np.errstate(all="ignore"):
            entry = PIVOT_HEIGHT * np.tan(theta1)
            run = _slope(theta2)
            return {"t": t, "x1": entry + depth * run, "x2": entry + 2.0 * depth * run}

    def _read(self, series: Mapping[str, np.ndarray]) -> tuple[np.ndarray, ...]:
        return tuple(np.asarray(series[n], float) for n in ("t", "x1", "x2"))

    def law_samples(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> LawSamples:
        t, x1, x2 = self._read(series)
        if t.size < 2 or not (t.shape == x1.shape == x2.shape) or not np.all(np.isfinite(t)):
            return empty_samples(tuple(v.name for v in self.law_inputs))
        run = self._run(controls, t)
        with np.errstate(all="ignore"):
            tan2 = (x2 - x1) / float(controls["L"])
        return self._samples(controls, run[ANGLE], tan2)

    def checks(
        self, law: ArrayFn, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> dict[str, float]:
        """``separation_residual`` (the spot separation vs the law's angles) and
        ``entry_residual`` (after removing the law's part, the first spot must move with
        ``tan(theta1)`` as one fixed pivot height implies; least-squares height)."""
        t, x1, x2 = self._read(series)
        if not record_is_usable(t, x1, x2):
            return {}
        run = self._run(controls, t)
        depth = float(controls["L"])
        theta2 = evaluate(law, {n: run[n] for n in (ANGLE, INDEX_IN, INDEX_OUT)}, t.shape)
        predicted = depth * _slope(theta2)
        with np.errstate(all="ignore"):
            entry = x1 - predicted
            lever = np.tan(run[ANGLE])
            height = float(np.sum(entry * lever) / np.sum(lever * lever))
            residual = entry - height * lever
        return {
            "separation_residual": relative_gap(x2 - x1, predicted),
            "entry_residual": relative_gap(x1, x1 - residual),
        }
