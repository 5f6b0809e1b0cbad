"""Calorimetry: the heat needed to warm a sample and shifted variants."""

from __future__ import annotations

from discolab.environments.physics.mutation import LawSetup
from discolab.environments.physics.tree import Const, Var
from discolab.environments.physics.vanilla import VanillaLawEnvironment
from discolab.environments.physics.variants import LazyDomain
from discolab.types import Variable

INPUTS = (
    Variable("m", "kg", 1e-3, 10.0, "mass of the sample"),
    Variable("dT", "K", 0.1, 100.0, "rise in temperature"),
)
OUTPUT = Variable("Q", "J", 0.0, float("inf"), "heat absorbed by the sample")

_c, _m, _dT = Const("c"), Var("m"), Var("dT")
SETUP = LawSetup("calorimetry", INPUTS, OUTPUT, _c * _m * _dT, (("c", 4186.0),))


class CalorimetryV1(VanillaLawEnvironment):
    """``newton/calorimetry-v1``: measure the heat Q a sample of water absorbs as it warms.

    Inputs: ``m`` in kg [1e-3, 10], ``dT`` in K [0.1, 100], log-scaled. Output: ``Q`` in J,
    positive everywhere on the domain.

    Canonical law: ``4186.0 * m * dT`` (specific heat, in J/(kg*K)). Shifts: ``canonical``
    and the generated ``easy-1`` ... ``hard-3`` of the ``newton-v1`` suite (hidden; see
    :mod:`~discolab.environments.physics.mutation`).

    Options: ``shift``, ``noise``, ``budget``, ``max_batch`` (see
    :class:`VanillaLawEnvironment`).

    Version history: v1 — first release.
    """

    env_id = "newton/calorimetry-v1"
    domain = LazyDomain(SETUP, "Heat to warm a sample", "the heat needed to warm a sample")
