"""Calorimetry: the heat needed to warm a sample and shifted variants."""

from __future__ import annotations

from discolab.environments.physics.mutation import LawSetup
from discolab.environments.physics.systems.calorimeter import (
    HeatFlowCalorimeter,
    LeakyBathCalorimeter,
)
from discolab.environments.physics.systems.environment import SystemLawEnvironment
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


_TAU = Variable("tau", "s", 10.0, 1000.0, "time constant of the thermal link")


class CalorimetrySimpleV1(SystemLawEnvironment):
    """``newton/calorimetry-simple-v1``: a heat-flow calorimeter records the sample's heat flow.

    Apparatus: :class:`~discolab.environments.physics.systems.calorimeter.HeatFlowCalorimeter`.
    Controls ``m``, ``dT`` (the sample), the link's time constant ``tau`` in s [10, 1000] and
    the recording time ``T`` in s [10, 1000]; records ``t`` and the heat flow ``P`` in W,
    ``P = (Q/tau) exp(-t/tau)``. Inversion: ``Q`` is the integral of ``P``. The hidden law is
    the same ``shift`` of :class:`CalorimetryV1`. Options: ``shift``, ``noise``, ``budget``,
    ``max_batch`` (runs per call), ``points``.
    """

    env_id = "newton/calorimetry-simple-v1"
    domain = CalorimetryV1.domain
    apparatus = HeatFlowCalorimeter(
        law_inputs=INPUTS,
        law_output=OUTPUT,
        tau=_TAU,
        duration=Variable("T", "s", 10.0, 1000.0, "recording time of the run"),
        title="Heat-flow calorimeter",
    )


class CalorimetryComplexV1(SystemLawEnvironment):
    """``newton/calorimetry-complex-v1``: a leaky water bath; only its temperature is recorded.

    Apparatus: :class:`~discolab.environments.physics.systems.calorimeter.LeakyBathCalorimeter`.
    Controls ``m``, ``dT``, the bath's heat capacity ``Cb`` in J/K [100, 1e4], ``tau`` in s
    [10, 1000] and ``T`` in s [100, 1e4]; records ``t`` and the bath's temperature rise
    ``theta`` in K. Confounders: the bath's heat capacity, the link's lag and a heat leak to
    the room at an undisclosed conductance, which the agent estimates from the record. The
    hidden law is the same ``shift`` of :class:`CalorimetryV1`.
    """

    env_id = "newton/calorimetry-complex-v1"
    domain = CalorimetryV1.domain
    apparatus = LeakyBathCalorimeter(
        law_inputs=INPUTS,
        law_output=OUTPUT,
        capacity=Variable("Cb", "J/K", 100.0, 1e4, "heat capacity of the water bath"),
        tau=_TAU,
        duration=Variable("T", "s", 100.0, 1e4, "recording time of the run"),
        title="Leaky water-bath calorimeter",
    )


ENVIRONMENTS = (CalorimetryV1, CalorimetrySimpleV1, CalorimetryComplexV1)
"""The environments of this domain, for the catalog."""
