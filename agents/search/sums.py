"""Three-term laws ``y = C·(P1 + C1·P2 + C2·P3)`` of simple terms.

Polynomials with an offset (``a*x**2 + b*x + c``), virial-like series (``T/V + b/V**2 +
c/V**3``) and sums over several inputs (``x**3 + y**2 + z``) have three terms, beyond the
two-term fit of :mod:`terms`. For fixed terms the fit is linear, so every triple of a term
library (the constant, one-input monomials, two-input products and ratios, logarithms) is
solved at once: with the Gram matrix of the weighted columns, each triple is a 3x3 solve,
batched. Weights ``1/|y|`` make the fit relative, like the log loss; the best triples are
then polished in log space. Off-grid exponents are left to :mod:`refine`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from discolab.agents.search.constants import polish, shape_loss
from discolab.agents.search.data import Dataset
from discolab.agents.search.expr import Node, binary, func, name_params, num, param, var
from discolab.agents.search.front import Solution
from discolab.agents.search.powerlaw import power_product
from discolab.agents.search.terms import SINGLE_EXPONENTS
from discolab.agents.search.treeops import with_scale

MAX_LIBRARY = 80
"""Most terms in the library; beyond it the two-input terms are left out (cost ~ L**3)."""

PRODUCT_EXPONENTS = (-1.0, 1.0)
"""Exponents of each input in the two-input terms (``x*y``, ``T/V``)."""


def term_library(data: Dataset) -> list[tuple[Node, np.ndarray]]:
    """``(tree, values)`` of every term: ``1``, ``x**a``, ``log(x)``, ``x**a * z**b``."""
    names = [n for n in data.names if data.positive(n)]
    singles: list[tuple[Node, np.ndarray]] = [(num(1.0), np.ones(data.n))]
    for n in names:
        col = data.columns[n]
        singles.extend((power_product(None, [(var(n), a)]), col**a) for a in SINGLE_EXPONENTS)
        singles.append((func("log", var(n)), np.log(col)))
    pairs: list[tuple[Node, np.ndarray]] = []
    for n1, n2 in itertools.combinations(names, 2):
        for a, b in itertools.product(PRODUCT_EXPONENTS, repeat=2):
            tree = power_product(None, [(var(n1), a), (var(n2), b)])
            pairs.append((tree, data.columns[n1] ** a * data.columns[n2] ** b))
    library = singles + pairs if len(singles) + len(pairs) <= MAX_LIBRARY else singles
    return [(t, v) for t, v in library if np.all(np.isfinite(v)) and np.ptp(v) + abs(v[0]) > 0]


def fit_three_terms(data: Dataset, keep: int = 3, screen: int = 12) -> list[Solution]:
    """The ``keep`` best three-term laws, constants polished; ``screen`` triples are polished.

    Needs a few more points than terms; returns nothing on fewer than 8 points.
    """
    if data.n < 8:
        return []
    library = term_library(data)[:MAX_LIBRARY]
    if len(library) < 3:
        return []
    weights = 1.0 / np.abs(data.y) if data.log_mode else np.ones(data.n)
    target = data.y * weights
    block = np.column_stack([v for _, v in library]) * weights[:, None]
    norms = np.linalg.norm(block, axis=0)
    good = np.isfinite(norms) & (norms > 0)
    library = [t for t, ok in zip(library, good, strict=True) if ok]
    block, norms = block[:, good] / norms[good], norms[good]
    if len(library) < 3:
        return []
    gram, rhs = block.T @ block, block.T @ target
    triples = np.array(list(itertools.combinations(range(len(library)), 3)))
    a = gram[triples[:, :, None], triples[:, None, :]] + 1e-10 * np.eye(3)
    b = rhs[triples]
    with np.errstate(all="ignore"):
        coef = np.linalg.solve(a, b[..., None])[..., 0]
        sse = float(target @ target) - np.einsum("ij,ij->i", coef, b)
    cond_ok = np.all(np.abs(coef) < 1e8, axis=1) & np.all(coef != 0, axis=1)
    sse = np.where(np.isfinite(sse) & cond_ok, sse, np.inf)
    out: list[Solution] = []
    for k in np.argsort(sse, kind="stable")[:screen]:
        if not math.isfinite(sse[k]):
            break
        sol = _solution(data, [library[i][0] for i in triples[k]], coef[k] / norms[triples[k]])
        if sol is not None:
            out.append(sol)
    return sorted(out, key=lambda s: s.loss)[:keep]


def _solution(data: Dataset, trees: Sequence[Node], coef: np.ndarray) -> Solution | None:
    """``C·(P1 + C1·P2 + C2·P3)`` led by the largest positive term, polished."""
    order = sorted(range(3), key=lambda i: (coef[i] <= 0, -abs(coef[i])))
    lead = order[0]
    shape: Node = trees[lead]
    for i in order[1:]:
        ratio = param(float(coef[i] / coef[lead]))
        term = trees[i]
        shape = binary("add", shape, ratio if term.op == "num" else binary("mul", ratio, term))
    shape, _ = polish(data, shape)
    scale, loss = shape_loss(data, shape)
    if not (math.isfinite(loss) and math.isfinite(scale)):
        return None
    return Solution(name_params(with_scale(shape, param(scale))), loss, origin="sums")
