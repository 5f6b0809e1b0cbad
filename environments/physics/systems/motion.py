"""Motion under a force law: a body released on a track (simple) and a planar two-body orbit
(complex), integrated with velocity Verlet.

The integrator's step is the sampling interval, so the record obeys the Störmer identity
``x[k+1] - 2 x[k] + x[k-1] = a(x[k]) dt²`` exactly: the second difference of the record is
the acceleration (the constant-acceleration consistency that
:func:`discolab.verifiers.physics.newton_residual` checks). Positions are recorded as
displacements from the starting point, so a run that barely moves still resolves its
acceleration to full floating-point precision.

Both apparatus take the law as ``F(sources..., distance)``: the force's magnitude between the
two bodies, attractive or repulsive. The inertia of a moving body is either a variable of the
law (a gravitating mass) or an extra control (the mass of a test charge).
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
    run_columns,
    sampling_grid,
)
from discolab.types import Variable
from discolab.verifiers import physics

TRACK_FRACTION = 0.5
"""A body is caught once it has moved this fraction of the starting distance (simple)."""
CHAMBER = (0.5, 2.0)
"""The orbit stops when the distance leaves this multiple of the start (complex)."""


def _time(controls: Mapping[str, np.ndarray], points: int) -> tuple[np.ndarray, np.ndarray]:
    """Sampling interval per run (n,) and the time grid (n, points)."""
    return sampling_grid(controls["T"], points)


def _interior(frozen: np.ndarray) -> np.ndarray:
    """Indices k with samples k-1, k, k+1 all recorded before the run stopped."""
    ok = ~frozen
    inner = ok[:-2] & ok[1:-1] & ok[2:]
    return np.nonzero(inner)[0] + 1


class _ForceSetup:
    """What both motion apparatus share: the law's variables and the bodies' inertia."""

    def __init__(
        self,
        law_inputs: tuple[Variable, ...],
        distance: str,
        inertia: tuple[str | Variable, str | Variable],
        attractive: bool,
    ) -> None:
        self.law_inputs = law_inputs
        self.distance = distance
        self.sources = tuple(v.name for v in law_inputs if v.name != distance)
        self.inertia = inertia
        self.sign = -1.0 if attractive else 1.0
        extra: dict[str, Variable] = {}
        for item in inertia:  # one moving body names its inertia for both ends: list it once
            if isinstance(item, Variable):
                extra.setdefault(item.name, item)
        self.extra = tuple(extra.values())

    def mass(self, which: int, controls: Mapping[str, np.ndarray]) -> np.ndarray:
        item = self.inertia[which]
        name = item.name if isinstance(item, Variable) else item
        return np.asarray(controls[name], dtype=float)

    def force(self, law: ArrayFn, controls: Mapping[str, np.ndarray], r: np.ndarray) -> np.ndarray:
        columns = {n: np.asarray(controls[n], dtype=float) for n in self.sources}
        columns[self.distance] = r
        return evaluate_law(law, columns)

    def source_columns(self, controls: Mapping[str, float], size: int) -> dict[str, np.ndarray]:
        return {n: np.full(size, float(controls[n])) for n in self.sources}

    def distance_variable(self, name: str, description: str) -> Variable:
        var = next(v for v in self.law_inputs if v.name == self.distance)
        return replace(var, name=name, description=description)


class ReleaseOnTrack(Apparatus):
    """Simple system: a body released from rest on a straight track, pulled or pushed by a
    source fixed at the track's origin.

    Controls: the law's source variables, the moving body's mass (a law variable or an extra
    control), the starting distance ``<d>0`` and the recording time ``T``. Records: ``t`` and
    the displacement ``s`` along the track (positive away from the source). The body is caught
    once ``|s|`` reaches half the starting distance and stays there.
    """

    level = SIMPLE

    def __init__(
        self,
        *,
        law_inputs: tuple[Variable, ...],
        law_output: Variable,
        distance: str,
        mass: str | Variable,
        attractive: bool,
        duration: Variable,
        title: str,
        body: str,
    ) -> None:
        self.setup = _ForceSetup(law_inputs, distance, (mass, mass), attractive)
        start = self.setup.distance_variable(f"{distance}0", f"starting distance of the {body}")
        controls = (
            *(v for v in law_inputs if v.name != distance),
            *self.setup.extra,
            start,
            duration,
        )
        mass_name = mass.name if isinstance(mass, Variable) else mass
        push = "pulls it towards" if attractive else "pushes it away from"
        description = (
            f"A {body} (inertial mass {mass_name}) starts at rest at distance {start.name} from "
            f"a fixed source on a straight frictionless track; the force {law_output.name} of "
            f"the hidden law {push} the source, so its acceleration is {law_output.name}/"
            f"{mass_name}. The motion is integrated with velocity Verlet at the sampling "
            f"interval T/(points-1). The {body} is caught, and stays, once it has moved half "
            f"of {start.name}. The record is its displacement s from the start, positive away "
            f"from the source, so its distance is {distance} = {start.name} + s."
        )
        observables = (
            Variable("t", "s", 0.0, float("inf"), "time since release", log_scale=False),
            Variable(
                "s",
                "m",
                -float("inf"),
                float("inf"),
                "displacement along the track",
                log_scale=False,
            ),
        )
        super().__init__(
            title=title,
            description=description,
            controls=controls,
            observables=observables,
            law_inputs=law_inputs,
            law_output=law_output,
        )
        self.start = start.name

    def simulate(
        self, law: ArrayFn, controls: Mapping[str, np.ndarray], points: int
    ) -> dict[str, np.ndarray]:
        setup = self.setup
        dt, t = _time(controls, points)
        r0 = np.asarray(controls[self.start], dtype=float)
        mass = setup.mass(0, controls)
        limit = TRACK_FRACTION * r0
        s = np.zeros((r0.size, points))
        v = np.zeros(r0.size)
        a = setup.sign * setup.force(law, controls, r0) / mass
        caught = np.zeros(r0.size, dtype=bool)
        for k in range(1, points):
            step = np.where(caught, 0.0, v * dt + 0.5 * a * dt**2)
            s[:, k] = np.clip(s[:, k - 1] + step, -limit, limit)
            caught |= np.abs(s[:, k]) >= limit
            a_new = setup.sign * setup.force(law, controls, r0 + s[:, k]) / mass
            v = np.where(caught, 0.0, v + 0.5 * (a + a_new) * dt)
            a = a_new
        return {"t": t, "s": s}

    def law_samples(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> LawSamples:
        setup = self.setup
        t, s = np.asarray(series["t"], float), np.asarray(series["s"], float)
        names = tuple(v.name for v in self.law_inputs)
        if t.size < 3 or not (np.all(np.isfinite(t)) and np.all(np.isfinite(s))):
            return empty_samples(names)
        r0 = float(controls[self.start])
        dt = float(t[1] - t[0])
        frozen = np.abs(s) >= TRACK_FRACTION * r0 * (1 - 1e-12)
        k = _interior(frozen)
        if k.size == 0 or dt <= 0:
            return empty_samples(names)
        accel = physics.second_difference(s, dt)[k - 1]
        mass = float(setup.mass(0, run_columns(controls))[0])
        force = setup.sign * mass * accel
        columns = setup.source_columns(controls, k.size)
        columns[setup.distance] = r0 + s[k]
        keep = np.isfinite(force) & (force != 0)
        return {n: c[keep] for n, c in columns.items()}, force[keep]

    def checks(
        self, law: ArrayFn, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> dict[str, float]:
        """Newtonian residual (second difference vs the law) and the work-energy residual."""
        setup = self.setup
        t, s = np.asarray(series["t"], float), np.asarray(series["s"], float)
        r0 = float(controls[self.start])
        frozen = np.abs(s) >= TRACK_FRACTION * r0 * (1 - 1e-12)
        stop = int(np.argmax(frozen)) if frozen.any() else s.size
        if stop < 3:
            return {}
        t, s = t[:stop], s[:stop]
        arrays = run_columns(controls)
        mass = float(setup.mass(0, arrays)[0])
        force = setup.sign * setup.force(law, arrays, r0 + s)
        return {
            "newton_residual": physics.newton_residual(t, s, force / mass),
            "energy_residual": physics.work_energy_residual(t, s, mass, force),
        }


class TwoBodyOrbit(Apparatus):
    """Complex system: two free bodies in a plane under the law's central force.

    Body 1 starts at rest at the origin, body 2 at distance ``<d>0`` on the x axis moving
    along y at speed ``v0``; both move, so the record mixes the law with the bodies' inertia,
    the changing direction of the force and the drift of the centre of mass. Records ``t``
    and the displacements ``x1, y1, x2, y2`` of both bodies from their starting points. The
    run stops (both bodies held) when their distance leaves ``[0.5, 2]`` times the start.
    """

    level = COMPLEX

    def __init__(
        self,
        *,
        law_inputs: tuple[Variable, ...],
        law_output: Variable,
        distance: str,
        masses: tuple[str | Variable, str | Variable],
        attractive: bool,
        duration: Variable,
        speed: Variable,
        title: str,
        bodies: str,
    ) -> None:
        self.setup = _ForceSetup(law_inputs, distance, masses, attractive)
        start = self.setup.distance_variable(f"{distance}0", "starting distance of the bodies")
        extra = tuple(m for m in self.setup.extra)
        controls = (
            *(v for v in law_inputs if v.name != distance),
            *extra,
            start,
            speed,
            duration,
        )
        names = [m.name if isinstance(m, Variable) else m for m in masses]
        kind = "attract" if attractive else "repel"
        description = (
            f"Two {bodies} move freely in a plane; they {kind} each other with the force "
            f"{law_output.name} of the hidden law along the line between them (Newton's third "
            f"law holds), so body 1 (inertial mass {names[0]}) and body 2 (inertial mass "
            f"{names[1]}) both accelerate. Body 1 starts at rest at the origin; body 2 starts "
            f"at ({start.name}, 0) with velocity ({speed.name} along y). The motion is "
            "integrated with velocity Verlet at the sampling interval T/(points-1). The run "
            f"stops, both bodies held, when their distance falls below half of {start.name} or "
            f"rises above twice {start.name}. "
            "The record is each body's displacement from its own starting point: body 1 is at "
            f"(x1, y1), body 2 at ({start.name} + x2, y2)."
        )
        observables = (
            Variable("t", "s", 0.0, float("inf"), "time since the start", log_scale=False),
            *(
                Variable(
                    f"{axis}{i}",
                    "m",
                    -float("inf"),
                    float("inf"),
                    f"{axis} displacement of body {i}",
                    log_scale=False,
                )
                for i in (1, 2)
                for axis in ("x", "y")
            ),
        )
        super().__init__(
            title=title,
            description=description,
            controls=controls,
            observables=observables,
            law_inputs=law_inputs,
            law_output=law_output,
        )
        self.start = start.name
        self.speed = speed.name

    def simulate(
        self, law: ArrayFn, controls: Mapping[str, np.ndarray], points: int
    ) -> dict[str, np.ndarray]:
        setup = self.setup
        dt, t = _time(controls, points)
        r0 = np.asarray(controls[self.start], dtype=float)
        v0 = np.asarray(controls[self.speed], dtype=float)
        m1, m2 = setup.mass(0, controls), setup.mass(1, controls)
        n = r0.size
        p1, p2 = np.zeros((n, 2)), np.zeros((n, 2))  # displacements from the starts
        v1 = np.zeros((n, 2))
        v2 = np.stack([np.zeros(n), v0], axis=1)
        out = {name: np.zeros((n, points)) for name in ("x1", "y1", "x2", "y2")}

        def accelerations(q1: np.ndarray, q2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            rel = q2 - q1
            rel[:, 0] += r0
            dist = np.hypot(rel[:, 0], rel[:, 1])
            with np.errstate(all="ignore"):
                unit = rel / dist[:, None]
            force = setup.sign * setup.force(law, controls, dist)
            return -force[:, None] * unit / m1[:, None], force[:, None] * unit / m2[:, None]

        a1, a2 = accelerations(p1, p2)
        stopped = np.zeros(n, dtype=bool)
        lo, hi = CHAMBER
        for k in range(1, points):
            live = ~stopped[:, None]
            p1 = p1 + np.where(live, v1 * dt[:, None] + 0.5 * a1 * dt[:, None] ** 2, 0.0)
            p2 = p2 + np.where(live, v2 * dt[:, None] + 0.5 * a2 * dt[:, None] ** 2, 0.0)
            rel = p2 - p1
            dist = np.hypot(rel[:, 0] + r0, rel[:, 1])
            stopped |= ~((dist > lo * r0) & (dist < hi * r0))
            b1, b2 = accelerations(p1, p2)
            v1 = np.where(live, v1 + 0.5 * (a1 + b1) * dt[:, None], 0.0)
            v2 = np.where(live, v2 + 0.5 * (a2 + b2) * dt[:, None], 0.0)
            a1, a2 = b1, b2
            for name, col in (
                ("x1", p1[:, 0]),
                ("y1", p1[:, 1]),
                ("x2", p2[:, 0]),
                ("y2", p2[:, 1]),
            ):
                out[name][:, k] = col
        return {"t": t, **out}

    def _relative(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Time, relative displacement vectors (points, 2) and which samples are stopped."""
        t = np.asarray(series["t"], float)
        r0 = float(controls[self.start])
        rel = np.stack(
            [
                np.asarray(series["x2"], float) - np.asarray(series["x1"], float),
                np.asarray(series["y2"], float) - np.asarray(series["y1"], float),
            ],
            axis=1,
        )
        dist = np.hypot(rel[:, 0] + r0, rel[:, 1])
        lo, hi = CHAMBER
        outside = ~((dist > lo * r0) & (dist < hi * r0))
        # Once stopped, the record repeats itself: mark the first repeat and everything after.
        stopped = np.maximum.accumulate(outside)
        return t, rel, stopped

    def law_samples(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> LawSamples:
        setup = self.setup
        names = tuple(v.name for v in self.law_inputs)
        t, rel, stopped = self._relative(controls, series)
        if t.size < 3 or not np.all(np.isfinite(rel)):
            return empty_samples(names)
        dt = float(t[1] - t[0])
        k = _interior(stopped)
        if k.size == 0 or dt <= 0:
            return empty_samples(names)
        r0 = float(controls[self.start])
        arrays = run_columns(controls)
        m1, m2 = float(setup.mass(0, arrays)[0]), float(setup.mass(1, arrays)[0])
        accel = physics.second_difference(rel, dt)[k - 1]
        position = rel[k].copy()
        position[:, 0] += r0
        dist = np.hypot(position[:, 0], position[:, 1])
        radial = np.sum(accel * position, axis=1) / dist
        force = setup.sign * radial / (1.0 / m1 + 1.0 / m2)
        columns = setup.source_columns(controls, k.size)
        columns[setup.distance] = dist
        keep = np.isfinite(force) & (force != 0)
        return {n: c[keep] for n, c in columns.items()}, force[keep]

    def checks(
        self, law: ArrayFn, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> dict[str, float]:
        """Momentum conservation of the record and the work-energy residual of the law."""
        setup = self.setup
        t, rel, stopped = self._relative(controls, series)
        stop = int(np.argmax(stopped)) if stopped.any() else t.size
        if stop < 3:
            return {}
        arrays = run_columns(controls)
        m1, m2 = float(setup.mass(0, arrays)[0]), float(setup.mass(1, arrays)[0])
        dt = float(t[1] - t[0])
        p1 = np.stack([series["x1"], series["y1"]], axis=1)[:stop].astype(float)
        p2 = np.stack([series["x2"], series["y2"]], axis=1)[:stop].astype(float)
        r0 = float(controls[self.start])
        position = rel[:stop].copy()
        position[:, 0] += r0
        dist = np.hypot(position[:, 0], position[:, 1])
        force = setup.sign * setup.force(law, arrays, dist)
        v1, v2 = physics.central_velocity(p1, dt), physics.central_velocity(p2, dt)
        kinetic = 0.5 * m1 * np.sum(v1**2, axis=1) + 0.5 * m2 * np.sum(v2**2, axis=1)
        return {
            "momentum_residual": physics.momentum_residual([m1, m2], [v1, v2]),
            "energy_residual": physics.energy_balance_residual(kinetic, dist[1:-1], force[1:-1]),
        }
