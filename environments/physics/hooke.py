"""Elasticity: the energy stored in a spring, Hooke's law and shifted variants."""

from __future__ import annotations

from discolab.environments.physics.mutation import LawSetup
from discolab.environments.physics.systems.elastic import SpringLauncher, VerticalLauncher
from discolab.environments.physics.systems.environment import SystemLawEnvironment
from discolab.environments.physics.tree import Const, Var
from discolab.environments.physics.vanilla import VanillaLawEnvironment
from discolab.environments.physics.variants import LazyDomain
from discolab.types import Variable

INPUTS = (
    Variable("k", "N/m", 1.0, 1e4, "stiffness of the spring"),
    Variable("x", "m", 1e-3, 1.0, "extension of the spring from rest"),
)
OUTPUT = Variable("U", "J", 0.0, float("inf"), "elastic potential energy stored")

_h, _k, _x = Const("h"), Var("k"), Var("x")
SETUP = LawSetup("hooke", INPUTS, OUTPUT, _h * _k * _x**2, (("h", 0.5),))


class HookeV1(VanillaLawEnvironment):
    """``newton/hooke-v1``: measure the energy U stored in a stretched spring.

    Inputs: ``k`` in N/m [1, 1e4], ``x`` in m [1e-3, 1], log-scaled. Output: ``U`` in J,
    positive everywhere on the domain.

    Canonical law: ``0.5 * k * x**2``. Shifts: ``canonical`` and the generated ``easy-1``
    ... ``hard-3`` of the ``newton-v1`` suite (hidden; see
    :mod:`~discolab.environments.physics.mutation`).

    Options: ``shift``, ``noise``, ``budget``, ``max_batch`` (see
    :class:`VanillaLawEnvironment`).

    Version history: v1 — first release.
    """

    env_id = "newton/hooke-v1"
    domain = LazyDomain(SETUP, "Energy in a spring", "the energy stored in a stretched spring")


_MASS = Variable("m", "kg", 0.01, 1.0, "mass of the projectile")


class HookeSimpleV1(SystemLawEnvironment):
    """``newton/hooke-simple-v1``: a spring launcher shoots a cart along a level track.

    Apparatus: :class:`~discolab.environments.physics.systems.elastic.SpringLauncher`.
    Controls ``k`` and ``x`` (the spring), the cart's mass ``m`` in kg [0.01, 1] and the
    recording time ``T`` in s [0.1, 10]; records ``t`` and the cart's position ``s`` after
    it leaves the spring. Inversion: ``U`` is the cart's kinetic energy. The hidden law is
    the same ``shift`` of :class:`HookeV1`. Options: ``shift``, ``noise``, ``budget``,
    ``max_batch`` (runs per call), ``points``.
    """

    env_id = "newton/hooke-simple-v1"
    domain = HookeV1.domain
    apparatus = SpringLauncher(
        law_inputs=INPUTS,
        law_output=OUTPUT,
        mass=_MASS,
        duration=Variable("T", "s", 0.1, 10.0, "recording time of the run"),
        title="Spring launcher shooting a cart",
    )


class HookeComplexV1(SystemLawEnvironment):
    """``newton/hooke-complex-v1``: a heavy spring shoots a projectile straight up.

    Apparatus: :class:`~discolab.environments.physics.systems.elastic.VerticalLauncher`.
    Controls ``k``, ``x``, the projectile's mass ``m`` in kg [0.01, 1], the spring's own mass
    ``ms`` in kg [0.01, 1] and the recording time ``T`` in s [0.01, 1]; records ``t`` and the
    height ``h`` until the projectile falls back. Confounders: free fall (g = 9.81 m/s²)
    and the energy kept by the spring (effective mass ``m + ms/3``). The hidden law is the
    same ``shift`` of :class:`HookeV1`.
    """

    env_id = "newton/hooke-complex-v1"
    domain = HookeV1.domain
    apparatus = VerticalLauncher(
        law_inputs=INPUTS,
        law_output=OUTPUT,
        mass=_MASS,
        spring_mass=Variable("ms", "kg", 0.01, 1.0, "mass of the spring"),
        duration=Variable("T", "s", 0.01, 1.0, "recording time of the run"),
        title="Heavy spring shooting a projectile upwards",
    )


ENVIRONMENTS = (HookeV1, HookeSimpleV1, HookeComplexV1)
"""The environments of this domain, for the catalog."""
