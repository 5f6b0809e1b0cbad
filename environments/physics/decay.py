"""Radioactivity: the nuclei left after a time, the decay law and shifted variants."""

from __future__ import annotations

from discolab.environments.physics.mutation import LawSetup
from discolab.environments.physics.systems.environment import SystemLawEnvironment
from discolab.environments.physics.systems.nuclear import DecayCounter, MixedSourceCounter
from discolab.environments.physics.tree import Const, Var, call
from discolab.environments.physics.vanilla import VanillaLawEnvironment
from discolab.environments.physics.variants import LazyDomain
from discolab.types import Variable

INPUTS = (
    Variable("N0", "count", 100.0, 1e6, "number of undecayed nuclei at the start"),
    Variable("t", "s", 0.1, 100.0, "time elapsed"),
)
OUTPUT = Variable("N", "count", 0.0, float("inf"), "number of undecayed nuclei left")

_lam, _N0, _t = Const("lam"), Var("N0"), Var("t")
SETUP = LawSetup(
    "decay", INPUTS, OUTPUT, _N0 * call("exp", -_lam * _t), (("lam", 0.03),), ("sqrt", "exp-")
)


class DecayV1(VanillaLawEnvironment):
    """``newton/decay-v1``: measure how many nuclei N of a radioactive sample are left.

    Inputs: ``N0`` (count) [100, 1e6], ``t`` in s [0.1, 100], log-scaled. Output: ``N``
    (count, the expected number, not rounded), positive everywhere on the domain.

    Canonical law: ``N0 * exp(-0.03 * t)`` (decay constant in 1/s). Shifts: ``canonical``
    and the generated ``easy-1`` ... ``hard-3`` of the ``newton-v1`` suite (hidden; see
    :mod:`~discolab.environments.physics.mutation`).

    Options: ``shift``, ``noise``, ``budget``, ``max_batch`` (see
    :class:`VanillaLawEnvironment`).

    Version history: v1 — first release.
    """

    env_id = "newton/decay-v1"
    domain = LazyDomain(SETUP, "Radioactive decay", "the decay of a radioactive sample")


class DecaySimpleV1(SystemLawEnvironment):
    """``newton/decay-simple-v1``: a counter records the decays of a prepared sample.

    Apparatus: :class:`~discolab.environments.physics.systems.nuclear.DecayCounter`. Controls
    ``N0`` (count) [100, 1e6], the counter's switch-on time ``t1`` in s [0.1, 10] and the
    counting time ``tau`` in s [1, 90]; records ``t`` in s, the decays ``counts`` per
    interval and the end ``assay`` of the nuclei left. The hidden law is the same ``shift``
    of :class:`DecayV1`. Options: ``shift``, ``noise``, ``budget``, ``max_batch`` (runs per
    call), ``points``.
    """

    env_id = "newton/decay-simple-v1"
    domain = DecayV1.domain
    apparatus = DecayCounter(
        law_inputs=INPUTS, law_output=OUTPUT, title="Counting the decays of a sample"
    )


class DecayComplexV1(SystemLawEnvironment):
    """``newton/decay-complex-v1``: the isotope mixed with a reference isotope.

    Apparatus: :class:`~discolab.environments.physics.systems.nuclear.MixedSourceCounter`.
    Controls ``N0``, the reference's initial number ``R0`` (count) [100, 1e6], ``t1`` and
    ``tau`` (as in :class:`DecaySimpleV1`); records ``t``, ``counts`` and ``assay`` of both
    isotopes together, so the reference's known decay must be taken out. The hidden law is
    the same ``shift`` of :class:`DecayV1`.
    """

    env_id = "newton/decay-complex-v1"
    domain = DecayV1.domain
    apparatus = MixedSourceCounter(
        law_inputs=INPUTS, law_output=OUTPUT, title="Counting a source mixed with a reference"
    )


ENVIRONMENTS = (DecayV1, DecaySimpleV1, DecayComplexV1)
"""The environments of this domain, for the catalog."""
