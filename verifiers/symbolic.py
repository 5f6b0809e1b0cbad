"""Symbolic match (judge v2): is a candidate the hidden law, up to its free constants?

Exact symbolic equivalence is undecidable in general and slow in practice, so the judge fits
the candidate's free parameters to noise-free samples of the truth and asks whether it then
reproduces the truth to a tight relative tolerance. A tolerance alone is easy to farm — a
free power law through ``exp(C1*log(r))``, a polynomial with a dozen coefficients, a term the
fit switches off — so a match must pass every one of these checks, cheapest first:

1. **Parameter cap.** At most ``truth.constants + 1`` free parameters (at least 2): a law has
   its hidden constants and one spare for a redundant scale, not a series.
2. **Parameter policy** (:mod:`~discolab.verifiers.parameter_policy`): no parameter sets the
   power of an input, however it is spelled (``r**C1``, ``exp(C1*log(r))``, ``C1**log(r)``).
3. **Fit and check in the domain.** Parameters are fitted on 200 samples (in log space and in
   relative residuals, the better of the two; again from a joint grid of starts when two
   coupled constants defeat the ordinary starts), then the largest relative error on 2,000
   other samples must be at most ``tol`` (1e-6). A fit that finds no finite solution is
   reported as a failed fit, apart from "no match".
4. **Extrapolation.** The fitted candidate must also reproduce the truth's magnitude on 1,000
   points of a widened domain (each range stretched by a quarter of its span, in log space
   for log-scale inputs), wherever the truth is real and finite there, to ``ood_tol``
   (1e-6): a surrogate that only holds where it was fitted fails here. Domain corners are
   part of the sample.
5. **Removability** (:mod:`~discolab.verifiers.reductions`): no simpler version of the
   candidate (a parameter-holding term or factor deleted, a parameter pinned at 0, 1 or -1)
   may match after refitting: the candidate is then the law plus pieces the data switched off.

Numeric literals are fixed, so ``C*m1*m2/r**2.02`` does not match an inverse-square law while
``C*m1*m2/r**2``, ``m1*m2*C/(r*r)`` and ``C1*C2*m1*m2/r**2`` do.
"""

from __future__ import annotations

import itertools
import logging
import math
from dataclasses import dataclass, field

import numpy as np

from discolab.environments.base import GroundTruth, sample_inputs
from discolab.errors import ExpressionError, VerificationError
from discolab.types import Variable
from discolab.verifiers.expressions import ParsedExpression, parse_expression
from discolab.verifiers.metrics import max_relative_error
from discolab.verifiers.numeric import FitResult, fit_parameters, grid_applies, use_log_space
from discolab.verifiers.parameter_policy import check_parameter_policy
from discolab.verifiers.reductions import Unprintable, reductions, to_formula

logger = logging.getLogger(__name__)

MIN_PARAMETER_CAP = 2
"""The parameter cap is ``max(truth.constants, 1) + 1``: the hidden constants and one spare."""

WIDEN_FRACTION = 0.25
"""Each input range is stretched by this fraction of its span on both sides (extrapolation)."""

MAX_REDUCTIONS = 40
"""Simpler versions tried by the removability test; a candidate with more does not match."""

OOD_FLOOR = 1e-3
"""Relative errors off the domain are taken against ``max(|y|, OOD_FLOOR * rms(y))``, so a
truth that passes through zero out there does not turn rounding into a verdict."""

_REPARSE_LIMITS = {"max_length": 20_000, "max_depth": 200, "max_nodes": 5_000}


@dataclass(frozen=True)
class SymbolicMatch:
    """The verdict of :func:`symbolic_match`.

    Attributes:
        matched: whether the candidate passed every check.
        max_rel_error: largest relative error on the in-domain check sample (``inf`` when not
            finite or not computed).
        params: the parameter values fitted to the truth (hidden information: never feedback).
        reason: why it did not match, for reports.
        fit_failed: the fit found no finite solution (apart from a wrong law).
        ood_rel_error: largest relative error on the widened domain (``inf`` if not finite,
            ``nan`` when not reached).
    """

    matched: bool
    max_rel_error: float
    params: dict[str, float] = field(default_factory=dict)
    reason: str = ""
    fit_failed: bool = False
    ood_rel_error: float = math.nan


@dataclass(frozen=True)
class TruthSamples:
    """Noise-free samples of the truth: to fit on, to check on, and off the domain."""

    fit_columns: dict[str, np.ndarray]
    fit_outputs: np.ndarray
    check_columns: dict[str, np.ndarray]
    check_outputs: np.ndarray
    ood_columns: dict[str, np.ndarray] = field(default_factory=dict)
    ood_outputs: np.ndarray = field(default_factory=lambda: np.zeros(0))


