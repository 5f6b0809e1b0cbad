"""Offline symbolic regression for hidden laws: a log-linear stage plus genetic programming.

The public entry point is :func:`search_laws`; it returns a :class:`SearchResult` whose front
holds :class:`Solution` formulas in the project's formula contract (``C``-named parameters,
fixed numeric exponents).
"""

from discolab.agents.search.budget import Budget
from discolab.agents.search.engine import (
    DEFAULT_EVALUATIONS,
    SearchConfig,
    SearchResult,
    noise_floor,
    search_laws,
)
from discolab.agents.search.front import Solution, pareto_front, pick
from discolab.agents.search.gp import GPConfig

__all__ = [
    "DEFAULT_EVALUATIONS",
    "Budget",
    "GPConfig",
    "SearchConfig",
    "SearchResult",
    "Solution",
    "noise_floor",
    "pareto_front",
    "pick",
    "search_laws",
]
