"""The infer campaign: a model writes an EFA from a seed problem; the sandbox tests it.

Each attempt is one model call (journaled, so a resumed campaign replays it instead of
paying again), one module extracted from the reply, and one run of the property verifier
(:mod:`discolab.verifiers.unittests`) in the sandbox. The candidate module and its per-
property verdict are stored under the attempt's key; the failing properties' reasons go
into the next prompt. The campaign stops at the first EFA that passes every property (it is
then a stored EFA that ``discolab efa sample`` can draw from) or when the attempts are spent.
A reply with no module, or a model failure, is a stored failure or a stopped campaign — never
a traceback — and a resume continues from the first attempt not stored.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from discolab.agents.efa.prompts import extract_module, infer_messages
from discolab.campaign import CampaignResult, StoreRunner, make_journal, new_campaign_id
from discolab.efa.config import EfaCampaignConfig, efa_config_from_dict
from discolab.environments.efa.catalog import get_efa
from discolab.errors import DiscolabError, ModelError, ProposerError
from discolab.types import Candidate, CandidateKind, Evaluation

logger = logging.getLogger(__name__)

VERIFIER_ID = "efa/properties-v1"


@dataclass(frozen=True)
class InferProgress:
    """A snapshot after every attempt."""

    campaign_id: str
    attempt: int
    attempts: int
    passed: bool
    feedback: str


InferCallback = Callable[[InferProgress], None]


def _client(config: EfaCampaignConfig) -> Any:
    from discolab.agents.proposers.catalog import make_ensemble, model_options

    return make_ensemble(config.proposer, model_options(config.options), (), {}).clients()[0]


class InferRunner(StoreRunner):
    """Runs and resumes infer campaigns against one database."""

    def start(
        self,
        config: EfaCampaignConfig,
        *,
        campaign_id: str | None = None,
        on_progress: InferCallback | None = None,
        sandbox: Any | None = None,
    ) -> CampaignResult:
        """Store a new infer campaign and run it."""
        client = _client(config)  # a bad model string fails before anything is stored
        cid = campaign_id or new_campaign_id(config.name)
        self.store.create_campaign(
            id=cid,
            name=config.name,
            env_id=config.seed_efa,
            env_options={"task": "infer"},
            proposer=config.proposer,
            seed=config.seed,
            config=config.to_dict(),
            assistance=[],
        )
        return self._drive(cid, config, client, on_progress, sandbox)

    def resume(
        self, campaign_id: str, *, on_progress: InferCallback | None = None, sandbox: Any = None
    ) -> CampaignResult:
        """Continue an infer campaign from its first attempt not stored."""
        record, done = self.stored(campaign_id)
        if done is not None:
            return done
        config = efa_config_from_dict(record.config)
        return self._drive(campaign_id, config, _client(config), on_progress, sandbox)

    def _drive(
        self,
        cid: str,
        config: EfaCampaignConfig,
        client: Any,
        on_progress: InferCallback | None,
        sandbox: Any | None,
    ) -> CampaignResult:
        from discolab.sandbox.base import Limits, SandboxConfig
        from discolab.sandbox.factory import make_sandbox

        started = time.monotonic()
        entry = get_efa(config.seed_efa)
        journal = make_journal(self.store, cid, {}, {})
        self.store.set_status(cid, "running")
        own = sandbox is None
        box = sandbox or make_sandbox(
            config.sandbox, SandboxConfig(limits=Limits(timeout=config.timeout_s))
        )
        reason = "attempts spent"
        try:
            for attempt in range(config.attempts):
                key = f"a{attempt}"
                done = self.store.candidates(cid)
                if any(r.evaluation is not None and r.evaluation.passed for r in done):
                    reason = "an EFA passed every property"
                    break
                if key in self.store.candidate_keys(cid):
                    continue
                feedback = [r.evaluation.feedback for r in done if r.evaluation is not None]
                messages = infer_messages(entry.seed_problem, entry.seed_solution, feedback)
                stored_call = journal.lookup(key)
                if stored_call is not None:
                    reply = stored_call.completion
                else:
                    journal.check_caps()
                    completion = client.complete(messages)
                    journal.record(key, "infer", messages, completion, {})
                    reply = completion.text
                evaluation, source = self._score(reply, entry, config, box)
                candidate = Candidate(
                    kind=CandidateKind.PROGRAM,
                    source=source,
                    proposer=config.proposer,
                    generation=attempt,
                    model=client.model,
                    metadata={"seed_efa": config.seed_efa, "transcript": key},
                )
                self.store.record_batch(cid, [(key, candidate, VERIFIER_ID, evaluation)])
                if on_progress is not None:
                    on_progress(
                        InferProgress(
                            cid,
                            attempt + 1,
                            config.attempts,
                            evaluation.passed,
                            evaluation.feedback,
                        )
                    )
                if evaluation.passed:
                    reason = "an EFA passed every property"
                    break
        except ModelError as exc:
            stop = f"{exc}; continue with: discolab resume {cid}"
            summary = self.summary(cid)
            self.store.set_status(cid, "stopped", stop_reason=stop, summary=summary)
            return CampaignResult(cid, "stopped", stop, summary, time.monotonic() - started)
        except KeyboardInterrupt:
            self.store.set_status(
                cid, "stopped", stop_reason=f"interrupted; continue with: discolab resume {cid}"
            )
            raise
        except DiscolabError as exc:
            self.store.set_status(cid, "failed", stop_reason=str(exc))
            raise
        except (
            Exception
        ) as exc:  # a bug in the infer loop: stored as the reason, one line for the CLI
            logger.exception("campaign %s: the infer loop crashed", cid)
            reason = (
                f"the infer loop crashed ({type(exc).__name__}: {exc}); finished work is kept, "
                f"retry with: discolab resume {cid}"
            )
            self.store.set_status(cid, "failed", stop_reason=reason)
            raise ProposerError(reason) from exc
        finally:
            if own:
                box.close()
        summary = self.summary(cid)
        self.store.set_status(cid, "finished", stop_reason=reason, summary=summary)
        return CampaignResult(cid, "finished", reason, summary, time.monotonic() - started)

    @staticmethod
    def _score(
        reply: str, entry: Any, config: EfaCampaignConfig, sandbox: Any
    ) -> tuple[Evaluation, str]:
        from discolab.verifiers.unittests import verify_efa_source

        source = extract_module(reply)
        if source is None:
            error = "the reply has no Python module defining class EFA (reply in a ```python block)"
            return Evaluation.failure(error), reply[:20_000]
        verdict = verify_efa_source(
            source, seed_answer=entry.seed_answer, sandbox=sandbox, samples=config.samples
        )
        return verdict.to_evaluation(), source

    def summary(self, cid: str) -> dict[str, Any]:
        """Attempts, the passing EFA (if any) and the properties each attempt passed."""
        records = self.store.candidates(cid)
        passed = [r for r in records if r.evaluation is not None and r.evaluation.passed]
        best = max(records, key=lambda r: r.evaluation.score if r.evaluation else 0.0, default=None)
        summary: dict[str, Any] = {"attempts": len(records), "passed": bool(passed)}
        if passed:
            summary["efa_id"] = passed[0].candidate.id
        if best is not None and best.evaluation is not None:
            summary["best_score"] = best.evaluation.score
            summary["best_candidate"] = best.candidate.id
        usage = self.usage_summary(cid)
        if usage is not None:
            summary["usage"] = usage
        return summary
