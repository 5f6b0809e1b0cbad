"""Oscillations: the frequency of a damped oscillator and shifted variants."""

from __future__ import annotations

from discolab.environments.physics.mutation import LawSetup
from discolab.environments.physics.systems.environment import SystemLawEnvironment
from discolab.environments.physics.systems.oscillation import (
    CoupledOscillators,
    ReleasedOscillator,
)
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


_DURATION = Variable("tau", "s", 0.1, 100.0, "recording time of the run")


class OscillatorSimpleV1(SystemLawEnvironment):
    """``newton/oscillator-simple-v1``: a damped mass on a spring released from rest.

    Apparatus: :class:`~discolab.environments.physics.systems.oscillation.ReleasedOscillator`.
    Controls ``k`` in N/m [10, 1000], ``m`` in kg [0.1, 10], ``b`` in kg/s [0.01, 1], the
    starting displacement ``x0`` in m [0.01, 0.1] and the recording time ``tau`` in s
    [0.1, 100]; records ``t`` in s, the position ``x`` in m and the velocity ``v`` in m/s.
    The hidden law is the same ``shift`` of :class:`OscillatorV1`. Options: ``shift``,
    ``noise``, ``budget``, ``max_batch`` (runs per call), ``points``.
    """

    env_id = "newton/oscillator-simple-v1"
    domain = OscillatorV1.domain
    apparatus = ReleasedOscillator(
        law_inputs=INPUTS,
        law_output=OUTPUT,
        duration=_DURATION,
        title="Damped oscillator released from rest",
    )


class OscillatorComplexV1(SystemLawEnvironment):
    """``newton/oscillator-complex-v1``: two identical damped oscillators, spring-coupled.

    Apparatus: :class:`~discolab.environments.physics.systems.oscillation.CoupledOscillators`.
    Controls ``k``, ``m``, ``b`` (each oscillator, as in :class:`OscillatorSimpleV1`), the
    coupling stiffness ``kappa`` in N/m [1, 100], ``x0`` (mass 1; mass 2 starts at 0) and
    ``tau``; records ``t``, ``x1``, ``v1``, ``x2``, ``v2``. The masses beat between two
    normal modes, of stiffness ``k`` and ``k + 2 kappa``. The hidden law is the same
    ``shift`` of :class:`OscillatorV1`.
    """

    env_id = "newton/oscillator-complex-v1"
    domain = OscillatorV1.domain
    apparatus = CoupledOscillators(
        law_inputs=INPUTS,
        law_output=OUTPUT,
        duration=_DURATION,
        coupling=Variable("kappa", "N/m", 1.0, 100.0, "stiffness of the coupling spring"),
        title="Two coupled damped oscillators",
    )


ENVIRONMENTS = (OscillatorV1, OscillatorSimpleV1, OscillatorComplexV1)
"""The environments of this domain, for the catalog."""
