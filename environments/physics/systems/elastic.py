"""Spring launchers: the energy stored in a compressed spring drives a projectile.

The law is the stored energy ``U(k, x)`` of a spring of stiffness ``k`` compressed by ``x``.
A latch releases the spring, which hands its energy to a projectile; the record starts when
the projectile leaves the spring, so the law enters only through the launch speed, and the
agent turns the record back into energy with public mechanics (kinetic energy, free fall,
the effective mass of a spring). One run gives one value of the law at the run's ``(k, x)``,
repeated at every sample of the record.

* :class:`SpringLauncher` (simple): a cart on a level frictionless track, massless spring.
  Record ``s(t) = v t``; inversion ``U = m v² / 2`` with ``v = s / t``.
* :class:`VerticalLauncher` (complex): the projectile is shot straight up under gravity and
  the spring has its own mass ``ms``, which keeps part of the energy (a uniform spring whose
  free end moves at ``v`` carries kinetic energy ``ms v² / 6``). Record the height ``h(t)``
  until the projectile falls back into the launcher; inversion ``v0 = h / t + g t / 2`` and
  ``U = (m + ms / 3) v0² / 2``.
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

GRAVITY = 9.81
"""Standard gravity in m/s², a public constant of the vertical launcher."""


def _time(controls: Mapping[str, np.ndarray], points: int) -> np.ndarray:
    return sampling_grid(controls["T"], points)[1]


def _law_inputs(law_inputs: tuple[Variable, ...], controls: Mapping[str, np.ndarray]) -> dict:
    return {v.name: np.asarray(controls[v.name], dtype=float) for v in law_inputs}


def _relative_gap(measured: np.ndarray, predicted: np.ndarray) -> float:
    """RMS of ``measured / predicted - 1``; ``inf`` when not finite or nothing to compare."""
    with np.errstate(all="ignore"):
        gap = measured / predicted - 1.0
        value = float(np.sqrt(np.mean(np.square(gap)))) if gap.size else float("inf")
    return value if np.isfinite(value) else float("inf")


_TIME = Variable("t", "s", 0.0, float("inf"), "time since the projectile left the spring", False)


class SpringLauncher(Apparatus):
    """Simple system: a spring launcher shoots a cart along a level frictionless track.

    Controls: the spring's stiffness ``k`` and compression ``x`` (the law's variables), the
    cart's mass ``m`` and the recording time ``T``. The massless spring hands all of its
    stored energy to the cart, which then coasts at constant speed ``v``. Records ``t`` (from
    the moment the cart leaves the spring) and the cart's position ``s`` past that point.
    Inversion: ``v = s / t`` at every sample after the first, ``U = m v² / 2``.
    """

    level = SIMPLE

    def __init__(
        self,
        *,
        law_inputs: tuple[Variable, ...],
        law_output: Variable,
        mass: Variable,
        duration: Variable,
        title: str,
    ) -> None:
        k, x = (v.name for v in law_inputs)
        description = (
            f"A spring of stiffness {k}, compressed by {x}, is held by a latch against a cart "
            f"of mass {mass.name} on a level frictionless track. Released, the massless "
            f"spring gives all of its stored energy {law_output.name} (the hidden law) to the "
            "cart as kinetic energy, and the cart coasts on at constant speed. The record "
            "starts when the cart leaves the spring: its position s past the launch point, "
            f"sampled {duration.name}/(points-1) apart."
        )
        observables = (
            _TIME,
            Variable("s", "m", 0.0, float("inf"), "position of the cart past the launch", False),
        )
        super().__init__(
            title=title,
            description=description,
            controls=(*law_inputs, mass, duration),
            observables=observables,
            law_inputs=law_inputs,
            law_output=law_output,
        )
        self.mass = mass.name

    def _speed(self, law: ArrayFn, controls: Mapping[str, np.ndarray]) -> np.ndarray:
        energy = np.asarray(law(_law_inputs(self.law_inputs, controls)), dtype=float)
        mass = np.asarray(controls[self.mass], dtype=float)
        with np.errstate(all="ignore"):
            return np.sqrt(2.0 * energy / mass)

    def simulate(
        self, law: ArrayFn, controls: Mapping[str, np.ndarray], points: int
    ) -> dict[str, np.ndarray]:
        t = _time(controls, points)
        return {"t": t, "s": self._speed(law, controls)[:, None] * t}

    def _energies(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> np.ndarray:
        t, s = np.asarray(series["t"], float), np.asarray(series["s"], float)
        with np.errstate(all="ignore"):
            v = s[1:] / t[1:]
            energy = float(controls[self.mass]) * v * v / 2.0
        return energy[np.isfinite(energy) & (energy > 0)]

    def law_samples(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> LawSamples:
        energies = self._energies(controls, series)
        return samples_at_controls(self.law_inputs, controls, energies)

    def checks(
        self, law: ArrayFn, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> dict[str, float]:
        """Energy balance: the cart's kinetic energy against the candidate's stored energy."""
        arrays = run_columns(controls)
        with np.errstate(all="ignore"):
            stored = np.asarray(law(_law_inputs(self.law_inputs, arrays)), dtype=float)
        return {"energy_residual": _relative_gap(self._energies(controls, series), stored)}


class VerticalLauncher(Apparatus):
    """Complex system: a spring with its own mass shoots a projectile straight up.

    Controls: ``k``, ``x`` (the law's variables), the projectile's mass ``m``, the spring's
    own mass ``ms`` and the recording time ``T``. The spring's energy is shared between the
    projectile and the spring's own motion (effective mass ``m + ms/3``); the projectile then
    flies under gravity ``g = 9.81 m/s²`` and is caught when it falls back to the launcher.
    Records ``t`` (from the moment it leaves the spring) and its height ``h``. Inversion:
    ``v0 = h/t + g t/2`` at every sample in flight, ``U = (m + ms/3) v0²/2``.
    """

    level = COMPLEX

    def __init__(
        self,
        *,
        law_inputs: tuple[Variable, ...],
        law_output: Variable,
        mass: Variable,
        spring_mass: Variable,
        duration: Variable,
        title: str,
    ) -> None:
        k, x = (v.name for v in law_inputs)
        m, ms = mass.name, spring_mass.name
        description = (
            f"A spring of stiffness {k} and mass {ms}, compressed by {x}, stands upright in a "
            f"launch tube under a projectile of mass {m}. Released, the spring's stored energy "
            f"{law_output.name} (the hidden law) is shared between the projectile and the "
            f"spring's own motion: a uniform spring whose free end moves at speed v carries "
            f"kinetic energy {ms}·v²/6, so the energy goes into an effective mass {m} + {ms}/3 "
            f"moving at the launch speed. The projectile leaves the spring at height 0 and "
            f"flies straight up and back under gravity g = {GRAVITY} m/s² (no air drag); it "
            "is caught, and stays at height 0, when it falls back into the tube. The record "
            "starts when it leaves the spring: its height h above the launch point, sampled "
            f"{duration.name}/(points-1) apart."
        )
        observables = (
            _TIME,
            Variable("h", "m", 0.0, float("inf"), "height of the projectile", False),
        )
        super().__init__(
            title=title,
            description=description,
            controls=(*law_inputs, mass, spring_mass, duration),
            observables=observables,
            law_inputs=law_inputs,
            law_output=law_output,
        )
        self.mass, self.spring_mass = m, ms

    def _inertia(self, controls: Mapping[str, np.ndarray | float]) -> np.ndarray:
        m = np.asarray(controls[self.mass], dtype=float)
        return m + np.asarray(controls[self.spring_mass], dtype=float) / 3.0

    def simulate(
        self, law: ArrayFn, controls: Mapping[str, np.ndarray], points: int
    ) -> dict[str, np.ndarray]:
        t = _time(controls, points)
        energy = np.asarray(law(_law_inputs(self.law_inputs, controls)), dtype=float)
        with np.errstate(all="ignore"):
            v0 = np.sqrt(2.0 * energy / self._inertia(controls))[:, None]
            landing = 2.0 * v0 / GRAVITY
            h = np.where(t < landing, v0 * t - GRAVITY * t * t / 2.0, 0.0)
        h = np.where(np.isfinite(v0), np.maximum(h, 0.0), np.nan)
        return {"t": t, "h": h}

    def _launch_energies(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> np.ndarray:
        t, h = np.asarray(series["t"], float), np.asarray(series["h"], float)
        with np.errstate(all="ignore"):
            v0 = h[1:] / t[1:] + GRAVITY * t[1:] / 2.0
            energy = float(self._inertia(controls)) * v0 * v0 / 2.0
        flying = np.isfinite(energy) & (h[1:] > 0)
        return energy[flying]

    def law_samples(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> LawSamples:
        energies = self._launch_energies(controls, series)
        return samples_at_controls(self.law_inputs, controls, energies)

    def checks(
        self, law: ArrayFn, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> dict[str, float]:
        """Energy balance: launch energy (effective mass, free fall undone) vs the candidate."""
        arrays = run_columns(controls)
        with np.errstate(all="ignore"):
            stored = np.asarray(law(_law_inputs(self.law_inputs, arrays)), dtype=float)
        energy = self._launch_energies(controls, series)
        return {"energy_residual": _relative_gap(energy, stored)}
