"""The constants-campaign runner: drives one search and stores every verified formula once.

A constants campaign splits its search into *units* — chunks of the enumeration box, one
constant for ESMA, one seed formula for CMF — and records each finished unit as the
campaign's experiment with that index. Formulas are stored first, keyed by their canonical
form (:func:`discolab.environments.constants.pcf.canonical_key`), so a formula found twice,
or again after a crash, is stored once; the unit is recorded after its formulas. ``resume``
skips the recorded units, so a killed campaign finishes with the same formulas as one that
never stopped. The units' order and content depend only on the config, not on timing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from discolab.assistance import SEEDED
from discolab.campaign import CampaignResult, StoreRunner, new_campaign_id
from discolab.constants.config import ConstantsConfig, constants_config_from_dict
from discolab.constants.formulas import formula_items, formulas_by_constant, summary_of
from discolab.constants.searches import Unit, run_units, search_units
from discolab.errors import DiscolabError, ProposerError
from discolab.storage.store import CampaignStore

logger = logging.getLogger(__name__)

ENVIRONMENT_ID = "constants/pcf-v1"


@dataclass(frozen=True)
class ConstantsProgress:
    """A snapshot after every finished unit.

    Attributes:
        campaign_id: the campaign.
        done: units finished (in any session).
        total: units in the search.
        candidates: PCFs considered so far (this session's units and stored ones).
        formulas: distinct verified formulas stored.
        latest: the last formula stored, as ``PCF(...) = limit``.
    """

    campaign_id: str
    done: int
    total: int
    candidates: int
    formulas: int
    latest: str | None


ConstantsCallback = Callable[[ConstantsProgress], None]


class ConstantsRunner(StoreRunner):
    """Runs and resumes constants campaigns against one database."""

    def start(
        self,
        config: ConstantsConfig,
        *,
        campaign_id: str | None = None,
        on_progress: ConstantsCallback | None = None,
    ) -> CampaignResult:
        """Validate ``config``, store a new campaign and run it to the end."""
        units = search_units(config)  # fail before storing
        cid = campaign_id or new_campaign_id(config.name)
        self.store.create_campaign(
            id=cid,
            name=config.name,
            env_id=ENVIRONMENT_ID,
            env_options={"target": config.target, "search": config.search},
            proposer=config.search,
            seed=config.seed,
            config=config.to_dict(),
            # A CMF search starts from formulas someone else found: a seeded start.
            assistance=[SEEDED] if config.search == "cmf" else [],
        )
        return self._drive(cid, config, units, on_progress)

    def resume(
        self, campaign_id: str, *, on_progress: ConstantsCallback | None = None
    ) -> CampaignResult:
        """Continue a stopped or killed constants campaign, skipping its finished units."""
        record, done = self.stored(campaign_id)
        if done is not None:
            return done
        config = constants_config_from_dict(record.config)
        units = search_units(config)
        return self._drive(campaign_id, config, units, on_progress)

    def _drive(
        self,
        cid: str,
        config: ConstantsConfig,
        units: list[Unit],
        on_progress: ConstantsCallback | None,
    ) -> CampaignResult:
        started = time.monotonic()
        done = {e.index: e for e in self.store.experiments(cid)}
        candidates = sum(int(e.outputs[0]) for e in done.values())
        self.store.set_status(cid, "running")
        latest: str | None = None
        finished = len(done)
        try:
            for unit, result in run_units(config, units, set(done)):
                stored = self.store.record_batch(cid, formula_items(result, unit))
                self.store.record_experiment(cid, unit.experiment(result))
                candidates += result.candidates
                finished += 1
                if stored:
                    latest = f"{stored[-1].source} = {stored[-1].metadata.get('limit')}"
                if on_progress is not None:
                    on_progress(
                        ConstantsProgress(
                            campaign_id=cid,
                            done=finished,
                            total=len(units),
                            candidates=candidates,
                            formulas=self.store.count_candidates(cid),
                            latest=latest,
                        )
                    )
        except KeyboardInterrupt:
            self.store.set_status(
                cid, "stopped", stop_reason=f"interrupted; continue with: discolab resume {cid}"
            )
            raise
        except DiscolabError as exc:
            self.store.set_status(cid, "failed", stop_reason=str(exc))
            raise
        except Exception as exc:  # a bug in the search: a stored reason, one CLI line
            logger.info("campaign %s: the search crashed", cid, exc_info=True)  # shown with -v
            reason = (
                f"the search crashed ({type(exc).__name__}: {exc}); finished work is kept, "
                f"retry with: discolab resume {cid}"
            )
            self.store.set_status(cid, "failed", stop_reason=reason)
            raise ProposerError(reason) from exc
        summary = summary_of(self.store, cid, config, len(units))
        if config.cluster:
            summary["clusters"] = _cluster_summary(self.store, cid)
        self.store.set_status(cid, "finished", stop_reason="search complete", summary=summary)
        return CampaignResult(
            cid, "finished", "search complete", summary, time.monotonic() - started
        )


CLUSTER_HEIGHT = 1000
"""Largest coefficient of a Möbius map linking two formulas' limits in the final grouping."""

MAX_CLUSTERED = 300
"""Formulas grouped at the end of a campaign (the first stored, in store order)."""


def _cluster_summary(store: CampaignStore, cid: str) -> list[dict[str, Any]]:
    """Group the stored formulas by limit without their labels.

    The clustering sees only the polynomials; the verifier's label of each member is
    attached afterwards (``constants``) so a reader can check the grouping against it.
    """
    from discolab.agents.constants.clustering import ClusterSettings, cluster_formulas
    from discolab.environments.constants.pcf import parse_pcf

    records = [r for group in formulas_by_constant(store, cid).values() for r in group]
    records = records[:MAX_CLUSTERED]
    if not records:
        return []
    # Searches such as ESMA find transforms of height in the hundreds, so two formulas of one
    # constant can be related by a large Möbius map; a relation confirmed at 100 digits with
    # coefficients ≤ 1000 cannot be spurious (PSLQ would need ~12 digits to meet one).
    settings = ClusterSettings(max_height=CLUSTER_HEIGHT)
    clusters = cluster_formulas([parse_pcf(r.candidate.source) for r in records], settings)
    out: list[dict[str, Any]] = []
    for cluster in clusters:
        rep = cluster.representative.features
        labels = sorted(
            {str(records[m.index].candidate.metadata.get("constant")) for m in cluster.members}
        )
        out.append(
            {
                "kind": cluster.kind,
                "size": len(cluster.members),
                "members": [m.pcf.text for m in cluster.members],
                "convergence": getattr(rep, "convergence", None),
                "constants": labels,
            }
        )
    return out
