"""The evolver's program archive: a MAP-Elites grid per island, ring migration, parent sampling.

Every program the evolver evaluates is stored in SQLite; this archive is *derived* state. It
holds nothing that cannot be recomputed: its state is a function only of the sequence of
calls made on it (``add``, ``note_sampled``, ``migrate`` / ``on_completed``), it keeps no
random generator of its own, and nothing in it is pickled. On resume the evolver calls
:meth:`ProgramArchive.rebuild` with the stored programs in insertion order, and gets back the
archive it had.

Grid. Each island has ``bins ** len(features)`` cells. A feature value ``v`` with range
``(low, high)`` falls in bin ``floor((v - low) / (high - low) * bins)``, clipped to
``[0, bins - 1]``, so values outside the range land in the edge cells. A cell keeps its owner
unless a newcomer's fitness is strictly higher (ties keep the incumbent). A failed program
(fitness None, NaN or infinite) is counted on its island but never placed.

Migration. Every ``migration_interval`` completed evaluations (when there is more than one
island), each island's best ``migration_size`` cell owners (fitness descending, ties by lower
iteration, then id) are copied into the next island of the ring, ``i -> (i + 1) % islands``.
A copy is the same :class:`ArchivedProgram` (same id, features and home ``island``), and it
takes its cell in the target island only if it beats that cell's owner. All migrants of a
round are chosen from the state before the round, so a program moves at most one step per
round.

Sampling. :meth:`ProgramArchive.sample` draws a mode with probabilities
``(elite_share, exploit_share, explore_share)``, then a parent: *elite* among the island's top
``max(1, ceil(10%))`` cell owners, *exploit* among all owners weighted by ``1 / (1 + rank)``
(rank = owners with strictly higher fitness), *explore* uniformly among all owners; every
weight is divided by ``1 + sample_penalty * times_sampled`` so that parents used often give
way. Inspirations are the best owner other than the parent plus random distinct others. The
exact draws are documented in :mod:`discolab.agents.evolution.sampling`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from discolab.agents.evolution.sampling import Selection, select
from discolab.agents.evolution.settings import ArchiveSettings

__all__ = [
    "ArchiveSettings",
    "ArchivedProgram",
    "Insertion",
    "Migration",
    "ProgramArchive",
    "Selection",
]

Cell = tuple[int, ...]
Migration = tuple[str, int, int]
"""``(program id, from island, to island)`` for a migrant that took a cell."""


@dataclass(frozen=True)
class ArchivedProgram:
    """One evaluated program as the archive sees it (the stored row holds the rest).

    Attributes:
        id: the stored candidate id, unique across the campaign.
        island: the island the program was born on (a migrant keeps its home island).
        fitness: higher is better; None (or a non-finite value) marks a failed program,
            which is counted but never placed in a cell.
        features: raw descriptor values, e.g. ``{"code_length": 812, "behaviour": 0.4}``;
            every feature of the settings must be present and not NaN for a placed program.
        generation: mutation depth (parent's generation + 1); informational.
        iteration: insertion order; breaks fitness ties in favour of the older program.
    """

    id: str
    island: int
    fitness: float | None
    features: Mapping[str, float]
    generation: int = 0
    iteration: int = 0

    @property
    def failed(self) -> bool:
        """True when the program has no usable fitness (None, NaN or infinite)."""
        return self.fitness is None or not math.isfinite(self.fitness)


@dataclass(frozen=True)
class Insertion:
    """What :meth:`ProgramArchive.add` did with a program.

    Attributes:
        island: the island it was added to.
        cell: the cell its features map to; ``()`` for a failed program.
        placed: it became the owner of its cell.
        evicted: id of the former owner it replaced, if any.
    """

    island: int
    cell: Cell
    placed: bool
    evicted: str | None


def rank_key(program: ArchivedProgram) -> tuple[float, int, str]:
    """Sort key putting the best program first: fitness descending, then lower iteration, id."""
    fitness = -math.inf if program.failed else program.fitness
    return (-fitness, program.iteration, program.id)


class ProgramArchive:
    """MAP-Elites grids, one per island, with ring migration and penalised parent sampling.

    See the module docstring for the rules; the state is deterministic in the calls made.
    """

    def __init__(self, settings: ArchiveSettings) -> None:
        self.settings = settings
        self._grids: list[dict[Cell, ArchivedProgram]] = [{} for _ in range(settings.islands)]
        self._failed = [0] * settings.islands
        self._added: set[str] = set()
        self._sampled: dict[str, int] = {}

    # -- building ---------------------------------------------------------------------------

    def add(self, program: ArchivedProgram) -> Insertion:
        """Add a newly evaluated program to its island's grid.

        Raises ValueError for an island outside ``[0, islands)``, an id already added, or a
        placed program whose features miss a configured feature or hold NaN.
        """
        self._check_island(program.island)
        if program.id in self._added:
            raise ValueError(
                f"program {program.id!r} is already in the archive; ids must be unique"
            )
        if program.failed:
            self._added.add(program.id)
            self._failed[program.island] += 1
            return Insertion(island=program.island, cell=(), placed=False, evicted=None)
        cell = self.cell_of(program.features)
        self._added.add(program.id)
        placed, evicted = self._offer(program.island, cell, program)
        return Insertion(island=program.island, cell=cell, placed=placed, evicted=evicted)

    def add_everywhere(self, program: ArchivedProgram) -> list[Insertion]:
        """Add a program to its island, then offer it to every other island's grid (as a
        migrant: same id, same features). The evolver seeds every island with the seed
        program this way."""
        first = self.add(program)
        if program.failed:
            return [first]
        cell = self.cell_of(program.features)
        others = []
        for island in range(self.settings.islands):
            if island != program.island:
                placed, evicted = self._offer(island, cell, program)
                others.append(Insertion(island=island, cell=cell, placed=placed, evicted=evicted))
        return [first, *others]

    def note_sampled(self, program_id: str) -> None:
        """Record that ``program_id`` was used as a parent (raising its sampling penalty).

        Counts are per id across islands. Ids the archive has not seen are counted too, so
        replay never depends on whether a parent's row was added.
        """
        self._sampled[program_id] = self._sampled.get(program_id, 0) + 1

    def migrate(self) -> list[Migration]:
        """Run one ring migration now and return ``(id, from, to)`` for each migrant placed."""
        islands = self.settings.islands
        if islands < 2 or self.settings.migration_size == 0:
            return []
        outgoing = [self.elites(i)[: self.settings.migration_size] for i in range(islands)]
        placed: list[Migration] = []
        for source, migrants in enumerate(outgoing):
            target = (source + 1) % islands
            for program in migrants:
                if self._offer(target, self.cell_of(program.features), program)[0]:
                    placed.append((program.id, source, target))
        return placed

    def on_completed(self, completed: int) -> list[Migration]:
        """Migrate when ``completed`` (stored evaluations so far) is a positive multiple of
        ``migration_interval`` and there is more than one island; otherwise do nothing."""
        interval = self.settings.migration_interval
        if completed > 0 and completed % interval == 0 and self.settings.islands > 1:
            return self.migrate()
        return []

    @classmethod
    def rebuild(
        cls,
        settings: ArchiveSettings,
        programs: Iterable[ArchivedProgram],
        parents: Iterable[Sequence[str]],
    ) -> ProgramArchive:
        """Replay stored programs into a fresh archive; the evolver calls this on resume.

        ``programs`` are all stored programs (failed ones included) in insertion order, and
        ``parents[i]`` the parent ids of ``programs[i]`` as stored. For each ``i`` this calls,
        in order: ``add(programs[i])``; ``note_sampled(pid)`` for each ``pid`` in
        ``parents[i]``; ``on_completed(i + 1)``. A live evolver that makes exactly these calls
        after storing each evaluation ends in the same state as the replay; a parent drawn
        for a child that was never stored (a crash mid-evaluation) is counted by neither.
        ``i + 1`` counts every stored evaluation, failed ones included.

        Raises ValueError when the two iterables differ in length, TypeError when a parent
        list is a bare string (which would otherwise be read as one id per character).
        """
        archive = cls(settings)
        program_iter, parent_iter = iter(programs), iter(parents)
        for completed in itertools.count(1):
            program = next(program_iter, None)
            parent_ids = next(parent_iter, None)
            if program is None and parent_ids is None:
                break
            if program is None or parent_ids is None:
                raise ValueError(
                    f"rebuild needs one parent list per program; they differ at position "
                    f"{completed - 1}"
                )
            if isinstance(parent_ids, str):
                raise TypeError(f"parents of {program.id!r} must be a sequence of ids, not a str")
            archive.add(program)
            for parent_id in parent_ids:
                archive.note_sampled(parent_id)
            archive.on_completed(completed)
        return archive

    # -- reading ----------------------------------------------------------------------------

    def sample(self, island: int, rng: np.random.Generator) -> Selection | None:
        """Draw a parent and inspirations from ``island``; None when the island holds nothing.

        The archive does not count the draw: the caller calls :meth:`note_sampled` for the
        parents its stored child names, so live counts equal replayed ones.
        """
        self._check_island(island)
        return select(self.elites(island), self.times_sampled, self.settings, rng)

    def best(self, island: int | None = None) -> ArchivedProgram | None:
        """The best cell owner of ``island``, or of all islands when None; None if empty."""
        islands = range(self.settings.islands) if island is None else [self._checked(island)]
        owners = [p for i in islands for p in self._grids[i].values()]
        return min(owners, key=rank_key) if owners else None

    def elites(self, island: int) -> list[ArchivedProgram]:
        """The cell owners of ``island``, best first (see :func:`rank_key`)."""
        return sorted(self._grids[self._checked(island)].values(), key=rank_key)

    def cells(self, island: int) -> dict[Cell, ArchivedProgram]:
        """A copy of ``island``'s grid, cell -> owner, in cell order."""
        grid = self._grids[self._checked(island)]
        return {cell: grid[cell] for cell in sorted(grid)}

    def occupancy(self) -> dict[int, int]:
        """Occupied cells per island, for every island (empty ones map to 0)."""
        return {i: len(grid) for i, grid in enumerate(self._grids)}

    def failures(self) -> dict[int, int]:
        """Failed programs added per island."""
        return dict(enumerate(self._failed))

    def times_sampled(self, program_id: str) -> int:
        """How often ``program_id`` was noted as a parent."""
        return self._sampled.get(program_id, 0)

    def __len__(self) -> int:
        """Programs added (failed ones included; migrant copies not counted again)."""
        return len(self._added)

    def cell_of(self, features: Mapping[str, float]) -> Cell:
        """The cell raw feature values map to, clipping out-of-range values to the edges."""
        cell = []
        bins = self.settings.bins
        for name in self.settings.features:
            if name not in features:
                raise ValueError(f"program features lack {name!r}; got {sorted(features)}")
            value = float(features[name])
            if math.isnan(value):
                raise ValueError(f"feature {name!r} is NaN; a placed program needs real values")
            low, high = self.settings.ranges[name]
            clipped = min(max(value, low), high)
            cell.append(min(math.floor((clipped - low) / (high - low) * bins), bins - 1))
        return tuple(cell)

    # -- internals --------------------------------------------------------------------------

    def _offer(self, island: int, cell: Cell, program: ArchivedProgram) -> tuple[bool, str | None]:
        """Place ``program`` in ``island``'s ``cell`` if it is empty or strictly beaten."""
        grid = self._grids[island]
        owner = grid.get(cell)
        if owner is not None and not program.fitness > owner.fitness:
            return False, None
        grid[cell] = program
        return True, None if owner is None else owner.id

    def _checked(self, island: int) -> int:
        self._check_island(island)
        return island

    def _check_island(self, island: int) -> None:
        if isinstance(island, bool) or not isinstance(island, int | np.integer):
            raise ValueError(f"island must be an integer, got {island!r}")
        if not 0 <= island < self.settings.islands:
            raise ValueError(f"island {island} is outside [0, {self.settings.islands})")
