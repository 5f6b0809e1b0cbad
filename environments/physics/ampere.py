"""Magnetostatics: the force between two parallel wires, Ampère's law and shifted variants."""

from __future__ import annotations

from discolab.environments.physics.mutation import LawSetup
from discolab.environments.physics.systems.environment import SystemLawEnvironment
from discolab.environments.physics.systems.motion import ReleaseOnTrack, TwoBodyOrbit
from discolab.environments.physics.tree import Const, Var
from discolab.environments.physics.vanilla import VanillaLawEnvironment
from discolab.environments.physics.variants import LazyDomain
from discolab.types import Variable

INPUTS = (
    Variable("I1", "A", 0.1, 100.0, "current in the first wire"),
    Variable("I2", "A", 0.1, 100.0, "current in the second wire (same direction)"),
    Variable("d", "m", 1e-3, 1.0, "distance between the wires"),
)
OUTPUT = Variable("f", "N/m", 0.0, float("inf"), "attractive force per metre of wire")

_mu, _I1, _I2, _d = Const("mu"), Var("I1"), Var("I2"), Var("d")
SETUP = LawSetup("ampere", INPUTS, OUTPUT, _mu * _I1 * _I2 / _d, (("mu", 2e-7),))


class AmpereV1(VanillaLawEnvironment):
    """``newton/ampere-v1``: measure the force per length f between two parallel wires.

    Inputs: ``I1`` in A [0.1, 100], ``I2`` in A [0.1, 100], ``d`` in m [1e-3, 1], all
    log-scaled. Output: ``f`` in N/m, positive everywhere on the domain.

    Canonical law: ``2e-7 * I1 * I2 / d`` (the constant is mu0 / 2 pi, in kg*m/(A^2*s^2)).
    Shifts: ``canonical`` and the generated ``easy-1`` ... ``hard-3`` of the ``newton-v1``
    suite (hidden; see :mod:`~discolab.environments.physics.mutation`).

    Options: ``shift``, ``noise``, ``budget``, ``max_batch`` (see
    :class:`VanillaLawEnvironment`).

    Version history: v1 — first release.
    """

    env_id = "newton/ampere-v1"
    domain = LazyDomain(
        SETUP, "Force between parallel wires", "the magnetic force between two parallel wires"
    )


_DURATION = Variable("T", "s", 0.01, 1.0, "recording time of the run")


class AmpereSimpleV1(SystemLawEnvironment):
    """``newton/ampere-simple-v1``: a free wire pulled towards a fixed parallel wire.

    Apparatus: :class:`~discolab.environments.physics.systems.motion.ReleaseOnTrack`
    (attractive: the currents flow the same way). Controls ``I1`` (the fixed wire), ``I2``
    (the free wire), the free wire's mass per metre ``lam`` in kg/m [1e-4, 1e-2], the
    starting distance ``d0`` in m [1e-3, 1] and the recording time ``T`` in s [0.01, 1];
    records ``t`` and the displacement ``s`` (negative: towards the fixed wire). The wire is
    caught once it has moved half of ``d0``. Inversion: ``f = -lam * (second difference of
    s)`` at ``d = d0 + s``. The hidden law is the same ``shift`` of :class:`AmpereV1`.
    Options: ``shift``, ``noise``, ``budget``, ``max_batch`` (runs per call), ``points``.
    """

    env_id = "newton/ampere-simple-v1"
    domain = AmpereV1.domain
    apparatus = ReleaseOnTrack(
        law_inputs=INPUTS,
        law_output=OUTPUT,
        distance="d",
        mass=Variable("lam", "kg/m", 1e-4, 1e-2, "mass per metre of the free wire"),
        attractive=True,
        duration=_DURATION,
        title="Free wire pulled towards a fixed parallel wire",
        body="free wire",
    )


class AmpereComplexV1(SystemLawEnvironment):
    """``newton/ampere-complex-v1``: two free parallel wires attracting each other.

    Apparatus: :class:`~discolab.environments.physics.systems.motion.TwoBodyOrbit`
    (attractive). The wires stand perpendicular to the plane of motion and move in it.
    Controls ``I1``, ``I2``, the masses per metre ``lam1``, ``lam2`` in kg/m [1e-4, 1e-2],
    ``d0`` in m [1e-3, 1], the speed ``v0`` of wire 2 in m/s [1e-3, 0.1] and ``T`` in s
    [0.01, 1]; records ``t`` and ``x1, y1, x2, y2``. The run stops when the distance leaves
    half to twice ``d0``. Inversion: reduced mass per metre times the radial relative
    acceleration. The hidden law is the same ``shift`` of :class:`AmpereV1`.
    """

    env_id = "newton/ampere-complex-v1"
    domain = AmpereV1.domain
    apparatus = TwoBodyOrbit(
        law_inputs=INPUTS,
        law_output=OUTPUT,
        distance="d",
        masses=(
            Variable("lam1", "kg/m", 1e-4, 1e-2, "mass per metre of wire 1"),
            Variable("lam2", "kg/m", 1e-4, 1e-2, "mass per metre of wire 2"),
        ),
        attractive=True,
        duration=_DURATION,
        speed=Variable("v0", "m/s", 1e-3, 0.1, "initial speed of wire 2, across the gap"),
        title="Two free parallel wires attracting each other",
        bodies="parallel wires (currents in the same direction, cross-sections in the plane)",
    )


ENVIRONMENTS = (AmpereV1, AmpereSimpleV1, AmpereComplexV1)
"""The environments of this domain, for the catalog."""
