"""Domains whose shifted laws are generated: the canonical law, hand-written shifts, variants.

Each physics domain is declared as a :class:`~discolab.environments.physics.mutation.LawSetup`
(its canonical law as an expression tree); :func:`build_domain` turns it into a
:class:`~discolab.environments.physics.laws.Domain` with the canonical law first, then any
hand-written shifts kept for compatibility (``s1`` ... ``s4`` of the first three domains), then
the nine generated variants ``easy-1`` ... ``hard-3`` of the ``newton-v1`` seed, the nine
``v2-easy-1`` ... ``v2-hard-3`` of the ``newton-v2`` seed and generator, and the hand-written
out-of-grammar laws ``ood-1`` ... of ``newton-ood-v1``
(:mod:`~discolab.environments.physics.ood`).

Private splits: :meth:`Domain.law` with a ``variant_seed`` regenerates a generated shift
(``easy-1`` with generator v1, ``v2-easy-1`` with v2) from that seed instead of the suite's,
so a private split's laws exist only in memory, given the seed.

Generation takes a fraction of a second per domain, so it runs on first use, not at import:
an environment class holds a :class:`LazyDomain`, which builds (and memoises) the domain the
first time the class is asked for it.
"""

from __future__ import annotations

import dataclasses
import functools

from discolab.environments.options import closest
from discolab.environments.physics.laws import Domain, HiddenConstant, Law, law_from_tree
from discolab.environments.physics.mutation import (
    DIFFICULTIES,
    LawSetup,
    canonical_law,
    generate_variants,
)
from discolab.environments.physics.ood import OOD_LAWS
from discolab.environments.physics.tree import Node, solve_units
from discolab.environments.physics.units import format_unit, parse_unit
from discolab.errors import ConfigError

NEWTON_V1_SEED = 20_250_401
"""Seed of the variants of the fixed ``newton-v1`` suite; never change it (pin a new suite)."""

NEWTON_V2_SEED = 20_261_201
"""Seed of the ``v2-*`` variants of the fixed ``newton-v2`` suite (generator ``v2``)."""

V2_PREFIX = "v2-"
"""Shift-name prefix of the ``newton-v2`` family: ``v2-easy-1`` ... ``v2-hard-3``."""

SLOTS = tuple(f"{d}-{k}" for d in DIFFICULTIES for k in (1, 2, 3))
"""Names of the generated variants of one seed, ``easy-1`` ... ``hard-3``."""

Legacy = tuple[str, Node, tuple[tuple[str, float], ...]]
"""A hand-written shift: ``(name, tree, ((constant name, value), ...))``."""


def legacy_law(
    setup: LawSetup,
    name: str,
    tree: Node,
    values: tuple[tuple[str, float], ...],
    difficulty: str = "legacy",
) -> Law:
    """A hand-written shift of ``setup`` as a :class:`Law` with unit-checked constants.

    Raises:
        ValueError: the shift's units are inconsistent.
    """
    inputs = {v.name: parse_unit(v.unit) for v in setup.inputs}
    units = solve_units(tree, inputs, parse_unit(setup.output.unit))
    if units is None:
        raise ValueError(f"shift {name} of {setup.name} has inconsistent units")
    constants = tuple(HiddenConstant(n, v, format_unit(units[n])) for n, v in values)
    return law_from_tree(name, tree, constants, difficulty)


def _renamed(laws: tuple[Law, ...], prefix: str) -> tuple[Law, ...]:
    return tuple(dataclasses.replace(law, name=prefix + law.name) for law in laws)


