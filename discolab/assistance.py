"""The assistance an agent had: what, beyond its raw measurements, was done for it.

On a system task an experiment returns the time series of an apparatus. Each apparatus also
has a hand-written *inversion* (``law_samples``, used by
:func:`discolab.environments.observations.law_data`) that turns a record back into samples
of the law, nearly exactly. A proposer that reads those samples is measuring the law through
an oracle of the apparatus, not discovering it from the records, so its score means
something else than the score of one that saw the records only. Every campaign and every
stored benchmark run therefore records its assistance, and the leaderboard ranks each kind
of assistance on its own.

Kinds are short names; a campaign stores the sorted list of the kinds it had (``[]`` for
none, ``["inversion"]``). A benchmark run stores one label: ``none``, a ``+``-joined list of
kinds (``inversion``), or ``unknown`` for a self-reported submission that did not say.

A weaker help is the apparatus' forward simulation: ``builtin-sim`` never reads the inversion
but fits candidate laws by simulating them in the apparatus and comparing with the records.
That is kind ``simulator``, ranked apart from both ``none`` and ``inversion``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from discolab.errors import ConfigError

INVERSION = "inversion"
"""Law samples read through the apparatus' inversion (``law_samples``) of a system task."""

SIMULATOR = "simulator"
"""Candidate laws fitted through the apparatus' forward simulation (``simulate``) of a system
task: no law samples are read out of the records, but the agent was handed a faithful model
of the apparatus to fit candidates with, which an agent with only its records lacks."""

CODE = "code"
"""A sandboxed Python tool on the agent's own data (``agent.options.code_tool``)."""

SEEDED = "seeded"
"""An evolve campaign started from a seed program other than the problem's own (a seeded
best, say), recorded in the program's lineage as well."""

KINDS = (INVERSION, SIMULATOR, CODE, SEEDED)
"""Every kind of assistance discolab knows."""

NONE = "none"
"""The label of a run or campaign that had no assistance."""

UNKNOWN = "unknown"
"""The label of a run whose assistance nobody recorded (a self-made submission that did not
say, or a campaign stored before assistance was recorded)."""

METADATA_KEY = "assistance"
"""The key a submission line (or a campaign row) carries its assistance under."""


def kinds_of(value: Any, *, where: str = "assistance") -> tuple[str, ...]:
    """The sorted kinds named by ``value``: a label (``none``, ``inversion``,
    ``inversion+x``) or a list of kinds; ``[]`` and ``"none"`` are no assistance.

    Raises:
        ConfigError: ``value`` is neither a string nor a list of strings, or names
            ``unknown`` together with other kinds.
    """
    if isinstance(value, str):
        parts: Iterable[Any] = [] if value.strip() in ("", NONE) else value.split("+")
    elif isinstance(value, list | tuple | set | frozenset):
        parts = value
    else:
        raise ConfigError(
            f"{where} = {value!r} must be a label such as 'none' or 'inversion', or a list "
            f"of kinds such as ['inversion']"
        )
    kinds = set()
    for part in parts:
        if not isinstance(part, str) or not part.strip():
            raise ConfigError(f"{where} = {value!r} holds {part!r}, which is not a kind name")
        if part.strip() != NONE:
            kinds.add(part.strip())
    if UNKNOWN in kinds and len(kinds) > 1:
        raise ConfigError(f"{where} = {value!r}: 'unknown' cannot be combined with other kinds")
    return tuple(sorted(kinds))


def label(kinds: Sequence[str] | None) -> str:
    """The label of a list of kinds: ``none`` when empty, ``unknown`` when None (unrecorded),
    else the kinds joined by ``+``."""
    if kinds is None:
        return UNKNOWN
    return "+".join(sorted(set(kinds))) or NONE


def union(labels: Iterable[str]) -> str:
    """The label of a run made of parts with these labels: every kind any part had, and
    ``unknown`` as soon as one part's assistance is unknown."""
    kinds: set[str] = set()
    for part in labels:
        found = kinds_of(part)
        if UNKNOWN in found:
            return UNKNOWN
        kinds.update(found)
    return label(sorted(kinds))


def sort_key(name: str) -> tuple[int, str]:
    """Display order of labels: ``none`` first, then assisted ones, ``unknown`` last."""
    return (0 if name == NONE else 2 if name == UNKNOWN else 1, name)
