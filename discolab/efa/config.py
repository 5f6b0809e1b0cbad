"""EFA-campaign configuration: ``[campaign]`` plus ``[efa]`` (task ``infer``).

An infer campaign (``discolab run configs/campaigns/efa-infer-*.toml``) shows a model the
seed problem and worked solution of a library EFA and asks it to write the EFA; each attempt
is scored by the property verifier in the sandbox. Every problem is one
:class:`ConfigError` naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from discolab.config import SANDBOX_CHOICES, _check_keys, _table
from discolab.errors import ConfigError


@dataclass(frozen=True)
class EfaCampaignConfig:
    """A whole infer campaign.

    Attributes:
        name: campaign name (the id is derived from it).
        seed: recorded and used for the property samples.
        database: database URL or SQLite path (``None``: the CLI's default).
        sandbox: ``auto``, ``docker`` or ``process``.
        seed_efa: the library EFA whose seed problem and worked solution the model sees.
        proposer: a model string ``PRESET:MODEL`` (infer needs a model).
        options: model options (``base_url``, ``temperature``, ``max_tokens`` ...).
        attempts: model calls at most; the campaign stops at the first EFA that passes.
        samples: parameter samples the property tests draw.
        timeout_s: wall-clock limit of one sandbox run.
    """

    name: str
    seed: int = 0
    database: str | None = None
    sandbox: str = "auto"
    seed_efa: str = "efa/crt-v1"
    proposer: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    attempts: int = 4
    samples: int = 12
    timeout_s: float = 20.0

    def to_dict(self) -> dict[str, Any]:
        """The TOML-shaped mapping stored with the campaign."""
        campaign: dict[str, Any] = {"name": self.name, "seed": self.seed, "sandbox": self.sandbox}
        if self.database:
            campaign["database"] = self.database
        efa = {
            k: v
            for k, v in asdict(self).items()
            if k not in ("name", "seed", "database", "sandbox")
        }
        efa["task"] = "infer"
        efa["options"] = dict(self.options)
        return {"campaign": campaign, "efa": efa}


_CAMPAIGN_KEYS: dict[str, type] = {"name": str, "seed": int, "database": str, "sandbox": str}
_EFA_KEYS: dict[str, type] = {
    "task": str,
    "seed_efa": str,
    "proposer": str,
    "options": dict,
    "attempts": int,
    "samples": int,
    "timeout_s": float,
}


def is_efa_config(data: Mapping[str, Any]) -> bool:
    """Whether a stored or parsed config is an EFA campaign's (it has ``[efa]``)."""
    return "efa" in data


def efa_config_from_dict(data: Mapping[str, Any]) -> EfaCampaignConfig:
    """Validate a parsed mapping into an :class:`EfaCampaignConfig`."""
    from discolab.environments.efa.catalog import get_efa

    _check_keys(data, {"campaign": dict, "efa": dict}, "", required=("campaign", "efa"))
    campaign, efa = _table(data, "campaign"), dict(_table(data, "efa"))
    _check_keys(campaign, _CAMPAIGN_KEYS, "campaign", required=("name",))
    _check_keys(efa, _EFA_KEYS, "efa", required=("task", "proposer"))
    if efa.pop("task") != "infer":
        raise ConfigError("efa.task must be 'infer' (solve tasks run with `bench run efa-v1`)")
    if ":" not in efa["proposer"]:
        raise ConfigError(
            f"efa.proposer = {efa['proposer']!r}: infer needs a model string PRESET:MODEL "
            "(the built-in proposer cannot write programs from a problem text)"
        )
    get_efa(efa.get("seed_efa", "efa/crt-v1"))
    sandbox = campaign.get("sandbox", "auto")
    if sandbox not in SANDBOX_CHOICES:
        raise ConfigError(
            f"campaign.sandbox = {sandbox!r} is not one of {', '.join(SANDBOX_CHOICES)}"
        )
    for key, low, high in (("attempts", 1, 100), ("samples", 3, 64)):
        if key in efa and not low <= efa[key] <= high:
            raise ConfigError(f"efa.{key} = {efa[key]!r} must be in [{low}, {high}]")
    if "timeout_s" in efa:
        efa["timeout_s"] = float(efa["timeout_s"])
        if not efa["timeout_s"] > 0:
            raise ConfigError(f"efa.timeout_s = {efa['timeout_s']!r} must be > 0")
    name = campaign["name"].strip()
    if not name:
        raise ConfigError("campaign.name must not be empty")
    return EfaCampaignConfig(
        name=name,
        seed=campaign.get("seed", 0),
        database=campaign.get("database"),
        sandbox=sandbox,
        **efa,
    )
