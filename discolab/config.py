"""Campaign configuration: a TOML file validated into frozen, documented dataclasses.

Every problem is reported as one :class:`ConfigError` that names the field by its dotted path
(``environment.options.shfit``), the bad value and, for typos, the closest valid key. The
environment's own options are checked by the environment catalog when the campaign is built.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from discolab.errors import ConfigError
from discolab.registry import suggest

SANDBOX_CHOICES = ("auto", "docker", "process")


@dataclass(frozen=True)
class EnvironmentConfig:
    """Which environment to run and how.

    Attributes:
        id: registry id, e.g. ``newton/gravity-v1`` (see ``discolab envs``).
        options: keyword options for the environment (``shift``, ``noise``, ``budget``,
            ``max_batch``, ``seed``); validated by the environment catalog.
    """

    id: str
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AgentConfig:
    """Which proposer drives the explorer and when the explorer stops.

    Attributes:
        proposer: ``builtin`` (offline symbolic regression) or a model string.
        options: keyword options for the proposer (see its docstring).
        stop_when_confident: stop before the budget is spent once the same best law has
            fit the agent's own data to the noise floor for ``patience`` rounds.
        patience: rounds of unchanged, confident best law before stopping early.
        max_rounds: hard cap on explorer rounds (each round spends one experiment call).
        max_stalled_rounds: stop (status ``stopped``, resumable) after this many consecutive
            rounds that answered no experiment call, such as unusable designs.
        max_unusable_replies: stop (resumable) after this many consecutive rounds whose
            proposals held no readable law.
        ensemble: ``[[agent.ensemble]]`` entries (``model``, ``weight``, optional ``base_url``)
            used when ``proposer = "ensemble"``.
    """

    proposer: str = "builtin"
    options: Mapping[str, Any] = field(default_factory=dict)
    stop_when_confident: bool = True
    patience: int = 2
    max_rounds: int = 100
    max_stalled_rounds: int = 3
    max_unusable_replies: int = 3
    ensemble: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class CampaignConfig:
    """A whole campaign.

    Attributes:
        name: a label for listings; the campaign id is derived from it.
        seed: the one seed every random choice of the campaign derives from.
        environment: the task.
        agent: the proposer and stopping rules.
        database: SQLAlchemy URL or a path to a SQLite file; ``None`` uses the default
            (``$DISCOLAB_DB`` or ``.discolab/discolab.db`` in the working directory).
        sandbox: where candidate code runs: ``auto``, ``docker`` or ``process``.
        presets: ``[models.presets.NAME]`` tables adding or overriding model presets.
        pricing: ``[pricing."MODEL"]`` prices per million tokens (``input``, ``output``).
        limits: ``[limits]`` caps on model use (``max_tokens``, ``max_cost``, ``max_calls``).
    """

    name: str
    environment: EnvironmentConfig
    seed: int = 0
    agent: AgentConfig = field(default_factory=AgentConfig)
    database: str | None = None
    sandbox: str = "auto"
    presets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    pricing: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    limits: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict that :func:`config_from_dict` reads back."""
        return {
            "campaign": {"name": self.name, "seed": self.seed, "sandbox": self.sandbox}
            | ({"database": self.database} if self.database else {}),
            "environment": {"id": self.environment.id, "options": dict(self.environment.options)},
            "agent": {
                "proposer": self.agent.proposer,
                "options": dict(self.agent.options),
                "stop_when_confident": self.agent.stop_when_confident,
                "patience": self.agent.patience,
                "max_rounds": self.agent.max_rounds,
                "max_stalled_rounds": self.agent.max_stalled_rounds,
                "max_unusable_replies": self.agent.max_unusable_replies,
            }
            | ({"ensemble": [dict(e) for e in self.agent.ensemble]} if self.agent.ensemble else {}),
        } | _model_tables(self)


def _model_tables(config: CampaignConfig) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    if config.presets:
        tables["models"] = {"presets": {k: dict(v) for k, v in config.presets.items()}}
    if config.pricing:
        tables["pricing"] = {k: dict(v) for k, v in config.pricing.items()}
    if config.limits:
        tables["limits"] = dict(config.limits)
    return tables


_SECTIONS = {"campaign", "environment", "agent", "models", "pricing", "limits"}
_CAMPAIGN_KEYS = {"name": str, "seed": int, "database": str, "sandbox": str}
_ENVIRONMENT_KEYS = {"id": str, "options": dict}
_AGENT_KEYS = {
    "proposer": str,
    "options": dict,
    "stop_when_confident": bool,
    "patience": int,
    "max_rounds": int,
    "max_stalled_rounds": int,
    "max_unusable_replies": int,
    "ensemble": list,
}
_ENSEMBLE_KEYS = {"model": str, "weight": float, "base_url": str}
_PRICE_KEYS = {"input": float, "output": float}
_LIMIT_KEYS = {"max_tokens": int, "max_cost": float, "max_calls": int}


