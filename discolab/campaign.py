"""The campaign runner: builds a campaign's parts from its config and drives the explorer.

A campaign is a stored config plus a LangGraph thread whose id is the campaign id. ``run``
creates both; ``resume`` rebuilds every part from the stored config and continues the thread
from its last checkpoint, so a campaign killed at any point finishes as if it never stopped.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.errors import GraphRecursionError

from discolab.agents.explorer import (
    RESUME_HALTED,
    ExplorerSettings,
    build_explorer,
    recursion_limit,
)
from discolab.agents.llm.accounting import Limits, Price
from discolab.agents.llm.journal import CallJournal
from discolab.agents.proposers.base import assistance_of
from discolab.agents.proposers.catalog import make_proposer
from discolab.assistance import label
from discolab.config import CampaignConfig, config_from_dict
from discolab.environments.catalog import make_environment
from discolab.errors import DiscolabError, ModelError
from discolab.hall_of_fame import latest_per_formula
from discolab.splits import redacted_options, restored_options
from discolab.storage.db import Database, default_database_url
from discolab.storage.records import CampaignRecord
from discolab.storage.store import CampaignStore
from discolab.verifiers.systems import make_verifier

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Progress:
    """A snapshot reported after every explorer round.

    Attributes:
        campaign_id: the campaign.
        round: rounds completed.
        calls_used: experiment calls answered.
        budget: experiment calls allowed.
        candidates: candidates stored so far.
        best_source: the agent's current answer.
        best_score: the verifier's score of that answer.
        best_matched: whether that answer matches the hidden law symbolically.
    """

    campaign_id: str
    round: int
    calls_used: int
    budget: int
    candidates: int
    best_source: str | None
    best_score: float | None
    best_matched: bool | None


@dataclass(frozen=True)
class CampaignResult:
    """How a campaign ended."""

    campaign_id: str
    status: str
    stop_reason: str | None
    summary: dict[str, Any]
    duration_s: float


ProgressCallback = Callable[[Progress], None]


def resolve_database_url(value: str | None) -> str:
    """A SQLAlchemy URL from a config/CLI value: a URL, a file path, or the default."""
    if not value:
        return default_database_url()
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def checkpoint_path(database_url: str) -> Path:
    """Where LangGraph checkpoints live: beside the SQLite database, else in ``.discolab``."""
    if database_url.startswith("sqlite:///"):
        db_path = Path(database_url.removeprefix("sqlite:///"))
        return db_path.with_name(db_path.stem + ".checkpoints.db")
    return Path.cwd() / ".discolab" / "checkpoints.db"


def new_campaign_id(name: str) -> str:
    """A readable unique id: the name's slug plus a random suffix."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "campaign"
    return f"{slug}-{uuid.uuid4().hex[:6]}"


def make_journal(
    store: CampaignStore,
    cid: str,
    limits: Mapping[str, Any],
    pricing: Mapping[str, Mapping[str, float]],
) -> CallJournal:
    """The model-call journal of a campaign with its ``[limits]`` caps and ``[pricing]``;
    law and evolve campaigns share it."""
    caps = Limits(**dict(limits))
    prices = {model: Price(**dict(price)) for model, price in pricing.items()}
    return CallJournal(store.calls, cid, limits=caps, pricing=prices)


@contextmanager
def _checkpointer(database_url: str) -> Iterator[SqliteSaver]:
    path = checkpoint_path(database_url)
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(str(path), check_same_thread=False, timeout=30.0)) as conn:
        conn.execute("PRAGMA busy_timeout=30000")
        saver = SqliteSaver(conn)
        saver.setup()
        yield saver


