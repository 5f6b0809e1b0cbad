"""Two-term laws ``y = C·T1 + C'·T2`` where ``T1``, ``T2`` are simple terms.

Sums of terms (an offset plus a power, two competing power laws, a logarithm with an offset,
two exponentials) are out of reach of the log-linear stage and slow for genetic programming
to assemble. Here every pair from a library of terms (``x**a`` and ``x_i**a * x_j**b`` with
simple exponents, ``1``, ``log(x)``, and ``exp(C_k*x)`` with starting rates that the polish
refits) is fitted by weighted linear least squares at once: with the Gram matrix of the
weighted columns, each pair is a 2x2 solve, so thousands of pairs cost milliseconds. Weights
``1/|y|`` make the fit a relative one, matching the log loss; the best pairs are then
polished in log space.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from discolab.agents.search.constants import polish, shape_loss
from discolab.agents.search.data import Dataset
from discolab.agents.search.expr import (
    Node,
    binary,
    evaluate,
    func,
    name_params,
    num,
    param,
    render,
    var,
    variables_of,
    walk,
)
from discolab.agents.search.front import Solution
from discolab.agents.search.powerlaw import power_product
from discolab.agents.search.treeops import with_scale

SINGLE_EXPONENTS = (-3.0, -2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0, 3.0)
"""Exponents of one-input monomials."""

PAIR_EXPONENTS = (-2.0, -1.0, 1.0, 2.0)
"""Exponents of each input in two-input monomials."""


def monomials(
    data: Dataset, pair_exponents: Sequence[float] = PAIR_EXPONENTS
) -> list[tuple[Node, np.ndarray]]:
    """The monomial library on the positive inputs: ``(tree, values)`` pairs, ``1`` first.

    ``pair_exponents`` are the exponents each input may carry in a two-input monomial.
    """
    names = [n for n in data.names if data.positive(n)]
    out: list[tuple[Node, np.ndarray]] = [(num(1.0), np.ones(data.n))]
    for n in names:
        for a in SINGLE_EXPONENTS:
            out.append((power_product(None, [(var(n), a)]), data.columns[n] ** a))
    for n1, n2 in itertools.combinations(names, 2):
        for a, b in itertools.product(pair_exponents, repeat=2):
            tree = power_product(None, [(var(n1), a), (var(n2), b)])
            out.append((tree, data.columns[n1] ** a * data.columns[n2] ** b))
    for n in names:
        out.append((func("log", var(n)), np.log(data.columns[n])))
    out.extend(exp_terms(data, names))
    return [(t, v) for t, v in out if np.all(np.isfinite(v)) and np.any(v != 0)]


EXP_RATES = (0.5, 1.5, 5.0, 15.0)
"""Starting rates ``k·max(x)`` of the exponential terms ``exp(C_k*x)``, both signs; the
polish then fits each rate freely."""


def exp_terms(data: Dataset, names: Sequence[str]) -> list[tuple[Node, np.ndarray]]:
    """Exponential terms ``exp(C_k*x)`` and ``z*exp(C_k*x)`` of the positive inputs.

    Sums of two exponentials (two decay channels, ``cosh``, a rise and a fall) pair them;
    the factor ``z`` lets another input multiply both terms (``N*(exp(-a*t) + c*exp(-b*t))``).
    """
    out: list[tuple[Node, np.ndarray]] = []
    for n in names:
        col = data.columns[n]
        top = float(col.max())
        if not (top > 0 and np.ptp(col) > 0):
            continue
        for rate in (*EXP_RATES, *(-r for r in EXP_RATES)):
            k = rate / top
            tree = func("exp", binary("mul", param(k), var(n)))
            values = np.exp(k * col)
            out.append((tree, values))
            for z in names:
                if z != n:
                    out.append((binary("mul", var(z), tree), data.columns[z] * values))
    return out


@dataclass(frozen=True)
class _PairFits:
    """Every pair of the monomial library fitted at once (see :func:`_pair_fits`)."""

    library: list[tuple[Node, np.ndarray]]
    norms: np.ndarray
    i: np.ndarray
    j: np.ndarray
    ci: np.ndarray
    cj: np.ndarray
    sse: np.ndarray


def _pair_fits(
    data: Dataset, pair_exponents: Sequence[float], anchors: Sequence[Node] = ()
) -> _PairFits | None:
    """Weighted least squares of ``y`` on every pair of monomials, as 2x2 solves.

    ``anchors`` are extra shapes (a fitted power law such as ``k/m**0.7``) that join the
    library, so a leading term off the exponent grid can pair with a small correction term.
    """
    if data.n < 4:
        return None
    library = monomials(data, pair_exponents)
    seen = {render(t) for t, _ in library}
    for anchor in anchors:
        if render(anchor) in seen:
            continue
        seen.add(render(anchor))
        # A constant anchor (a power law whose exponents all snapped to 0) evaluates to a
        # scalar; broadcast it, or stacking the columns fails on mismatched shapes.
        values = np.broadcast_to(np.asarray(evaluate(anchor, data.columns), float), data.y.shape)
        library.append((anchor, np.array(values)))
    library = [(t, v) for t, v in library if np.all(np.isfinite(v)) and np.any(v != 0)]
    if len(library) < 2:
        return None
    weights = 1.0 / np.abs(data.y) if data.log_mode else np.ones(data.n)
    target = data.y * weights
    block = np.column_stack([v for _, v in library]) * weights[:, None]
    norms = np.linalg.norm(block, axis=0)
    ok = np.isfinite(norms) & (norms > 0)
    if not np.all(ok):
        library = [m for m, good in zip(library, ok, strict=True) if good]
        block, norms = block[:, ok], norms[ok]
    if len(library) < 2:
        return None
    block = block / norms
    gram = block.T @ block
    rhs = block.T @ target
    i, j = np.triu_indices(len(library), k=1)
    det = gram[i, i] * gram[j, j] - gram[i, j] ** 2
    with np.errstate(all="ignore"):
        ci = (gram[j, j] * rhs[i] - gram[i, j] * rhs[j]) / det
        cj = (gram[i, i] * rhs[j] - gram[i, j] * rhs[i]) / det
        sse = float(target @ target) - ci * rhs[i] - cj * rhs[j]
    sse = np.where((det > 1e-10) & np.isfinite(sse), sse, np.inf)
    return _PairFits(library, norms, i, j, ci, cj, sse)


def two_term_screen(data: Dataset, pair_exponents: Sequence[float] = PAIR_EXPONENTS) -> float:
    """RMS relative error of the best two-term law before polishing (``inf`` if none).

    Cheap enough to rank many candidate output transforms before fitting any of them fully.
    """
    fits = _pair_fits(data, pair_exponents)
    if fits is None or not np.isfinite(fits.sse).any():
        return math.inf
    return math.sqrt(max(float(np.min(fits.sse)), 0.0) / data.n)


def fit_two_terms(
    data: Dataset,
    keep: int = 4,
    pair_exponents: Sequence[float] = PAIR_EXPONENTS,
    anchors: Sequence[Node] = (),
) -> list[Solution]:
    """The ``keep`` best two-term laws, constants polished, as solutions.

    ``pair_exponents`` widens the two-input monomials (a transformed output such as ``y**2``
    of a damped oscillator needs ``k/m**1.5``); ``anchors`` are extra leading terms (see
    :func:`_pair_fits`).
    """
    fits = _pair_fits(data, pair_exponents, anchors)
    if fits is None:
        return []
    library, norms, i, j, ci, cj, sse = (
        fits.library,
        fits.norms,
        fits.i,
        fits.j,
        fits.ci,
        fits.cj,
        fits.sse,
    )
    out: list[Solution] = []
    per_signature: dict[tuple[tuple[frozenset[str], bool], ...], int] = {}
    anchor_keys = {render(a) for a in anchors}
    anchored = 0
    attempts = 0
    for k in np.argsort(sse, kind="stable"):
        if not math.isfinite(sse[k]) or attempts >= 8 * keep:
            break
        if ci[k] == 0 or cj[k] == 0:
            continue
        a_tree, b_tree = library[i[k]][0], library[j[k]][0]
        if render(a_tree) in anchor_keys or render(b_tree) in anchor_keys:
            if anchored >= max(keep // 2, 1):
                continue  # a near-exact anchor pairs well with anything; leave room
            anchored += 1
        uses = (_kind(a_tree), _kind(b_tree))
        signature = tuple(sorted(uses, key=lambda u: (sorted(u[0]), u[1])))
        if per_signature.get(signature, 0) >= 2:
            continue  # keep room for pairs over other inputs (a small second term)
        per_signature[signature] = per_signature.get(signature, 0) + 1
        attempts += 1
        ratio = (cj[k] / norms[j[k]]) / (ci[k] / norms[i[k]])
        if ci[k] < 0 < cj[k]:
            # Lead with the positive term, so the scale is positive (a square root of
            # ``C*(...)`` with ``C < 0`` defeats refits that start from ``C = 1``).
            a_tree, b_tree, ratio = b_tree, a_tree, 1.0 / ratio
        shape = binary("add", a_tree, _times(param(float(ratio)), b_tree))
        shape, _ = polish(data, shape)
        scale, loss = shape_loss(data, shape)
        if math.isfinite(loss) and math.isfinite(scale):
            expr = name_params(with_scale(shape, param(scale)))
            out.append(Solution(expr, loss, origin="terms"))
        if len(out) >= keep + anchored:  # anchored pairs come on top of ``keep``
            break
    return out


def _times(coefficient: Node, term: Node) -> Node:
    """``coefficient * term``, or the bare coefficient when the term is the constant ``1``."""
    if term.op == "num" and term.value == 1:
        return coefficient
    return binary("mul", coefficient, term)


def _kind(term: Node) -> tuple[frozenset[str], bool]:
    """The inputs a term reads and whether it is exponential: pairs of one kind compete for
    the polishing slots, so monomial pairs cannot crowd out exponential ones."""
    return frozenset(variables_of(term)), any(n.op == "exp" for n in walk(term))
