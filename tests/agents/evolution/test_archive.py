"""The evolver's program archive: grids, migration, sampling and replay (all deterministic)."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from discolab.agents.evolution.archive import (
    ArchivedProgram,
    ArchiveSettings,
    Insertion,
    ProgramArchive,
)
from discolab.errors import ConfigError

RANGES = {"code_length": (0.0, 400.0), "behaviour": (0.0, 1.0)}


def settings(**overrides: object) -> ArchiveSettings:
    """Small grids (4 x 4 cells) so tests can aim at cells by hand."""
    values: dict[str, object] = {"islands": 2, "bins": 4, "ranges": RANGES}
    values.update(overrides)
    return ArchiveSettings(**values)  # type: ignore[arg-type]


def prog(
    pid: str,
    fitness: float | None = 1.0,
    *,
    island: int = 0,
    length: float = 50.0,
    behaviour: float = 0.1,
    iteration: int = 0,
) -> ArchivedProgram:
    """A program whose default features fall in cell (0, 0)."""
    features = {"code_length": length, "behaviour": behaviour}
    return ArchivedProgram(pid, island, fitness, features, iteration=iteration)


def spread(archive: ProgramArchive, island: int, fitnesses: list[float], prefix: str = "p") -> None:
    """Add one program per fitness to distinct cells of ``island``."""
    for i, fitness in enumerate(fitnesses):
        cell_length, cell_behaviour = divmod(i, 4)
        archive.add(
            prog(
                f"{prefix}{i}",
                fitness,
                island=island,
                length=cell_length * 100 + 50,
                behaviour=cell_behaviour * 0.25 + 0.1,
                iteration=i,
            )
        )


# -- insertion ------------------------------------------------------------------------------


def test_a_program_in_an_empty_cell_is_placed() -> None:
    archive = ProgramArchive(settings())
    result = archive.add(prog("a", length=150, behaviour=0.6))
    assert result == Insertion(island=0, cell=(1, 2), placed=True, evicted=None)
    assert archive.cells(0) == {(1, 2): prog("a", length=150, behaviour=0.6)}
    assert archive.occupancy() == {0: 1, 1: 0}


def test_a_better_program_replaces_the_owner_and_names_it() -> None:
    archive = ProgramArchive(settings())
    archive.add(prog("old", 1.0))
    result = archive.add(prog("new", 2.0, length=60, behaviour=0.2))
    assert result == Insertion(island=0, cell=(0, 0), placed=True, evicted="old")
    assert archive.cells(0)[(0, 0)].id == "new"


@pytest.mark.parametrize("fitness", [0.5, 1.0], ids=["worse", "equal"])
def test_a_worse_or_equal_program_keeps_the_incumbent(fitness: float) -> None:
    archive = ProgramArchive(settings())
    archive.add(prog("old", 1.0))
    result = archive.add(prog("new", fitness))
    assert result == Insertion(island=0, cell=(0, 0), placed=False, evicted=None)
    assert archive.cells(0)[(0, 0)].id == "old"
    assert len(archive) == 2


@pytest.mark.parametrize("fitness", [None, math.nan, math.inf, -math.inf])
def test_a_failed_program_is_counted_but_never_placed(fitness: float | None) -> None:
    archive = ProgramArchive(settings())
    result = archive.add(prog("bad", fitness, island=1))
    assert result == Insertion(island=1, cell=(), placed=False, evicted=None)
    assert archive.occupancy() == {0: 0, 1: 0}
    assert archive.failures() == {0: 0, 1: 1}
    assert len(archive) == 1
    assert archive.sample(1, np.random.default_rng(0)) is None


def test_each_cell_ends_owned_by_its_best_program() -> None:
    rng = np.random.default_rng(3)
    archive = ProgramArchive(settings(islands=1))
    best: dict[tuple[int, ...], ArchivedProgram] = {}
    for i in range(300):
        fitness = float(rng.integers(0, 20))  # many ties on purpose
        program = prog(
            f"p{i}", fitness, length=rng.uniform(0, 400), behaviour=rng.random(), iteration=i
        )
        cell = archive.add(program).cell
        if cell not in best or fitness > best[cell].fitness:
            best[cell] = program  # the first of equally fit programs keeps the cell
    assert archive.cells(0) == dict(sorted(best.items()))


@pytest.mark.parametrize(
    ("length", "behaviour", "cell"),
    [
        (-50.0, -3.0, (0, 0)),
        (1e9, 7.0, (3, 3)),
        (400.0, 1.0, (3, 3)),
        (0.0, 0.0, (0, 0)),
        (math.inf, -math.inf, (3, 0)),
        (99.999, 0.25, (0, 1)),
    ],
)
def test_features_outside_the_ranges_clip_into_the_edge_cells(
    length: float, behaviour: float, cell: tuple[int, int]
) -> None:
    archive = ProgramArchive(settings())
    assert archive.add(prog("a", length=length, behaviour=behaviour)).cell == cell


def test_bad_additions_are_refused_with_the_bad_value() -> None:
    archive = ProgramArchive(settings())
    archive.add(prog("a"))
    with pytest.raises(ValueError, match="'a' is already"):
        archive.add(prog("a", 5.0, island=1))
    with pytest.raises(ValueError, match="island 2 is outside"):
        archive.add(prog("b", island=2))
    with pytest.raises(ValueError, match="lack 'behaviour'"):
        archive.add(ArchivedProgram("c", 0, 1.0, {"code_length": 3.0}))
    with pytest.raises(ValueError, match="'code_length' is NaN"):
        archive.add(prog("d", length=math.nan))
    assert len(archive) == 1


def test_adding_to_one_island_never_changes_another() -> None:
    archive = ProgramArchive(settings(islands=3))
    spread(archive, 1, [5.0, 6.0], prefix="q")
    before = archive.cells(1), archive.cells(2)
    spread(archive, 0, [1.0, 9.0, 3.0, 7.0])
    archive.add(prog("big", 100.0, island=0))
    assert (archive.cells(1), archive.cells(2)) == before
    assert archive.occupancy() == {0: 4, 1: 2, 2: 0}


# -- migration -------------------------------------------------------------------------------


def test_migration_follows_the_ring() -> None:
    archive = ProgramArchive(settings(islands=3, migration_size=1))
    archive.add(prog("a", 1.0, island=0))
    archive.add(prog("b", 1.0, island=1, length=150))
    archive.add(prog("c", 1.0, island=2, length=250))
    assert sorted(archive.migrate()) == [("a", 0, 1), ("b", 1, 2), ("c", 2, 0)]
    assert {p.id for p in archive.elites(0)} == {"a", "c"}
    assert {p.id for p in archive.elites(1)} == {"a", "b"}
    assert {p.id for p in archive.elites(2)} == {"b", "c"}


def test_migration_happens_only_at_multiples_of_the_interval() -> None:
    archive = ProgramArchive(settings(migration_interval=5))
    archive.add(prog("a", island=0))
    moved_at = [n for n in range(0, 21) if archive.on_completed(n)]
    assert moved_at == [5]  # later rounds find "a" already in island 1's cell (a tie)
    fresh = ProgramArchive(settings(migration_interval=5))
    fresh.add(prog("a", island=0))
    assert [fresh.on_completed(n) for n in (0, 4, 6)] == [[], [], []]
    assert fresh.occupancy() == {0: 1, 1: 0}


def test_migration_copies_only_the_best_migration_size() -> None:
    archive = ProgramArchive(settings(migration_size=2))
    spread(archive, 0, [3.0, 9.0, 1.0, 9.0, 5.0])  # p1 and p3 tie; both beat the rest
    assert sorted(archive.migrate()) == [("p1", 0, 1), ("p3", 0, 1)]
    assert [p.id for p in archive.elites(1)] == ["p1", "p3"]
    assert archive.occupancy() == {0: 5, 1: 2}  # copies: the source island keeps them


def test_migrant_ties_go_to_the_older_program() -> None:
    archive = ProgramArchive(settings(migration_size=1))
    archive.add(prog("young", 2.0, length=150, iteration=7))
    archive.add(prog("old", 2.0, length=250, iteration=3))
    assert archive.migrate() == [("old", 0, 1)]


def test_a_migrant_takes_a_cell_only_if_it_beats_the_owner() -> None:
    archive = ProgramArchive(settings(migration_size=2))
    archive.add(prog("strong", 5.0, island=1))
    archive.add(prog("weak", 4.0, island=0))
    archive.add(prog("other", 3.0, island=0, length=150))
    placed = archive.migrate()
    assert ("weak", 0, 1) not in placed
    assert ("other", 0, 1) in placed
    assert archive.cells(1)[(0, 0)].id == "strong"
    assert archive.cells(0)[(0, 0)].id == "strong"  # the reverse trip of the ring (1 -> 0)


def test_no_cascade_within_one_round() -> None:
    archive = ProgramArchive(settings(islands=3, migration_size=1))
    archive.add(prog("a", 1.0, island=0))
    archive.migrate()
    assert {p.id for p in archive.elites(2)} == set()  # one step per round, not 0 -> 1 -> 2
    archive.migrate()
    assert [p.id for p in archive.elites(2)] == ["a"]
    assert archive.elites(1)[0].island == 0  # a migrant keeps its home island


def test_one_island_never_migrates() -> None:
    archive = ProgramArchive(settings(islands=1, migration_interval=1))
    spread(archive, 0, [1.0, 2.0])
    before = archive.cells(0)
    assert [archive.on_completed(n) for n in range(1, 5)] == [[], [], [], []]
    assert archive.migrate() == []
    assert archive.cells(0) == before


# -- sampling --------------------------------------------------------------------------------


def test_an_empty_island_samples_nothing_and_one_program_is_its_own_parent() -> None:
    archive = ProgramArchive(settings())
    assert archive.sample(0, np.random.default_rng(0)) is None
    archive.add(prog("only"))
    for seed in range(20):
        selection = archive.sample(0, np.random.default_rng(seed))
        assert selection is not None
        assert selection.parent.id == "only"
        assert selection.inspirations == ()


def test_mode_frequencies_match_the_configured_shares() -> None:
    archive = ProgramArchive(settings(elite_share=0.3, exploit_share=0.5, explore_share=0.2))
    spread(archive, 0, [float(f) for f in range(12)])
    rng = np.random.default_rng(2024)
    n = 20_000
    modes = Counter(archive.sample(0, rng).mode for _ in range(n))  # type: ignore[union-attr]
    assert modes["elite"] / n == pytest.approx(0.3, abs=0.02)
    assert modes["exploit"] / n == pytest.approx(0.5, abs=0.02)
    assert modes["explore"] / n == pytest.approx(0.2, abs=0.02)


@pytest.mark.parametrize(
    ("mode", "shares", "others"),
    [
        ("elite", (1.0, 0.0, 0.0), 9),
        ("exploit", (0.0, 1.0, 0.0), 0),
        ("explore", (0.0, 0.0, 1.0), 0),
    ],
)
def test_a_heavily_sampled_parent_is_chosen_less_than_an_equal_fresh_one(
    mode: str, shares: tuple[float, float, float], others: int
) -> None:
    elite, exploit, explore = shares
    config = settings(elite_share=elite, exploit_share=exploit, explore_share=explore)
    archive = ProgramArchive(config)
    spread(archive, 0, [5.0, 5.0] + [1.0] * others)  # 11 owners make the elite top-k two wide
    for _ in range(10):
        archive.note_sampled("p0")
    rng = np.random.default_rng(7)
    picks = Counter()
    for _ in range(3000):
        selection = archive.sample(0, rng)
        assert selection is not None and selection.mode == mode
        picks[selection.parent.id] += 1
    # weights 1 / (1 + 0.5 * 10) = 1/6 against 1: p0 should come about six times less often
    assert picks["p0"] * 3 < picks["p1"]
    assert archive.times_sampled("p0") == 10  # sampling itself does not count


def test_elite_mode_draws_only_from_the_top_tenth() -> None:
    archive = ProgramArchive(settings(elite_share=1.0, exploit_share=0.0, explore_share=0.0))
    spread(archive, 0, [float(f) for f in range(16)])  # k = ceil(1.6) = 2
    rng = np.random.default_rng(1)
    parents = {archive.sample(0, rng).parent.id for _ in range(500)}  # type: ignore[union-attr]
    assert parents == {"p15", "p14"}


def test_exploit_mode_prefers_fitter_programs() -> None:
    archive = ProgramArchive(settings(elite_share=0.0, exploit_share=1.0, explore_share=0.0))
    spread(archive, 0, [1.0, 2.0, 3.0, 4.0])
    rng = np.random.default_rng(5)
    picks = Counter(archive.sample(0, rng).parent.id for _ in range(5000))  # type: ignore[union-attr]
    # ranked weights 1, 1/2, 1/3, 1/4 for p3 .. p0
    assert picks["p3"] > picks["p2"] > picks["p1"] > picks["p0"] > 0


@pytest.mark.parametrize("count", [0, 1, 2, 5, 20])
def test_inspirations_exclude_the_parent_and_are_distinct(count: int) -> None:
    archive = ProgramArchive(settings(inspirations=count))
    spread(archive, 0, [float(f) for f in range(8)])
    rng = np.random.default_rng(11)
    for _ in range(200):
        selection = archive.sample(0, rng)
        assert selection is not None
        ids = [p.id for p in selection.inspirations]
        assert selection.parent.id not in ids
        assert len(set(ids)) == len(ids) == min(count, 7)
        if ids:
            best_other = "p6" if selection.parent.id == "p7" else "p7"
            assert ids[0] == best_other
            assert all(p.island == 0 for p in selection.inspirations)


def test_the_same_state_and_seed_give_the_same_selection() -> None:
    archive = ProgramArchive(settings())
    spread(archive, 0, [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])
    archive.note_sampled("p5")
    first = [archive.sample(0, np.random.default_rng(s)) for s in range(30)]
    again = [archive.sample(0, np.random.default_rng(s)) for s in range(30)]
    assert first == again
    assert len({(s.parent.id, s.mode) for s in first if s is not None}) > 3


# -- replay ----------------------------------------------------------------------------------


def live_run(config: ArchiveSettings, steps: int, seed: int):
    """An evolver-like loop: sample, make a child, store it, then tell the archive."""
    rng = np.random.default_rng(seed)
    archive = ProgramArchive(config)
    programs: list[ArchivedProgram] = []
    parents: list[list[str]] = []
    for i in range(steps):
        island = int(rng.integers(config.islands))
        selection = archive.sample(island, rng)
        parent_ids = [] if selection is None else [selection.parent.id]
        fitness = None if rng.random() < 0.15 else float(rng.integers(0, 30))
        features = {"code_length": float(rng.normal(200, 150)), "behaviour": float(rng.random())}
        program = ArchivedProgram(f"c{i}", island, fitness, features, iteration=i)
        programs.append(program)
        parents.append(parent_ids)
        archive.add(program)
        for pid in parent_ids:
            archive.note_sampled(pid)
        archive.on_completed(i + 1)
    return archive, programs, parents


def test_rebuild_equals_the_live_archive() -> None:
    config = settings(islands=3, migration_interval=7, migration_size=2)
    live, programs, parents = live_run(config, steps=250, seed=42)
    rebuilt = ProgramArchive.rebuild(config, iter(programs), iter(parents))
    for island in range(config.islands):
        assert rebuilt.cells(island) == live.cells(island)
        assert rebuilt.elites(island) == live.elites(island)
    assert rebuilt.occupancy() == live.occupancy()
    assert rebuilt.failures() == live.failures()
    assert sum(live.occupancy().values()) > 3 * config.islands
    assert all(rebuilt.times_sampled(p.id) == live.times_sampled(p.id) for p in programs)
    assert sum(live.times_sampled(p.id) for p in programs) > 200
    for island in range(config.islands):
        for seed in range(10):
            ours = rebuilt.sample(island, np.random.default_rng(seed))
            theirs = live.sample(island, np.random.default_rng(seed))
            assert ours == theirs
    assert rebuilt.best() == live.best()


def test_rebuild_refuses_mismatched_inputs() -> None:
    config = settings()
    with pytest.raises(ValueError, match="one parent list per program"):
        ProgramArchive.rebuild(config, [prog("a"), prog("b")], [[]])
    with pytest.raises(TypeError, match="not a str"):
        ProgramArchive.rebuild(config, [prog("a")], ["a"])


def test_best_and_elites_order_by_fitness_then_age() -> None:
    archive = ProgramArchive(settings())
    archive.add(prog("late", 2.0, length=150, iteration=9))
    archive.add(prog("early", 2.0, length=250, iteration=1))
    archive.add(prog("low", 1.0, length=350, iteration=0))
    archive.add(prog("other", 1.5, island=1, iteration=2))
    assert [p.id for p in archive.elites(0)] == ["early", "late", "low"]
    assert archive.best(1).id == "other"  # type: ignore[union-attr]
    assert archive.best().id == "early"  # type: ignore[union-attr]
    assert ProgramArchive(settings()).best() is None


# -- settings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"islands": 0}, "islands"),
        ({"islands": True}, "islands"),
        ({"bins": 0}, "bins"),
        ({"migration_interval": 0}, "migration_interval"),
        ({"migration_size": -1}, "migration_size"),
        ({"inspirations": -1}, "inspirations"),
        ({"sample_penalty": -0.1}, "sample_penalty"),
        ({"elite_share": -0.1, "exploit_share": 0.9}, "elite_share"),
        ({"explore_share": math.nan}, "explore_share"),
        ({"elite_share": 0.5}, "elite_share=0.5"),
        ({"features": ()}, "features"),
        ({"features": "code_length"}, "features"),
        ({"features": ("behaviour", "behaviour")}, "features"),
        ({"ranges": {"code_length": (0.0, 10.0)}}, "'behaviour'"),
        ({"ranges": {**RANGES, "behaviour": (1.0, 1.0)}}, "ranges['behaviour']"),
        ({"ranges": {**RANGES, "code_length": (0.0,)}}, "ranges['code_length']"),
    ],
)
def test_bad_settings_name_the_field(overrides: dict[str, object], named: str) -> None:
    with pytest.raises(ConfigError, match=named.replace("[", r"\[").replace("]", r"\]")):
        settings(**overrides)


def test_settings_accept_toml_shapes_and_stay_read_only() -> None:
    config = ArchiveSettings(
        features=["behaviour"],  # type: ignore[arg-type]
        ranges={"behaviour": [0, 2], "unused": [1, 3]},  # type: ignore[dict-item]
    )
    assert config.features == ("behaviour",)
    assert config.ranges["behaviour"] == (0.0, 2.0)
    with pytest.raises(TypeError):
        config.ranges["behaviour"] = (0.0, 1.0)  # type: ignore[index]
    assert ArchiveSettings() == ArchiveSettings()
    assert ProgramArchive(config).cell_of({"behaviour": 1.5}) == (6,)


def test_add_everywhere_seeds_every_island_once() -> None:
    settings = ArchiveSettings(islands=3, bins=4)
    archive = ProgramArchive(settings)
    seed = ArchivedProgram(
        id="seed", island=0, fitness=1.0, features={"code_length": 10.0, "behaviour": 0.5}
    )
    insertions = archive.add_everywhere(seed)
    assert [i.island for i in insertions] == [0, 1, 2] and all(i.placed for i in insertions)
    assert archive.occupancy() == {0: 1, 1: 1, 2: 1}
    assert len(archive) == 1
    failed = ArchivedProgram(id="bad", island=0, fitness=None, features={})
    assert len(archive.add_everywhere(failed)) == 1 and archive.occupancy()[1] == 1
