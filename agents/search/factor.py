"""Separable laws with one non-power factor: ``y = C · Π_{i≠j} x_i**a_i · g(x_j)``.

Many laws are a power law in all inputs but one, times a curved function of that one: an
offset ``(q**3 + 1.5)``, a saturation ``x**a/(1 + c*x**b)``, a threshold ``(x - x0)**p``, a
logarithm ``log(1 + c*x**a)``, an anisotropy ``(1 + c*cos(theta)**2)``, each with exponents
anywhere, not only on a grid. The other stages miss them when the exponents of the other
inputs are off their grids, because they pair grid monomials. Here each input ``x_j`` in turn
is the candidate curved one: ``log|y|`` is regressed on ``log x_i`` of the others plus a
smooth basis in ``x_j`` (a polynomial in ``log x_j``), which estimates the other exponents
whatever ``g`` is; the data divided by that power law leave a one-dimensional curve, cheap to
fit with a few templates whose exponents and constants are all free; the best few are scaled
back to all inputs, fitted jointly, and their exponents snapped (:mod:`refine`).
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from discolab.agents.search.budget import Budget
from discolab.agents.search.data import Dataset, make_dataset, scale_and_loss
from discolab.agents.search.expr import (
    UNARY_FUNCS,
    Node,
    binary,
    func,
    name_params,
    num,
    param,
    product,
    var,
)
from discolab.agents.search.features import angle_kind, radians
from discolab.agents.search.front import Solution
from discolab.agents.search.refine import PENALTY, fit_free, refine

logger = logging.getLogger(__name__)

BASIS_DEGREE = 4
"""Degree of the polynomial in ``log x_j`` (or ``x_j`` for angles) that stands for ``g``."""

START_POWERS = (-1.0, 0.5, 2.0)
"""Starting exponents of ``x**a`` in the offset template (the fit then moves them freely)."""

PAIR_STARTS = ((1.0, -1.0), (1.0, 2.0), (-1.0, 1.0), (2.0, 1.0))
"""Starting exponent pairs ``(a, b)`` of the two-power and saturation templates."""

SCREEN_POINTS = 60
"""Points of the one-input curve the templates are fitted on (the joint fit uses all)."""

EXACT = 1e-10
"""A template fit this good ends the search over templates for that input."""

KEEP_PER_INPUT = 2
"""Best one-dimensional templates per input scaled back to all inputs."""

REFINED = 3
"""Best joint fits whose exponents are snapped."""


def _pow(base: Node, exponent: float) -> Node:
    """``base**exponent`` as a ``pow`` node even for exponent 1, so the fit can move it."""
    return Node("pow", (base,), value=float(exponent))


def _other_exponents(data: Dataset, name: str, others: Sequence[str]) -> np.ndarray | None:
    """Exponents of ``others`` in ``log|y|``, with a smooth basis absorbing ``g(x_j)``."""
    col = data.columns[name]
    t = np.log(col) if data.positive(name) else col
    t = (t - t.mean()) / (t.std() or 1.0)
    basis = [t**k for k in range(1, BASIS_DEGREE + 1)]
    logs = [np.log(data.columns[n]) for n in others]
    design = np.column_stack([np.ones(data.n), *logs, *basis])
    if np.linalg.matrix_rank(design) < design.shape[1]:
        return None
    coef, *_ = np.linalg.lstsq(design, data.log_abs_y, rcond=None)
    exponents = coef[1 : 1 + len(others)]
    return exponents if np.all(np.isfinite(exponents)) else None


@dataclass(frozen=True)
class Template:
    """A one-input factor ``g(x; θ)`` with free exponents and constants.

    Attributes:
        name: short label for logs.
        values: ``(x, θ) -> g`` on numpy arrays (the fast path of the fits).
        tree: ``(x node, θ) -> g`` as a tree with ``pow`` exponents and ``param`` constants.
        starts: starting ``θ`` vectors.
    """

    name: str
    values: Callable[[np.ndarray, np.ndarray], np.ndarray]
    tree: Callable[[Node, np.ndarray], Node]
    starts: tuple[tuple[float, ...], ...]


def _add_scaled(left: Node, c: float, right: Node) -> Node:
    return binary("add", left, binary("mul", param(c), right))


def templates(col: np.ndarray, kind: str, positive: bool) -> list[Template]:
    """The factor templates that apply to an input with values ``col``.

    ``kind`` (``rad``/``deg``/``""``) adds ``1 + c*f(angle)**a`` for ``f`` in ``sin``, ``cos``
    and, below a right angle, ``tan``; ``positive`` inputs get offsets ``x**a + c``, two
    powers ``x**a + c*x**b``, saturations ``x**a/(1 + c*x**b)``, shifts ``(x + c)**a`` and
    logarithms ``log(1 + c*x**a)``. Starting constants are scaled to the data.
    """
    out: list[Template] = []
    if kind:
        to_rad = math.pi / 180 if kind == "deg" else 1.0
        top = float(np.abs(col).max()) * to_rad
        fns = ("sin", "cos", "tan") if top < math.pi / 2 - 1e-6 else ("sin", "cos")
        for fn in fns:
            f = UNARY_FUNCS[fn]
            out.append(
                Template(
                    f"1+c*{fn}**a",
                    lambda x, t, f=f: 1 + t[1] * f(x * to_rad) ** t[0],
                    lambda x, t, fn=fn: binary(
                        "add",
                        num(1.0),
                        binary("mul", param(t[1]), _pow(func(fn, radians(x, kind)), t[0])),
                    ),
                    ((1.0, 0.3), (1.0, -0.3), (2.0, 0.3)),
                )
            )
    if not positive:
        return out
    low = float(col.min())

    def level(a: float) -> float:
        return float(np.median(col**a))

    out.append(
        Template(
            "x**a+c",
            lambda x, t: x ** t[0] + t[1],
            lambda x, t: binary("add", _pow(x, t[0]), param(t[1])),
            tuple((a, c) for a in START_POWERS for c in (level(a), -0.5 * float(np.min(col**a)))),
        )
    )
    out.append(
        Template(
            "x**a+c*x**b",
            lambda x, t: x ** t[0] + t[2] * x ** t[1],
            lambda x, t: _add_scaled(_pow(x, t[0]), t[2], _pow(x, t[1])),
            tuple((a, b, level(a - b)) for a, b in PAIR_STARTS),
        )
    )
    out.append(
        Template(
            "x**a/(1+c*x**b)",
            lambda x, t: x ** t[0] / (1 + t[2] * x ** t[1]),
            lambda x, t: binary("div", _pow(x, t[0]), _add_scaled(num(1.0), t[2], _pow(x, t[1]))),
            tuple((a, b, 1.0 / level(b)) for a, b in PAIR_STARTS),
        )
    )
    out.append(
        Template(
            "(x+c)**a",
            lambda x, t: (x + t[1]) ** t[0],
            lambda x, t: _pow(binary("add", x, param(t[1])), t[0]),
            tuple((a, c) for a in (-1.0, 0.5) for c in (-0.5 * low, low)),
        )
    )
    out.append(
        Template(
            "log(1+c*x**a)",
            lambda x, t: np.log(1 + t[1] * x ** t[0]),
            lambda x, t: func("log", _add_scaled(num(1.0), t[1], _pow(x, t[0]))),
            tuple((a, 1.0 / level(a)) for a in (-1.0, 1.0)),
        )
    )
    return out


def _fit_template(
    curve: Dataset, x: np.ndarray, template: Template, start: Sequence[float]
) -> tuple[float, np.ndarray, float]:
    """Least-squares ``θ`` of ``y ≈ C·g(x; θ)`` on the log loss (``C`` projected out);
    returns the loss, ``θ`` and the closed-form ``C`` (``inf``, ``θ``, ``nan`` on failure)."""
    z = curve.log_abs_y

    def residuals(theta: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            g = template.values(x, theta)
            r = z - np.log(np.abs(g))
        signs = np.sign(g) * curve.sign
        bad = ~np.isfinite(r) | (signs != (signs[0] if signs[0] != 0 else 1))
        if bad.all():
            return np.full(z.size, PENALTY)
        r = r - r[~bad].mean()
        return np.where(bad, PENALTY, r)

    x0 = np.asarray(start, dtype=float)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = least_squares(residuals, x0, method="lm", x_scale="jac", max_nfev=200)
    except (ValueError, FloatingPointError, np.linalg.LinAlgError):
        return math.inf, x0, math.nan
    r = residuals(result.x)
    if np.any(r == PENALTY):
        return math.inf, result.x, math.nan
    with np.errstate(all="ignore"):
        g = template.values(x, result.x)
    scale, loss = scale_and_loss(curve, g)
    return loss, result.x, scale


def _one_dim(
    data: Dataset, name: str, others: Sequence[str], a: np.ndarray, most: int
) -> Dataset | None:
    """The data divided by the power law of ``others``: a curve in ``x_j`` alone, thinned to
    ``most`` points spread over the range of ``x_j`` (a curve in one input needs few)."""
    power = np.ones(data.n)
    for n, e in zip(others, a, strict=True):
        power = power * data.columns[n] ** e
    with np.errstate(all="ignore"):
        y = data.y / power
    order = np.argsort(data.columns[name], kind="stable")
    keep = order[np.unique(np.linspace(0, data.n - 1, min(most, data.n)).round().astype(int))]
    return make_dataset({name: data.columns[name][keep]}, y[keep], (name,))


def fit_factors(data: Dataset, budget: Budget | None = None) -> list[Solution]:
    """Solutions ``C·Π x_i**a_i·g(x_j)`` with a fitted one-input factor ``g`` (see module).

    ``budget``, when given, stops the stage early once spent (it is charged one evaluation
    per template fit and per joint fit, a coarse but deterministic count).
    """
    if not data.log_mode or data.n < 12:
        return []
    joint: list[tuple[float, Node]] = []
    for name in data.names:
        kind = angle_kind(data.columns[name])
        if not (kind or data.positive(name)):
            continue
        others = [n for n in data.names if n != name and data.positive(n)]
        a = _other_exponents(data, name, others) if others else np.zeros(0)
        if a is None:
            continue
        curve = _one_dim(data, name, others, a, SCREEN_POINTS)
        if curve is None or not curve.log_mode:
            continue
        fits: list[tuple[float, Node]] = []
        x = curve.columns[name]
        exact = False
        for template in templates(x, kind, data.positive(name)):
            for start in template.starts:
                if exact or (budget is not None and budget.exhausted):
                    break
                if budget is not None:
                    budget.charge()
                loss, theta, scale = _fit_template(curve, x, template, start)
                exact = exact or loss <= EXACT
                if math.isfinite(loss) and math.isfinite(scale) and scale != 0:
                    tree = binary("mul", param(scale), template.tree(var(name), theta))
                    fits.append((loss, tree))
        fits.sort(key=lambda f: f[0])
        for _, tree in fits[:KEEP_PER_INPUT]:
            rest = [_pow(var(n), float(e)) for n, e in zip(others, a, strict=True)]
            full = binary("mul", tree, product(rest)) if rest else tree
            full, loss = fit_free(data, full, max_nfev=100)
            if math.isfinite(loss):
                joint.append((loss, full))
    joint.sort(key=lambda f: f[0])
    out: list[Solution] = []
    for loss, full in joint[:REFINED]:
        out.append(Solution(name_params(full), loss, origin="factor"))
        snapped = refine(data, Solution(name_params(full), math.inf, origin="factor"))
        if snapped is not None:
            out.append(snapped)
    logger.debug("factor stage: %d solutions", len(out))
    return out
