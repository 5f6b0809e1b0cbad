"""Refraction: the angle of a refracted ray, Snell's law and shifted variants."""

from __future__ import annotations

from discolab.environments.physics.mutation import LawSetup
from discolab.environments.physics.systems.environment import SystemLawEnvironment
from discolab.environments.physics.systems.refraction import (
    OffsetRefractometer,
    SweptRefraction,
)
from discolab.environments.physics.tree import Var, call
from discolab.environments.physics.vanilla import VanillaLawEnvironment
from discolab.environments.physics.variants import LazyDomain
from discolab.types import Variable

INPUTS = (
    Variable("theta1", "rad", 0.01, 1.4, "angle of incidence, from the normal"),
    Variable("n1", "1", 1.0, 1.45, "refractive index of the first medium", log_scale=False),
    Variable("n2", "1", 1.6, 2.4, "refractive index of the second medium", log_scale=False),
)
OUTPUT = Variable("theta2", "rad", 0.0, float("inf"), "angle of refraction, from the normal")

_t1, _n1, _n2 = Var("theta1"), Var("n1"), Var("n2")
SETUP = LawSetup(
    "snell", INPUTS, OUTPUT, call("asin", _n1 * call("sin", _t1) / _n2), (), ("sqrt", "sin", "cos")
)


class SnellV1(VanillaLawEnvironment):
    """``newton/snell-v1``: measure the refraction angle theta2 of a ray entering a medium.

    Inputs: ``theta1`` in rad [0.01, 1.4] (log-scaled), ``n1`` [1, 1.45] and ``n2``
    [1.6, 2.4] (dimensionless, linear). The ray always enters the denser medium, so the
    arcsine of the canonical law stays defined. Output: ``theta2`` in rad, positive.

    Canonical law: ``asin(n1 * sin(theta1) / n2)`` (no hidden constant). Shifts:
    ``canonical`` and the generated ``easy-1`` ... ``hard-3`` of the ``newton-v1`` suite
    (hidden; see :mod:`~discolab.environments.physics.mutation`).

    Options: ``shift``, ``noise``, ``budget``, ``max_batch`` (see
    :class:`VanillaLawEnvironment`).

    Version history: v1 — first release.
    """

    env_id = "newton/snell-v1"
    domain = LazyDomain(SETUP, "Refraction at an interface", "the refraction of a light ray")


class SnellSimpleV1(SystemLawEnvironment):
    """``newton/snell-simple-v1``: a laser swept across an interface, its spot on a screen.

    Apparatus: :class:`~discolab.environments.physics.systems.refraction.SweptRefraction`.
    Controls ``n1`` [1, 1.45], ``n2`` [1.6, 2.4], the sweep's start and stop angles of
    incidence ``theta_start``, ``theta_stop`` in rad [0.01, 1.4] (the laser turns at a
    constant rate over 1 s, pivoting about the point of incidence) and the screen depth ``L``
    in m [0.1, 1]; records ``t`` in s and the spot position ``x`` in m. The hidden law is the
    same ``shift`` of :class:`SnellV1`. Options: ``shift``, ``noise``, ``budget``,
    ``max_batch`` (runs per call), ``points``.
    """

    env_id = "newton/snell-simple-v1"
    domain = SnellV1.domain
    apparatus = SweptRefraction(law_inputs=INPUTS, law_output=OUTPUT)


class SnellComplexV1(SystemLawEnvironment):
    """``newton/snell-complex-v1``: a laser on a raised pivot of unknown height, two screens.

    Apparatus: :class:`~discolab.environments.physics.systems.refraction.OffsetRefractometer`.
    Controls as :class:`SnellSimpleV1`; the point of incidence moves along the interface
    during the sweep by an undisclosed amount; records ``t`` in s and the spot positions
    ``x1`` (screen at depth ``L``) and ``x2`` (screen at ``2 L``) in m. The hidden law is the
    same ``shift`` of :class:`SnellV1`. Options as :class:`SnellSimpleV1`.
    """

    env_id = "newton/snell-complex-v1"
    domain = SnellV1.domain
    apparatus = OffsetRefractometer(law_inputs=INPUTS, law_output=OUTPUT)


ENVIRONMENTS = (SnellV1, SnellSimpleV1, SnellComplexV1)
"""The environments of this domain, for the catalog."""
