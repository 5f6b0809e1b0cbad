"""Evolve-campaign configuration: a TOML file validated into frozen, documented dataclasses.

An evolve campaign (``discolab evolve CONFIG``) evolves programs for one construction
problem. Its file has ``[campaign]`` (name, seed, database, sandbox), ``[problem]`` (the
registry id), ``[evolver]`` (proposer, strategy, budgets, concurrency), ``[evolver.archive]``
(the MAP-Elites islands) and the model tables shared with law campaigns (``[models]``,
``[pricing]``, ``[limits]``). Every problem is one :class:`ConfigError` naming the field.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from discolab.config import (
    SANDBOX_CHOICES,
    _check_keys,
    _ensemble,
    _model_sections,
    _model_tables,
    _table,
)
from discolab.errors import ConfigError
from discolab.registry import suggest

STRATEGIES = ("evolve", "best-of-n")
EDIT_MODES = ("diff", "rewrite")


@dataclass(frozen=True)
class ArchiveConfig:
    """``[evolver.archive]``: the islands and their MAP-Elites grids.

    Attributes:
        islands: islands evolving apart, joined by ring migration.
        bins: cells per feature dimension of each island's grid.
        migration_interval: completed evaluations between ring migrations.
        migration_size: best programs each island copies to the next at a migration.
        elite_share: chance a parent is drawn from the island's top elites.
        exploit_share: chance a parent is drawn from all cell owners weighted by rank.
        explore_share: chance a parent is drawn uniformly from the cell owners.
        inspirations: other programs shown beside the parent.
        sample_penalty: a parent's weight is divided by ``1 + penalty * times sampled``.
        max_code_length: the longest program (characters) that is run at all, and the top
            of the code-length feature; longer children fail at the parse stage, which keeps
            evolution from bloating programs.
        features: the grid's dimensions, chosen per task: ``code_length``, ``behaviour``
            (the descriptor the problem's verifier returns) or the name of any other metric
            the verifier stores (``worst_slack`` ...), which then needs a range.
        ranges: ``[evolver.archive.ranges]`` ``name = [low, high]`` for metric features;
            values outside land in the edge cells.
    """

    islands: int = 4
    bins: int = 8
    migration_interval: int = 40
    migration_size: int = 2
    elite_share: float = 0.3
    exploit_share: float = 0.5
    explore_share: float = 0.2
    inspirations: int = 2
    sample_penalty: float = 0.5
    max_code_length: int = 4000
    features: tuple[str, ...] = ("code_length", "behaviour")
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class EvolverConfig:
    """``[evolver]``: who proposes, how, and when to stop.

    Attributes:
        proposer: ``builtin`` (AST mutation, offline), ``ensemble``, or a model string
            (``PRESET:MODEL``, see ``discolab models``).
        strategy: ``evolve`` (parents from the archive) or ``best-of-n`` (every child is an
            independent mutation of the seed: the sampling baseline at equal evaluations).
        mode: for model proposers, ``diff`` (SEARCH/REPLACE) or ``rewrite`` (the whole
            EVOLVE-BLOCK).
        max_iterations: programs to evaluate, the seed included (failed ones count).
        max_seconds: wall-clock budget over all sessions of the campaign; checked between
            generations, so the generation in flight finishes.
        batch: programs proposed per generation (from parents chosen before it starts).
        in_flight: evaluations (and model calls) run at once.
        timeout_s: wall-clock limit of one program run in the sandbox.
        memory_mb: memory limit of one program run.
        mutation_steps: most successive AST mutations per built-in child (1 to this,
            chosen at random).
        crossover_rate: chance a built-in child is a crossover of the parent and an
            inspiration.
        workers: processes the built-in proposer mutates in at once (the children are the
            same for any number).
        seed_program: a file whose program replaces the problem's seed (recorded as
            ``seeded`` assistance when it is not the problem's own).
        options: ``[evolver.options]`` of a model proposer (``base_url``, ``temperature``,
            ``max_tokens``, timeouts, retries, ``concurrency``; see ``ModelOptions``).
        ensemble: ``[[evolver.ensemble]]`` entries when ``proposer = "ensemble"``.
    """

    proposer: str = "builtin"
    strategy: str = "evolve"
    mode: str = "diff"
    max_iterations: int = 200
    max_seconds: float = 1200.0
    batch: int = 8
    in_flight: int = 2
    timeout_s: float = 10.0
    memory_mb: int = 512
    mutation_steps: int = 2
    crossover_rate: float = 0.1
    workers: int = 1
    seed_program: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    ensemble: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class EvolveConfig:
    """A whole evolve campaign.

    Attributes:
        name: a label for listings; the campaign id is derived from it.
        seed: the one seed every random choice derives from.
        problem: registry id of the construction problem (``discolab problems``).
        evolver: proposer, strategy and budgets.
        archive: the islands' MAP-Elites settings.
        database: SQLAlchemy URL or SQLite path; ``None`` uses the default.
        sandbox: where candidate programs run: ``auto``, ``docker`` or ``process``.
        presets, pricing, limits: the model tables, as for law campaigns.
        seed_source: the seed program's text when ``evolver.seed_program`` is set (kept in
            the stored config so a resumed campaign does not depend on the file).
    """

    name: str
    problem: str
    seed: int = 0
    evolver: EvolverConfig = field(default_factory=EvolverConfig)
    archive: ArchiveConfig = field(default_factory=ArchiveConfig)
    database: str | None = None
    sandbox: str = "auto"
    presets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    pricing: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    limits: Mapping[str, Any] = field(default_factory=dict)
    seed_source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict that :func:`evolve_config_from_dict` reads back."""
        evolver = asdict(self.evolver)
        evolver["options"] = dict(self.evolver.options)
        if not evolver["options"]:
            del evolver["options"]
        evolver["ensemble"] = [dict(e) for e in self.evolver.ensemble]
        if not evolver["ensemble"]:
            del evolver["ensemble"]
        if evolver["seed_program"] is None:
            del evolver["seed_program"]
        archive = asdict(self.archive)
        archive["features"] = list(self.archive.features)
        archive["ranges"] = {k: list(v) for k, v in self.archive.ranges.items()}
        evolver["archive"] = archive
        out: dict[str, Any] = {
            "campaign": {"name": self.name, "seed": self.seed, "sandbox": self.sandbox}
            | ({"database": self.database} if self.database else {}),
            "problem": {"id": self.problem}
            | ({"seed_source": self.seed_source} if self.seed_source else {}),
            "evolver": evolver,
        }
        return out | _model_tables(self)  # type: ignore[arg-type]

    def with_strategy(self, strategy: str) -> EvolveConfig:
        """This config with another strategy (the CLI's ``--strategy``)."""
        from dataclasses import replace

        _choice("evolver.strategy", strategy, STRATEGIES)
        return replace(self, evolver=replace(self.evolver, strategy=strategy))


