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

from discolab.agents.search.data import Dataset, log_residuals, scale_and_loss
from discolab.agents.search.expr import Node, evaluate, params_of, set_params

logger = logging.getLogger(__name__)


def shape_loss(data: Dataset, shape: Node) -> tuple[float, float]:
    """Closed-form scale and loss of ``y ≈ C·shape`` on ``data``."""
    return scale_and_loss(data, evaluate(shape, data.columns))


def polish(data: Dataset, shape: Node, max_nfev: int = 60) -> tuple[Node, float]:
    """Refit the inner constants of ``shape``; returns the better tree and its loss.

    ``max_nfev`` bounds the function evaluations of the trust-region solver, which keeps a
    polish to a few milliseconds on a few hundred points.
    """
    _, start_loss = shape_loss(data, shape)
    inner = params_of(shape)
    if not inner or data.n <= len(inner):
        return shape, start_loss
    x0 = np.array([p.value for p in inner], dtype=float)
    if not np.all(np.isfinite(x0)):
        return shape, start_loss

    def residuals(theta: np.ndarray) -> np.ndarray:
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