def load_config(path: str | Path) -> CampaignConfig:
    """Read and validate a campaign TOML file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {str(path)!r} does not exist")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config file {str(path)!r} is not UTF-8 text: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {str(path)!r} is not valid TOML: {exc}") from None
    return config_from_dict(data)


def config_from_dict(data: Mapping[str, Any]) -> CampaignConfig:
    """Validate a parsed config mapping (TOML tables) into a :class:`CampaignConfig`."""
    _check_keys(data, {k: dict for k in _SECTIONS}, "", required=("campaign", "environment"))
    campaign = _table(data, "campaign")
    environment = _table(data, "environment")
    agent = _table(data, "agent") if "agent" in data else {}
    _check_keys(campaign, _CAMPAIGN_KEYS, "campaign", required=("name",))
    _check_keys(environment, _ENVIRONMENT_KEYS, "environment", required=("id",))
    _check_keys(agent, _AGENT_KEYS, "agent", required=())
    sandbox = campaign.get("sandbox", "auto")
    if sandbox not in SANDBOX_CHOICES:
        raise ConfigError(
            f"campaign.sandbox = {sandbox!r} is not one of {', '.join(SANDBOX_CHOICES)}"
            + suggest(sandbox, list(SANDBOX_CHOICES))
        )
    name = campaign["name"].strip()
    if not name:
        raise ConfigError("campaign.name must not be empty")
    patience = agent.get("patience", 2)
    max_rounds = agent.get("max_rounds", 100)
    stalled = agent.get("max_stalled_rounds", 3)
    unusable = agent.get("max_unusable_replies", 3)
    for key, value in (
        ("patience", patience),
        ("max_rounds", max_rounds),
        ("max_stalled_rounds", stalled),
        ("max_unusable_replies", unusable),
    ):
        if value < 1:
            raise ConfigError(f"agent.{key} = {value!r} must be at least 1")
    presets, pricing, limits = _model_sections(data)
    ensemble = _ensemble(agent.get("ensemble", []))
    return CampaignConfig(
        name=name,
        seed=campaign.get("seed", 0),
        database=campaign.get("database"),
        sandbox=sandbox,
        environment=EnvironmentConfig(
            id=environment["id"], options=dict(environment.get("options", {}))
        ),
        agent=AgentConfig(
            proposer=agent.get("proposer", "builtin"),
            options=dict(agent.get("options", {})),
            stop_when_confident=agent.get("stop_when_confident", True),
            patience=patience,
            max_rounds=max_rounds,
            max_stalled_rounds=stalled,
            max_unusable_replies=unusable,
            ensemble=ensemble,
        ),
        presets=presets,
        pricing=pricing,
        limits=limits,
    )


def _ensemble(entries: list[Any]) -> tuple[dict[str, Any], ...]:
    out = []
    for i, entry in enumerate(entries):
        where = f"agent.ensemble[{i}]"
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{where} = {entry!r} must be a table ([[agent.ensemble]])")
        _check_keys(entry, _ENSEMBLE_KEYS, where, required=("model",))
        weight = float(entry.get("weight", 1.0))
        if not weight > 0:
            raise ConfigError(f"{where}.weight = {entry.get('weight')!r} must be > 0")
        if ":" not in entry["model"]:
            raise ConfigError(f"{where}.model = {entry['model']!r} is not PRESET:MODEL")
        out.append(dict(entry) | {"weight": weight})
    return tuple(out)


def _model_sections(
    data: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, dict[str, float]], dict[str, Any]]:
    """Validate ``[models]``, ``[pricing]`` and ``[limits]``."""
    from discolab.agents.llm.presets import merge_presets

    models = _table(data, "models") if "models" in data else {}
    _check_keys(models, {"presets": dict}, "models", required=())
    presets = {k: dict(v) for k, v in models.get("presets", {}).items()}
    for name, table in presets.items():
        if not isinstance(table, Mapping):
            raise ConfigError(f"models.presets.{name} must be a table")
    merge_presets(presets)  # raises ConfigError naming the field
    pricing: dict[str, dict[str, float]] = {}
    for model, table in (_table(data, "pricing") if "pricing" in data else {}).items():
        where = f'pricing."{model}"'
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where} must be a table with input and output prices")
        _check_keys(table, _PRICE_KEYS, where, required=("input", "output"))
        for key, value in table.items():
            if value < 0:
                raise ConfigError(f"{where}.{key} = {value!r} must be >= 0 (per 1M tokens)")
        pricing[model] = {k: float(v) for k, v in table.items()}
    limits = dict(_table(data, "limits")) if "limits" in data else {}
    _check_keys(limits, _LIMIT_KEYS, "limits", required=())
    for key, value in limits.items():
        if not value > 0:
            raise ConfigError(f"limits.{key} = {value!r} must be > 0")
    return presets, pricing, limits


def _table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data[key]
    if not isinstance(value, Mapping):
        raise ConfigError(f"[{key}] must be a table, got {type(value).__name__} {value!r}")
    return value


def _check_keys(
    table: Mapping[str, Any], schema: Mapping[str, type], where: str, required: tuple[str, ...]
) -> None:
    prefix = f"{where}." if where else ""
    for key in table:
        if key not in schema:
            label = f"[{key}]" if not where else f"{prefix}{key}"
            raise ConfigError(
                f"unknown key {label}{suggest(key, list(schema))}; "
                f"valid keys{' in [' + where + ']' if where else ''}: {', '.join(sorted(schema))}"
            )
    for key in required:
        if key not in table:
            label = f"[{key}]" if not where else f"{prefix}{key}"
            raise ConfigError(f"missing required key {label}")
    for key, value in table.items():
        expected = schema[key]
        ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            ok = True
        if not ok:
            label = f"[{key}]" if not where else f"{prefix}{key}"
            raise ConfigError(
                f"{label} = {value!r} has type {type(value).__name__}; "
                f"expected {_type_name(expected)}"
            )


def _type_name(expected: type) -> str:
    return {
        str: "a string",
        int: "an integer",
        bool: "true or false",
        dict: "a table",
        float: "a number",
        list: "an array of tables",
    }.get(expected, expected.__name__)
