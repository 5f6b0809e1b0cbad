"""The data a search sees, cleaned once, and the loss every candidate is scored with.

Physical laws are mostly products of powers, so when no output is zero the loss is the RMS of
log residuals ``log|y| - log|C·f|`` (a relative error that treats 1e-9 N and 1e9 N alike) and
the overall scale ``C`` has a closed form. Signs must agree too: ``f`` has to carry the sign
pattern of ``y`` (``q1*q2`` for charges of either sign), up to the sign of ``C``. Outputs that
touch zero fall back to a normalised RMS error with ``C`` fitted by linear least squares. Rows
with non-finite numbers are dropped, with the reason logged, so garbage never reaches the
search.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

logger = logging.getLogger(__name__)

INVALID_LOSS = math.inf
"""Loss of a candidate that cannot be evaluated on the data."""


@dataclass(frozen=True)
class Dataset:
    """Finite, cleaned observations.

    Attributes:
        names: input names in task order.
        columns: one float array per input, all of length ``n``.
        y: the measured outputs.
        log_mode: True when every output is non-zero, so losses are log-space.
        sign: the sign of each output (an array of +1/-1 in log mode, empty otherwise).
        log_abs_y: ``log|y|`` in log mode (empty otherwise).
        dropped: how many input rows were discarded as non-finite.
    """

    names: tuple[str, ...]
    columns: Mapping[str, np.ndarray]
    y: np.ndarray
    log_mode: bool
    sign: np.ndarray
    log_abs_y: np.ndarray
    dropped: int = 0

    @property
    def n(self) -> int:
        """Number of observations."""
        return int(self.y.shape[0])

    def positive(self, name: str) -> bool:
        """Whether input ``name`` is strictly positive on every row (so its log exists)."""
        col = self.columns[name]
        return bool(col.size and np.all(col > 0))

    @property
    def one_sign(self) -> bool:
        """Whether every output has the same sign (log mode without sign changes)."""
        return bool(self.log_mode and np.all(self.sign == self.sign[0]))


def make_dataset(
    columns: Mapping[str, Sequence[float]], outputs: Sequence[float], names: Sequence[str]
) -> Dataset | None:
    """Clean raw columns and outputs into a :class:`Dataset`; ``None`` when nothing is usable.

    Rows where any input or the output is NaN or infinite are dropped. The reason for a ``None``
    is logged at warning level.
    """
    y = np.asarray(outputs, dtype=float).reshape(-1)
    cols = {n: np.asarray(columns[n], dtype=float).reshape(-1) for n in names}
    if any(c.shape != y.shape for c in cols.values()):
        logger.warning("input columns and outputs have different lengths; nothing to fit")
        return None
    keep = np.isfinite(y)
    for c in cols.values():
        keep &= np.isfinite(c)
    dropped = int(y.size - keep.sum())
    if dropped:
        logger.info("dropping %d of %d rows with non-finite inputs or outputs", dropped, y.size)
    if not keep.any():
        logger.warning("no finite observations (%d rows, all non-finite); nothing to fit", y.size)
        return None
    y = y[keep]
    cols = {n: c[keep] for n, c in cols.items()}
    log_mode = bool(np.all(y != 0))
    sign = np.sign(y) if log_mode else np.empty(0)
    log_abs_y = np.log(np.abs(y)) if log_mode else np.empty(0)
    return Dataset(tuple(names), cols, y, log_mode, sign, log_abs_y, dropped)


def scale_and_loss(data: Dataset, shape: np.ndarray) -> tuple[float, float]:
    """Best overall scale ``C`` for ``y ≈ C·shape`` and the loss of that fit.

    In log mode ``C`` minimises the RMS of ``log|y| - log|C·shape|``, which needs ``y/shape`` to
    keep one sign (that sign is the sign of ``C``); in linear mode it is the least-squares scale
    and the loss is the RMS error divided by the RMS of ``y``. A scalar ``shape`` (a constant
    formula) is broadcast. Returns ``(nan, inf)`` when the fit is impossible.
    """
    shape = np.asarray(shape, dtype=float)
    if shape.ndim == 0:
        shape = np.full(data.y.shape, float(shape))
    if shape.shape != data.y.shape or not np.all(np.isfinite(shape)):
        return math.nan, INVALID_LOSS
    if data.log_mode:
        if np.any(shape == 0):
            return math.nan, INVALID_LOSS
        signs = np.sign(shape) * data.sign
        if not (np.all(signs > 0) or np.all(signs < 0)):
            return math.nan, INVALID_LOSS
        with np.errstate(all="ignore"):
            resid = data.log_abs_y - np.log(np.abs(shape))
        if not np.all(np.isfinite(resid)):
            return math.nan, INVALID_LOSS
        offset = float(resid.mean())
        loss = float(np.sqrt(np.mean((resid - offset) ** 2)))
        return float(signs[0]) * math.exp(offset) if offset < 700 else math.nan, loss
    denom = float(shape @ shape)
    if not (denom > 0 and math.isfinite(denom)):
        return math.nan, INVALID_LOSS
    scale = float(shape @ data.y) / denom
    rms_y = float(np.sqrt(np.mean(data.y**2))) or 1.0
    loss = float(np.sqrt(np.mean((scale * shape - data.y) ** 2))) / rms_y
    return scale, loss if math.isfinite(loss) else INVALID_LOSS


def log_residuals(data: Dataset, shape: np.ndarray) -> np.ndarray:
    """Centred residuals whose RMS is the loss (for least-squares constant fitting).

    Invalid points get a large constant residual, so optimisers move away from them smoothly.
    """
    penalty = 1e3
    shape = np.broadcast_to(np.asarray(shape, dtype=float), data.y.shape)
    if data.log_mode:
        with np.errstate(all="ignore"):
            resid = data.log_abs_y - np.log(np.abs(shape))
        signs = np.sign(shape) * data.sign
        bad = ~np.isfinite(resid) | (signs != signs[0])
        if bad.all():
            return np.full(data.n, penalty)
        resid = resid - resid[~bad].mean()
        resid[bad] = penalty
        return resid
    scale, loss = scale_and_loss(data, shape)
    if not math.isfinite(loss):
        return np.full(data.n, penalty)
    rms_y = float(np.sqrt(np.mean(data.y**2))) or 1.0
    return (scale * shape - data.y) / rms_y
