"""The explorer: a LangGraph graph that discovers a law by running experiments.

One round is ``design → experiment → propose → verify → record → decide``. The graph state
holds only counters and JSON-like pending data; measurements, candidates and evaluations live
in the campaign store, written with idempotent keys, so a campaign killed at any point and
resumed from its last checkpoint (thread id = campaign id) stores every candidate exactly once.

The explorer never uses the hidden truth to decide anything: it stops when the budget is spent
or when the proposer has been confident in the same law (fit to the agent's own data) for
``patience`` rounds. Verifier scores are stored for reporting, and the proposer sees only the
agent-visible part of each evaluation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol, TypedDict

import numpy as np
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph

from discolab.agents.evidence import design_support
from discolab.agents.proposers.base import (
    ProposalContext,
    ProposalRejected,
    Proposer,
    ScoredCandidate,
)
from discolab.agents.proposers.journal_handle import Journal, JournalHandle
from discolab.environments.base import Environment
from discolab.errors import DiscolabError, ExperimentError
from discolab.hall_of_fame import latest_per_formula
from discolab.types import Candidate, CandidateKind, Evaluation, Experiment, TaskSpec
from discolab.verifiers.expressions import parse_expression

logger = logging.getLogger(__name__)

VERIFIER_ID = "laws-v1"
DATA_LOSS_METRIC = "data_rel_log_error"
AGENT_VISIBLE_PREFIXES = ("data_", "complexity")

# Streams of the campaign seed: each random choice draws from its own derived generator.
_DESIGN_STREAM = 1


class Verifier(Protocol):
    """What the explorer needs from a verifier."""

    def evaluate(self, candidate: Candidate, experiments: list[Experiment]) -> Evaluation: ...


class ExplorerState(TypedDict, total=False):
    """The checkpointed state of one explorer campaign (plain JSON-like data only).

    Attributes:
        round: the current round, 0-based; one round spends one experiment call.
        calls_used: experiment calls answered so far (mirrors the stored experiments).
        pending_points: the designed input points of this round's call.
        pending_candidates: this round's proposals, not yet recorded.
        pending_evaluations: their evaluations, index-aligned with ``pending_candidates``.
        final_source: the agent's current answer (the proposer's top pick).
        confident_streak: consecutive rounds the same answer has been confident.
        stop_reason: why the campaign stopped, once it has.
        halted: the stop came from a stopping rule (no progress, unusable replies) rather
            than the budget or convergence; the campaign is ``stopped`` and can be resumed.
        last_error: the last refused experiment or proposer failure, for the next round.
        stalled_rounds: consecutive rounds that answered no experiment call.
        unusable_replies: consecutive rounds whose proposals held no readable law.
    """

    round: int
    calls_used: int
    pending_points: list[dict[str, float]]
    pending_candidates: list[dict[str, Any]]
    pending_evaluations: list[dict[str, Any]]
    final_source: str | None
    confident_streak: int
    stop_reason: str | None
    halted: bool
    last_error: str | None
    stalled_rounds: int
    unusable_replies: int


class Store(Protocol):
    """The part of the campaign store the explorer uses."""

    def experiments(self, campaign_id: str) -> list[Experiment]: ...
    def get_experiment(self, campaign_id: str, index: int) -> Experiment | None: ...
    def record_experiment(self, campaign_id: str, experiment: Experiment) -> Experiment: ...
    def record_batch(self, campaign_id: str, items: list[Any]) -> list[Candidate]: ...
    def candidates(self, campaign_id: str) -> list[Any]: ...


@dataclass(frozen=True)
class ExplorerSettings:
    """How the explorer behaves.

    Attributes:
        campaign_id: thread id of the checkpoint and owner of stored rows.
        seed: the campaign seed; every round derives its generators from it.
        stop_when_confident: stop early once the answer is confident for ``patience`` rounds.
        patience: see above.
        max_rounds: hard cap on rounds.
        context_size: how many best candidates the proposer sees.
        max_stalled_rounds: stop (resumably) after this many consecutive rounds that
            answered no experiment call (an unusable design, a refused experiment): such a
            round spends no budget, so without this rule a failing model loops forever.
        max_unusable_replies: stop (resumably) after this many consecutive rounds whose
            proposals held no readable law.
    """

    campaign_id: str
    seed: int
    stop_when_confident: bool = True
    patience: int = 2
    max_rounds: int = 100
    context_size: int = 8
    max_stalled_rounds: int = 3
    max_unusable_replies: int = 3


def candidate_to_dict(candidate: Candidate) -> dict[str, Any]:
    """A JSON-ready dict of a candidate (for the checkpointed state)."""
    return {
        "kind": str(candidate.kind),
        "source": candidate.source,
        "proposer": candidate.proposer,
        "parent_ids": list(candidate.parent_ids),
        "generation": candidate.generation,
        "island": candidate.island,
        "model": candidate.model,
        "prompt_hash": candidate.prompt_hash,
        "metadata": dict(candidate.metadata),
    }


def candidate_from_dict(data: Mapping[str, Any]) -> Candidate:
    """Inverse of :func:`candidate_to_dict`."""
    return Candidate(
        kind=CandidateKind(data["kind"]),
        source=data["source"],
        proposer=data["proposer"],
        parent_ids=tuple(data.get("parent_ids", ())),
        generation=int(data.get("generation", 0)),
        island=int(data.get("island", 0)),
        model=data.get("model"),
        prompt_hash=data.get("prompt_hash"),
        metadata=dict(data.get("metadata", {})),
    )


def evaluation_to_dict(evaluation: Evaluation) -> dict[str, Any]:
    """A JSON-ready dict of an evaluation (non-finite metrics kept as floats)."""
    return {
        "score": evaluation.score,
        "passed": evaluation.passed,
        "metrics": dict(evaluation.metrics),
        "feedback": evaluation.feedback,
        "error": evaluation.error,
    }


def evaluation_from_dict(data: Mapping[str, Any]) -> Evaluation:
    """Inverse of :func:`evaluation_to_dict`."""
    return Evaluation(
        score=float(data["score"]),
        passed=bool(data["passed"]),
        metrics=dict(data.get("metrics", {})),
        feedback=data.get("feedback", ""),
        error=data.get("error"),
    )


def agent_view(evaluation: Evaluation) -> Evaluation:
    """The part of an evaluation the agent may see: its own-data fit, never held-out truth."""
    visible = {k: v for k, v in evaluation.metrics.items() if k.startswith(AGENT_VISIBLE_PREFIXES)}
    return Evaluation(
        score=0.0,
        passed=False,
        metrics=visible,
        feedback=evaluation.feedback,
        error=evaluation.error,
    )


def best_by_own_data(records: list[Any], n: int) -> list[ScoredCandidate]:
    """The ``n`` distinct formulas that fit the agent's own data best, as the agent sees them.

    Ranking uses only agent-visible metrics (``data_*``, ``complexity``), newest evaluation of
    each formula winning, so the proposer's context never depends on the hidden truth.
    """
    latest = latest_per_formula(records)

    def key(record: Any) -> tuple[float, float]:
        metrics = record.evaluation.metrics
        loss = float(metrics.get(DATA_LOSS_METRIC, float("inf")))
        return (loss if np.isfinite(loss) else float("inf"), float(metrics.get("complexity", 0)))

    ranked = sorted(latest.values(), key=key)[:n]
    return [
        ScoredCandidate(candidate=r.candidate, evaluation=agent_view(r.evaluation)) for r in ranked
    ]


def is_confident(proposer: Proposer, context: ProposalContext, front: list[Candidate]) -> bool:
    """Whether the proposer says its top pick fits the data to the noise floor."""
    check: Callable[[ProposalContext, list[Candidate]], bool] | None = getattr(
        proposer, "is_confident", None
    )
    if check is not None:
        return bool(check(context, front))
    return bool(front and front[0].metadata.get("converged"))


def recent_attempts(records: list[Any], round_: int) -> list[ScoredCandidate]:
    """Last round's candidates, failures included, as the agent may see them."""
    return [
        ScoredCandidate(candidate=r.candidate, evaluation=agent_view(r.evaluation))
        for r in records
        if r.candidate.generation == round_ - 1 and r.evaluation is not None
    ]


