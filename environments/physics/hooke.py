"""Elasticity: the energy stored in a spring, Hooke's law and shifted variants."""

from __future__ import annotations

from discolab.environments.physics.mutation import LawSetup
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
