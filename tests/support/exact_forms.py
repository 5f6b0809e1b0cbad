"""Test support: is a searched formula the same law as a known one, up to its constants?

Shared by the search tests (tests/agents/test_search_forms.py, test_search_refine.py).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np
from scipy.optimize import least_squares

from discolab.agents.search import Solution
from discolab.agents.search.expr import evaluate, params_of, set_params
from discolab.types import Variable
from discolab.verifiers.expressions import parse_expression

Law = Callable[[dict[str, np.ndarray]], np.ndarray]


def sample(variables: tuple[Variable, ...], n: int, seed: int) -> dict[str, np.ndarray]:
    """``n`` points over the declared ranges: log-uniform for log-scale positive ranges,
    uniform otherwise (angles from 0)."""
    rng = np.random.default_rng(seed)
    out = {}
    for v in variables:
        if v.log_scale and v.low > 0:
            out[v.name] = np.exp(rng.uniform(math.log(v.low), math.log(v.high), n))
        else:
            out[v.name] = rng.uniform(v.low, v.high, n)
    return out


def same_law(solution: Solution, variables: tuple[Variable, ...], law: Law) -> bool:
    """Same law up to its free constants: refit them on fresh noise-free points (starting from
    the search's values), then relative error below 1e-6 on other fresh points."""
    parsed = parse_expression(solution.source, [v.name for v in variables])
    if parsed.exponent_parameters:
        return False
    fit_cols, check_cols = sample(variables, 200, seed=101), sample(variables, 500, seed=202)
    target = np.log(np.abs(law(fit_cols)))
    x0 = np.array([p.value for p in params_of(solution.expr)], dtype=float)
    unit = np.where(x0 != 0, np.abs(x0), 1.0)  # relative steps: C may be 1/k_B ~ 7e22

    def residuals(u: np.ndarray) -> np.ndarray:
        values = evaluate(set_params(solution.expr, x0 + unit * u), fit_cols)
        return np.nan_to_num(target - np.log(np.abs(values)), nan=1e3, posinf=1e3, neginf=1e3)

    if x0.size:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            u = least_squares(residuals, np.zeros_like(x0), xtol=1e-15, ftol=1e-15, gtol=1e-15).x
        x0 = x0 + unit * u
    predicted = evaluate(set_params(solution.expr, x0), check_cols)
    truth = law(check_cols)
    with np.errstate(all="ignore"):
        error = np.abs(predicted - truth) / np.abs(truth)
    return bool(np.all(np.isfinite(error)) and error.max() < 1e-6)
