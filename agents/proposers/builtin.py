"""The built-in offline law proposer: designed experiments plus symbolic regression.

``BuiltinLawProposer`` needs no network and no model. It spreads experiments over the declared
input domain (Latin hypercube, in log space for log-scale inputs, with some points pushed to
the edges of the ranges from the second round on, where exponents and sums are easiest to tell
apart) and turns the experiment log into a Pareto front of formulas with
:func:`discolab.agents.search.search_laws`.

Candidate order and metadata (the contract with the explorer):

* ``candidates[0]`` is the proposer's *pick*: the simplest front member whose loss is within
  ``pick_rel_tol`` of the best loss (more on small samples, see ``search.front.pick``). The
  other front members follow by increasing loss, at most ``max_front`` in all.
* ``metadata`` of every candidate holds ``complexity`` (rendered node count; an exponent
  that is not an integer, half, third or quarter counts 2), ``loss`` (RMS log
  residual on all experiments so far, a relative error), ``fitted`` (parameter -> value),
  ``origin`` (search stage), ``n_points``, ``pick`` (True only for the first) and
  ``converged`` (True when the loss is at the noise floor implied by ``spec.noise``).
* :meth:`BuiltinLawProposer.is_confident` says whether the pick can be trusted; the explorer
  stops early once the same pick is confident in two consecutive rounds.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import numpy as np

from discolab.agents.proposers.base import ProposalContext
from discolab.agents.search import (
    DEFAULT_EVALUATIONS,
    GPConfig,
    SearchConfig,
    SearchResult,
    noise_floor,
    search_laws,
)
from discolab.assistance import INVERSION
from discolab.environments.observations import law_data
from discolab.errors import ExperimentError, ProposerError
from discolab.types import Candidate, CandidateKind, TaskSpec, Variable

logger = logging.getLogger(__name__)


class BuiltinLawProposer:
    """Offline symbolic-regression proposer for expression (law discovery) tasks.

    Args:
        max_front: most candidates returned per round (the pick plus the lowest-loss others).
        max_evaluations: counted budget of the genetic stage of one ``propose`` (formula
            evaluations on the data, see ``SearchConfig.max_evaluations``); with the generation
            count it is what normally ends the search, the same on any machine, so a seed
            always gives the same candidates.
        time_limit_s: wall-clock safety net of one ``propose``, far above what the counted
            budget takes; a cap that binds is logged and makes the result depend on machine
            speed.
        population: individuals per generation of the genetic stage.
        generations: generations of the genetic stage (it also stops at the noise floor).
        use_gp: run the genetic stage when the log-linear stage does not reach the noise floor.
        pick_rel_tol: relative loss slack within which a simpler formula is preferred.
        edge_fraction: share of each batch from the second round on placed near the ends of the
            input ranges (0 disables it).
        min_points_confident: fewest observations before :meth:`is_confident` can say yes.
        max_samples: most law samples the search fits (evenly thinned beyond it); system
            tasks recover dozens of samples from every recorded run.
    """

    name = "builtin"

    def __init__(
        self,
        *,
        max_front: int = 8,
        max_evaluations: int = DEFAULT_EVALUATIONS,
        time_limit_s: float = 300.0,
        population: int = 160,
        generations: int = 30,
        use_gp: bool = True,
        pick_rel_tol: float = 0.1,
        edge_fraction: float = 0.25,
        min_points_confident: int = 10,
        max_samples: int = 400,
    ) -> None:
        if max_front < 1:
            raise ProposerError(f"max_front must be at least 1, got {max_front!r}")
        if not (time_limit_s > 0 and math.isfinite(time_limit_s)):
            raise ProposerError(f"time_limit_s must be a positive number, got {time_limit_s!r}")
        if isinstance(max_evaluations, bool) or not isinstance(max_evaluations, int | np.integer):
            raise ProposerError(
                f"max_evaluations must be a whole number of evaluations, got {max_evaluations!r}"
            )
        if max_evaluations < 1:
            raise ProposerError(
                f"max_evaluations must be at least 1, got {max_evaluations!r}; "
                f"the default is {DEFAULT_EVALUATIONS}"
            )
        if population < 4 or generations < 0:
            raise ProposerError(
                f"population must be >= 4 and generations >= 0, got {population!r}, {generations!r}"
            )
        if not 0.0 <= edge_fraction <= 1.0:
            raise ProposerError(f"edge_fraction must be in [0, 1], got {edge_fraction!r}")
        self.max_front = int(max_front)
        self.edge_fraction = float(edge_fraction)
        self.min_points_confident = int(min_points_confident)
        if max_samples < 8:
            raise ProposerError(f"max_samples must be at least 8, got {max_samples!r}")
        self.max_samples = int(max_samples)
        self.config = SearchConfig(
            gp=GPConfig(population=int(population), generations=int(generations)),
            use_gp=bool(use_gp),
            max_evaluations=int(max_evaluations),
            time_limit_s=float(time_limit_s),
            pick_rel_tol=float(pick_rel_tol),
        )

    # -- experiments -------------------------------------------------------------------------

    def design_experiments(
        self, context: ProposalContext, rng: np.random.Generator
    ) -> list[dict[str, float]]:
        """``spec.max_batch`` points inside the declared ranges.

        Round 0 is a Latin hypercube over the whole domain; later rounds are a fresh hypercube
        with ``edge_fraction`` of the points moved close to the range ends of random inputs.
        """
        spec = context.spec
        n = max(int(spec.max_batch), 1)
        units = _latin_hypercube(n, len(spec.inputs), rng)
        if context.experiments and self.edge_fraction > 0 and spec.inputs:
            n_edge = round(self.edge_fraction * n)
            for row in range(n - n_edge, n):
                for j in range(len(spec.inputs)):
                    if rng.random() < 0.5:
                        end = rng.uniform(0.0, 0.05)
                        units[row, j] = end if rng.random() < 0.5 else 1.0 - end
        return [
            {v.name: _from_unit(v, float(units[i, j])) for j, v in enumerate(spec.inputs)}
            for i in range(n)
        ]

    # -- proposals ---------------------------------------------------------------------------

    def propose(self, context: ProposalContext) -> list[Candidate]:
        """The Pareto front for all experiments so far, pick first (see the module docstring).

        Returns an empty list, with the reason logged, when the data admit no fit (no
        experiments, nothing finite).

        Raises:
            ProposerError: for a task whose candidates are programs, not formulas.
        """
        spec = context.spec
        if spec.kind != CandidateKind.EXPRESSION:
            raise ProposerError(
                f"BuiltinLawProposer proposes formulas, but task {spec.task_id!r} wants "
                f"{spec.kind.value} candidates; use the program proposer for it"
            )
        result = self.search(spec, context)
        if result is None:
            return []
        if not result.front:
            logger.warning("no candidates for %s: %s", spec.task_id, result.reason)
            return []
        return self._candidates(result, context.round, spec.noise)

    def search(self, spec: TaskSpec, context: ProposalContext) -> SearchResult | None:
        """Run the search on every experiment of ``context``; ``None`` without any data.

        Never raises on data: an internal search error is logged and gives an empty front
        whose ``reason`` names it.
        """
        try:
            columns, outputs = law_data(spec, context.experiments)
        except ExperimentError as exc:
            logger.warning("unreadable experiments for %s: %s", spec.task_id, exc)
            return None
        if not outputs.size:
            logger.warning("no law samples yet for %s; nothing to propose", spec.task_id)
            return None
        columns, outputs = _thin(columns, outputs, self.max_samples)
        rng = np.random.default_rng(context.seed)
        try:
            return search_laws(
                {n: c.tolist() for n, c in columns.items()},
                outputs.tolist(),
                spec.formula_names,
                rng,
                variables=spec.formula_inputs,
                noise=spec.noise,
                config=self.config,
            )
        except Exception as exc:
            # The search guards each stage; this is the last net, so that no data can cost
            # the campaign a round (the explorer treats an empty front as "nothing yet").
            logger.error("search failed on %s: %s", spec.task_id, exc, exc_info=True)
            return SearchResult([], -1, False, int(outputs.size), 0.0, f"search failed: {exc}")

    def _candidates(self, result: SearchResult, generation: int, noise: float) -> list[Candidate]:
        picked = result.front[result.pick]
        others = sorted(
            (s for i, s in enumerate(result.front) if i != result.pick),
            key=lambda s: (s.loss, s.complexity),
        )
        floor = noise_floor(noise)
        out = []
        for rank, sol in enumerate([picked, *others][: self.max_front]):
            out.append(
                Candidate(
                    kind=CandidateKind.EXPRESSION,
                    source=sol.source,
                    proposer=self.name,
                    generation=generation,
                    metadata={
                        "complexity": sol.complexity,
                        "loss": sol.loss,
                        "fitted": dict(sol.fitted),
                        "origin": sol.origin,
                        "n_points": result.n_points,
                        "pick": rank == 0,
                        "converged": sol.loss <= floor,
                    },
                )
            )
        return out

    def assistance(self, spec: TaskSpec) -> tuple[str, ...]:
        """``("inversion",)`` on a system task, where :meth:`search` reads law samples
        through the apparatus' inversion (``law_data``); nothing on a vanilla task, whose
        experiments are law samples already."""
        return (INVERSION,) if spec.is_system else ()

    def is_confident(self, context: ProposalContext, candidates: Sequence[Candidate]) -> bool:
        """Whether the first candidate is a law at the noise floor on enough data.

        True when ``candidates[0]`` has ``converged`` metadata and was fitted on at least
        ``min_points_confident`` observations and more than ``4·(inputs + 1)`` of them, so a
        handful of points cannot make any formula look exact.
        """
        if not candidates:
            return False
        meta = candidates[0].metadata
        n_points = int(meta.get("n_points", 0))
        needed = max(self.min_points_confident, 4 * (len(context.spec.formula_inputs) + 1) + 1)
        return bool(meta.get("converged")) and n_points >= needed


def _thin(
    columns: dict[str, np.ndarray], outputs: np.ndarray, limit: int
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """At most ``limit`` samples, evenly spaced (system records give thousands of near
    duplicates; the search's cost grows with the sample count, its information barely)."""
    if outputs.size <= limit:
        return columns, outputs
    keep = np.unique(np.linspace(0, outputs.size - 1, limit).round().astype(int))
    return {n: c[keep] for n, c in columns.items()}, outputs[keep]


def _latin_hypercube(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` points in the unit cube, one per stratum in every dimension."""
    units = np.empty((n, d))
    for j in range(d):
        units[:, j] = (rng.permutation(n) + rng.random(n)) / n
    return units


def _from_unit(v: Variable, u: float) -> float:
    """Map ``u`` in [0, 1] to the range of ``v`` (log-uniform for log-scale positive ranges)."""
    lo, hi = float(v.low), float(v.high)
    if hi <= lo:
        return lo
    if v.log_scale and lo > 0:
        value = math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo)))
    else:
        value = lo + u * (hi - lo)
    return min(max(value, lo), hi)
