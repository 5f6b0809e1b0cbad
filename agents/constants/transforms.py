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


def _key(value: float) -> int:
    return round(value * KEY_SCALE)


def build_table(constant_ids: Sequence[str], height: int) -> TransformTable:
    """Every non-degenerate transform with coefficients in ``[-height, height]`` of each
    constant in ``constant_ids`` whose value is finite and at most :data:`MAX_ABS_VALUE`.

    Values are computed in double precision, all transforms of a constant at once: with
    coefficients this small a denominator ``r·K + s`` is never near zero (no two such
    rationals approximate a constant that well), so the values are good to ~1e-13, far
    inside the 1e-9 lookup tolerance. The table is built for every chunk scanned, so it
    must be cheap.
    """
    moebius = list(transforms(height))
    p, q, r, s = (np.array([getattr(m, f) for m in moebius], dtype=float) for f in "pqrs")
    entries: list[TableEntry] = []
    for cid in constant_ids:
        k = float(constant_value(cid, 30))
        den = r * k + s
        with np.errstate(divide="ignore", invalid="ignore"):
            values = (p * k + q) / den
        keep = (np.abs(den) >= 1e-6) & np.isfinite(values) & (np.abs(values) <= MAX_ABS_VALUE)
        entries.extend(TableEntry(cid, moebius[i], float(values[i])) for i in np.flatnonzero(keep))
    return TransformTable(entries)
