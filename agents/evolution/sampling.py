"""Drawing a parent and its inspirations from one island's cell owners.

These are pure functions of (the island's elites, their sample counts, the settings, the rng):
nothing here keeps state, and every random draw comes from the ``numpy.random.Generator`` the
caller passes, so the same archive state and the same seed always give the same selection.

The draws, in order:

1. **Mode.** One ``rng.random()`` picks ``elite``, ``exploit`` or ``explore`` with the
   probabilities ``(elite_share, exploit_share, explore_share)`` (cumulative, in that order).
2. **Parent.** One ``rng.random()`` picks a program by weight among the mode's candidates. With
   ``elites`` the island's cell owners best first (fitness descending, then lower iteration,
   then id) and ``penalty(p) = 1 / (1 + sample_penalty * times_sampled(p))``:

   - elite: candidates are the top ``k = max(1, ceil(0.1 * len(elites)))``, weight ``penalty(p)``;
   - exploit: candidates are all elites, weight ``penalty(p) / (1 + rank(p))`` where ``rank`` is
     the number of elites with strictly higher fitness (equal fitness, equal rank);
   - explore: candidates are all elites, weight ``penalty(p)`` (uniform before the penalty).

3. **Inspirations.** Up to ``inspirations`` distinct elites other than the parent: the best one
   that is not the parent, then ``inspirations - 1`` drawn uniformly without replacement from
   the rest (one ``rng.integers`` per draw, a partial Fisher-Yates shuffle), listed best first.
   An island holding one program yields that program as the parent and no inspirations.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from discolab.agents.evolution.archive import ArchivedProgram
    from discolab.agents.evolution.settings import ArchiveSettings

Mode = Literal["elite", "exploit", "explore"]
MODES: tuple[Mode, ...] = ("elite", "exploit", "explore")
ELITE_FRACTION = 0.1
"""Share of an island's occupied cells (rounded up, at least one) that the elite mode draws from."""


@dataclass(frozen=True)
class Selection:
    """What the evolver mutates next.

    Attributes:
        parent: the program to mutate.
        inspirations: other cell owners of the same island shown beside it (never the parent),
            best first.
        mode: which part of the documented mix chose the parent.
    """

    parent: ArchivedProgram
    inspirations: tuple[ArchivedProgram, ...]
    mode: Mode


def select(
    elites: Sequence[ArchivedProgram],
    times_sampled: Callable[[str], int],
    settings: ArchiveSettings,
    rng: np.random.Generator,
) -> Selection | None:
    """Draw a parent and inspirations from ``elites`` (one island's cell owners, best first).

    Returns None when ``elites`` is empty; otherwise follows the module docstring exactly.
    """
    if not elites:
        return None
    mode = draw_mode(settings.shares, rng)
    candidates, weights = mode_weights(mode, elites, times_sampled, settings.sample_penalty)
    parent = candidates[weighted_index(weights, rng)]
    others = [p for p in elites if p.id != parent.id]
    inspirations = pick_inspirations(others, settings.inspirations, rng)
    return Selection(parent=parent, inspirations=inspirations, mode=mode)


def draw_mode(shares: tuple[float, float, float], rng: np.random.Generator) -> Mode:
    """One uniform draw mapped onto the cumulative ``(elite, exploit, explore)`` shares."""
    u = rng.random()
    cumulative = 0.0
    for mode, share in zip(MODES, shares, strict=True):
        cumulative += share
        if u < cumulative:
            return mode
    # Only reached through float rounding when u is within 1e-16 of 1: the last mode with mass.
    return next(m for m, s in zip(reversed(MODES), reversed(shares), strict=True) if s > 0)


def mode_weights(
    mode: Mode,
    elites: Sequence[ArchivedProgram],
    times_sampled: Callable[[str], int],
    sample_penalty: float,
) -> tuple[Sequence[ArchivedProgram], list[float]]:
    """The candidates a mode draws from and their (unnormalised) weights."""

    def penalty(program: ArchivedProgram) -> float:
        return 1.0 / (1.0 + sample_penalty * times_sampled(program.id))

    if mode == "elite":
        top = elites[: max(1, math.ceil(ELITE_FRACTION * len(elites)))]
        return top, [penalty(p) for p in top]
    if mode == "exploit":
        ranks = _competition_ranks(elites)
        return elites, [penalty(p) / (1.0 + r) for p, r in zip(elites, ranks, strict=True)]
    return elites, [penalty(p) for p in elites]


def weighted_index(weights: Sequence[float], rng: np.random.Generator) -> int:
    """An index drawn with probability proportional to ``weights`` (all > 0), one draw."""
    total = math.fsum(weights)
    target = rng.random() * total
    cumulative = 0.0
    for index, weight in enumerate(weights):
        cumulative += weight
        if target < cumulative:
            return index
    return len(weights) - 1  # float rounding at the top end


def pick_inspirations(
    others: Sequence[ArchivedProgram], count: int, rng: np.random.Generator
) -> tuple[ArchivedProgram, ...]:
    """The best of ``others`` and then ``count - 1`` random distinct ones, best first.

    ``others`` is sorted best first and already excludes the parent.
    """
    if count <= 0 or not others:
        return ()
    rest = list(others[1:])
    drawn = min(count - 1, len(rest))
    for slot in range(drawn):
        swap = slot + int(rng.integers(len(rest) - slot))
        rest[slot], rest[swap] = rest[swap], rest[slot]
    position = {p.id: i for i, p in enumerate(others)}
    chosen = sorted(rest[:drawn], key=lambda p: position[p.id])
    return (others[0], *chosen)


def _competition_ranks(elites: Sequence[ArchivedProgram]) -> list[int]:
    """Per program, how many programs in ``elites`` (sorted best first) have higher fitness."""
    ranks: list[int] = []
    for index, program in enumerate(elites):
        if index and program.fitness == elites[index - 1].fitness:
            ranks.append(ranks[-1])
        else:
            ranks.append(index)
    return ranks
