"""The evolver's archive settings: one frozen, validated value.

Kept apart from the archive so a config loader can build and check it (from TOML, where
tuples arrive as lists) without importing the archive machinery.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from discolab.errors import ConfigError

SHARE_TOLERANCE = 1e-9
"""How far ``elite_share + exploit_share + explore_share`` may stray from 1 (float rounding)."""


def _default_ranges() -> Mapping[str, tuple[float, float]]:
    return {"code_length": (0.0, 4000.0), "behaviour": (0.0, 1.0)}


@dataclass(frozen=True)
class ArchiveSettings:
    """How the program archive is shaped, when islands trade programs, and how parents are drawn.

    Attributes:
        islands: independent sub-populations, each with its own MAP-Elites grid (>= 1).
        bins: cells per feature dimension, so each island has ``bins ** len(features)`` cells.
        features: names of the descriptors that place a program in a cell (distinct, >= 1).
        ranges: ``(low, high)`` per feature; the range is cut into ``bins`` equal cells and
            values outside it land in the edge cells. Ranges for names not in ``features``
            are allowed and ignored.
        migration_interval: completed evaluations between ring migrations (>= 1).
        migration_size: best programs copied from island ``i`` to ``(i + 1) % islands`` at
            each migration (>= 0; 0 disables migration).
        elite_share: probability that a parent is drawn among the island's top elites.
        exploit_share: probability that a parent is drawn among all cell owners, by fitness rank.
        explore_share: probability that a parent is drawn uniformly among all cell owners.
        inspirations: other programs shown beside the parent (>= 0).
        sample_penalty: a parent's weight is divided by ``1 + sample_penalty * times_sampled``
            so that programs already used often give way to others (>= 0).

    The three shares must be >= 0 and sum to 1. Every violation raises
    :class:`~discolab.errors.ConfigError` naming the field and the bad value.
    """

    islands: int = 4
    bins: int = 8
    features: tuple[str, ...] = ("code_length", "behaviour")
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=_default_ranges)
    migration_interval: int = 40
    migration_size: int = 2
    elite_share: float = 0.3
    exploit_share: float = 0.5
    explore_share: float = 0.2
    inspirations: int = 2
    sample_penalty: float = 0.5

    def __post_init__(self) -> None:
        _check_int("islands", self.islands, minimum=1)
        _check_int("bins", self.bins, minimum=1)
        _check_int("migration_interval", self.migration_interval, minimum=1)
        _check_int("migration_size", self.migration_size, minimum=0)
        _check_int("inspirations", self.inspirations, minimum=0)
        _check_number("sample_penalty", self.sample_penalty)
        shares = ("elite_share", "exploit_share", "explore_share")
        for name in shares:
            _check_number(name, getattr(self, name))
        total = sum(getattr(self, name) for name in shares)
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise ConfigError(
                f"ArchiveSettings shares must sum to 1, got elite_share={self.elite_share} + "
                f"exploit_share={self.exploit_share} + explore_share={self.explore_share} "
                f"= {total}; rescale them"
            )
        object.__setattr__(self, "features", _checked_features(self.features))
        object.__setattr__(self, "ranges", _checked_ranges(self.ranges, self.features))

    @property
    def shares(self) -> tuple[float, float, float]:
        """``(elite, exploit, explore)`` probabilities, in the order sampling draws them."""
        return (self.elite_share, self.exploit_share, self.explore_share)


def _check_int(name: str, value: object, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"ArchiveSettings.{name} must be an integer >= {minimum}, got {value!r}")


def _check_number(name: str, value: object) -> None:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if not is_number or not math.isfinite(value) or value < 0:
        raise ConfigError(f"ArchiveSettings.{name} must be a finite number >= 0, got {value!r}")


def _checked_features(features: object) -> tuple[str, ...]:
    if isinstance(features, str) or not isinstance(features, tuple | list):
        raise ConfigError(
            f"ArchiveSettings.features must be a list of feature names, got {features!r}"
        )
    names = tuple(features)
    if not names:
        raise ConfigError("ArchiveSettings.features must name at least one feature, got ()")
    for name in names:
        if not isinstance(name, str) or not name:
            raise ConfigError(f"ArchiveSettings.features holds a bad name {name!r}")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ConfigError(f"ArchiveSettings.features repeats {repeated}; list each feature once")
    return names


def _checked_ranges(ranges: object, features: tuple[str, ...]) -> Mapping[str, tuple[float, float]]:
    if not isinstance(ranges, Mapping):
        raise ConfigError(
            f"ArchiveSettings.ranges must map feature names to (low, high), got {ranges!r}"
        )
    checked: dict[str, tuple[float, float]] = {}
    for name, bounds in ranges.items():
        try:
            low, high = (float(b) for b in bounds)
        except (TypeError, ValueError):
            raise ConfigError(
                f"ArchiveSettings.ranges[{name!r}] must be a pair (low, high), got {bounds!r}"
            ) from None
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ConfigError(
                f"ArchiveSettings.ranges[{name!r}] must have finite low < high, got {bounds!r}"
            )
        checked[name] = (low, high)
    missing = [name for name in features if name not in checked]
    if missing:
        raise ConfigError(
            f"ArchiveSettings.ranges has no range for feature(s) {missing}; "
            f"add e.g. ranges[{missing[0]!r}] = (0.0, 1.0)"
        )
    return MappingProxyType(checked)
