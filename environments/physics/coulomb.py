"""Electrostatics: the force between two charges, Coulomb's law and shifted variants."""

from __future__ import annotations

from discolab.environments.physics.laws import CANONICAL, Domain, scaled_law
from discolab.environments.physics.vanilla import VanillaLawEnvironment
from discolab.types import Variable

INPUTS = (
    Variable("q1", "C", 1e-9, 1e-6, "charge of the first particle (positive)"),
    Variable("q2", "C", 1e-8, 1e-5, "charge of the second particle (positive)"),
    Variable("r", "m", 1e-3, 1e-1, "distance between the charges"),
)
OUTPUT = Variable("F", "N", 0.0, float("inf"), "magnitude of the force between the charges")

COULOMB = Domain(
    title="Force between two charges",
    measured="the electrostatic force between two charged particles",
    inputs=INPUTS,
    output=OUTPUT,
    laws=(
        scaled_law(
            CANONICAL,
            "q1 * q2 / r**2",
            lambda c: c["q1"] * c["q2"] / c["r"] ** 2,
            8.9875517923e9,
            "N*m^2/C^2",
        ),
        scaled_law(
            "s1",
            "q1 * q2 / r**3",
            lambda c: c["q1"] * c["q2"] / c["r"] ** 3,
            5.62e8,
            "N*m^3/C^2",
        ),
        scaled_law(
            "s2",
            "q1**2 * q2 / r**2",
            lambda c: c["q1"] ** 2 * c["q2"] / c["r"] ** 2,
            3.3e15,
            "N*m^2/C^3",
        ),
        scaled_law(
            "s3",
            "(q1 * q2)**1.5 / r**2",
            lambda c: (c["q1"] * c["q2"]) ** 1.5 / c["r"] ** 2,
            7.4e20,
            "N*m^2/C^3",
        ),
    ),
)


class CoulombV1(VanillaLawEnvironment):
    """``newton/coulomb-v1``: measure the force F between two positive charges.

    Inputs: ``q1`` in C [1e-9, 1e-6], ``q2`` in C [1e-8, 1e-5], ``r`` in m [1e-3, 1e-1], all
    log-scaled. Charges are positive so that F is positive and log-space fitting works.
    Output: ``F`` in N (magnitude), positive everywhere on the domain.

    Shifts (hidden; constants fixed per shift and never shown to agents):

    ==========  =====================================  ===============
    shift       law                                     constant unit
    ==========  =====================================  ===============
    canonical   8.9875517923e9 * q1 * q2 / r**2         N*m^2/C^2
    s1          5.62e8 * q1 * q2 / r**3                 N*m^3/C^2
    s2          3.3e15 * q1**2 * q2 / r**2              N*m^2/C^3
    s3          7.4e20 * (q1 * q2)**1.5 / r**2          N*m^2/C^3
    ==========  =====================================  ===============

    Options: ``shift``, ``noise``, ``budget``, ``max_batch`` (see
    :class:`VanillaLawEnvironment`).

    Version history: v1 — first release.
    """

    env_id = "newton/coulomb-v1"
    domain = COULOMB
