"""The evolver's program database: SQLite is the truth, the archive is derived from it.

Every program is a stored candidate (kind ``program``) keyed ``g{generation}-s{slot}``, with
its parents, island, generation and, in its metadata, its ``iteration`` (its number among
the campaign's programs, contiguous from 0 for the seed), its ``slot``, how its parent was
picked, the mutation or model call that made it with its ``cost``, and the sandbox ``job``
that ran it; its evaluation holds the metrics, feedback and error.

The in-memory :class:`~discolab.agents.evolution.archive.ProgramArchive` is never stored or
pickled: :meth:`ProgramDatabase.load` replays the stored programs of earlier generations in
``(generation, slot)`` order through :meth:`ProgramDatabase.apply`, the same code the live
run uses after each generation, so a resumed campaign holds exactly the archive the killed
one held. Replay order per program: it is added to its island's grid (the seed, generation
0, to every island), each of its parents is noted as sampled once, and the archive is told
how many programs are complete (ring migration happens at multiples of its interval).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from discolab.agents.evolution.archive import ArchivedProgram, ArchiveSettings, ProgramArchive
from discolab.agents.proposers.program import Parent
from discolab.storage.records import ScoredRecord
from discolab.storage.store import CampaignStore

FEATURES = ("code_length", "behaviour")


def slot_key(generation: int, slot: int) -> str:
    """The natural key of a program in its campaign."""
    return f"g{generation}-s{slot}"


def iteration_of(generation: int, slot: int, batch: int) -> int:
    """A program's number among the campaign's programs: 0 for the seed, then contiguous."""
    return 0 if generation == 0 else 1 + (generation - 1) * batch + slot


def archive_settings(options: Mapping[str, Any]) -> ArchiveSettings:
    """:class:`ArchiveSettings` from the ``[evolver.archive]`` table (see
    :class:`~discolab.evolve_config.ArchiveConfig`)."""
    opts = dict(options)
    length = float(opts.pop("max_code_length", 4000))
    features = tuple(opts.pop("features", FEATURES))
    ranges = {
        "code_length": (0.0, length),
        "behaviour": (0.0, 1.0),
        **{k: (float(v[0]), float(v[1])) for k, v in dict(opts.pop("ranges", {})).items()},
    }
    return ArchiveSettings(**opts, features=features, ranges=ranges)


def features_of(record: ScoredRecord, names: Sequence[str]) -> dict[str, float]:
    """A stored program's grid coordinates: its code length, the verifier's behaviour
    descriptor, or any other stored metric (0 when a valid program lacks it)."""
    metrics = record.evaluation.metrics if record.evaluation else {}
    out = {}
    for name in names:
        if name == "code_length":
            out[name] = float(len(record.candidate.source))
        else:
            value = metrics.get(name, 0.0)
            out[name] = float(value) if isinstance(value, int | float) else 0.0
    return out


def _order(record: ScoredRecord) -> tuple[int, int]:
    return record.candidate.generation, int(record.candidate.metadata.get("slot", 0))


def fitness_of(record: ScoredRecord) -> float | None:
    """The archive's fitness of a stored program: its ``fitness`` metric, None if it failed."""
    ev = record.evaluation
    if ev is None or not ev.passed:
        return None
    value = ev.metrics.get("fitness")
    return float(value) if isinstance(value, int | float) else None


class ProgramDatabase:
    """Stored programs of one campaign and the archive derived from them.

    Args:
        store: the campaign store.
        campaign_id: the campaign.
        settings: the islands' MAP-Elites settings.
    """

    def __init__(self, store: CampaignStore, campaign_id: str, settings: ArchiveSettings) -> None:
        self.store = store
        self.campaign_id = campaign_id
        self.settings = settings
        self.archive = ProgramArchive(settings)
        self.loaded_before: int | None = None
        self.completed = 0
        self._views: dict[str, Parent] = {}
        self.best_record: ScoredRecord | None = None

    # -- building the archive ------------------------------------------------------------

    def load(self, before_generation: int) -> None:
        """Rebuild the archive from the stored programs of generations before this one."""
        self.archive = ProgramArchive(self.settings)
        self.completed = 0
        self._views.clear()
        self.best_record = None
        records = [
            r
            for r in self.store.candidates(self.campaign_id)
            if r.candidate.generation < before_generation
        ]
        self.apply(sorted(records, key=_order))
        self.loaded_before = before_generation

    def apply(self, records: Sequence[ScoredRecord]) -> None:
        """Add one generation's stored programs (in slot order) to the archive."""
        for record in sorted(records, key=_order):
            self._apply_one(record)
        if records:
            self.loaded_before = max(r.candidate.generation for r in records) + 1

    def _apply_one(self, record: ScoredRecord) -> None:
        candidate = record.candidate
        assert candidate.id is not None
        fitness = fitness_of(record)
        features = features_of(record, self.settings.features)
        iteration = int(candidate.metadata.get("iteration", self.completed))
        program = ArchivedProgram(
            id=candidate.id,
            island=min(candidate.island, self.settings.islands - 1),
            fitness=fitness,
            features=features,
            generation=candidate.generation,
            iteration=iteration,
        )
        if candidate.generation == 0:
            self.archive.add_everywhere(program)
        else:
            self.archive.add(program)
        for parent in candidate.parent_ids:
            self.archive.note_sampled(parent)
        self.completed += 1
        self.archive.on_completed(self.completed)
        self._views[candidate.id] = self._view(record)
        best = None if self.best_record is None else fitness_of(self.best_record)
        if fitness is not None and (best is None or fitness > best):
            self.best_record = record

    # -- what proposers see ----------------------------------------------------------------

    @staticmethod
    def _view(record: ScoredRecord) -> Parent:
        ev = record.evaluation
        value = ev.metrics.get("value") if ev is not None and ev.passed else None
        feedback = ev.feedback if ev is not None else ""
        assert record.candidate.id is not None
        return Parent(
            id=record.candidate.id,
            code=record.candidate.source,
            score=float(value) if isinstance(value, int | float) else None,
            feedback=feedback,
        )

    def view(self, program_id: str) -> Parent:
        """The program as a proposer sees it: code, value and feedback."""
        return self._views[program_id]

    def seed_view(self) -> Parent:
        """The seed program (generation 0) as a proposer sees it."""
        for view in self._views.values():
            return view  # the seed is applied first
        raise LookupError("the seed program is not stored yet")

    def stored(self, generation: int) -> dict[int, ScoredRecord]:
        """The programs of ``generation`` already stored, by slot."""
        records = self.store.candidates(self.campaign_id, generation=generation)
        return {int(r.candidate.metadata.get("slot", 0)): r for r in records}

    def stored_slots(self, generation: int) -> set[int]:
        """The slots of ``generation`` already stored (keys only, no rows read)."""
        prefix = f"g{generation}-s"
        keys = self.store.candidate_keys(self.campaign_id, generation=generation)
        return {int(k.removeprefix(prefix)) for k in keys if k.startswith(prefix)}
