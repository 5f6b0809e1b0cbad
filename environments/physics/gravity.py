"""Gravitation: the force between two bodies, Newton's law and shifted variants."""

from __future__ import annotations

from discolab.environments.physics.mutation import LawSetup
from discolab.environments.physics.systems.environment import SystemLawEnvironment
from discolab.environments.physics.systems.motion import ReleaseOnTrack, TwoBodyOrbit
from discolab.environments.physics.tree import Const, Var
from discolab.environments.physics.vanilla import VanillaLawEnvironment
from discolab.environments.physics.variants import LazyDomain
from discolab.types import Variable

INPUTS = (
    Variable("m1", "kg", 1e22, 1e25, "mass of the first body"),
    Variable("m2", "kg", 1e20, 1e24, "mass of the second body"),
    Variable("r", "m", 1e7, 1e10, "distance between the centres of the bodies"),
)
OUTPUT = Variable("F", "N", 0.0, float("inf"), "magnitude of the force between the bodies")

_G, _m1, _m2, _r = Const("G"), Var("m1"), Var("m2"), Var("r")
SETUP = LawSetup("gravity", INPUTS, OUTPUT, _G * _m1 * _m2 / _r**2, (("G", 6.674e-11),))
LEGACY = (
    ("s1", _G * _m1 * _m2 / _r**1.5, (("G", 2.91e-13),)),
    ("s2", _G * (_m1 + _m2) ** 2 / _r**1.5, (("G", 4.37e-14),)),
    ("s3", _G * _m1**1.3 * _m2 / _r**2, (("G", 1.52e-17),)),
    ("s4", _G * _m1 * _m2**2 / _r**2.5, (("G", 3.8e-27),)),
)


class GravityV1(VanillaLawEnvironment):
    """``newton/gravity-v1``: measure the force F between two bodies.

    Inputs: ``m1`` in kg [1e22, 1e25], ``m2`` in kg [1e20, 1e24], ``r`` in m [1e7, 1e10],
    all log-scaled. Output: ``F`` in N, positive everywhere on the domain.

    Shifts (hidden; constants fixed per shift and never shown to agents):

    ==========  =====================================  ===============
    shift       law                                     constant unit
    ==========  =====================================  ===============
    canonical   6.674e-11 * m1 * m2 / r**2              N*m^2/kg^2
    s1          2.91e-13 * m1 * m2 / r**1.5             N*m^1.5/kg^2
    s2          4.37e-14 * (m1 + m2)**2 / r**1.5        N*m^1.5/kg^2
    s3          1.52e-17 * m1**1.3 * m2 / r**2          N*m^2/kg^2.3
    s4          3.8e-27 * m1 * m2**2 / r**2.5           N*m^2.5/kg^3
    ==========  =====================================  ===============

    plus the generated variants ``easy-1`` ... ``hard-3`` of the ``newton-v1`` suite (see
    :mod:`~discolab.environments.physics.mutation`).

    Options: ``shift``, ``noise``, ``budget``, ``max_batch`` (see
    :class:`VanillaLawEnvironment`).

    Version history: v1 — first release; the generated variants were added later under new
    shift names, so every earlier shift keeps its meaning.
    """

    env_id = "newton/gravity-v1"
    domain = LazyDomain(
        SETUP,
        "Force between two bodies",
        "the force one body exerts on another at a distance",
        LEGACY,
    )


_DURATION = Variable("T", "s", 1.0, 1e7, "recording time of the run")


class GravitySimpleV1(SystemLawEnvironment):
    """``newton/gravity-simple-v1``: a body falling towards a fixed mass on a straight track.

    Apparatus: :class:`~discolab.environments.physics.systems.motion.ReleaseOnTrack`. Controls
    ``m1`` (the fixed body), ``m2`` (the falling body, also its inertial mass), ``r0`` and the
    recording time ``T`` in s [1, 1e7]; records ``t`` and the displacement ``s``. The hidden
    law is the same ``shift`` of :class:`GravityV1`. Options: ``shift``, ``noise``,
    ``budget``, ``max_batch`` (runs per call), ``points``.
    """

    env_id = "newton/gravity-simple-v1"
    domain = GravityV1.domain
    apparatus = ReleaseOnTrack(
        law_inputs=INPUTS,
        law_output=OUTPUT,
        distance="r",
        mass="m2",
        attractive=True,
        duration=_DURATION,
        title="Body falling towards a fixed mass",
        body="body",
    )


class GravityComplexV1(SystemLawEnvironment):
    """``newton/gravity-complex-v1``: two free bodies orbiting each other in a plane.

    Apparatus: :class:`~discolab.environments.physics.systems.motion.TwoBodyOrbit`. Controls
    ``m1``, ``m2`` (also the inertial masses), ``r0``, the tangential speed ``v0`` in m/s
    [0, 2000] and ``T`` in s [1, 1e7]; records ``t`` and ``x1, y1, x2, y2``. The hidden law
    is the same ``shift`` of :class:`GravityV1`.
    """

    env_id = "newton/gravity-complex-v1"
    domain = GravityV1.domain
    apparatus = TwoBodyOrbit(
        law_inputs=INPUTS,
        law_output=OUTPUT,
        distance="r",
        masses=("m1", "m2"),
        attractive=True,
        duration=_DURATION,
        speed=Variable("v0", "m/s", 0.0, 2000.0, "initial speed of body 2", log_scale=False),
        title="Two bodies orbiting each other",
        bodies="bodies",
    )


ENVIRONMENTS = (GravityV1, GravitySimpleV1, GravityComplexV1)
"""The environments of this domain, for the catalog."""
