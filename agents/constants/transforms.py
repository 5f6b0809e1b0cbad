"""The left-hand side of the meet-in-the-middle search: Möbius transforms of the constants.

The Ramanujan Machine (Raayoni et al., Nature 590, 2021) precomputes ``(p·K + q)/(r·K + s)``
for every library constant ``K`` and small integer coefficients, hashes the values at low
precision, and looks each enumerated PCF's low-precision value up in that table; only the
hits are verified exactly. This module builds and queries that table.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import mpmath
import numpy as np

from discolab.environments.constants.library import Mobius, constant_value, transforms

KEY_SCALE = 1e7
"""Values are hashed on ``round(value · KEY_SCALE)``; neighbours ±1 are probed too."""

MAX_ABS_VALUE = 1000.0
"""Transforms larger than this are left out: their low-precision keys are too coarse."""


@dataclass(frozen=True)
class TableEntry:
    """One transform of one constant and its double-precision value."""

    constant: str
    transform: Mobius
    value: float


class TransformTable:
    """A hash of ``(p·K + q)/(r·K + s)`` values for lookups at ~1e-9 relative precision."""

    def __init__(self, entries: Iterable[TableEntry]) -> None:
        self._buckets: dict[int, list[TableEntry]] = {}
        self.size = 0
        for entry in entries:
            self._buckets.setdefault(_key(entry.value), []).append(entry)
            self.size += 1

    def lookup(self, value: float, tolerance: float = 1e-9) -> list[TableEntry]:
        """Entries within ``tolerance · max(1, |value|)`` of ``value``, closest first."""
        if not math.isfinite(value) or abs(value) > MAX_ABS_VALUE * 1.01:
            return []
        key = _key(value)
        near = [
            e
            for k in (key - 1, key, key + 1)
            for e in self._buckets.get(k, ())
            if abs(e.value - value) <= tolerance * max(1.0, abs(value))
        ]
        return sorted(near, key=lambda e: (abs(e.value - value), e.transform.height))

    def lookup_many(self, values: np.ndarray, tolerance: float = 1e-9) -> list[list[TableEntry]]:
        """:meth:`lookup` for each value (finite or not)."""
        return [self.lookup(float(v), tolerance) for v in values]


def _key(value: float) -> int:
    return round(value * KEY_SCALE)


def build_table(constant_ids: Sequence[str], height: int) -> TransformTable:
    """Every non-degenerate transform with coefficients in ``[-height, height]`` of each
    constant in ``constant_ids`` whose value is finite and at most :data:`MAX_ABS_VALUE`."""
    moebius = list(transforms(height))
    entries: list[TableEntry] = []
    for cid in constant_ids:
        k = float(constant_value(cid, 30))
        with mpmath.workdps(30):
            exact = constant_value(cid, 30)
            for m in moebius:
                den = m.r * k + m.s
                if abs(den) < 1e-6:
                    continue
                value = float(m.apply(exact))
                if math.isfinite(value) and abs(value) <= MAX_ABS_VALUE:
                    entries.append(TableEntry(cid, m, value))
    return TransformTable(entries)
