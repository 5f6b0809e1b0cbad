"""Quantum statistics: the Bose–Einstein occupation of a mode and shifted variants."""

from __future__ import annotations

from discolab.environments.physics.mutation import LawSetup
from discolab.environments.physics.systems.environment import SystemLawEnvironment
from discolab.environments.physics.systems.statistical import CooledTrap, RelaxingMode
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


class BoseEinsteinSimpleV1(SystemLawEnvironment):
    """``newton/bose-einstein-simple-v1``: a boson mode in a trap on a slow temperature ramp.

    Apparatus: :class:`~discolab.environments.physics.systems.statistical.CooledTrap`.
    Controls the mode energy ``E`` in J [1e-23, 1e-21] and the ramp's start and stop
    temperatures ``T_start``, ``T_stop`` in K [10, 1000] (exponential ramp over 1 s); records
    ``t`` in s and the mean occupation ``n``. The hidden law is the same ``shift`` of
    :class:`BoseEinsteinV1`. Options: ``shift``, ``noise``, ``budget``, ``max_batch`` (runs
    per call), ``points``.
    """

    env_id = "newton/bose-einstein-simple-v1"
    domain = BoseEinsteinV1.domain
    apparatus = CooledTrap(law_inputs=INPUTS, law_output=OUTPUT)


class BoseEinsteinComplexV1(SystemLawEnvironment):
    """``newton/bose-einstein-complex-v1``: a mode relaxing on a stepped ramp, energy read out.

    Apparatus: :class:`~discolab.environments.physics.systems.statistical.RelaxingMode`.
    Controls as :class:`BoseEinsteinSimpleV1` plus the mode's relaxation time ``tau`` in s
    [0.02, 1]; records ``t`` in s and the mode's mean energy ``U`` in J (zero-point energy
    included, lagging the stepped bath). The hidden law is the same ``shift`` of
    :class:`BoseEinsteinV1`. Options as :class:`BoseEinsteinSimpleV1`.
    """

    env_id = "newton/bose-einstein-complex-v1"
    domain = BoseEinsteinV1.domain
    apparatus = RelaxingMode(law_inputs=INPUTS, law_output=OUTPUT)


ENVIRONMENTS = (BoseEinsteinV1, BoseEinsteinSimpleV1, BoseEinsteinComplexV1)
"""The environments of this domain, for the catalog."""
