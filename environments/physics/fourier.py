"""Heat conduction: the heat flow through a slab, Fourier's law and shifted variants."""

from __future__ import annotations

from discolab.environments.physics.laws import CANONICAL, Domain, scaled_law
from discolab.environments.physics.vanilla import VanillaLawEnvironment
from discolab.types import Variable

INPUTS = (
    Variable("A", "m^2", 1e-4, 1e-1, "cross-sectional area of the slab"),
    Variable("dT", "K", 1.0, 1e3, "temperature difference across the slab"),
    Variable("d", "m", 1e-3, 1e-1, "thickness of the slab"),
)
OUTPUT = Variable("P", "W", 0.0, float("inf"), "heat flow through the slab (power)")

FOURIER = Domain(
    title="Heat flow through a slab",
    measured="the steady heat flow conducted through a slab of material",
    inputs=INPUTS,
    output=OUTPUT,
    laws=(
        scaled_law(CANONICAL, "A * dT / d", lambda c: c["A"] * c["dT"] / c["d"], 237.0, "W/(m*K)"),
        scaled_law("s1", "A * dT / d**2", lambda c: c["A"] * c["dT"] / c["d"] ** 2, 1.84, "W/K"),
        scaled_law(
            "s2",
            "A * dT**1.5 / d",
            lambda c: c["A"] * c["dT"] ** 1.5 / c["d"],
            12.9,
            "W/(m*K^1.5)",
        ),
        scaled_law(
            "s3", "A**2 * dT / d", lambda c: c["A"] ** 2 * c["dT"] / c["d"], 3100.0, "W/(m^3*K)"
        ),
    ),
)


class FourierV1(VanillaLawEnvironment):
    """``newton/fourier-v1``: measure the heat flow P through a slab.

    Inputs: ``A`` in m^2 [1e-4, 1e-1], ``dT`` in K [1, 1e3], ``d`` in m [1e-3, 1e-1], all
    log-scaled. Output: ``P`` in W, positive everywhere on the domain.

    Shifts (hidden; constants fixed per shift and never shown to agents):

    ==========  =====================================  ===============
    shift       law                                     constant unit
    ==========  =====================================  ===============
    canonical   237.0 * A * dT / d                      W/(m*K)
    s1          1.84 * A * dT / d**2                    W/K
    s2          12.9 * A * dT**1.5 / d                  W/(m*K^1.5)
    s3          3100.0 * A**2 * dT / d                  W/(m^3*K)
    ==========  =====================================  ===============

    Options: ``shift``, ``noise``, ``budget``, ``max_batch`` (see
    :class:`VanillaLawEnvironment`).

    Version history: v1 — first release.
    """

    env_id = "newton/fourier-v1"
    domain = FOURIER
