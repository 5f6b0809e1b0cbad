"""``builtin-sim``: the built-in's experiments, with laws fitted through the apparatus.

On a system task, :class:`SimulatorLawProposer` never reads law samples out of its records
(no ``law_samples``, no ``law_data``): it simulates candidate laws from a generic grammar
(:mod:`discolab.agents.simfit`) in the task's apparatus at the agent's own run controls, fits
their constants by least squares on the recorded series and ranks structures by that fit. The
forward simulator is still help the agent got, so the run records assistance ``simulator``
(see :mod:`discolab.assistance`): it is ranked apart from unassisted runs and from those that
read the apparatus' inversion.

On a vanilla task, whose experiments are law samples already, it is the built-in proposer.

Candidate metadata follows the built-in's contract (``complexity``, ``loss``, ``fitted``,
``origin``, ``n_points``, ``pick``, ``converged``), where ``loss`` is the RMS residual of the
simulated records, each series divided by its largest magnitude, and ``n_points`` counts runs;
``sim_calls`` and ``stop`` say how much of the simulation budget was used and why it ended.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from discolab.agents.proposers.base import ProposalContext
from discolab.agents.proposers.builtin import BuiltinLawProposer
from discolab.agents.simfit import SimBudget, SimSearchConfig, SimSearchResult, search_by_simulation
from discolab.agents.simfit.records import record_set
from discolab.assistance import SIMULATOR
from discolab.environments.observations import apparatus_for
from discolab.errors import DiscolabError, ExperimentError, ProposerError
from discolab.types import Candidate, CandidateKind, TaskSpec

logger = logging.getLogger(__name__)

NAME = "builtin-sim"


class SimulatorLawProposer:
    """Law proposer that fits candidates through the apparatus' forward simulation.

    Args:
        sim_budget: simulator calls of a full search (the deterministic budget).
        light_budget: simulator calls of a light round (monomials only): every round but
            those after every ``full_every``-th experiment call and after the last one,
            which get the full search, so a campaign that spends all its calls ends on one.
        full_every: experiment calls between full searches (see ``light_budget``).
        max_runs: most recorded runs fitted on (evenly thinned beyond it); each simulator
            call simulates all of them at once.
        calls_per_fit: simulator calls one least-squares refinement may use.
        random_starts: seeded random integer-exponent starts of the monomial stage.
        extensions: also try exponential, trig, outer-function and two-term families.
        time_limit_s: wall-clock safety net of one ``propose``; the budget normally ends the
            search long before it, so results do not depend on machine speed.
        max_front: most candidates returned per round.
        pick_rel_tol: relative loss slack within which a simpler formula is preferred.
        edge_fraction: as for the built-in (experiment design near the range ends).
        min_runs_confident: fewest runs before :meth:`is_confident` can say yes.
    """

    name = NAME

    def __init__(
        self,
        *,
        sim_budget: int = 800,
        light_budget: int = 150,
        full_every: int = 5,
        max_runs: int = 12,
        calls_per_fit: int = 120,
        random_starts: int = 4,
        extensions: bool = True,
        time_limit_s: float = 300.0,
        max_front: int = 4,
        pick_rel_tol: float = 0.1,
        edge_fraction: float = 0.25,
        min_runs_confident: int = 8,
    ) -> None:
        checks = (
            ("sim_budget", sim_budget >= 100, "must be at least 100 simulator calls"),
            ("light_budget", light_budget >= 50, "must be at least 50 simulator calls"),
            ("full_every", full_every >= 1, "must be at least 1"),
            ("max_runs", max_runs >= 1, "must be at least 1"),
            ("calls_per_fit", calls_per_fit >= 10, "must be at least 10"),
            ("random_starts", random_starts >= 0, "must be >= 0"),
            ("time_limit_s", time_limit_s > 0 and math.isfinite(time_limit_s), "must be > 0"),
            ("max_front", max_front >= 1, "must be at least 1"),
            ("min_runs_confident", min_runs_confident >= 1, "must be at least 1"),
        )
        for key, ok, rule in checks:
            if not ok:
                raise ProposerError(f"{key} = {locals()[key]!r} {rule}")
        self.sim_budget = int(sim_budget)
        self.light_budget = int(light_budget)
        self.full_every = int(full_every)
        self.max_runs = int(max_runs)
        self.time_limit_s = float(time_limit_s)
        self.max_front = int(max_front)
        self.min_runs_confident = int(min_runs_confident)
        self.config = SimSearchConfig(
            random_starts=int(random_starts),
            calls_per_fit=int(calls_per_fit),
            extensions=bool(extensions),
            pick_rel_tol=float(pick_rel_tol),
        )
        self._builtin = BuiltinLawProposer(
            max_front=max_front, pick_rel_tol=pick_rel_tol, edge_fraction=edge_fraction
        )

    def design_experiments(
        self, context: ProposalContext, rng: np.random.Generator
    ) -> list[dict[str, float]]:
        """The built-in's design: Latin hypercubes over the controls, some near the edges."""
        return self._builtin.design_experiments(context, rng)

    def propose(self, context: ProposalContext) -> list[Candidate]:
        """The front of simulation-fitted laws, pick first; ``[]`` (logged) without data.

        Raises:
            ProposerError: for a task whose candidates are programs, not formulas.
        """
        spec = context.spec
        if spec.kind != CandidateKind.EXPRESSION:
            raise ProposerError(
                f"{NAME} proposes formulas, but task {spec.task_id!r} wants "
                f"{spec.kind.value} candidates; use the program proposer for it"
            )
        if not spec.is_system:
            return [replace(c, proposer=NAME) for c in self._builtin.propose(context)]
        result = self.search(spec, context)
        if result is None or not result.front:
            return []
        return self._candidates(result, context, spec)

    def search(self, spec: TaskSpec, context: ProposalContext) -> SimSearchResult | None:
        """The simulation-fit search on every run so far; ``None`` when there is nothing to
        fit. Never raises on data: problems are logged and give ``None``."""
        if not context.experiments:
            return None
        calls = len(context.experiments)
        full = calls >= spec.budget or calls % self.full_every == 0
        budget = SimBudget(self.sim_budget if full else self.light_budget, self.time_limit_s)
        try:
            apparatus = apparatus_for(spec.task_id)
            records = record_set(apparatus, context.experiments, spec.points, budget, self.max_runs)
        except (DiscolabError, ExperimentError) as exc:
            logger.warning("cannot fit through the apparatus of %s: %s", spec.task_id, exc)
            return None
        if records.size == 0:
            logger.warning("no finite recorded values yet for %s", spec.task_id)
            return None
        floor = max(1.5 * spec.noise, 1e-6)
        config = replace(self.config, floor=floor)
        if not full:
            config = replace(config, random_starts=0, extensions=False)
        sign = -1.0 if spec.output.high <= 0 else 1.0
        try:
            result = search_by_simulation(
                records, spec.formula_inputs, np.random.default_rng(context.seed), config, sign=sign
            )
        except Exception as exc:  # the last net: no data may cost the campaign a round
            logger.error("simulation search failed on %s: %s", spec.task_id, exc, exc_info=True)
            return None
        if result.reason == "time":
            logger.warning(
                "%s: the wall-clock safety net (%.0f s) ended the search after %d simulations; "
                "this result depends on machine speed",
                spec.task_id,
                self.time_limit_s,
                result.calls,
            )
        return result

    def _candidates(
        self, result: SimSearchResult, context: ProposalContext, spec: TaskSpec
    ) -> list[Candidate]:
        picked = result.front[result.pick]
        others = sorted(
            (s for i, s in enumerate(result.front) if i != result.pick),
            key=lambda s: (s.loss, s.complexity),
        )
        floor = max(1.5 * spec.noise, 1e-6)
        out = []
        for rank, sol in enumerate([picked, *others][: self.max_front]):
            out.append(
                Candidate(
                    kind=CandidateKind.EXPRESSION,
                    source=sol.source,
                    proposer=NAME,
                    generation=context.round,
                    metadata={
                        "complexity": sol.complexity,
                        "loss": sol.loss,
                        "fitted": dict(sol.fitted),
                        "origin": result.origins.get(sol.source, sol.origin),
                        "n_points": result.runs,
                        "pick": rank == 0,
                        "converged": sol.loss <= floor,
                        "sim_calls": result.calls,
                        "stop": result.reason,
                    },
                )
            )
        return out

    def assistance(self, spec: TaskSpec) -> tuple[str, ...]:
        """``("simulator",)`` on a system task (candidates fitted through the apparatus'
        forward simulation); nothing on a vanilla task."""
        return (SIMULATOR,) if spec.is_system else ()

    def is_confident(self, context: ProposalContext, candidates: Sequence[Candidate]) -> bool:
        """Whether the pick fits the records at the noise floor on enough runs (on a vanilla
        task, the built-in's rule)."""
        if not context.spec.is_system:
            return self._builtin.is_confident(context, candidates)
        if not candidates:
            return False
        meta = candidates[0].metadata
        return (
            bool(meta.get("converged")) and int(meta.get("n_points", 0)) >= self.min_runs_confident
        )
