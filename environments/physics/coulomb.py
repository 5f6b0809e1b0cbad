"""Electrostatics: the force between two charges, Coulomb's law and shifted variants."""

from __future__ import annotations

from discolab.environments.physics.mutation import LawSetup
from discolab.environments.physics.systems.environment import SystemLawEnvironment
from discolab.environments.physics.systems.motion import ReleaseOnTrack, TwoBodyOrbit
from discolab.environments.physics.tree import Const, Var
from discolab.environments.physics.vanilla import VanillaLawEnvironment
from discolab.environments.physics.variants import LazyDomain
from discolab.types import Variable

INPUTS = (
    Variable("q1", "C", 1e-9, 1e-6, "charge of the first particle (positive)"),
    Variable("q2", "C", 1e-8, 1e-5, "charge of the second particle (positive)"),
    Variable("r", "m", 1e-3, 1e-1, "distance between the charges"),
)
OUTPUT = Variable("F", "N", 0.0, float("inf"), "magnitude of the force between the charges")

_k, _q1, _q2, _r = Const("k"), Var("q1"), Var("q2"), Var("r")
SETUP = LawSetup("coulomb", INPUTS, OUTPUT, _k * _q1 * _q2 / _r**2, (("k", 8.9875517923e9),))
LEGACY = (
    ("s1", _k * _q1 * _q2 / _r**3, (("k", 5.62e8),)),
    ("s2", _k * _q1**2 * _q2 / _r**2, (("k", 3.3e15),)),
    ("s3", _k * (_q1 * _q2) ** 1.5 / _r**2, (("k", 7.4e20),)),
)


class CoulombV1(VanillaLawEnvironment):
    """``newton/coulomb-v1``: measure the force F between two positive charges.

    Inputs: ``q1`` in C [1e-9, 1e-6], ``q2`` in C [1e-8, 1e-5], ``r`` in m [1e-3, 1e-1], all
    log-scaled. Charges are positive so that F is positive and log-space fitting works.
    Output: ``F`` in N (magnitude), positive everywhere on the domain.

    Shifts (hidden; constants fixed per shift and never shown to agents):

    ==========  =====================================  ===============
    shift       law                                     constant unit
    ==========  =====================================  ===============
    canonical   8.9875517923e9 * q1 * q2 / r**2         N*m^2/C^2
    s1          5.62e8 * q1 * q2 / r**3                 N*m^3/C^2
    s2          3.3e15 * q1**2 * q2 / r**2              N*m^2/C^3
    s3          7.4e20 * (q1 * q2)**1.5 / r**2          N*m^2/C^3
    ==========  =====================================  ===============

    plus the generated variants ``easy-1`` ... ``hard-3`` of the ``newton-v1`` suite (see
    :mod:`~discolab.environments.physics.mutation`).

    Options: ``shift``, ``noise``, ``budget``, ``max_batch`` (see
    :class:`VanillaLawEnvironment`).

    Version history: v1 — first release; the generated variants were added later under new
    shift names, so every earlier shift keeps its meaning.
    """

    env_id = "newton/coulomb-v1"
    domain = LazyDomain(
        SETUP,
        "Force between two charges",
        "the electrostatic force between two charged particles",
        LEGACY,
    )


_DURATION = Variable("T", "s", 1e-4, 1e-2, "recording time of the run")


class CoulombSimpleV1(SystemLawEnvironment):
    """``newton/coulomb-simple-v1``: a charged bead pushed away from a fixed charge on a track.

    Apparatus: :class:`~discolab.environments.physics.systems.motion.ReleaseOnTrack`
    (repulsive). Controls ``q1`` (the fixed charge), ``q2`` (the bead's charge), the bead's
    mass ``m`` in kg [0.01, 1], the starting distance ``r0`` in m [1e-3, 0.1] and the
    recording time ``T`` in s [1e-4, 1e-2]; records ``t`` and the displacement ``s``. The
    bead is caught once it has moved half of ``r0``. Inversion: ``F = m * (second
    difference of s)`` at ``r = r0 + s``. The hidden law is the same ``shift`` of
    :class:`CoulombV1`. Options: ``shift``, ``noise``, ``budget``, ``max_batch`` (runs per
    call), ``points``.
    """

    env_id = "newton/coulomb-simple-v1"
    domain = CoulombV1.domain
    apparatus = ReleaseOnTrack(
        law_inputs=INPUTS,
        law_output=OUTPUT,
        distance="r",
        mass=Variable("m", "kg", 0.01, 1.0, "mass of the charged bead"),
        attractive=False,
        duration=_DURATION,
        title="Charged bead pushed away from a fixed charge",
        body="charged bead",
    )


class CoulombComplexV1(SystemLawEnvironment):
    """``newton/coulomb-complex-v1``: two free charged bodies repelling each other in a plane.

    Apparatus: :class:`~discolab.environments.physics.systems.motion.TwoBodyOrbit`
    (repulsive). Controls ``q1``, ``q2``, the masses ``m1``, ``m2`` in kg [0.01, 1], ``r0``
    in m [1e-3, 0.1], the tangential speed ``v0`` of body 2 in m/s [1e-3, 0.1] and ``T`` in
    s [1e-4, 1e-2]; records ``t`` and ``x1, y1, x2, y2``. The run stops when the distance
    leaves half to twice ``r0``. Inversion: reduced mass times the radial relative
    acceleration. The hidden law is the same ``shift`` of :class:`CoulombV1`.
    """

    env_id = "newton/coulomb-complex-v1"
    domain = CoulombV1.domain
    apparatus = TwoBodyOrbit(
        law_inputs=INPUTS,
        law_output=OUTPUT,
        distance="r",
        masses=(
            Variable("m1", "kg", 0.01, 1.0, "mass of charged body 1"),
            Variable("m2", "kg", 0.01, 1.0, "mass of charged body 2"),
        ),
        attractive=False,
        duration=_DURATION,
        speed=Variable("v0", "m/s", 1e-3, 0.1, "initial speed of body 2"),
        title="Two charged bodies repelling each other",
        bodies="charged bodies",
    )


ENVIRONMENTS = (CoulombV1, CoulombSimpleV1, CoulombComplexV1)
"""The environments of this domain, for the catalog."""