class StoreRunner:
    """What every campaign runner (law, evolve, constants, infer) starts from: the store of
    one database, and the stored campaign a resume begins with."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.store = CampaignStore(Database(database_url))

    def stored(self, campaign_id: str) -> tuple[CampaignRecord, CampaignResult | None]:
        """The campaign's record and, when it already finished, its result: resuming a
        finished campaign does nothing and reports how it ended."""
        record = self.store.get_campaign(campaign_id)
        if record.status != "finished":
            return record, None
        summary = dict(record.summary or {})
        return record, CampaignResult(record.id, record.status, record.stop_reason, summary, 0.0)

    def usage_summary(self, campaign_id: str) -> dict[str, Any] | None:
        """Model calls, tokens and cost of a campaign for its summary (``None``: no calls)."""
        usage = self.store.calls.usage(campaign_id)
        if not usage.calls:
            return None
        return {
            "calls": usage.calls,
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "cost": usage.cost,
        }


class CampaignRunner(StoreRunner):
    """Runs and resumes campaigns against one database."""

    def start(
        self,
        config: CampaignConfig,
        *,
        campaign_id: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> CampaignResult:
        """Validate ``config``, store a new campaign and run it to the end.

        A private split's variant seed is not stored (see :mod:`discolab.splits`): resuming
        such a campaign needs it again.
        """
        env, proposer = self._build_parts(config)  # fail on a bad config before storing
        cid = campaign_id or new_campaign_id(config.name)
        public = redacted_options(config.environment.options)
        stored = dataclasses.replace(
            config, environment=dataclasses.replace(config.environment, options=public)
        )
        self.store.create_campaign(
            id=cid,
            name=config.name,
            env_id=config.environment.id,
            env_options=public,
            proposer=config.agent.proposer,
            seed=config.seed,
            config=stored.to_dict(),
            assistance=assistance_of(proposer, env.spec),
        )
        logger.info("campaign %s created", cid)
        return self._drive(cid, config, env, proposer, on_progress, fresh=True)

    def resume(
        self,
        campaign_id: str,
        *,
        on_progress: ProgressCallback | None = None,
        secrets: Mapping[str, Any] | None = None,
    ) -> CampaignResult:
        """Continue a stopped or killed campaign from its last checkpoint.

        ``secrets`` supplies the environment options that were not stored (a private split's
        ``variant_seed``).

        Raises:
            ConfigError: the campaign ran on a private split and ``secrets`` lacks its seed.
        """
        record, done = self.stored(campaign_id)
        if done is not None:
            return done
        config = config_from_dict(record.config)
        options = restored_options(config.environment.options, secrets, campaign_id)
        config = dataclasses.replace(
            config, environment=dataclasses.replace(config.environment, options=options)
        )
        env, proposer = self._build_parts(config)
        return self._drive(campaign_id, config, env, proposer, on_progress, fresh=False)

    # -- internals ---------------------------------------------------------------------------

    def _build_parts(self, config: CampaignConfig) -> tuple[Any, Any]:
        env = make_environment(config.environment.id, **dict(config.environment.options))
        options = dict(config.agent.options)
        if options.get("code_tool") and not options.get("code_sandbox"):
            options["code_sandbox"] = config.sandbox  # model code runs where candidates do
        proposer = make_proposer(
            config.agent.proposer,
            options,
            ensemble=config.agent.ensemble,
            presets=config.presets,
        )
        return env, proposer

    def _journal(self, cid: str, config: CampaignConfig) -> CallJournal:
        return make_journal(self.store, cid, config.limits, config.pricing)

    def _drive(
        self,
        cid: str,
        config: CampaignConfig,
        env: Any,
        proposer: Any,
        on_progress: ProgressCallback | None,
        *,
        fresh: bool,
    ) -> CampaignResult:
        started = time.monotonic()
        verifier = make_verifier(env.spec, env.ground_truth())
        settings = ExplorerSettings(
            campaign_id=cid,
            seed=config.seed,
            stop_when_confident=config.agent.stop_when_confident,
            patience=config.agent.patience,
            max_rounds=config.agent.max_rounds,
            max_stalled_rounds=config.agent.max_stalled_rounds,
            max_unusable_replies=config.agent.max_unusable_replies,
        )
        self.store.set_status(cid, "running")
        run_config = {
            "configurable": {"thread_id": cid},
            "recursion_limit": recursion_limit(settings, env.budget),
        }
        final: dict[str, Any] = {}
        try:
            with _checkpointer(self.database_url) as saver:
                graph = build_explorer(
                    env=env,
                    proposer=proposer,
                    verifier=verifier,
                    store=self.store,
                    settings=settings,
                    checkpointer=saver,
                    journal=self._journal(cid, config),
                )
                snapshot = saver.get_tuple(run_config)
                graph_input: dict[str, Any] | None = {"round": 0}
                if snapshot is not None and not fresh:
                    values = snapshot.checkpoint.get("channel_values", {})
                    # A campaign a stopping rule halted starts its next round afresh; any
                    # other checkpoint continues with the step it was interrupted in.
                    graph_input = dict(RESUME_HALTED) if values.get("halted") else None
                last_round = -1
                # "sync": each step's checkpoint is committed before the next step runs, so
                # a kill can cost at most the step in flight, never an older one.
                for update in graph.stream(
                    graph_input, run_config, stream_mode="values", durability="sync"
                ):
                    round_ = update.get("round", 0)
                    if on_progress is not None and round_ != last_round:
                        last_round = round_
                        on_progress(self._progress(cid, update, env.budget))
                final = dict(graph.get_state(run_config).values)
        except ModelError as exc:
            # The model failed for good or a usage cap is reached: stop cleanly, keep
            # everything stored, and let `discolab resume` retry the interrupted step.
            logger.warning("campaign %s stopped: %s", cid, exc)
            final = self._last_state(run_config)
            summary = self._summary(cid, final)
            reason = f"{exc}; continue with: discolab resume {cid}"
            self.store.set_status(cid, "stopped", stop_reason=reason, summary=summary)
            return CampaignResult(cid, "stopped", reason, summary, time.monotonic() - started)
        except GraphRecursionError:
            # A safety net behind the stopping rules: the graph ran more steps than any
            # campaign of this budget should. Stop cleanly; resume gets a fresh allowance.
            final = self._last_state(run_config)
            reason = (
                f"step limit of {run_config['recursion_limit']} graph steps reached; "
                f"continue with: discolab resume {cid}"
            )
            summary = self._summary(cid, final)
            self.store.set_status(cid, "stopped", stop_reason=reason, summary=summary)
            return CampaignResult(cid, "stopped", reason, summary, time.monotonic() - started)
        except KeyboardInterrupt:
            self.store.set_status(
                cid, "stopped", stop_reason=f"interrupted; continue with: discolab resume {cid}"
            )
            raise
        except DiscolabError as exc:
            self.store.set_status(cid, "failed", stop_reason=str(exc))
            raise
        finally:
            close = getattr(proposer, "close", None)
            if close is not None:
                close()
        summary = self._summary(cid, final)
        reason = final.get("stop_reason") or "finished"
        status = "finished"
        if final.get("halted"):
            status, reason = "stopped", f"{reason}; continue with: discolab resume {cid}"
        self.store.set_status(cid, status, stop_reason=reason, summary=summary)
        return CampaignResult(cid, status, reason, summary, time.monotonic() - started)

    def _last_state(self, run_config: dict[str, Any]) -> dict[str, Any]:
        """The state of the last checkpoint (what every finished step left behind)."""
        with _checkpointer(self.database_url) as saver:
            snapshot = saver.get_tuple(run_config)
        if snapshot is None:
            return {}
        return dict(snapshot.checkpoint.get("channel_values", {}))

    def _latest_evaluation(self, cid: str, source: str | None) -> Any:
        if source is None:
            return None
        return latest_per_formula(self.store.candidates(cid)).get(source)

    def _progress(self, cid: str, state: dict[str, Any], budget: int) -> Progress:
        record = self._latest_evaluation(cid, state.get("final_source"))
        evaluation = record.evaluation if record is not None else None
        return Progress(
            campaign_id=cid,
            round=state.get("round", 0),
            calls_used=state.get("calls_used", 0),
            budget=budget,
            candidates=self.store.count_candidates(cid),
            best_source=state.get("final_source"),
            best_score=evaluation.score if evaluation else None,
            best_matched=bool(evaluation.metrics.get("symbolic_match")) if evaluation else None,
        )

    def _summary(self, cid: str, state: dict[str, Any]) -> dict[str, Any]:
        record = self._latest_evaluation(cid, state.get("final_source"))
        summary: dict[str, Any] = {
            "final_source": state.get("final_source"),
            "rounds": state.get("round", 0),
            "calls_used": state.get("calls_used", 0),
            "candidates": self.store.count_candidates(cid),
            "assistance": label(self.store.get_campaign(cid).assistance),
        }
        usage = self.usage_summary(cid)
        if usage is not None:
            summary["usage"] = usage
        if record is not None:
            ev = record.evaluation
            summary |= {
                "candidate_id": record.candidate.id,
                "score": ev.score,
                "symbolic_match": bool(ev.metrics.get("symbolic_match")),
                "metrics": dict(ev.metrics),
            }
        return summary
