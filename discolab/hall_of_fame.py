"""The hall of fame: the distinct laws of a campaign, as a Pareto view of complexity and fit.

Each formula appears once, with its newest evaluation (it is refit on more data every round).
Rows are ordered by complexity, then by fit on the agent's own data, as PySR's hall of fame
is; ``pareto`` marks the formulas no simpler formula fits as well.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any


def _metric(record: Any, name: str) -> float:
    if record.evaluation is None:
        return math.inf
    value = record.evaluation.metrics.get(name)
    try:
        value = float(value)
    except (TypeError, ValueError):
        return math.inf
    return value if math.isfinite(value) else math.inf


def latest_per_formula(records: Sequence[Any], *, include_failed: bool = True) -> dict[str, Any]:
    """The newest evaluated record of each distinct formula, keyed by its source.

    A formula proposed again in a later round is refit on more data, so its newest
    evaluation is the one that counts. ``include_failed=False`` drops evaluations with an error.
    """
    latest: dict[str, Any] = {}
    for record in records:
        ev = record.evaluation
        if ev is not None and (include_failed or ev.error is None):
            latest[record.candidate.source] = record
    return latest


def hall_of_fame(records: Sequence[Any], *, pareto_only: bool = False) -> list[Any]:
    """Distinct, successfully evaluated formulas sorted by (complexity, own-data fit)."""
    rows = sorted(
        latest_per_formula(records, include_failed=False).values(),
        key=lambda r: (_metric(r, "complexity"), _metric(r, "data_rel_log_error")),
    )
    if not pareto_only:
        return rows
    front, best_loss = [], math.inf
    for r in rows:
        loss = _metric(r, "data_rel_log_error")
        if loss < best_loss:
            front.append(r)
            best_loss = loss
    return front
