"""A small genetic-programming loop over shapes ``f`` of laws ``y ≈ C·f``.

It complements the log-linear stage for laws that are not products of powers (sums of terms,
trigonometric or logarithmic dependences). The population is seeded with the best log-linear
shapes and random trees; selection is by tournament on ``log(loss) + parsimony·size``;
children come from subtree crossover and mutation; constants inside the best shapes are
polished by least squares every few generations. A hall of fame keeps the best shape of every
complexity, which becomes part of the Pareto front.

The loop stops after its generations, at the target loss, or when its counted
:class:`~budget.Budget` of formula evaluations is spent (every distinct shape scored and every
evaluation inside a constant fit counts), so it is deterministic for a given generator on an
idle or a loaded machine. The budget's wall-clock deadline is only a safety net, logged when
it cuts the search short.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from discolab.agents.search.budget import Budget
from discolab.agents.search.constants import polish, shape_loss
from discolab.agents.search.data import Dataset
from discolab.agents.search.expr import Node, name_params, param, render, size
from discolab.agents.search.front import Solution
from discolab.agents.search.treeops import (
    Primitives,
    count_params,
    crossover,
    drop_scale_params,
    mutate,
    random_tree,
    simplify,
    too_big,
    typical_scales,
    with_scale,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GPConfig:
    """Settings of the genetic-programming stage.

    Attributes:
        population: individuals per generation.
        generations: generations to run (fewer if the target loss is reached or the
            evaluation budget is spent).
        tournament: contestants per tournament; larger means stronger selection.
        crossover_rate: probability a child comes from crossover rather than mutation.
        max_size: node limit of a shape; larger children are discarded.
        max_depth: depth limit of a shape.
        parsimony: selection penalty per node, in units of log-loss (0.02: a node must buy a
            2% lower loss).
        elitism: best individuals copied unchanged into the next generation.
        polish_every: generations between least-squares polishes of inner constants.
        polish_top: how many of the best shapes with constants are polished each time.
    """

    population: int = 160
    generations: int = 30
    tournament: int = 5
    crossover_rate: float = 0.35
    max_size: int = 21
    max_depth: int = 6
    parsimony: float = 0.02
    elitism: int = 3
    polish_every: int = 5
    polish_top: int = 3


class _Scorer:
    """Caches the loss of each distinct shape and keeps the hall of fame."""

    def __init__(self, data: Dataset, budget: Budget) -> None:
        self.data = data
        self.budget = budget
        self.cache: dict[str, float] = {}
        self.hall: dict[int, tuple[float, Node]] = {}

    def loss(self, shape: Node) -> float:
        key = render(shape)
        if key not in self.cache:
            self.budget.charge()
            _, loss = shape_loss(self.data, shape)
            self.cache[key] = loss
            self.offer(shape, loss)
        return self.cache[key]

    def offer(self, shape: Node, loss: float) -> None:
        if not math.isfinite(loss):
            return
        complexity = size(shape)
        old = self.hall.get(complexity)
        if old is None or loss < old[0]:
            self.hall[complexity] = (loss, shape)


def run_gp(
    data: Dataset,
    seeds: Sequence[Node],
    config: GPConfig,
    rng: np.random.Generator,
    budget: Budget,
    target_loss: float = 0.0,
) -> list[Solution]:
    """Evolve shapes on ``data`` and return the hall of fame as solutions.

    ``seeds`` are shapes (no outer scale) to start from; no new generation starts once
    ``budget`` says stop (evaluations spent, or its wall-clock safety net); the search also
    stops once the best loss is at or below ``target_loss``.
    """
    if data.n < 2:
        return []
    prims = Primitives(
        names=tuple(data.names),
        scales=typical_scales([data.columns[n] for n in data.names]),
    )
    scorer = _Scorer(data, budget)
    pop = [s for s in seeds if not too_big(s, config.max_size, config.max_depth)]
    pop = pop[: config.population // 4]
    while len(pop) < config.population:
        pop.append(random_tree(prims, rng, int(rng.integers(2, 5))))
    pop = [simplify(drop_scale_params(t)) for t in pop]
    losses = [scorer.loss(t) for t in pop]
    generation = 0
    for generation in range(config.generations):
        reason = budget.stop_reason()
        if reason:
            log = logger.warning if budget.timed_out else logger.info
            log("GP stopped after %d generations: %s", generation, reason)
            break
        if min(losses) <= target_loss:
            break
        if generation % config.polish_every == 0:
            _polish_best(scorer, pop, losses, config)
        keys = np.array([_key(loss, t, config) for loss, t in zip(losses, pop, strict=True)])
        order = np.argsort(keys, kind="stable")
        children = [pop[i] for i in order[: config.elitism]]
        while len(children) < config.population:
            parent = pop[_tournament(keys, config.tournament, rng)]
            if rng.random() < config.crossover_rate:
                other = pop[_tournament(keys, config.tournament, rng)]
                child = crossover(parent, other, rng)
            else:
                child = mutate(parent, prims, rng)
            child = simplify(drop_scale_params(child))
            if too_big(child, config.max_size, config.max_depth):
                child = parent
            children.append(child)
        pop = children
        losses = [scorer.loss(t) for t in pop]
    logger.debug(
        "GP ran %d generations, best loss %.3g, %d evaluations spent",
        generation + 1,
        min(losses),
        budget.spent,
    )
    return _hall_solutions(scorer)


def _key(loss: float, tree: Node, config: GPConfig) -> float:
    if not math.isfinite(loss):
        return math.inf
    return math.log(loss + 1e-15) + config.parsimony * size(tree)


def _tournament(keys: np.ndarray, k: int, rng: np.random.Generator) -> int:
    picks = rng.integers(len(keys), size=k)
    return int(picks[np.argmin(keys[picks])])


def _polish_best(scorer: _Scorer, pop: list[Node], losses: list[float], config: GPConfig) -> None:
    """Polish the constants of the best shapes that have any, in place."""
    order = np.argsort(np.asarray(losses), kind="stable")
    done = 0
    for i in order:
        if done >= config.polish_top or not math.isfinite(losses[i]):
            break
        if count_params(pop[i]) == 0:
            continue
        fitted, loss = polish(scorer.data, pop[i], budget=scorer.budget)
        scorer.offer(fitted, loss)
        pop[i], losses[i] = fitted, loss
        done += 1


def _hall_solutions(scorer: _Scorer) -> list[Solution]:
    """Each hall-of-fame shape, constants polished, as a full named formula."""
    out: list[Solution] = []
    for _, shape in sorted(scorer.hall.values(), key=lambda e: size(e[1])):
        if count_params(shape):
            shape, _ = polish(scorer.data, shape)
        scale, loss = shape_loss(scorer.data, shape)
        if not (math.isfinite(loss) and math.isfinite(scale)):
            continue
        expr = name_params(with_scale(shape, param(scale)))
        out.append(Solution(expr, loss, origin="gp"))
    return out
