"""Acoustics: the speed of sound in an ideal gas and shifted variants."""

from __future__ import annotations

from discolab.environments.physics.mutation import LawSetup
from discolab.environments.physics.tree import Const, Var, call
from discolab.environments.physics.vanilla import VanillaLawEnvironment
from discolab.environments.physics.variants import LazyDomain
from discolab.types import Variable

INPUTS = (
    Variable("gamma", "1", 1.1, 1.67, "heat capacity ratio of the gas", log_scale=False),
    Variable("T", "K", 10.0, 1000.0, "temperature of the gas"),
    Variable("M", "kg/mol", 2e-3, 0.2, "molar mass of the gas"),
)
OUTPUT = Variable("v", "m/s", 0.0, float("inf"), "speed of sound in the gas")

_R, _gamma, _T, _M = Const("R"), Var("gamma"), Var("T"), Var("M")
SETUP = LawSetup("sound", INPUTS, OUTPUT, call("sqrt", _gamma * _R * _T / _M), (("R", 8.314),))


class SoundV1(VanillaLawEnvironment):
    """``newton/sound-v1``: measure the speed of sound v in an ideal gas.

    Inputs: ``gamma`` [1.1, 1.67] (dimensionless, linear), ``T`` in K [10, 1000] and ``M``
    in kg/mol [2e-3, 0.2] (log-scaled). Output: ``v`` in m/s, positive on the domain.

    Canonical law: ``sqrt(gamma * 8.314 * T / M)`` (the gas constant, in J/(mol*K)).
    Shifts: ``canonical`` and the generated ``easy-1`` ... ``hard-3`` of the ``newton-v1``
    suite (hidden; see :mod:`~discolab.environments.physics.mutation`).

    Options: ``shift``, ``noise``, ``budget``, ``max_batch`` (see
    :class:`VanillaLawEnvironment`).

    Version history: v1 — first release.
    """

    env_id = "newton/sound-v1"
    domain = LazyDomain(SETUP, "Speed of sound in a gas", "the speed of sound in a gas")
