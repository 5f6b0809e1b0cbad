"""Acoustics: the speed of sound in an ideal gas and shifted variants."""

from __future__ import annotations

from discolab.environments.physics.mutation import LawSetup
from discolab.environments.physics.systems.acoustics import PulseInGradient, PulseInTube
from discolab.environments.physics.systems.environment import SystemLawEnvironment
from discolab.environments.physics.tree import Const, Var, call
from discolab.environments.physics.vanilla import VanillaLawEnvironment
from discolab.environments.physics.variants import LazyDomain
from discolab.types import Variable

INPUTS = (
    Variable("gamma", "1", 1.1, 1.67, "heat capacity ratio of the gas", log_scale=False),
    Variable("T", "K", 10.0, 1000.0, "temperature of the gas"),
    Variable("M", "kg/mol", 2e-3, 0.2, "molar mass of the gas"),
)
OUTPUT = Variable("v", "m/s", 0.0, float("inf"), "speed of sound in the gas")

_R, _gamma, _T, _M = Const("R"), Var("gamma"), Var("T"), Var("M")
SETUP = LawSetup("sound", INPUTS, OUTPUT, call("sqrt", _gamma * _R * _T / _M), (("R", 8.314),))


class SoundV1(VanillaLawEnvironment):
    """``newton/sound-v1``: measure the speed of sound v in an ideal gas.

    Inputs: ``gamma`` [1.1, 1.67] (dimensionless, linear), ``T`` in K [10, 1000] and ``M``
    in kg/mol [2e-3, 0.2] (log-scaled). Output: ``v`` in m/s, positive on the domain.

    Canonical law: ``sqrt(gamma * 8.314 * T / M)`` (the gas constant, in J/(mol*K)).
    Shifts: ``canonical`` and the generated ``easy-1`` ... ``hard-3`` of the ``newton-v1``
    suite (hidden; see :mod:`~discolab.environments.physics.mutation`).

    Options: ``shift``, ``noise``, ``budget``, ``max_batch`` (see
    :class:`VanillaLawEnvironment`).

    Version history: v1 — first release.
    """

    env_id = "newton/sound-v1"
    domain = LazyDomain(SETUP, "Speed of sound in a gas", "the speed of sound in a gas")


_DURATION = Variable("tau", "s", 3e-5, 0.3, "recording time of the run")


class SoundSimpleV1(SystemLawEnvironment):
    """``newton/sound-simple-v1``: a sound pulse running down a tube of uniform gas.

    Apparatus: :class:`~discolab.environments.physics.systems.acoustics.PulseInTube`.
    Controls ``gamma`` [1.1, 1.67], ``T`` in K [10, 1000], ``M`` in kg/mol [2e-3, 0.2] and
    the recording time ``tau`` in s [3e-5, 0.3]; records ``t`` in s and the front's distance
    ``s`` in m. The hidden law is the same ``shift`` of :class:`SoundV1`. Options:
    ``shift``, ``noise``, ``budget``, ``max_batch`` (runs per call), ``points``.
    """

    env_id = "newton/sound-simple-v1"
    domain = SoundV1.domain
    apparatus = PulseInTube(
        law_inputs=INPUTS,
        law_output=OUTPUT,
        temperature="T",
        duration=_DURATION,
        title="Sound pulse in a tube of uniform gas",
    )


class SoundComplexV1(SystemLawEnvironment):
    """``newton/sound-complex-v1``: a sound pulse crossing a gas in a temperature gradient.

    Apparatus: :class:`~discolab.environments.physics.systems.acoustics.PulseInGradient`.
    Controls ``gamma``, ``M`` (as in :class:`SoundSimpleV1`), the end temperatures ``T1``
    (emitting end) and ``T2`` (far end) in K [10, 1000], the tube length ``L`` in m
    [1, 100] and ``tau`` in s [3e-5, 0.3]; records ``t`` and ``s``. The front's speed changes
    along the tube with the local temperature, and the front is absorbed at the far end.
    The hidden law is the same ``shift`` of :class:`SoundV1`.
    """

    env_id = "newton/sound-complex-v1"
    domain = SoundV1.domain
    apparatus = PulseInGradient(
        law_inputs=INPUTS,
        law_output=OUTPUT,
        temperature="T",
        ends=(
            Variable("T1", "K", 10.0, 1000.0, "gas temperature at the emitting end"),
            Variable("T2", "K", 10.0, 1000.0, "gas temperature at the far end"),
        ),
        length=Variable("L", "m", 1.0, 100.0, "length of the tube"),
        duration=_DURATION,
        title="Sound pulse in a gas with a temperature gradient",
    )


ENVIRONMENTS = (SoundV1, SoundSimpleV1, SoundComplexV1)
"""The environments of this domain, for the catalog."""
