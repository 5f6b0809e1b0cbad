"""Fitting a formula's free parameters to data, and the error metrics used to score it.

Physical constants span dozens of decades (G = 6.674e-11, k = 8.99e9), so a naive optimiser
started at 1.0 often stalls or stops early. The fit therefore works in three layers:

1. Parameters the formula is linear in are never searched: for given values of the others they
   are solved exactly (variable projection). A pure scale ``C*g`` or ``g/C`` is solved in
   closed form in log space (log C is the mean log residual), so G is recovered to ~1e-15.
2. The remaining (nonlinear) parameters are searched by ``scipy.optimize.least_squares`` with
   tight tolerances from several seeded starts spread over magnitudes.
3. In log space, formulas with several linear parameters get a final joint polish of all
   parameters on the log objective.

The objective is in log space (``log|pred| - log|y|``) when all outputs share one sign and span
more than a decade, and relative residuals otherwise. Non-finite predictions fail the fit.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import least_squares

from discolab.errors import VerificationError
from discolab.verifiers.expressions import ParsedExpression
from discolab.verifiers.metrics import max_relative_error, nmse, relative_log_error, rmsle
from discolab.verifiers.structure import Roles, parameter_roles

__all__ = [
    "FitResult",
    "fit_parameters",
    "max_relative_error",
    "nmse",
    "relative_log_error",
    "rmsle",
]

logger = logging.getLogger(__name__)

_PENALTY = 1e6  # residual given to a non-finite prediction while searching
_SIGN_PENALTY = 10.0  # added to a log residual whose prediction has the wrong sign
_TOL = 1e-15
_PERFECT_LOSS = 1e-13  # a loss this small cannot be improved; stop searching


@dataclass(frozen=True)
class FitResult:
    """The outcome of fitting free parameters.

    Attributes:
        params: fitted value of every free parameter (NaN when the fit failed).
        loss: RMS residual of the chosen objective (log or relative); ``inf`` on failure.
        success: whether a finite fit was found.
        message: what happened, for logs and feedback.
        log_space: whether the log objective was used.
    """

    params: dict[str, float]
    loss: float
    success: bool
    message: str
    log_space: bool = False


@functools.lru_cache(maxsize=4096)
def _roles(parsed: ParsedExpression) -> Roles:
    return parameter_roles(parsed)


Solution = tuple[dict[str, float], np.ndarray]
"""Parameter values and the prediction they give on the fit data."""


@dataclass
class _Problem:
    """The data and objective of one fit."""

    parsed: ParsedExpression
    columns: dict[str, np.ndarray]
    y: np.ndarray
    log_space: bool
    roles: Roles
    weights: np.ndarray = field(init=False)
    log_y: np.ndarray = field(init=False)
    predict: Callable[[Mapping[str, float]], np.ndarray] = field(init=False)

    def __post_init__(self) -> None:
        # Relative residuals; the floor only guards exact zeros (measurement noise is
        # multiplicative, so relative residuals are the natural scale everywhere else).
        absolute = np.abs(self.y)
        peak = float(absolute.max())
        floor = 1e-9 * peak if peak > 0 else 1.0
        self.weights = 1.0 / np.maximum(absolute, floor)
        with np.errstate(all="ignore"):
            self.log_y = np.log(absolute)
        bound = self.parsed.bind(self.columns)
        shape = self.y.shape  # a formula without inputs still predicts one value per point
        self.predict = lambda params: np.broadcast_to(bound(params), shape)

    def solve(self, nonlinear: np.ndarray) -> Solution | None:
        """All parameters, given the nonlinear ones, with the linear ones solved exactly."""
        params = {p: float(v) for p, v in zip(self.roles.nonlinear, nonlinear, strict=True)}
        if not self.roles.linear:
            return params, self.predict(params)
        if self.roles.scale is not None:
            return self._solve_scale(params)
        return self._solve_linear(params)

    def _solve_scale(self, params: dict[str, float]) -> Solution | None:
        name = self.roles.scale
        assert name is not None
        params[name] = 1.0
        g = self.predict(params)
        if not np.all(np.isfinite(g)) or np.any(g == 0):
            return None
        if self.log_space:
            sign = 1.0 if np.sum(np.sign(self.y) * np.sign(g)) >= 0 else -1.0
            with np.errstate(all="ignore"):
                log_scale = float(np.mean(self.log_y - np.log(np.abs(g))))
            if not -745.0 < log_scale < 709.0:  # the scale would under- or overflow a float
                return None
            s = sign * math.exp(log_scale)
        else:
            with np.errstate(all="ignore"):
                gw = g * self.weights
                s = float(np.dot(gw, self.y * self.weights) / np.dot(gw, gw))
        if not math.isfinite(s) or s == 0.0:
            return None
        params[name] = 1.0 / s if self.roles.reciprocal else s
        return params, s * g

    def _solve_linear(self, params: dict[str, float]) -> Solution | None:
        with np.errstate(all="ignore"):
            return self._solve_linear_quietly(params)

    def _solve_linear_quietly(self, params: dict[str, float]) -> Solution | None:
        base = dict(params, **{p: 0.0 for p in self.roles.linear})
        g0 = self.predict(base)
        basis = np.column_stack(
            [self.predict(dict(base, **{p: 1.0})) - g0 for p in self.roles.linear]
        )
        matrix = basis * self.weights[:, None]
        rhs = (self.y - g0) * self.weights
        if not (np.all(np.isfinite(matrix)) and np.all(np.isfinite(rhs))):
            return None
        norms = np.linalg.norm(matrix, axis=0)
        norms[(norms == 0) | ~np.isfinite(norms)] = 1.0
        scaled = matrix / norms
        if scaled.shape[1] == 1:  # one unknown: the closed form is much cheaper than lstsq
            coef = np.array([float(scaled[:, 0] @ rhs)]) / norms
        else:
            try:
                coef = np.linalg.lstsq(scaled, rhs, rcond=None)[0] / norms
            except np.linalg.LinAlgError:
                return None
        params.update(zip(self.roles.linear, (float(c) for c in coef), strict=True))
        return params, g0 + basis @ coef

    def residuals(self, solution: Solution | None) -> np.ndarray:
        """Search residuals: always finite, with penalties for non-finite or wrong-sign points."""
        if solution is None:
            return np.full(self.y.shape, _PENALTY)
        pred = solution[1]
        with np.errstate(all="ignore"):
            if self.log_space:
                r = np.log(np.abs(pred)) - self.log_y
                r = np.where(np.sign(pred) != np.sign(self.y), r + _SIGN_PENALTY, r)
            else:
                r = (pred - self.y) * self.weights
        return np.where(np.isfinite(r), np.clip(r, -_PENALTY, _PENALTY), _PENALTY)

    def loss(self, solution: Solution | None) -> float:
        """Strict loss: ``inf`` for any non-finite (or, in log space, wrong-sign) prediction."""
        if solution is None:
            return math.inf
        pred = solution[1]
        if self.log_space:
            return relative_log_error(self.y, pred)
        if not np.all(np.isfinite(pred)):
            return math.inf
        with np.errstate(all="ignore"):
            value = float(np.sqrt(np.mean(((pred - self.y) * self.weights) ** 2)))
        return value if math.isfinite(value) else math.inf


def _least_squares(
    fun: Callable[[np.ndarray], np.ndarray], x0: np.ndarray, n_points: int
) -> np.ndarray:
    method = "lm" if n_points >= len(x0) else "trf"
    try:
        result = least_squares(
            fun,
            x0,
            method=method,
            xtol=_TOL,
            ftol=_TOL,
            gtol=_TOL,
            x_scale="jac",
            max_nfev=60 * (len(x0) + 1),
        )
    except (ValueError, np.linalg.LinAlgError, FloatingPointError) as exc:
        logger.debug("least_squares failed from %s: %s", x0, exc)
        return x0
    return np.asarray(result.x, dtype=float)


@dataclass(frozen=True)
class _Start:
    """One starting point of the search, in plain or log-magnitude coordinates.

    In log coordinates a parameter is ``sign * exp(u)`` and the search moves ``u``: a constant
    that must travel many decades (``sqrt(C*m)`` with C ~ 1e-21) gets there in a few steps,
    while plain coordinates let parameters cross zero.
    """

    x0: np.ndarray
    signs: np.ndarray | None = None  # set for log coordinates

    def values(self, x: np.ndarray) -> np.ndarray:
        if self.signs is None:
            return x
        with np.errstate(all="ignore"):
            return self.signs * np.exp(np.clip(x, -745.0, 709.0))


def _starts(n: int, rng: np.random.Generator, count: int) -> list[_Start]:
    """Seeded starts: 1.0 in both coordinate kinds, then random signs and magnitudes.

    Plain starts draw magnitudes in 1e-3 .. 1e3; log starts in 1e-12 .. 1e12, where physical
    constants live.
    """
    starts = [_Start(np.ones(n)), _Start(np.zeros(n), np.ones(n))]
    while len(starts) < count:
        signs = np.where(rng.random(n) < 0.5, -1.0, 1.0)
        if len(starts) % 2 == 0:
            starts.append(_Start(signs * 10.0 ** rng.uniform(-3.0, 3.0, n)))
        else:
            starts.append(_Start(math.log(10.0) * rng.uniform(-12.0, 12.0, n), signs))
    return starts[:count]


_SCAN_EXPONENTS = np.arange(-60.0, 61.0, 2.0)
_GRID_EXPONENTS = np.arange(-30.0, 31.0, 2.0)
_SCAN_MAX_PARAMETERS = 4


def _scan_values(exponents: np.ndarray = _SCAN_EXPONENTS) -> np.ndarray:
    decades = 10.0**exponents
    return np.concatenate([decades, -decades])


def _data_scales(problem: _Problem) -> np.ndarray:
    """Quantiles of every input column: where an offset or threshold (``dT - C3``) lives."""
    found = [np.quantile(column, (0.1, 0.3, 0.5, 0.7, 0.9)) for column in problem.columns.values()]
    if not found:
        return np.zeros(0)
    values = np.concatenate(found)
    values = values[np.isfinite(values) & (values != 0)]
    return np.concatenate([values, -values])


def grid_applies(parsed: ParsedExpression) -> bool:
    """Whether ``fit_parameters(..., grid=True)`` adds grid starts: two nonlinear parameters."""
    return len(_roles(parsed).nonlinear) == 2


def _grid_starts(problem: _Problem, keep: int = 3) -> list[_Start]:
    """The best points of a joint grid of signed decades, for exactly two nonlinear parameters.

    Two coupled constants (``exp((E + C1)/(C*T))``, ``(E/C)**2/(exp(E/(C1*T)) - 1)``) defeat
    coordinate sweeps: at a wrong value of one, every value of the other overflows or cancels
    to a non-finite loss. A joint grid (62 x 62 points) finds the finite basin directly.
    """
    values = np.concatenate([_scan_values(_GRID_EXPONENTS), _data_scales(problem)])
    scored = []
    for a in values:
        for b in values:
            loss = problem.loss(problem.solve(np.array([a, b])))
            if math.isfinite(loss):
                scored.append((loss, a, b))
    scored.sort()
    return [_Start(np.log(np.abs([a, b])), np.sign([a, b])) for _, a, b in scored[:keep]]


def _scanned_start(problem: _Problem, n: int) -> _Start | None:
    """A start found by scanning each nonlinear parameter over signed decades 1e-60 .. 1e60.

    Random starts cannot reach a constant such as 1/k_B ~ 7e22 inside ``exp(C*E/T)``, where a
    wrong magnitude leaves the objective flat; two coordinate sweeps over a grid of decades
    land in the right basin cheaply (about 120 evaluations per parameter and sweep, plus
    quantiles of the inputs).
    """
    if not 0 < n <= _SCAN_MAX_PARAMETERS:
        return None
    values = np.concatenate([_scan_values(), _data_scales(problem)])
    x = np.ones(n)
    best_loss = problem.loss(problem.solve(x))
    for _ in range(2):
        for i in range(n):
            for value in values:
                trial = x.copy()
                trial[i] = value
                loss = problem.loss(problem.solve(trial))
                if loss < best_loss:
                    x, best_loss = trial, loss
    if not math.isfinite(best_loss):
        return None
    return _Start(np.log(np.abs(x)), np.sign(x))


def _polish(problem: _Problem, solution: Solution) -> Solution:
    """Refine every fitted parameter jointly on the (log) objective."""
    params = solution[0]
    names = [*problem.roles.linear, *problem.roles.nonlinear]

    def at(x: np.ndarray) -> Solution:
        values = {p: float(v) for p, v in zip(names, x, strict=True)}
        return values, problem.predict(values)

    x = _least_squares(
        lambda x: problem.residuals(at(x)), np.array([params[p] for p in names]), problem.y.size
    )
    polished = at(x)
    return polished if problem.loss(polished) <= problem.loss(solution) else solution


def _prepare(
    parsed: ParsedExpression, columns: Mapping[str, object], y: object
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    target = np.asarray(y, dtype=float)
    if target.ndim != 1 or target.size == 0:
        raise VerificationError(f"outputs must be a non-empty 1-D array, got shape {target.shape}")
    arrays: dict[str, np.ndarray] = {}
    for name in parsed.variables:
        if name not in columns:
            raise VerificationError(f"no input column {name!r} for formula {parsed.source!r}")
        arrays[name] = np.asarray(columns[name], dtype=float)
        if arrays[name].shape != target.shape:
            raise VerificationError(
                f"input {name!r} has shape {arrays[name].shape}, outputs {target.shape}"
            )
    return arrays, target


def use_log_space(y: np.ndarray) -> bool:
    """Whether outputs all share one strict sign and span more than one decade."""
    if y.size == 0 or not np.all(np.isfinite(y)):
        return False
    absolute = np.abs(y)
    same_sign = bool(np.all(y > 0) or np.all(y < 0))
    return same_sign and float(absolute.max()) > 10.0 * float(absolute.min())


def fit_parameters(
    parsed: ParsedExpression,
    columns: Mapping[str, object],
    y: object,
    *,
    log_space: bool | None = None,
    seed: int = 0,
    max_starts: int = 10,
    grid: bool = False,
) -> FitResult:
    """Fit the free parameters of ``parsed`` to outputs ``y`` at input ``columns``.

    ``log_space=None`` chooses the log objective automatically (see :func:`use_log_space`).
    ``grid=True`` adds starts from a joint grid when two parameters are nonlinear (about 4,000
    evaluations; the judge uses it, since a correct structure must never fail to fit).
    A formula without parameters is just evaluated. The search is deterministic for a given
    ``seed``.

    Raises:
        VerificationError: the data themselves are malformed (shapes, missing columns).
    """
    arrays, target = _prepare(parsed, columns, y)
    if not np.all(np.isfinite(target)):
        return FitResult({}, math.inf, False, "outputs contain non-finite values")
    in_log = use_log_space(target) if log_space is None else bool(log_space)
    if in_log and not (np.all(target > 0) or np.all(target < 0)):
        in_log = False
    roles = _roles(parsed)
    problem = _Problem(parsed, arrays, target, in_log, roles)
    rng = np.random.default_rng(seed)
    best: Solution | None = None
    best_loss, confirmations = math.inf, 0
    starts = _starts(len(roles.nonlinear), rng, max_starts) if roles.nonlinear else []
    scanned = _scanned_start(problem, len(roles.nonlinear))
    if scanned is not None:
        starts.insert(0, scanned)
    if grid and grid_applies(parsed):
        starts[1:1] = _grid_starts(problem)
    for start in starts or [_Start(np.ones(0))]:
        x = start.x0
        if roles.nonlinear:
            x = _least_squares(
                lambda t, start=start: problem.residuals(problem.solve(start.values(t))),
                start.x0,
                target.size,
            )
        x = start.values(x)
        solution = problem.solve(x)
        loss = problem.loss(solution)
        if loss < best_loss:
            close = math.isfinite(best_loss) and best_loss - loss <= 1e-9 * best_loss
            best, best_loss = solution, loss
            confirmations = confirmations + 1 if close else 0
        elif math.isfinite(loss) and loss - best_loss <= 1e-9 * max(best_loss, 1e-300):
            confirmations += 1
        if best_loss <= _PERFECT_LOSS or confirmations >= 1:
            break
    if best is not None and in_log and roles.linear and roles.scale is None:
        best = _polish(problem, best)
        best_loss = problem.loss(best)
    space = "log" if in_log else "relative"
    if best is None or not math.isfinite(best_loss):
        failed = {p: math.nan for p in parsed.parameters}
        reason = "no finite fit: predictions are not finite or have the wrong sign"
        return FitResult(failed, math.inf, False, reason, in_log)
    params = {name: best[0][name] for name in parsed.parameters}
    return FitResult(params, best_loss, True, f"fitted in {space} space", in_log)
