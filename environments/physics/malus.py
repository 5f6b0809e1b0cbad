"""Polarisation: the light through a polariser, Malus's law and shifted variants."""

from __future__ import annotations

from discolab.environments.physics.mutation import LawSetup
from discolab.environments.physics.systems.environment import SystemLawEnvironment
from discolab.environments.physics.systems.polarisation import (
    LaggedPhotodiode,
    RotatingAnalyser,
)
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


class MalusSimpleV1(SystemLawEnvironment):
    """``newton/malus-simple-v1``: an analyser turning before an ideal photodiode.

    Apparatus: :class:`~discolab.environments.physics.systems.polarisation.RotatingAnalyser`.
    Controls ``I0`` in W/m^2 [1, 1000] and the sweep's start and stop angles ``theta_start``,
    ``theta_stop`` in rad [0.01, 1.4] (constant rate over 1 s); records ``t`` in s and the
    intensity ``I`` in W/m^2. The hidden law is the same ``shift`` of :class:`MalusV1`.
    Options: ``shift``, ``noise``, ``budget``, ``max_batch`` (runs per call), ``points``.
    """

    env_id = "newton/malus-simple-v1"
    domain = MalusV1.domain
    apparatus = RotatingAnalyser(law_inputs=INPUTS, law_output=OUTPUT)


class MalusComplexV1(SystemLawEnvironment):
    """``newton/malus-complex-v1``: a stepped analyser before a slow photodiode with a dark
    level.

    Apparatus: :class:`~discolab.environments.physics.systems.polarisation.LaggedPhotodiode`.
    Controls as :class:`MalusSimpleV1` plus the photodiode's time constant ``tau`` in s
    [0.02, 1]; records ``t`` in s (negative while the shutter is closed) and the reading
    ``s`` in W/m^2 (undisclosed dark offset, first-order lag). The hidden law is the same
    ``shift`` of :class:`MalusV1`. Options as :class:`MalusSimpleV1`.
    """

    env_id = "newton/malus-complex-v1"
    domain = MalusV1.domain
    apparatus = LaggedPhotodiode(law_inputs=INPUTS, law_output=OUTPUT)


ENVIRONMENTS = (MalusV1, MalusSimpleV1, MalusComplexV1)
"""The environments of this domain, for the catalog."""