def widened(variable: Variable, fraction: float = WIDEN_FRACTION) -> Variable:
    """``variable`` with its range stretched by ``fraction`` of its span on both sides.

    Log-scale positive ranges are stretched in log space (they stay positive); a linear range
    that starts above zero stays above zero (at most halved at the low end).
    """
    low, high = variable.low, variable.high
    if variable.log_scale and low > 0:
        factor = (high / low) ** fraction
        return Variable(variable.name, variable.unit, low / factor, high * factor, log_scale=True)
    span = high - low
    new_low = low - fraction * span
    if low > 0:
        new_low = max(new_low, low / 2)
    return Variable(variable.name, variable.unit, new_low, high + fraction * span, log_scale=False)


def _corners(variables: tuple[Variable, ...]) -> dict[str, np.ndarray]:
    ranges = [(v.low, v.high) for v in variables]
    points = list(itertools.product(*ranges))[:256]
    return {v.name: np.array([p[i] for p in points]) for i, v in enumerate(variables)}


def _ood_samples(
    truth: GroundTruth, rng: np.random.Generator, n: int
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Points of the widened domain (with its corners) where the truth is real and finite."""
    wide = tuple(widened(v) for v in truth.inputs)
    drawn = sample_inputs(wide, n, rng)
    corners = _corners(wide)
    columns = {k: np.concatenate([drawn[k], corners[k]]) for k in drawn}
    with np.errstate(all="ignore"):
        try:
            outputs = truth.evaluate(columns)
        except (ValueError, FloatingPointError, OverflowError):
            return {}, np.zeros(0)
    keep = np.isfinite(outputs)
    return {k: v[keep] for k, v in columns.items()}, outputs[keep]


def draw_truth_samples(
    truth: GroundTruth,
    *,
    seed: int = 12345,
    n_fit: int = 200,
    n_check: int = 2000,
    n_ood: int = 1000,
) -> TruthSamples:
    """Sample the declared domain (and the widened one) with a fixed seed; evaluate the truth."""
    rng = np.random.default_rng(seed)
    fit_columns = sample_inputs(truth.inputs, n_fit, rng)
    check_columns = sample_inputs(truth.inputs, n_check, rng)
    ood_columns, ood_outputs = _ood_samples(truth, rng, n_ood) if n_ood else ({}, np.zeros(0))
    return TruthSamples(
        fit_columns=fit_columns,
        fit_outputs=truth.evaluate(fit_columns),
        check_columns=check_columns,
        check_outputs=truth.evaluate(check_columns),
        ood_columns=ood_columns,
        ood_outputs=ood_outputs,
    )


def parameter_cap(truth: GroundTruth) -> int:
    """Free parameters a candidate for ``truth`` may use (see the module docstring)."""
    return max(truth.constants, 1) + 1


def ood_relative_error(truth_values: np.ndarray, predicted: np.ndarray) -> float:
    """Largest off-domain relative error of magnitudes, against a floor (``inf`` if bad).

    Magnitudes, because off the domain two spellings of one law may take different branches
    (``sqrt(x**2)`` and ``x`` once ``x`` turns negative); a surrogate fails on size anyway.
    """
    if truth_values.size == 0:
        return 0.0
    if predicted.shape != truth_values.shape or not np.all(np.isfinite(predicted)):
        return math.inf
    with np.errstate(all="ignore"):
        size = np.abs(truth_values)
        rms = float(np.sqrt(np.mean(size**2)))
        floor = np.maximum(size, OOD_FLOOR * rms)
        value = float(np.max(np.abs(np.abs(predicted) - size) / floor))
    return value if math.isfinite(value) else math.inf


@dataclass(frozen=True)
class _Fitted:
    params: dict[str, float]
    error: float
    fit: FitResult | None


def _fit_to_truth(
    parsed: ParsedExpression, samples: TruthSamples, seed: int, *, tol: float, thorough: bool
) -> _Fitted:
    """Fit on the fit sample, keep the objective with the lower check error.

    The ordinary fit runs in both objectives (log and relative residuals); when neither
    reaches ``tol`` and ``thorough`` is set, it is repeated with a joint grid of starts (see
    :func:`~discolab.verifiers.numeric.fit_parameters`), so a correct structure with coupled
    constants is not lost to a bad start.
    """
    if not parsed.parameters:
        predicted = parsed.evaluate(samples.check_columns, {})
        return _Fitted({}, max_relative_error(samples.check_outputs, predicted), None)
    spaces: list[bool] = [use_log_space(samples.fit_outputs)]
    if np.all(samples.fit_outputs > 0) or np.all(samples.fit_outputs < 0):
        spaces.append(not spaces[0])  # log residuals need outputs of one sign
    best: _Fitted | None = None
    retry_on_grid = thorough and grid_applies(parsed)  # otherwise the retry repeats the fit
    for grid in (False, True) if retry_on_grid else (False,):
        for log_space in spaces:
            fit = fit_parameters(
                parsed,
                samples.fit_columns,
                samples.fit_outputs,
                log_space=log_space,
                seed=seed,
                grid=grid,
            )
            if not fit.success:
                best = best or _Fitted(dict(fit.params), math.inf, fit)
                continue
            predicted = parsed.evaluate(samples.check_columns, fit.params)
            error = max_relative_error(samples.check_outputs, predicted)
            if best is None or best.fit is None or not best.fit.success or error < best.error:
                best = _Fitted(dict(fit.params), error, fit)
            if error <= tol:
                return best
    assert best is not None
    return best


def _fits_domain(parsed: ParsedExpression, samples: TruthSamples, seed: int, tol: float) -> bool:
    """Whether ``parsed`` reproduces the truth in the domain after fitting (no other checks)."""
    return _fit_to_truth(parsed, samples, seed, tol=tol, thorough=False).error <= tol


def _removable(
    parsed: ParsedExpression,
    variables: tuple[str, ...],
    samples: TruthSamples,
    seed: int,
    tol: float,
) -> str | None:
    """A description of the first simpler version that still matches, else None."""
    pieces = reductions(parsed.expr, frozenset(parsed.variables), frozenset(parsed.parameters))
    for count, (what, reduced) in enumerate(pieces):
        if count >= MAX_REDUCTIONS:
            return f"more than {MAX_REDUCTIONS} removable pieces to verify; simplify the formula"
        try:
            simpler = parse_expression(
                to_formula(reduced), variables, max_exponent=1e6, **_REPARSE_LIMITS
            )
        except (Unprintable, ExpressionError, RecursionError):
            continue
        try:
            if _fits_domain(simpler, samples, seed, tol):
                return what
        except VerificationError:
            continue
    return None


def symbolic_match(
    parsed: ParsedExpression,
    truth: GroundTruth,
    *,
    seed: int = 12345,
    n_fit: int = 200,
    n_check: int = 2000,
    tol: float = 1e-6,
    ood_tol: float = 1e-6,
    samples: TruthSamples | None = None,
) -> SymbolicMatch:
    """Whether ``parsed`` is the hidden law up to its free constants (see the module doc).

    ``samples`` lets a caller reuse one draw of the truth across many candidates; otherwise
    they are drawn from ``seed``, ``n_fit`` and ``n_check``.
    """
    cap = parameter_cap(truth)
    if len(parsed.parameters) > cap:
        return SymbolicMatch(
            False,
            math.inf,
            reason=f"{len(parsed.parameters)} free parameters; this task allows at most {cap}",
        )
    policy = check_parameter_policy(
        parsed.expr, frozenset(parsed.variables), frozenset(parsed.parameters)
    )
    if not policy.allowed:
        return SymbolicMatch(False, math.inf, reason=policy.reason)
    if samples is None:
        samples = draw_truth_samples(truth, seed=seed, n_fit=n_fit, n_check=n_check)
    fitted = _fit_to_truth(parsed, samples, seed, tol=tol, thorough=True)
    if fitted.fit is not None and not fitted.fit.success:
        return SymbolicMatch(False, math.inf, fitted.params, fitted.fit.message, fit_failed=True)
    params, error = fitted.params, fitted.error
    ood_error = math.nan
    if samples.ood_outputs.size:
        ood_error = ood_relative_error(
            samples.ood_outputs, parsed.evaluate(samples.ood_columns, params)
        )
    if error > tol:
        return SymbolicMatch(
            False,
            error,
            params,
            f"max relative error {error:.3g} exceeds {tol:g}",
            False,
            ood_error,
        )
    if samples.ood_outputs.size and not ood_error <= ood_tol:
        reason = (
            f"holds where it was fitted but not beyond (relative error {ood_error:.3g} on a "
            "widened domain)"
        )
        return SymbolicMatch(False, error, params, reason, False, ood_error)
    variables = tuple(v.name for v in truth.inputs)
    removable = _removable(parsed, variables, samples, seed, tol)
    if removable is not None:
        reason = f"a simpler formula matches too ({removable}); drop what the fit switched off"
        return SymbolicMatch(False, error, params, reason, False, ood_error)
    logger.debug("symbolic match %r (max rel error %.3g)", parsed.source, error)
    return SymbolicMatch(True, error, params, "", False, ood_error)