@functools.cache
def build_domain(
    setup: LawSetup, title: str, measured: str, legacy: tuple[Legacy, ...] = ()
) -> Domain:
    """The domain of ``setup``: canonical law, hand-written shifts, the generated variants of
    ``newton-v1`` and ``newton-v2``, then the out-of-grammar laws.

    Memoised: the arguments are immutable and generation is deterministic.
    """
    kept = tuple(legacy_law(setup, *entry) for entry in legacy)
    v1 = generate_variants(setup, NEWTON_V1_SEED, avoid=kept)
    ood = tuple(legacy_law(setup, *entry, "ood") for entry in OOD_LAWS.get(setup.name, ()))
    laws = (canonical_law(setup), *kept, *v1, *ood)

    def private(shift: str, variant_seed: int | None) -> Law:
        return private_law(setup, legacy, shift, variant_seed)

    v2 = tuple(V2_PREFIX + slot for slot in SLOTS)
    return Domain(title, measured, setup.inputs, setup.output, laws, private, v2)


PRIVATE_SHIFTS = (*SLOTS, *(V2_PREFIX + s for s in SLOTS))
"""Shifts a ``variant_seed`` can regenerate: ``easy-1`` ... (v1), ``v2-easy-1`` ... (v2)."""


def private_law(
    setup: LawSetup, legacy: tuple[Legacy, ...], shift: str, variant_seed: int | None
) -> Law:
    """The generated variant ``shift`` of ``setup`` drawn from ``variant_seed``.

    ``None`` is the public ``newton-v2`` seed (for the ``v2-*`` shifts, generated on first
    use because the v2 grading is slower). A private law is named after its slot
    (``easy-1``) whatever the family, and is kept in memory only (memoised per seed).

    Raises:
        ConfigError: ``shift`` is not a generated shift (with the closest one and the list),
            or ``variant_seed`` is negative.
    """
    if shift not in PRIVATE_SHIFTS:
        raise ConfigError(
            f"shift {shift!r} cannot take a variant seed{closest(shift, PRIVATE_SHIFTS)}; "
            f"generated shifts: {', '.join(PRIVATE_SHIFTS)}"
        )
    generator = "v2" if shift.startswith(V2_PREFIX) else "v1"
    if variant_seed is None:
        if generator != "v2":
            raise ConfigError(f"shift {shift!r} is not generated on demand; give a variant seed")
        laws = _renamed(_private_variants(setup, legacy, NEWTON_V2_SEED, "v2"), V2_PREFIX)
    elif isinstance(variant_seed, bool) or variant_seed < 0:
        raise ConfigError(f"variant_seed={variant_seed!r} is not a non-negative integer")
    else:
        try:
            laws = _private_variants(setup, legacy, int(variant_seed), generator)
        except RuntimeError as exc:  # the seed's draws ran out: a rare, seed-specific failure
            raise ConfigError(
                f"the private variant seed draws no complete set for {setup.name} ({exc}); "
                "create the split again with another secret"
            ) from None
    return laws[SLOTS.index(shift.removeprefix(V2_PREFIX))]


@functools.lru_cache(maxsize=64)
def _private_variants(
    setup: LawSetup, legacy: tuple[Legacy, ...], seed: int, generator: str
) -> tuple[Law, ...]:
    """The variants of ``seed``; a private seed's medium and hard variants avoid every
    public law of the domain (``newton-v1`` and ``newton-v2``), so a private split is unseen
    but for its easy laws, of which a domain has only a few dozen."""
    kept = tuple(legacy_law(setup, *entry) for entry in legacy)
    if seed == NEWTON_V2_SEED and generator == "v2":
        return generate_variants(setup, seed, avoid=kept, generator=generator)
    public = (
        *generate_variants(setup, NEWTON_V1_SEED, avoid=kept),
        *_private_variants(setup, legacy, NEWTON_V2_SEED, "v2"),
    )
    return generate_variants(setup, seed, avoid=kept, generator=generator, avoid_above_easy=public)


class LazyDomain:
    """A class attribute that is the :class:`Domain`, built on first access."""

    def __init__(
        self, setup: LawSetup, title: str, measured: str, legacy: tuple[Legacy, ...] = ()
    ) -> None:
        self.setup, self.title, self.measured, self.legacy = setup, title, measured, legacy

    def __get__(self, instance: object, owner: type | None = None) -> Domain:
        return build_domain(self.setup, self.title, self.measured, self.legacy)
