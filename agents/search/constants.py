"""Least-squares fitting of the free constants inside a shape.

The overall scale ``C`` is projected out in closed form (variable projection), so the optimiser
only moves the inner constants, such as ``C1`` in ``exp(C1*r)`` or ``(m1 + C1*m2)``. A failed or
non-improving fit returns the starting tree unchanged, so polishing never makes a tree worse.
"""

from __future__ import annotations

import logging
import math
import warnings

import numpy as np
from scipy.optimize import least_squares

from discolab.agents.search.budget import Budget
from discolab.agents.search.data import INVALID_LOSS, Dataset, log_residuals, scale_and_loss
from discolab.agents.search.expr import Node, evaluate, params_of, set_params

logger = logging.getLogger(__name__)


def shape_loss(data: Dataset, shape: Node) -> tuple[float, float]:
    """Closed-form scale and loss of ``y ≈ C·shape`` on ``data``."""
    return scale_and_loss(data, evaluate(shape, data.columns))


def polish(
    data: Dataset, shape: Node, max_nfev: int = 60, budget: Budget | None = None
) -> tuple[Node, float]:
    """Refit the inner constants of ``shape``; returns the better tree and its loss.

    ``max_nfev`` bounds the function evaluations of the trust-region solver, which keeps a
    polish to a few milliseconds on a few hundred points; ``budget``, when given, is charged
    every evaluation of the shape (finite-difference ones included).
    """
    _, start_loss = shape_loss(data, shape)
    inner = params_of(shape)
    if not inner or data.n <= len(inner):
        return shape, start_loss
    x0 = np.array([p.value for p in inner], dtype=float)
    if not np.all(np.isfinite(x0)):
        return shape, start_loss

    def residuals(theta: np.ndarray) -> np.ndarray:
        if budget is not None:
            budget.charge()
        return log_residuals(data, evaluate(set_params(shape, theta), data.columns))

    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = least_squares(residuals, x0, method="trf", x_scale="jac", max_nfev=max_nfev)
    except (ValueError, FloatingPointError, np.linalg.LinAlgError) as exc:
        logger.debug("constant fit failed for %s: %s", shape, exc)
        return shape, start_loss
    fitted = set_params(shape, result.x)
    _, loss = shape_loss(data, fitted)
    if math.isfinite(loss) and (not math.isfinite(start_loss) or loss < start_loss):
        return fitted, loss
    return shape, start_loss


def direct_loss(data: Dataset, values: np.ndarray) -> float:
    """Loss of a complete formula (no scale left to fit): RMS of ``log|y| - log|f|``.

    It is the log-mode loss of :func:`data.scale_and_loss` without the closed-form scale, so
    full formulas such as ``1/(exp(C*E/T) - 1)`` rank on the same front as ``C·shape`` ones.
    Signs must agree point by point; otherwise, or outside log mode, the loss is invalid.
    """
    values = np.broadcast_to(np.asarray(values, dtype=float), data.y.shape)
    if not data.log_mode or not np.all(np.isfinite(values)):
        return INVALID_LOSS
    if np.any(np.sign(values) != data.sign):
        return INVALID_LOSS
    with np.errstate(all="ignore"):
        resid = data.log_abs_y - np.log(np.abs(values))
    if not np.all(np.isfinite(resid)):
        return INVALID_LOSS
    return float(np.sqrt(np.mean(resid**2)))


def polish_full(data: Dataset, expr: Node, max_nfev: int = 60) -> tuple[Node, float]:
    """Refit every constant of a complete formula on :func:`direct_loss`; never worse.

    Used for formulas built in a transformed output space (``asin(C*n1*sin(t)/n2)``), whose
    constants were fitted to the transformed output and are refined here on ``y`` itself.
    """
    start_loss = direct_loss(data, evaluate(expr, data.columns))
    inner = params_of(expr)
    if not inner or data.n <= len(inner) or not data.log_mode:
        return expr, start_loss
    x0 = np.array([p.value for p in inner], dtype=float)
    if not np.all(np.isfinite(x0)):
        return expr, start_loss
    # Relative steps: constants such as 1/k_B ~ 7e22 would otherwise stall on gtol at once.
    unit = np.where(x0 != 0, np.abs(x0), 1.0)
    penalty = 1e3

    def residuals(u: np.ndarray) -> np.ndarray:
        values = evaluate(set_params(expr, x0 + unit * u), data.columns)
        with np.errstate(all="ignore"):
            resid = data.log_abs_y - np.log(np.abs(values))
        bad = ~np.isfinite(resid) | (np.sign(values) != data.sign)
        return np.where(bad, penalty, resid)

    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = least_squares(
                residuals, np.zeros_like(x0), method="trf", x_scale="jac", max_nfev=max_nfev
            )
    except (ValueError, FloatingPointError, np.linalg.LinAlgError) as exc:
        logger.debug("constant fit failed for %s: %s", expr, exc)
        return expr, start_loss
    fitted = set_params(expr, x0 + unit * result.x)
    loss = direct_loss(data, evaluate(fitted, data.columns))
    if math.isfinite(loss) and (not math.isfinite(start_loss) or loss < start_loss):
        return fitted, loss
    return expr, start_loss