_SECTIONS = {"campaign", "problem", "evolver", "models", "pricing", "limits"}
_CAMPAIGN_KEYS = {"name": str, "seed": int, "database": str, "sandbox": str}
_PROBLEM_KEYS = {"id": str, "seed_source": str}
_EVOLVER_KEYS: dict[str, type] = {
    "proposer": str,
    "strategy": str,
    "mode": str,
    "max_iterations": int,
    "max_seconds": float,
    "batch": int,
    "in_flight": int,
    "timeout_s": float,
    "memory_mb": int,
    "mutation_steps": int,
    "crossover_rate": float,
    "workers": int,
    "seed_program": str,
    "options": dict,
    "ensemble": list,
    "archive": dict,
}
_ARCHIVE_KEYS: dict[str, type] = {
    k: (float if isinstance(v, float) else int) for k, v in asdict(ArchiveConfig()).items()
} | {"features": list, "ranges": dict}


def is_evolve_config(data: Mapping[str, Any]) -> bool:
    """Whether a stored or parsed config is an evolve campaign's (it has ``[evolver]``)."""
    return "evolver" in data or "problem" in data


def load_evolve_config(path: str | Path) -> EvolveConfig:
    """Read and validate an evolve-campaign TOML file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {str(path)!r} does not exist")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config file {str(path)!r} is not UTF-8 text: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {str(path)!r} is not valid TOML: {exc}") from None
    config = evolve_config_from_dict(data)
    if config.evolver.seed_program and config.seed_source is None:
        seed_path = (path.parent / config.evolver.seed_program).resolve()
        if not seed_path.is_file():
            raise ConfigError(
                f"evolver.seed_program = {config.evolver.seed_program!r}: no file {seed_path}"
            )
        from dataclasses import replace

        config = replace(config, seed_source=seed_path.read_text(encoding="utf-8"))
    return config


def evolve_config_from_dict(data: Mapping[str, Any]) -> EvolveConfig:
    """Validate a parsed mapping (TOML tables) into an :class:`EvolveConfig`."""
    _check_keys(data, {k: dict for k in _SECTIONS}, "", required=("campaign", "problem"))
    campaign = _table(data, "campaign")
    problem = _table(data, "problem")
    evolver = dict(_table(data, "evolver")) if "evolver" in data else {}
    _check_keys(campaign, _CAMPAIGN_KEYS, "campaign", required=("name",))
    _check_keys(problem, _PROBLEM_KEYS, "problem", required=("id",))
    _check_keys(evolver, _EVOLVER_KEYS, "evolver", required=())
    archive = dict(evolver.pop("archive", {}))
    _check_keys(archive, _ARCHIVE_KEYS, "evolver.archive", required=())
    sandbox = campaign.get("sandbox", "auto")
    _choice("campaign.sandbox", sandbox, SANDBOX_CHOICES)
    name = campaign["name"].strip()
    if not name:
        raise ConfigError("campaign.name must not be empty")
    _choice("evolver.strategy", evolver.get("strategy", "evolve"), STRATEGIES)
    _choice("evolver.mode", evolver.get("mode", "diff"), EDIT_MODES)
    for key in ("max_iterations", "batch", "in_flight", "memory_mb", "mutation_steps", "workers"):
        if key in evolver and evolver[key] < 1:
            raise ConfigError(f"evolver.{key} = {evolver[key]!r} must be at least 1")
    for key in ("max_seconds", "timeout_s"):
        if key in evolver and not evolver[key] > 0:
            raise ConfigError(f"evolver.{key} = {evolver[key]!r} must be > 0")
    rate = evolver.get("crossover_rate", 0.1)
    if not 0 <= rate <= 1:
        raise ConfigError(f"evolver.crossover_rate = {rate!r} must be in [0, 1]")
    for key in ("islands", "bins", "migration_interval", "max_code_length"):
        if key in archive and archive[key] < 1:
            raise ConfigError(f"evolver.archive.{key} = {archive[key]!r} must be at least 1")
    for key in ("migration_size", "inspirations"):
        if key in archive and archive[key] < 0:
            raise ConfigError(f"evolver.archive.{key} = {archive[key]!r} must be >= 0")
    presets, pricing, limits = _model_sections(data)
    ensemble = _ensemble(evolver.pop("ensemble", []))
    options = dict(evolver.pop("options", {}))
    floats = {k: float(v) for k, v in evolver.items() if _EVOLVER_KEYS[k] is float}
    return EvolveConfig(
        name=name,
        problem=problem["id"],
        seed=campaign.get("seed", 0),
        database=campaign.get("database"),
        sandbox=sandbox,
        evolver=EvolverConfig(**(evolver | floats), options=options, ensemble=ensemble),
        archive=_archive(archive),
        presets=presets,
        pricing=pricing,
        limits=limits,
        seed_source=problem.get("seed_source"),
    )


def _archive(table: Mapping[str, Any]) -> ArchiveConfig:
    """``[evolver.archive]`` with its feature list and metric ranges checked."""
    values = {k: (float(v) if _ARCHIVE_KEYS[k] is float else v) for k, v in table.items()}
    features = values.pop("features", ["code_length", "behaviour"])
    if not features or not all(isinstance(f, str) and f for f in features):
        raise ConfigError(
            f"evolver.archive.features = {features!r} must be a non-empty list of names"
        )
    ranges: dict[str, tuple[float, float]] = {}
    for name, bounds in dict(values.pop("ranges", {})).items():
        ok = isinstance(bounds, list) and len(bounds) == 2
        ok = ok and all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)
        if not ok or not float(bounds[0]) < float(bounds[1]):
            raise ConfigError(
                f"evolver.archive.ranges.{name} = {bounds!r} must be [low, high] with low < high"
            )
        ranges[name] = (float(bounds[0]), float(bounds[1]))
    for name in features:
        if name not in ("code_length", "behaviour") and name not in ranges:
            raise ConfigError(
                f"evolver.archive.features names the metric {name!r}, which needs a range: "
                f"add evolver.archive.ranges.{name} = [low, high]"
            )
    return ArchiveConfig(**values, features=tuple(features), ranges=ranges)


def _choice(where: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(
            f"{where} = {value!r} is not one of {', '.join(choices)}"
            + suggest(value, list(choices))
        )
