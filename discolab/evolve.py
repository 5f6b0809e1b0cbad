"""The evolve-campaign runner: builds an evolve campaign's parts and drives the evolver.

Like law campaigns, an evolve campaign is a stored config plus a LangGraph thread whose id
is the campaign id, in the same database and checkpoint file (:mod:`discolab.campaign`).
``start`` stores and runs it; ``resume`` rebuilds every part from the stored config and
continues from the last checkpoint, with the archive rebuilt from the stored programs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langgraph.errors import GraphRecursionError

from discolab.agents.evolution.database import ProgramDatabase, archive_settings
from discolab.agents.evolution.evaluate import ProgramEvaluator
from discolab.agents.evolution.proposals import (
    BuiltinProgramProposer,
    ModelProgramProposer,
    ProgramProposer,
)
from discolab.agents.evolver import EvolverSettings, EvolverState, build_evolver, recursion_limit
from discolab.assistance import SEEDED, label
from discolab.campaign import (
    CampaignResult,
    StoreRunner,
    _checkpointer,
    make_journal,
    new_campaign_id,
)
from discolab.errors import ConfigError, DiscolabError, ModelError
from discolab.evolve_config import EvolveConfig, evolve_config_from_dict
from discolab.sandbox.base import Limits, SandboxConfig

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvolveProgress:
    """A snapshot reported after every generation."""

    campaign_id: str
    generation: int
    iterations: int
    max_iterations: int
    best_value: float | None
    elapsed_s: float
    occupancy: dict[int, int]


EvolveCallback = Callable[[EvolveProgress], None]


def make_program_proposer(config: EvolveConfig) -> ProgramProposer:
    """The built-in AST mutator, or a model proposer for a model string or ``ensemble``."""
    ev = config.evolver
    if ev.proposer == "builtin":
        if ev.options:
            raise ConfigError(
                "evolver.options are model options; the builtin proposer takes none "
                f"(got {', '.join(sorted(ev.options))})"
            )
        return BuiltinProgramProposer(ev.mutation_steps, ev.crossover_rate, ev.workers)
    if ":" not in ev.proposer and ev.proposer != "ensemble":
        raise ConfigError(
            f"evolver.proposer = {ev.proposer!r} is unknown; use 'builtin', 'ensemble' or a "
            "model string like 'openai:MODEL'"
        )
    from discolab.agents.proposers.catalog import make_ensemble, model_options
    from discolab.agents.proposers.program import ProgramEditProposer

    opts = model_options(ev.options)
    ensemble = make_ensemble(ev.proposer, opts, ev.ensemble, config.presets)
    return ModelProgramProposer(
        ProgramEditProposer(ensemble, mode=ev.mode),  # type: ignore[arg-type]
        concurrency=min(opts.concurrency, ev.in_flight),
    )


class EvolveRunner(StoreRunner):
    """Runs and resumes evolve campaigns against one database."""

    def start(
        self,
        config: EvolveConfig,
        *,
        campaign_id: str | None = None,
        on_progress: EvolveCallback | None = None,
    ) -> CampaignResult:
        """Validate ``config``, store a new campaign and run it to the end."""
        problem, proposer = self._parts(config)  # fail on a bad config before storing
        cid = campaign_id or new_campaign_id(config.name)
        own_seed = config.seed_source is None or config.seed_source == problem.seed_program()
        self.store.create_campaign(
            id=cid,
            name=config.name,
            env_id=config.problem,
            env_options={"strategy": config.evolver.strategy},
            proposer=config.evolver.proposer,
            seed=config.seed,
            config=config.to_dict(),
            assistance=[] if own_seed else [SEEDED],
        )
        return self._drive(cid, config, problem, proposer, on_progress, fresh=True)

    def resume(self, campaign_id: str, *, on_progress: EvolveCallback | None = None) -> Any:
        """Continue a stopped or killed evolve campaign from its last checkpoint."""
        record, done = self.stored(campaign_id)
        if done is not None:
            return done
        config = evolve_config_from_dict(record.config)
        problem, proposer = self._parts(config)
        return self._drive(campaign_id, config, problem, proposer, on_progress, fresh=False)

    # -- internals ---------------------------------------------------------------------------

    @staticmethod
    def _parts(config: EvolveConfig) -> tuple[Any, ProgramProposer]:
        from discolab.environments.programs.catalog import make_problem

        problem = make_problem(config.problem)
        archive_settings(_archive_table(config))  # validates the archive settings
        return problem, make_program_proposer(config)

    def _drive(
        self,
        cid: str,
        config: EvolveConfig,
        problem: Any,
        proposer: ProgramProposer,
        on_progress: EvolveCallback | None,
        *,
        fresh: bool,
    ) -> CampaignResult:
        from discolab.sandbox.factory import make_sandbox

        started = time.monotonic()
        ev = config.evolver
        limits = Limits(timeout=ev.timeout_s, memory_mb=ev.memory_mb)
        settings = EvolverSettings(
            campaign_id=cid,
            seed=config.seed,
            task=problem.statement,
            seed_program=config.seed_source or problem.seed_program(),
            strategy=ev.strategy,
            batch=ev.batch,
            in_flight=ev.in_flight,
            max_iterations=ev.max_iterations,
            max_seconds=ev.max_seconds,
            seeded=config.seed_source is not None and config.seed_source != problem.seed_program(),
        )
        database = ProgramDatabase(self.store, cid, archive_settings(_archive_table(config)))
        run_config = {
            "configurable": {"thread_id": cid},
            "recursion_limit": recursion_limit(settings),
        }

        def report(state: EvolverState, db: ProgramDatabase) -> None:
            if on_progress is not None:
                on_progress(
                    EvolveProgress(
                        campaign_id=cid,
                        generation=state.get("generation", 0),
                        iterations=state.get("iterations", 0),
                        max_iterations=ev.max_iterations,
                        best_value=state.get("best_value"),
                        elapsed_s=state.get("elapsed_s", 0.0),
                        occupancy=db.archive.occupancy(),
                    )
                )

        self.store.set_status(cid, "running")
        sandbox = make_sandbox(
            config.sandbox, SandboxConfig(limits=limits, pool_size=max(1, ev.in_flight))
        )
        final: dict[str, Any] = {}
        try:
            with sandbox, _checkpointer(self.database_url) as saver:
                graph = build_evolver(
                    proposer=proposer,
                    evaluator=ProgramEvaluator(
                        problem, sandbox, limits, max_length=config.archive.max_code_length
                    ),
                    database=database,
                    settings=settings,
                    checkpointer=saver,
                    journal=make_journal(self.store, cid, config.limits, config.pricing),
                    on_generation=report,
                )
                snapshot = saver.get_tuple(run_config)
                graph_input = None if (snapshot is not None and not fresh) else {"generation": 0}
                for _ in graph.stream(
                    graph_input, run_config, stream_mode="updates", durability="sync"
                ):
                    pass
                final = dict(graph.get_state(run_config).values)
        except ModelError as exc:
            reason = f"{exc}; continue with: discolab resume {cid}"
            return self._stopped(cid, database, reason, started)
        except GraphRecursionError:
            reason = f"graph step limit reached; continue with: discolab resume {cid}"
            return self._stopped(cid, database, reason, started)
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
        summary = self.summary(cid, database)
        reason = final.get("stop_reason") or "finished"
        self.store.set_status(cid, "finished", stop_reason=reason, summary=summary)
        return CampaignResult(cid, "finished", reason, summary, time.monotonic() - started)

    def _stopped(
        self, cid: str, database: ProgramDatabase, reason: str, started: float
    ) -> CampaignResult:
        logger.warning("campaign %s stopped: %s", cid, reason)
        summary = self.summary(cid, database)
        self.store.set_status(cid, "stopped", stop_reason=reason, summary=summary)
        return CampaignResult(cid, "stopped", reason, summary, time.monotonic() - started)

    def summary(self, cid: str, database: ProgramDatabase) -> dict[str, Any]:
        """What ``list`` and the result line show: the best program and the counts."""
        records = self.store.candidates(cid)
        valid = [r for r in records if r.evaluation is not None and r.evaluation.passed]
        best = max(valid, key=lambda r: r.evaluation.metrics["fitness"], default=None)  # type: ignore[union-attr]
        summary: dict[str, Any] = {
            "programs": len(records),
            "valid": len(valid),
            "assistance": label(self.store.get_campaign(cid).assistance),
            "occupancy": {str(k): v for k, v in database.archive.occupancy().items()},
        }
        usage = self.usage_summary(cid)
        if usage is not None:
            summary["usage"] = usage
        if best is not None and best.evaluation is not None:
            summary |= {
                "candidate_id": best.candidate.id,
                "best_value": best.evaluation.metrics["value"],
                "score": best.evaluation.score,
                "best_iteration": best.candidate.metadata.get("iteration"),
            }
        return summary


def _archive_table(config: EvolveConfig) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(config.archive)
