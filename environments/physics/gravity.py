"""Gravitation: the force between two bodies, Newton's law and shifted variants."""

from __future__ import annotations

from discolab.environments.physics.laws import CANONICAL, Domain, scaled_law
from discolab.environments.physics.vanilla import VanillaLawEnvironment
from discolab.types import Variable

INPUTS = (
    Variable("m1", "kg", 1e22, 1e25, "mass of the first body"),
    Variable("m2", "kg", 1e20, 1e24, "mass of the second body"),
    Variable("r", "m", 1e7, 1e10, "distance between the centres of the bodies"),
)
OUTPUT = Variable("F", "N", 0.0, float("inf"), "magnitude of the force between the bodies")

GRAVITY = Domain(
    title="Force between two bodies",
    measured="the force one body exerts on another at a distance",
    inputs=INPUTS,
    output=OUTPUT,
    laws=(
        scaled_law(
            CANONICAL,
            "m1 * m2 / r**2",
            lambda c: c["m1"] * c["m2"] / c["r"] ** 2,
            6.674e-11,
            "N*m^2/kg^2",
        ),
        scaled_law(
            "s1",
            "m1 * m2 / r**1.5",
            lambda c: c["m1"] * c["m2"] / c["r"] ** 1.5,
            2.91e-13,
            "N*m^1.5/kg^2",
        ),
        scaled_law(
            "s2",
            "(m1 + m2)**2 / r**1.5",
            lambda c: (c["m1"] + c["m2"]) ** 2 / c["r"] ** 1.5,
            4.37e-14,
            "N*m^1.5/kg^2",
        ),
        scaled_law(
            "s3",
            "m1**1.3 * m2 / r**2",
            lambda c: c["m1"] ** 1.3 * c["m2"] / c["r"] ** 2,
            1.52e-17,
            "N*m^2/kg^2.3",
        ),
        scaled_law(
            "s4",
            "m1 * m2**2 / r**2.5",
            lambda c: c["m1"] * c["m2"] ** 2 / c["r"] ** 2.5,
            3.8e-27,
            "N*m^2.5/kg^3",
        ),
    ),
)


class GravityV1(VanillaLawEnvironment):
    """``newton/gravity-v1``: measure the force F between two bodies.

    Inputs: ``m1`` in kg [1e22, 1e25], ``m2`` in kg [1e20, 1e24], ``r`` in m [1e7, 1e10],
    all log-scaled. Output: ``F`` in N, positive everywhere on the domain.

    Shifts (hidden; constants fixed per shift and never shown to agents):

    ==========  =====================================  ===============
    shift       law                                     constant unit
    ==========  =====================================  ===============
    canonical   6.674e-11 * m1 * m2 / r**2              N*m^2/kg^2
    s1          2.91e-13 * m1 * m2 / r**1.5             N*m^1.5/kg^2
    s2          4.37e-14 * (m1 + m2)**2 / r**1.5        N*m^1.5/kg^2
    s3          1.52e-17 * m1**1.3 * m2 / r**2          N*m^2/kg^2.3
    s4          3.8e-27 * m1 * m2**2 / r**2.5           N*m^2.5/kg^3
    ==========  =====================================  ===============

    Options: ``shift``, ``noise``, ``budget``, ``max_batch`` (see
    :class:`VanillaLawEnvironment`).

    Version history: v1 — first release.
    """

    env_id = "newton/gravity-v1"
    domain = GRAVITY
