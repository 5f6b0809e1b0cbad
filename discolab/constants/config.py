"""Constants-campaign configuration: ``[campaign]`` plus ``[constants]`` and one search table.

A constants campaign (``discolab run configs/campaigns/constants-*.toml``) searches for PCF
formulas. ``[constants]`` names the search (``enumeration``, ``esma`` or ``cmf``), the target
constant (``any`` or a library id) and the verifier's demands; ``[constants.enumeration]``,
``[constants.esma]`` or ``[constants.cmf]`` configure the search. Every problem is one
:class:`ConfigError` naming the field.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from discolab.config import _check_keys, _table
from discolab.errors import ConfigError
from discolab.registry import suggest

SEARCHES = ("enumeration", "esma", "cmf")


@dataclass(frozen=True)
class EnumerationConfig:
    """``[constants.enumeration]``: the coefficient box and how it is scanned.

    Attributes:
        a_degree, b_degree: degrees of ``a_n`` and ``b_n``.
        a_range, b_range: ``[low, high]`` for every coefficient (both included).
        fast_depth: depth of the double-precision first pass.
        table_height: largest coefficient of the hashed Möbius transforms of the constants.
        chunk_size: PCFs per chunk (the unit of parallel work, progress and resumption).
        workers: processes scanning chunks at once.
    """

    a_degree: int = 1
    b_degree: int = 2
    a_range: tuple[int, int] = (-5, 5)
    b_range: tuple[int, int] = (-5, 5)
    fast_depth: int = 256
    table_height: int = 4
    chunk_size: int = 5000
    workers: int = 2


@dataclass(frozen=True)
class EsmaConfig:
    """``[constants.esma]``: constants whose continued fractions are mined.

    Attributes:
        constants: library ids (``e``, ``e2``, ``pi`` ...).
        terms: continued-fraction terms computed per constant.
        max_period: longest quasi-period tried.
    """

    constants: tuple[str, ...] = ("e", "e2")
    terms: int = 200
    max_period: int = 8


@dataclass(frozen=True)
class CmfConfig:
    """``[constants.cmf]``: found formulas to extend to conservative matrix fields.

    Attributes:
        formulas: ``PCF(a_n, b_n)`` texts (e.g. from an enumeration campaign's results).
        count: further formulas generated per field.
    """

    formulas: tuple[str, ...] = ()
    count: int = 5


@dataclass(frozen=True)
class ConstantsConfig:
    """A whole constants campaign.

    Attributes:
        name: campaign name (the id is derived from it).
        seed: recorded for reproducibility (the searches are deterministic).
        database: database URL or SQLite path (``None``: the CLI's default).
        search: ``enumeration``, ``esma`` or ``cmf``.
        target: ``any`` or the library id every formula must be for.
        digits: digits an identification must hold to (50 to 1,000).
        depth: deepest exact convergent the verifier computes.
        max_height: largest coefficient of an accepted Möbius relation.
        cluster: group the found formulas by limit, unsupervised, at the end.
    """

    name: str
    seed: int = 0
    database: str | None = None
    search: str = "enumeration"
    target: str = "any"
    digits: int = 50
    depth: int = 2000
    max_height: int = 12
    cluster: bool = True
    enumeration: EnumerationConfig = field(default_factory=EnumerationConfig)
    esma: EsmaConfig = field(default_factory=EsmaConfig)
    cmf: CmfConfig = field(default_factory=CmfConfig)

    def verifier_settings(self) -> Any:
        """The :class:`~discolab.verifiers.constants.PcfSettings` every formula must pass."""
        from discolab.verifiers.constants import PcfSettings

        return PcfSettings(
            depth=self.depth,
            digits=self.digits,
            max_height=self.max_height,
            target=None if self.target == "any" else self.target,
        )

    def to_dict(self) -> dict[str, Any]:
        """The TOML-shaped mapping stored with the campaign (round-trips through
        :func:`constants_config_from_dict`)."""
        top = {
            k: v
            for k, v in asdict(self).items()
            if k not in ("name", "seed", "database", "enumeration", "esma", "cmf")
        }
        campaign: dict[str, Any] = {"name": self.name, "seed": self.seed}
        if self.database:
            campaign["database"] = self.database
        section = {"enumeration": self.enumeration, "esma": self.esma, "cmf": self.cmf}
        top[self.search] = _listify(asdict(section[self.search]))
        return {"campaign": campaign, "constants": top}


def _listify(data: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


_CAMPAIGN_KEYS: dict[str, type] = {"name": str, "seed": int, "database": str}
_CONSTANTS_KEYS: dict[str, type] = {
    "search": str,
    "target": str,
    "digits": int,
    "depth": int,
    "max_height": int,
    "cluster": bool,
    "enumeration": dict,
    "esma": dict,
    "cmf": dict,
}
_ENUM_KEYS: dict[str, type] = {
    "a_degree": int,
    "b_degree": int,
    "a_range": list,
    "b_range": list,
    "fast_depth": int,
    "table_height": int,
    "chunk_size": int,
    "workers": int,
}
_ESMA_KEYS: dict[str, type] = {"constants": list, "terms": int, "max_period": int}
_CMF_KEYS: dict[str, type] = {"formulas": list, "count": int}


def is_constants_config(data: Mapping[str, Any]) -> bool:
    """Whether a stored or parsed config is a constants campaign's (it has ``[constants]``)."""
    return "constants" in data


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a TOML config file, with one clear error for a missing or malformed file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {str(path)!r} does not exist")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config file {str(path)!r} is not UTF-8 text: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {str(path)!r} is not valid TOML: {exc}") from None


def load_constants_config(path: str | Path) -> ConstantsConfig:
    """Read and validate a constants-campaign TOML file."""
    return constants_config_from_dict(read_toml(path))


def constants_config_from_dict(data: Mapping[str, Any]) -> ConstantsConfig:
    """Validate a parsed mapping into a :class:`ConstantsConfig`."""
    from discolab.environments.constants.library import constant_ids

    sections = {"campaign": dict, "constants": dict}
    _check_keys(data, sections, "", required=("campaign", "constants"))
    campaign, constants = _table(data, "campaign"), dict(_table(data, "constants"))
    _check_keys(campaign, _CAMPAIGN_KEYS, "campaign", required=("name",))
    _check_keys(constants, _CONSTANTS_KEYS, "constants", required=("search",))
    name = campaign["name"].strip()
    if not name:
        raise ConfigError("campaign.name must not be empty")
    search = constants["search"]
    if search not in SEARCHES:
        raise ConfigError(
            f"constants.search = {search!r} is not one of {', '.join(SEARCHES)}"
            + suggest(search, list(SEARCHES))
        )
    target = constants.get("target", "any")
    if target != "any" and target not in constant_ids():
        raise ConfigError(
            f"constants.target = {target!r} is not 'any' or a library constant"
            f"{suggest(target, constant_ids())} (known: {', '.join(constant_ids())})"
        )
    for other in set(SEARCHES) - {search}:
        if other in constants:
            raise ConfigError(
                f"[constants.{other}] is given but constants.search = {search!r}; "
                f"remove it or set search = {other!r}"
            )
    sub = dict(constants.pop(search, {}))
    scalars = {k: v for k, v in constants.items() if k != "search"}
    return ConstantsConfig(
        name=name,
        seed=campaign.get("seed", 0),
        database=campaign.get("database"),
        search=search,
        **scalars,
        **{search: _search_table(search, sub)},
    )


def _search_table(search: str, table: dict[str, Any]) -> Any:
    where = f"constants.{search}"
    if search == "enumeration":
        _check_keys(table, _ENUM_KEYS, where, required=())
        for key in ("a_range", "b_range"):
            if key in table:
                table[key] = _int_pair(f"{where}.{key}", table[key])
        for key in ("chunk_size", "workers"):
            if key in table and table[key] < 1:
                raise ConfigError(f"{where}.{key} = {table[key]!r} must be at least 1")
        return EnumerationConfig(**table)
    if search == "esma":
        _check_keys(table, _ESMA_KEYS, where, required=())
        if "constants" in table:
            table["constants"] = _str_list(f"{where}.constants", table["constants"])
        return EsmaConfig(**table)
    _check_keys(table, _CMF_KEYS, where, required=("formulas",))
    table["formulas"] = _str_list(f"{where}.formulas", table["formulas"])
    if table.get("count", 5) < 1:
        raise ConfigError(f"{where}.count = {table['count']!r} must be at least 1")
    return CmfConfig(**table)


def _int_pair(where: str, value: Any) -> tuple[int, int]:
    ok = isinstance(value, list) and len(value) == 2
    ok = ok and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    if not ok or value[0] > value[1]:
        raise ConfigError(f"{where} = {value!r} must be [low, high] integers with low <= high")
    return int(value[0]), int(value[1])


def _str_list(where: str, value: Any) -> tuple[str, ...]:
    if not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where} = {value!r} must be a non-empty list of strings")
    return tuple(value)
