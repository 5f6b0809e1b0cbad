"""The offline symbolic-regression search: data in, Pareto front of formulas out.

Several stages feed one front. The log-linear stage (:mod:`powerlaw`) fits products of powers
of inputs and of simple compositions (trigonometric functions of angles in radians or
degrees among them), exponents snapped to simple rationals or closed forms; it recovers power
laws exactly and in milliseconds. Each later stage runs only while nothing has reached the
noise floor (by a margin, under noise): screened combinations of two extra factors and sums of
trigonometric terms (:mod:`combos`), exponential factors of monomials (:mod:`separable`),
separable laws with one curved factor of one input and free exponents (:mod:`factor`), fits
of a transformed output such as ``log(1 + 1/y)``, ``1/y`` or ``sin(y)`` (:mod:`transforms`),
sums of two terms (:mod:`terms`: monomials, logarithms, exponentials, led by the best power
laws too) and of three (:mod:`sums`), exponent refinement of the best near misses
(:mod:`refine`), and genetic programming (:mod:`gp`), seeded with the best shapes so far and
stopped by a counted evaluation budget (:mod:`budget`), never by the clock in normal runs.
The pick's inner constants are then fixed to simple values where the data allow
(:mod:`simple_constants`). A stage that raises is logged and skipped. The search sees only
the data and the declared inputs, never the hidden law.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from discolab.agents.search.budget import Budget
from discolab.agents.search.combos import screened_sets
from discolab.agents.search.data import Dataset, make_dataset
from discolab.agents.search.factor import fit_factors
from discolab.agents.search.features import Feature, Library, build_library, feature_sets
from discolab.agents.search.front import Solution, pareto_front, pick, pick_threshold
from discolab.agents.search.gp import GPConfig, run_gp
from discolab.agents.search.powerlaw import fit_feature_set
from discolab.agents.search.refine import refine_best
from discolab.agents.search.separable import exp_features
from discolab.agents.search.simple_constants import simplify_constants
from discolab.agents.search.sums import fit_three_terms
from discolab.agents.search.terms import fit_two_terms
from discolab.agents.search.transforms import fit_transformed
from discolab.agents.search.treeops import strip_scale
from discolab.types import Variable

logger = logging.getLogger(__name__)

EXACT_FLOOR = 1e-8
"""Loss below which a fit counts as exact whatever the declared noise (float round-off)."""


DEFAULT_EVALUATIONS = 6000
"""Default :attr:`SearchConfig.max_evaluations`: a few CPU seconds of GP on 200 points."""


@dataclass(frozen=True)
class SearchConfig:
    """Settings of :func:`search_laws`.

    Attributes:
        gp: settings of the genetic-programming stage.
        use_gp: run the GP stage at all.
        use_terms: try two-term laws ``C*P1 + C1*P2`` of monomials when the log-linear stage
            does not reach the noise floor.
        use_separable: try exponential factors of monomials (``exp(C1*t**1.5)``,
            ``exp(C1*E/T)``) when plain power laws do not reach the noise floor.
        use_combos: also fit the few most promising sets of two extra factors and of sums of
            trigonometric terms (:mod:`combos`) when plain feature sets miss the floor.
        use_sums: try three-term laws ``C*(P1 + C1*P2 + C2*P3)`` (:mod:`sums`) when no
            two-term law reaches the noise floor.
        use_factors: try separable laws ``C*Π x_i**a_i * g(x_j)`` with one curved factor
            (an offset, saturation, threshold, logarithm or trigonometric anisotropy, free
            exponents; :mod:`factor`) when no earlier stage reaches the noise floor.
        simplify_constants: fix the pick's inner constants to simple values (``1``, ``-1``,
            ``1/2`` ...) where the loss stays within the pick's tolerance
            (:mod:`simple_constants`): fewer free parameters state the law better.
        use_refine: refit and re-snap the exponents of the best solutions (:mod:`refine`)
            when no earlier stage reaches the noise floor.
        refine_top: how many solutions (the best of distinct stages) are refined.
        use_transforms: fit transformed outputs (``log(1 + 1/y)``, ``sin(y)``, ``y**2`` ...)
            and state the result for ``y`` when nothing simpler reaches the noise floor.
        explore_margin: the separable, transform and sum stages run unless the best loss is below
            ``floor / explore_margin``: under noise a curved law (``asin`` of a small argument,
            a weakly damped frequency) can hide just under the floor as a power law, and the
            pick still prefers the simpler formula unless the new one is clearly better.
        gp_when_converged: also run GP when the log-linear stage already reached the noise
            floor (off by default: it costs time and can only add noise-fitting variants).
        max_evaluations: the counted budget of the open-ended genetic stage: formula
            evaluations on the data (each distinct shape scored, each evaluation inside its
            constant fits). It is the normal stopping rule besides the generation count, and
            the same on a loaded or an idle machine, so a seed always gives the same result.
        time_limit_s: wall-clock safety net of one search, far above what the counted budget
            normally takes; GP and the output transforms stop starting new work after it, and
            a run it cuts short is logged and may then depend on machine load.
        keep_per_set: snapped exponent combinations kept per log-linear feature set.
        pick_rel_tol: how much worse (relatively) than the best loss a simpler front member may
            be and still be picked; see :func:`front.pick`.
        gp_seeds: how many of the best log-linear shapes seed the GP population.
    """

    gp: GPConfig = field(default_factory=GPConfig)
    use_gp: bool = True
    use_terms: bool = True
    use_separable: bool = True
    use_transforms: bool = True
    use_combos: bool = True
    use_refine: bool = True
    use_sums: bool = True
    use_factors: bool = True
    simplify_constants: bool = True
    refine_top: int = 4
    explore_margin: float = 3.0
    gp_when_converged: bool = False
    max_evaluations: int = DEFAULT_EVALUATIONS
    time_limit_s: float = 300.0
    keep_per_set: int = 6
    pick_rel_tol: float = 0.1
    gp_seeds: int = 8


@dataclass(frozen=True)
class SearchResult:
    """What a search found.

    Attributes:
        front: non-dominated solutions, by increasing complexity (empty when nothing fits).
        pick: index in ``front`` of the parsimonious choice, ``-1`` when the front is empty.
        converged: whether the pick's loss is at the noise floor of the data.
        n_points: observations used after cleaning.
        elapsed_s: wall-clock time of the search.
        reason: why the front is empty, or ``""``.
    """

    front: list[Solution]
    pick: int
    converged: bool
    n_points: int
    elapsed_s: float
    reason: str = ""

    @property
    def best(self) -> Solution | None:
        """The picked solution, if any."""
        return self.front[self.pick] if self.front else None


def noise_floor(noise: float) -> float:
    """Loss a correct law should reach at relative noise ``noise`` (RMS log residual ~ noise)."""
    return max(1.5 * max(noise, 0.0), EXACT_FLOOR)


def search_laws(
    columns: Mapping[str, Sequence[float]],
    outputs: Sequence[float],
    names: Sequence[str],
    rng: np.random.Generator,
    *,
    variables: Sequence[Variable] = (),
    noise: float = 0.0,
    config: SearchConfig | None = None,
) -> SearchResult:
    """Search formulas ``y = f(inputs)`` for the observations and return their Pareto front.

    Args:
        columns: input name -> values, one per observation.
        outputs: the measured values.
        names: input names in task order (formulas use exactly these).
        rng: the only source of randomness (GP choices).
        variables: declared inputs, used for units (sums only of like quantities).
        noise: the declared relative measurement noise, which sets the convergence floor.
        config: search settings; defaults are sized for a few hundred points in ~1 s.
    """
    config = config or SearchConfig()
    start = time.monotonic()
    data = make_dataset(columns, outputs, names)
    if data is None:
        return SearchResult([], -1, False, 0, time.monotonic() - start, "no finite observations")
    floor = noise_floor(noise)
    with np.errstate(all="ignore"):
        budget = Budget(config.max_evaluations, start + config.time_limit_s)
        pool = _run_stages(data, variables, config, rng, floor, budget)
        if not pareto_front(pool) and data.log_mode and not data.one_sign:
            # Signs that change with no input to carry them (an oscillation) defeat every
            # log-space fit; such data are fitted again on the linear loss.
            logger.info("no formula carries the outputs' sign changes; refitting linearly")
            linear = replace(data, log_mode=False, sign=np.empty(0), log_abs_y=np.empty(0))
            pool = _run_stages(linear, variables, config, rng, floor, budget)
    front = pareto_front(pool)
    index = pick(front, rel_tol=config.pick_rel_tol, abs_tol=EXACT_FLOOR, n_points=data.n)
    if front and config.simplify_constants:
        limit = pick_threshold(front, config.pick_rel_tol, EXACT_FLOOR, data.n)
        with np.errstate(all="ignore"):
            simpler = _guarded_one(simplify_constants, data, front[index], limit)
        if simpler is not front[index]:
            logger.info("fixed inner constants: %s -> %s", front[index].source, simpler.source)
            front[index] = simpler
    elapsed = time.monotonic() - start
    if not front:
        return SearchResult([], -1, False, data.n, elapsed, "no formula could be fitted")
    converged = front[index].loss <= floor
    logger.info(
        "search on %d points: %d on the front, pick %s (loss %.3g%s) in %.2fs",
        data.n,
        len(front),
        front[index].source,
        front[index].loss,
        ", converged" if converged else "",
        elapsed,
    )
    return SearchResult(front, index, converged, data.n, elapsed)


def _guarded(
    stage: str, run: Callable[..., list[Solution]], *args: Any, **kwargs: Any
) -> list[Solution]:
    """``run(*args, **kwargs)``, the solutions of one stage, or none when the stage fails.

    A search must never lose a round to one stage's internal error on odd data: the error is
    logged with its stage and traceback, and the other stages still run. Root causes found
    this way are fixed in the stage itself; this is the safety net.
    """
    start = time.process_time()
    try:
        out = run(*args, **kwargs)
        logger.debug(
            "stage %s: %d solutions in %.2f CPU s", stage, len(out), time.process_time() - start
        )
        return out
    except Exception:
        logger.warning("search stage %s failed; skipping it", stage, exc_info=True)
        return []


def _guarded_one(
    run: Callable[[Dataset, Solution, float], Solution],
    data: Dataset,
    solution: Solution,
    limit: float,
) -> Solution:
    """``run(data, solution, limit)``, or ``solution`` unchanged when that raises (logged)."""
    try:
        return run(data, solution, limit)
    except Exception:
        logger.warning("simplifying constants of %s failed", solution.source, exc_info=True)
        return solution


def _run_stages(
    data: Dataset,
    variables: Sequence[Variable],
    config: SearchConfig,
    rng: np.random.Generator,
    floor: float,
    budget: Budget,
) -> list[Solution]:
    """Every solution of every stage that ran; later stages run only below the noise floor."""
    pool: list[Solution] = []

    def best() -> float:
        return min((s.loss for s in pool), default=math.inf)

    explore = floor / config.explore_margin
    if data.log_mode:
        library = build_library(data, variables)
        pool.extend(_guarded("powerlaw", _fit_sets, data, feature_sets(library), config))
        if config.use_combos and best() > explore:
            pool.extend(_guarded("combos", _fit_combos, data, library, config))
        if config.use_separable and best() > explore:
            pool.extend(_guarded("separable", _fit_separable, data, library, config))
    else:
        logger.info("outputs change sign or touch zero; skipping the log-linear stage")
    logger.debug("log-linear stage: %d solutions, best loss %.3g", len(pool), best())
    if config.use_factors and best() > explore:
        pool.extend(_guarded("factor", fit_factors, data, budget=budget))
    if config.use_transforms and best() > explore:
        pool.extend(_guarded("transforms", fit_transformed, data, variables, budget=budget))
    if config.use_terms and best() > explore:
        leading = sorted((s for s in pool if s.origin == "powerlaw"), key=lambda s: s.loss)
        anchors = [strip_scale(s.expr) for s in leading[:3]]
        pool.extend(_guarded("terms", fit_two_terms, data, anchors=anchors))
    if config.use_sums and best() > explore:
        pool.extend(_guarded("sums", fit_three_terms, data))
    if config.use_refine and best() > floor:
        pool.extend(_guarded("refine", refine_best, data, pool, top=config.refine_top))
    if config.use_gp and (config.gp_when_converged or best() > floor):
        seeds = [strip_scale(s.expr) for s in sorted(pool, key=lambda s: s.loss)]
        seeds = list({repr(s): s for s in seeds}.values())[: config.gp_seeds]
        target = floor / 1.5
        pool.extend(_guarded("gp", run_gp, data, seeds, config.gp, rng, budget, target))
    return pool


def _fit_sets(
    data: Dataset, sets: Sequence[Sequence[Feature]], config: SearchConfig
) -> list[Solution]:
    """The log-linear solutions of every feature set."""
    out: list[Solution] = []
    for features in sets:
        out.extend(fit_feature_set(data, features, keep_per_set=config.keep_per_set))
    return out


def _fit_combos(data: Dataset, library: Library, config: SearchConfig) -> list[Solution]:
    """Log-linear solutions of the screened two-extra and trigonometric-sum sets."""
    return _fit_sets(data, screened_sets(data, library), config)


def _fit_separable(data: Dataset, library: Library, config: SearchConfig) -> list[Solution]:
    """Log-linear solutions with one exponential of a monomial beside the inputs."""
    return _fit_sets(data, [(*library.inputs, f) for f in exp_features(data, library)], config)
