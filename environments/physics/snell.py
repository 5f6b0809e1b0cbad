"""Refraction: the angle of a refracted ray, Snell's law and shifted variants."""

from __future__ import annotations

from discolab.environments.physics.mutation import LawSetup
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