def parse_failure(candidate: Candidate) -> Evaluation | None:
    """A failed evaluation for a candidate whose proposer could not read the model's reply."""
    error = candidate.metadata.get("parse_error")
    if not error:
        return None
    return Evaluation.failure(f"unreadable reply: {error}")


def build_explorer(
    *,
    env: Environment,
    proposer: Proposer,
    verifier: Verifier,
    store: Store,
    settings: ExplorerSettings,
    checkpointer: BaseCheckpointSaver | None = None,
    journal: Journal | None = None,
) -> Any:
    """Build and compile the explorer graph for one campaign.

    ``journal`` (a :class:`discolab.agents.llm.journal.CallJournal`) stores, caps and replays
    model calls; proposers get it only as a :class:`JournalHandle` in their context, which
    leads to nothing else (the journal itself holds the store).
    """
    cid = settings.campaign_id
    handle = None if journal is None else JournalHandle(journal)

    def answered(state: ExplorerState) -> list[Experiment]:
        """The experiments this state has answered: a step replayed from an older checkpoint
        (the store may already hold a later round's call) sees what it saw the first time."""
        return [e for e in store.experiments(cid) if e.index < state.get("calls_used", 0)]

    def recorded(state: ExplorerState) -> list[Any]:
        """Candidates of the rounds before this state's round (see :func:`answered`)."""
        round_ = state.get("round", 0)
        return [r for r in store.candidates(cid) if r.candidate.generation < round_]

    def context(state: ExplorerState) -> ProposalContext:
        records = recorded(state)
        best = best_by_own_data(records, settings.context_size)
        round_ = state.get("round", 0)
        return ProposalContext(
            spec=env.spec,
            experiments=tuple(answered(state)),
            best=tuple(best),
            round=round_,
            seed=int(np.random.SeedSequence([settings.seed, round_]).generate_state(1)[0]),
            recent=tuple(recent_attempts(records, round_)),
            last_error=state.get("last_error"),
            journal=handle,
        )

    def design(state: ExplorerState) -> ExplorerState:
        round_ = state.get("round", 0)
        rng = np.random.default_rng([settings.seed, round_, _DESIGN_STREAM])
        try:
            points = proposer.design_experiments(context(state), rng)
        except ProposalRejected as exc:
            logger.warning("round %d: no experiment designed: %s", round_, exc)
            return {"pending_points": [], "last_error": str(exc)}
        return {"pending_points": [dict(p) for p in points]}

    def stalled(state: ExplorerState, error: str | None = None) -> ExplorerState:
        update: ExplorerState = {"stalled_rounds": state.get("stalled_rounds", 0) + 1}
        if error is not None:
            update |= {"last_error": error, "pending_points": []}
        return update

    def experiment(state: ExplorerState) -> ExplorerState:
        index = state.get("calls_used", 0)
        stored = store.get_experiment(cid, index)
        if stored is None:
            points = state.get("pending_points", [])
            if not points and state.get("last_error"):
                return stalled(state)  # the design step failed; its error is the feedback
            env.restore(index)
            try:
                outputs = env.experiment(points)
            except ExperimentError as exc:
                logger.warning("experiment %d refused: %s", index, exc)
                return stalled(state, f"experiment refused: {exc}")
            stored = store.record_experiment(
                cid, Experiment(index=index, inputs=tuple(points), outputs=tuple(outputs))
            )
        answered_now = [*answered(state), stored]
        problems = design_support(env.spec, answered_now).problems(1)
        note = None
        if problems:
            note = (
                "your experiments so far cannot confirm any law: "
                + "; ".join(problems)
                + ". Vary every input over its range."
            )
        return {
            "calls_used": index + 1,
            "pending_points": [],
            "last_error": note,
            "stalled_rounds": 0,
        }

    def propose(state: ExplorerState) -> ExplorerState:
        ctx = context(state)
        if not ctx.experiments:
            return {"pending_candidates": []}
        front = list(proposer.propose(ctx))
        streak = state.get("confident_streak", 0)
        usable = [c for c in front if not c.metadata.get("parse_error")]
        top = usable[0].source if usable else None
        if (
            top is not None
            and is_confident(proposer, ctx, front)
            and is_supported(env.spec, ctx.experiments, top)
        ):
            streak = streak + 1 if top == state.get("final_source") else 1
        else:
            streak = 0
        unusable = state.get("unusable_replies", 0) + 1 if front and not usable else 0
        return {
            "pending_candidates": [candidate_to_dict(c) for c in front],
            "final_source": top if top is not None else state.get("final_source"),
            "confident_streak": streak,
            "unusable_replies": unusable,
        }

    def verify(state: ExplorerState) -> ExplorerState:
        experiments = answered(state)
        evaluations = []
        for data in state.get("pending_candidates", []):
            candidate = candidate_from_dict(data)
            evaluation = parse_failure(candidate) or verifier.evaluate(candidate, experiments)
            evaluations.append(evaluation_to_dict(evaluation))
        return {"pending_evaluations": evaluations}

    def record(state: ExplorerState) -> ExplorerState:
        round_ = state.get("round", 0)
        items = [
            (
                f"r{round_}-{i}",
                replace(candidate_from_dict(c), generation=round_),
                VERIFIER_ID,
                evaluation_from_dict(e),
            )
            for i, (c, e) in enumerate(
                zip(
                    state.get("pending_candidates", []),
                    state.get("pending_evaluations", []),
                    strict=True,
                )
            )
        ]
        if items:
            store.record_batch(cid, items)
        return {"pending_candidates": [], "pending_evaluations": [], "round": round_ + 1}

    def decide(state: ExplorerState) -> ExplorerState:
        reason, halted = None, False
        if state.get("calls_used", 0) >= env.budget:
            reason = f"experiment budget spent ({env.budget} calls)"
        elif settings.stop_when_confident and state.get("confident_streak", 0) >= settings.patience:
            reason = f"converged: same confident law for {settings.patience} rounds"
        elif state.get("round", 0) >= settings.max_rounds:
            reason = f"round limit reached ({settings.max_rounds})"
        elif state.get("stalled_rounds", 0) >= settings.max_stalled_rounds:
            reason, halted = (
                f"no experiment answered in {settings.max_stalled_rounds} consecutive rounds "
                f"(last problem: {state.get('last_error') or 'none recorded'})",
                True,
            )
        elif state.get("unusable_replies", 0) >= settings.max_unusable_replies:
            reason, halted = (
                f"{settings.max_unusable_replies} consecutive replies held no readable law",
                True,
            )
        return {"stop_reason": reason, "halted": halted}

    def route(state: ExplorerState) -> Literal["design", "__end__"]:
        return END if state.get("stop_reason") else "design"

    graph = StateGraph(ExplorerState)
    graph.add_node("design", design)
    graph.add_node("experiment", experiment)
    graph.add_node("propose", propose)
    graph.add_node("verify", verify)
    graph.add_node("record", record)
    graph.add_node("decide", decide)
    graph.add_edge(START, "design")
    graph.add_edge("design", "experiment")
    graph.add_edge("experiment", "propose")
    graph.add_edge("propose", "verify")
    graph.add_edge("verify", "record")
    graph.add_edge("record", "decide")
    graph.add_conditional_edges("decide", route, ["design", END])
    return graph.compile(checkpointer=checkpointer)


def is_supported(spec: TaskSpec, experiments: Sequence[Experiment], source: str) -> bool:
    """Whether the design behind ``experiments`` can confirm the law ``source`` (enough
    distinct points for its free constants, every input varied; see
    :mod:`discolab.agents.evidence`). An unreadable law is never supported."""
    try:
        parameters = len(parse_expression(source, spec.formula_names).parameters)
    except DiscolabError:
        return False
    return design_support(spec, experiments).supports(parameters)


RESUME_HALTED: ExplorerState = {
    "stop_reason": None,
    "halted": False,
    "stalled_rounds": 0,
    "unusable_replies": 0,
}
"""The input that restarts a campaign a stopping rule halted: its counters start again."""


def recursion_limit(settings: ExplorerSettings, budget: int) -> int:
    """LangGraph super-step limit large enough for every round the campaign may run.

    A round that spends a call is bounded by the budget; rounds that spend none are bounded
    by the stopping rules, so at most ``max_stalled_rounds`` of them follow each call.
    """
    rounds = (budget + 1) * settings.max_stalled_rounds + budget
    return 6 * (min(settings.max_rounds, rounds) + 2) + 10
