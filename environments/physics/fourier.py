"""Heat conduction: the heat flow through a slab, Fourier's law and shifted variants."""

from __future__ import annotations

from discolab.environments.physics.mutation import LawSetup
from discolab.environments.physics.systems.environment import SystemLawEnvironment
from discolab.environments.physics.systems.thermal import BlockOnReservoir, TwoBlocks
from discolab.environments.physics.tree import Const, Var
from discolab.environments.physics.vanilla import VanillaLawEnvironment
from discolab.environments.physics.variants import LazyDomain
from discolab.types import Variable

INPUTS = (
    Variable("A", "m^2", 1e-4, 1e-1, "cross-sectional area of the slab"),
    Variable("dT", "K", 1.0, 1e3, "temperature difference across the slab"),
    Variable("d", "m", 1e-3, 1e-1, "thickness of the slab"),
)
OUTPUT = Variable("P", "W", 0.0, float("inf"), "heat flow through the slab (power)")

_kappa, _A, _dT, _d = Const("kappa"), Var("A"), Var("dT"), Var("d")
SETUP = LawSetup("fourier", INPUTS, OUTPUT, _kappa * _A * _dT / _d, (("kappa", 237.0),))
LEGACY = (
    ("s1", _kappa * _A * _dT / _d**2, (("kappa", 1.84),)),
    ("s2", _kappa * _A * _dT**1.5 / _d, (("kappa", 12.9),)),
    ("s3", _kappa * _A**2 * _dT / _d, (("kappa", 3100.0),)),
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

    plus the generated variants ``easy-1`` ... ``hard-3`` of the ``newton-v1`` suite (see
    :mod:`~discolab.environments.physics.mutation`).

    Options: ``shift``, ``noise``, ``budget``, ``max_batch`` (see
    :class:`VanillaLawEnvironment`).

    Version history: v1 — first release; the generated variants were added later under new
    shift names, so every earlier shift keeps its meaning.
    """

    env_id = "newton/fourier-v1"
    domain = LazyDomain(
        SETUP,
        "Heat flow through a slab",
        "the steady heat flow conducted through a slab of material",
        LEGACY,
    )


_DURATION = Variable("tau", "s", 0.01, 100.0, "recording time of the run")


def _capacity(name: str, which: str) -> Variable:
    return Variable(name, "J/K", 10.0, 1e5, f"heat capacity of the {which}")


class FourierSimpleV1(SystemLawEnvironment):
    """``newton/fourier-simple-v1``: a block warmed by a hot reservoir through the slab.

    Apparatus: :class:`~discolab.environments.physics.systems.thermal.BlockOnReservoir`.
    Controls ``A`` in m^2 [1e-4, 1e-1], ``d`` in m [1e-3, 1e-1], the starting difference
    ``dT0`` in K [1, 1e3], the block's heat capacity ``Cb`` in J/K [10, 1e5] and the
    recording time ``tau`` in s [0.1, 1e3]; records ``t`` and the block's temperature rise
    ``theta`` in K. The hidden law is the same ``shift`` of :class:`FourierV1`. Options:
    ``shift``, ``noise``, ``budget``, ``max_batch`` (runs per call), ``points``.
    """

    env_id = "newton/fourier-simple-v1"
    domain = FourierV1.domain
    apparatus = BlockOnReservoir(
        law_inputs=INPUTS,
        law_output=OUTPUT,
        difference="dT",
        capacity=_capacity("Cb", "block"),
        duration=_DURATION,
        title="Block warmed by a reservoir through a slab",
    )


class FourierComplexV1(SystemLawEnvironment):
    """``newton/fourier-complex-v1``: two isolated blocks exchanging heat through the slab.

    Apparatus: :class:`~discolab.environments.physics.systems.thermal.TwoBlocks`. Controls
    ``A``, ``d``, ``dT0`` (as in :class:`FourierSimpleV1`), the heat capacities ``Ch`` (hot
    block) and ``Cc`` (cold block) in J/K [10, 1e5] and ``tau`` in s [0.1, 1e3]; records
    ``t`` and the temperature changes ``theta_h``, ``theta_c`` in K. Both blocks move, so the
    difference the slab sees must be rebuilt from both records. The hidden law is the same
    ``shift`` of :class:`FourierV1`.
    """

    env_id = "newton/fourier-complex-v1"
    domain = FourierV1.domain
    apparatus = TwoBlocks(
        law_inputs=INPUTS,
        law_output=OUTPUT,
        difference="dT",
        capacities=(_capacity("Ch", "hot block"), _capacity("Cc", "cold block")),
        duration=_DURATION,
        title="Two blocks exchanging heat through a slab",
    )


ENVIRONMENTS = (FourierV1, FourierSimpleV1, FourierComplexV1)
"""The environments of this domain, for the catalog."""
