"""Oscillations: the frequency of a damped oscillator and shifted variants."""

from __future__ import annotations

from discolab.environments.physics.mutation import LawSetup
from discolab.environments.physics.tree import Const, Var, call
from discolab.environments.physics.vanilla import VanillaLawEnvironment
from discolab.environments.physics.variants import LazyDomain
from discolab.types import Variable

INPUTS = (
    Variable("k", "N/m", 10.0, 1000.0, "stiffness of the spring"),
    Variable("m", "kg", 0.1, 10.0, "mass on the spring"),
    Variable("b", "kg/s", 0.01, 1.0, "damping coefficient"),
)
OUTPUT = Variable("omega", "rad/s", 0.0, float("inf"), "angular frequency of the oscillation")

_zeta, _k, _m, _b = Const("zeta"), Var("k"), Var("m"), Var("b")
SETUP = LawSetup(
    "oscillator",
    INPUTS,
    OUTPUT,
    call("sqrt", _k / _m - _zeta * (_b / _m) ** 2),
    (("zeta", 0.25),),
)


class OscillatorV1(VanillaLawEnvironment):
    """``newton/oscillator-v1``: measure the angular frequency of an underdamped oscillator.

    Inputs: ``k`` in N/m [10, 1000], ``m`` in kg [0.1, 10], ``b`` in kg/s [0.01, 1], all
    log-scaled; the ranges keep every oscillator underdamped (b^2 < 4km). Output: ``omega``
    in rad/s, positive everywhere on the domain.

    Canonical law: ``sqrt(k / m - 0.25 * (b / m)**2)``, i.e. sqrt(k/m - (b/2m)^2).
    Shifts: ``canonical`` and the generated ``easy-1`` ... ``hard-3`` of the ``newton-v1``
    suite (hidden; see :mod:`~discolab.environments.physics.mutation`).

    Options: ``shift``, ``noise``, ``budget``, ``max_batch`` (see
    :class:`VanillaLawEnvironment`).

    Version history: v1 — first release.
    """

    env_id = "newton/oscillator-v1"
    domain = LazyDomain(
        SETUP, "Frequency of a damped oscillator", "the oscillation of a damped mass on a spring"
    )
