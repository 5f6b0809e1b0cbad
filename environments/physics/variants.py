"""Domains whose shifted laws are generated: the canonical law, hand-written shifts, variants.

Each physics domain is declared as a :class:`~discolab.environments.physics.mutation.LawSetup`
(its canonical law as an expression tree); :func:`build_domain` turns it into a
:class:`~discolab.environments.physics.laws.Domain` with the canonical law first, then any
hand-written shifts kept for compatibility (``s1`` ... ``s4`` of the first three domains), then
the nine generated variants ``easy-1`` ... ``hard-3`` of the fixed suite seed.

Generation takes a fraction of a second per domain, so it runs on first use, not at import:
an environment class holds a :class:`LazyDomain`, which builds (and memoises) the domain the
first time the class is asked for it.
"""

from __future__ import annotations

import functools

from discolab.environments.physics.laws import Domain, HiddenConstant, Law, law_from_tree
from discolab.environments.physics.mutation import LawSetup, canonical_law, generate_variants
from discolab.environments.physics.tree import Node, solve_units
from discolab.environments.physics.units import format_unit, parse_unit

NEWTON_V1_SEED = 20_250_401
"""Seed of the variants of the fixed ``newton-v1`` suite; never change it (pin a new suite)."""

Legacy = tuple[str, Node, tuple[tuple[str, float], ...]]
"""A hand-written shift: ``(name, tree, ((constant name, value), ...))``."""


def legacy_law(
    setup: LawSetup, name: str, tree: Node, values: tuple[tuple[str, float], ...]
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
    return law_from_tree(name, tree, constants, "legacy")


@functools.cache
def build_domain(
    setup: LawSetup, title: str, measured: str, legacy: tuple[Legacy, ...] = ()
) -> Domain:
    """The domain of ``setup``: canonical law, hand-written shifts, then generated variants.

    Memoised: the arguments are immutable and generation is deterministic.
    """
    kept = tuple(legacy_law(setup, *entry) for entry in legacy)
    variants = generate_variants(setup, NEWTON_V1_SEED, avoid=kept)
    laws = (canonical_law(setup), *kept, *variants)
    return Domain(title, measured, setup.inputs, setup.output, laws)


class LazyDomain:
    """A class attribute that is the :class:`Domain`, built on first access."""

    def __init__(
        self, setup: LawSetup, title: str, measured: str, legacy: tuple[Legacy, ...] = ()
    ) -> None:
        self.setup, self.title, self.measured, self.legacy = setup, title, measured, legacy

    def __get__(self, instance: object, owner: type | None = None) -> Domain:
        return build_domain(self.setup, self.title, self.measured, self.legacy)
