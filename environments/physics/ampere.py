"""Magnetostatics: the force between two parallel wires, Ampère's law and shifted variants."""

from __future__ import annotations

from discolab.environments.physics.mutation import LawSetup
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
