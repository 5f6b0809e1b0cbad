"""Quantum statistics: the Bose–Einstein occupation of a mode and shifted variants."""

from __future__ import annotations

from discolab.environments.physics.mutation import LawSetup
from discolab.environments.physics.tree import Const, Num, Var, call
from discolab.environments.physics.vanilla import VanillaLawEnvironment
from discolab.environments.physics.variants import LazyDomain
from discolab.types import Variable

INPUTS = (
    Variable("E", "J", 1e-23, 1e-21, "energy of the mode"),
    Variable("T", "K", 10.0, 1000.0, "temperature of the gas of bosons"),
)
OUTPUT = Variable("n", "1", 0.0, float("inf"), "mean number of bosons in the mode")

_kB, _E, _T = Const("kB"), Var("E"), Var("T")
SETUP = LawSetup(
    "bose-einstein",
    INPUTS,
    OUTPUT,
    Num(1.0) / (call("exp", _E / (_kB * _T)) - 1.0),
    (("kB", 1.380649e-23),),
    ("sqrt", "exp-"),
)


class BoseEinsteinV1(VanillaLawEnvironment):
    """``newton/bose-einstein-v1``: measure the mean occupation n of a boson mode.

    Inputs: ``E`` in J [1e-23, 1e-21], ``T`` in K [10, 1000], log-scaled. Output: ``n``
    (dimensionless), positive everywhere on the domain.

    Canonical law: ``1 / (exp(E / (1.380649e-23 * T)) - 1)`` (Boltzmann's constant, in J/K).
    Shifts: ``canonical`` and the generated ``easy-1`` ... ``hard-3`` of the ``newton-v1``
    suite (hidden; see :mod:`~discolab.environments.physics.mutation`).

    Options: ``shift``, ``noise``, ``budget``, ``max_batch`` (see
    :class:`VanillaLawEnvironment`).

    Version history: v1 — first release.
    """

    env_id = "newton/bose-einstein-v1"
    domain = LazyDomain(
        SETUP, "Bose–Einstein occupation", "the occupation of one mode of a gas of bosons"
    )
