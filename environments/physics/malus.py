"""Polarisation: the light through a polariser, Malus's law and shifted variants."""

from __future__ import annotations

from discolab.environments.physics.mutation import LawSetup
from discolab.environments.physics.tree import Var, call
from discolab.environments.physics.vanilla import VanillaLawEnvironment
from discolab.environments.physics.variants import LazyDomain
from discolab.types import Variable

INPUTS = (
    Variable("I0", "W/m^2", 1.0, 1000.0, "intensity of the polarised light arriving"),
    Variable("theta", "rad", 0.01, 1.4, "angle between the light's polarisation and the axis"),
)
OUTPUT = Variable("I", "W/m^2", 0.0, float("inf"), "intensity of the light let through")

_I0, _theta = Var("I0"), Var("theta")
SETUP = LawSetup(
    "malus", INPUTS, OUTPUT, _I0 * call("cos", _theta) ** 2, (), ("sqrt", "sin", "cos")
)


class MalusV1(VanillaLawEnvironment):
    """``newton/malus-v1``: measure the intensity I of polarised light through a polariser.

    Inputs: ``I0`` in W/m^2 [1, 1000], ``theta`` in rad [0.01, 1.4], log-scaled. Output:
    ``I`` in W/m^2, positive everywhere on the domain.

    Canonical law: ``I0 * cos(theta)**2`` (no hidden constant; a shift that needs one for its
    units gets a scale constant). Shifts: ``canonical`` and the generated ``easy-1`` ...
    ``hard-3`` of the ``newton-v1`` suite (hidden; see
    :mod:`~discolab.environments.physics.mutation`).

    Options: ``shift``, ``noise``, ``budget``, ``max_batch`` (see
    :class:`VanillaLawEnvironment`).

    Version history: v1 — first release.
    """

    env_id = "newton/malus-v1"
    domain = LazyDomain(SETUP, "Light through a polariser", "the light passing a polariser")
