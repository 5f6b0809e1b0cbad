"""Verified formulas in the store: how they are keyed, listed by constant, and summarised.

Each formula is one candidate row keyed by its canonical form, so the same formula found by
two chunks, two searches of one campaign, or again after a resume is stored once; its
evaluation holds the verifier's figures (digits, rate, δ, predicted δ) and its metadata the
limit (``6/ζ(3)``), the constant id and where it came from.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from discolab.environments.constants.pcf import canonical
from discolab.storage.store import BatchItem, CampaignStore
from discolab.types import Candidate, CandidateKind
from discolab.verifiers.constants import evaluation_of

if TYPE_CHECKING:
    from discolab.constants.config import ConstantsConfig
    from discolab.constants.searches import Unit, UnitResult
    from discolab.storage.records import ScoredRecord

VERIFIER_ID = "constants/pcf-v1"


def formula_items(result: UnitResult, unit: Unit) -> list[BatchItem]:
    """Store items for the verified verdicts of one unit, keyed by canonical form."""
    items: list[BatchItem] = []
    seen: set[str] = set()
    for verdict in result.verdicts:
        if not verdict.verified or verdict.pcf is None or verdict.transform is None:
            continue
        key = verdict.canonical_key or canonical(verdict.pcf).text
        if key in seen:
            continue
        seen.add(key)
        t = verdict.transform
        candidate = Candidate(
            kind=CandidateKind.EXPRESSION,
            source=verdict.pcf.text,
            proposer=unit.search,
            generation=unit.index,
            metadata={
                "constant": verdict.constant,
                "limit": verdict.limit_text,
                "transform": [t.p, t.q, t.r, t.s],
                "canonical": key,
                "unit": unit.label,
                **result.origins.get(verdict.pcf.text, {}),
            },
        )
        items.append((key, candidate, VERIFIER_ID, evaluation_of(verdict)))
    return items


def formulas_by_constant(store: CampaignStore, cid: str) -> dict[str, list[ScoredRecord]]:
    """The campaign's formulas grouped by constant id, best first (digits, then rate)."""
    groups: dict[str, list[ScoredRecord]] = defaultdict(list)
    for record in store.candidates(cid):
        constant = record.candidate.metadata.get("constant")
        if constant and record.evaluation is not None and record.evaluation.passed:
            groups[str(constant)].append(record)
    for records in groups.values():
        records.sort(key=_order)
    return dict(sorted(groups.items()))


def _order(record: ScoredRecord) -> tuple[float, float, str]:
    metrics = record.evaluation.metrics if record.evaluation else {}
    return (-metrics.get("rate", 0.0), -metrics.get("digits", 0.0), record.candidate.source)


def summary_of(
    store: CampaignStore, cid: str, config: ConstantsConfig, total_units: int
) -> dict[str, Any]:
    """Counts for ``list`` and the result line: work done and formulas per constant."""
    experiments = store.experiments(cid)
    totals = [sum(float(e.outputs[i]) for e in experiments) for i in range(5)]
    groups = formulas_by_constant(store, cid)
    return {
        "search": config.search,
        "target": config.target,
        "units": len(experiments),
        "total_units": total_units,
        "candidates": int(totals[0]),
        "converged": int(totals[1]),
        "hits": int(totals[2]),
        "rejected_hits": int(totals[4]),
        "formulas": sum(len(g) for g in groups.values()),
        "by_constant": {k: len(v) for k, v in groups.items()},
        "digits": config.digits,
    }
