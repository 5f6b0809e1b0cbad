"""Symbolic match: is a candidate the hidden law, up to the values of its free constants?

Exact symbolic equivalence (simplify(a - b) == 0) is undecidable in general and slow in
practice; instead the candidate's free parameters are fitted to noise-free samples of the
truth, and the candidate matches when it then reproduces the truth to a tight relative
tolerance on a separate, larger sample of the declared domain. Numeric literals in the
candidate are fixed, so ``C*m1*m2/r**2.02`` does not match an inverse-square law while
``C*m1*m2/r**2``, ``m1*m2*C/(r*r)`` and ``C1*C2*m1*m2/r**2`` do.

Two ways of letting the fit state the law do not count (both can be allowed by keyword):

- an exponent left to the fit (``C1*r**C2``): the candidate has not stated the law's
  structure, the fit has;
- a vanishing parameter: one whose fitted value makes its term disappear, so that setting it
  to 0 changes nothing (``C1*m1*m2/r**2 + C2`` with C2 ~ 1e-30, ``exp(C1*r)`` with C1 ~ 0).
  The candidate is then the law plus terms the data switched off. Redundant parameters
  (``C1*C2*...``) are not vanishing: zeroing either one changes the prediction.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np

from discolab.environments.base import GroundTruth, sample_inputs
from discolab.verifiers.expressions import ParsedExpression
from discolab.verifiers.metrics import max_relative_error
from discolab.verifiers.numeric import fit_parameters

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SymbolicMatch:
    """The verdict of :func:`symbolic_match`.

    Attributes:
        matched: whether the candidate reproduces the truth within the tolerance.
        max_rel_error: largest relative error on the check sample (``inf`` when not finite).
        params: the parameter values fitted to the truth (hidden information: never feedback).
        reason: why it did not match, for reports.
    """

    matched: bool
    max_rel_error: float
    params: dict[str, float] = field(default_factory=dict)
    reason: str = ""


@dataclass(frozen=True)
class TruthSamples:
    """Noise-free samples of the truth: one set to fit on, a separate one to check on."""

    fit_columns: dict[str, np.ndarray]
    fit_outputs: np.ndarray
    check_columns: dict[str, np.ndarray]
    check_outputs: np.ndarray


def draw_truth_samples(
    truth: GroundTruth, *, seed: int = 12345, n_fit: int = 200, n_check: int = 2000
) -> TruthSamples:
    """Sample the declared domain with a fixed seed and evaluate the truth there."""
    rng = np.random.default_rng(seed)
    fit_columns = sample_inputs(truth.inputs, n_fit, rng)
    check_columns = sample_inputs(truth.inputs, n_check, rng)
    return TruthSamples(
        fit_columns=fit_columns,
        fit_outputs=truth.evaluate(fit_columns),
        check_columns=check_columns,
        check_outputs=truth.evaluate(check_columns),
    )


def symbolic_match(
    parsed: ParsedExpression,
    truth: GroundTruth,
    *,
    seed: int = 12345,
    n_fit: int = 200,
    n_check: int = 2000,
    tol: float = 1e-6,
    allow_parametric_exponents: bool = False,
    allow_vanishing_parameters: bool = False,
    samples: TruthSamples | None = None,
) -> SymbolicMatch:
    """Whether ``parsed`` equals the hidden law up to its free constants.

    ``samples`` lets a caller reuse one draw of the truth across many candidates; otherwise
    they are drawn from ``seed``, ``n_fit`` and ``n_check``.
    """
    if parsed.exponent_parameters and not allow_parametric_exponents:
        names = ", ".join(parsed.exponent_parameters)
        return SymbolicMatch(
            False, math.inf, reason=f"exponent left to the fit ({names}); state it as a number"
        )
    if samples is None:
        samples = draw_truth_samples(truth, seed=seed, n_fit=n_fit, n_check=n_check)
    params: dict[str, float] = {}
    if parsed.parameters:
        fit = fit_parameters(parsed, samples.fit_columns, samples.fit_outputs, seed=seed)
        if not fit.success:
            return SymbolicMatch(False, math.inf, dict(fit.params), reason=fit.message)
        params = dict(fit.params)
    predicted = parsed.evaluate(samples.check_columns, params)
    error = max_relative_error(samples.check_outputs, predicted)
    matched = error <= tol
    reason = "" if matched else f"max relative error {error:.3g} exceeds {tol:g}"
    if matched and not allow_vanishing_parameters:
        vanishing = _vanishing(parsed, samples, params, predicted, tol)
        if vanishing:
            matched = False
            reason = f"term(s) with {', '.join(vanishing)} vanish at the fitted values; drop them"
    logger.debug("symbolic match %r: %s (max rel error %.3g)", parsed.source, matched, error)
    return SymbolicMatch(matched, error, params, reason)


def _vanishing(
    parsed: ParsedExpression,
    samples: TruthSamples,
    params: dict[str, float],
    predicted: np.ndarray,
    tol: float,
) -> list[str]:
    """Parameters that can be set to 0 without changing the prediction beyond ``tol``."""
    names = []
    for name in parsed.parameters:
        zeroed = parsed.evaluate(samples.check_columns, {**params, name: 0.0})
        if max_relative_error(predicted, zeroed) <= tol:
            names.append(name)
    return names
