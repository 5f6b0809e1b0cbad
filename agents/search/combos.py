"""Screened feature combinations for the log-linear stage: two extras at once, and sums of
two trigonometric terms.

:func:`features.feature_sets` adds one extra factor at a time to the plain power law. Some laws
need two: a wrapped angle *and* a sum of inputs (``n1*sin(theta1**3)/(n1 + n2)``), or a sum
of two different trigonometric terms of one angle (``(cos(theta)**0.5 + sin(theta))**2``).
There are too many such sets to snap every one, so each is screened first by the residual of
its free (unsnapped) log-linear fit, one small least-squares solve, and only the few best go
on to :func:`powerlaw.fit_feature_set`.
"""

from __future__ import annotations

import itertools

import numpy as np

from discolab.agents.search.data import Dataset
from discolab.agents.search.expr import Node, binary, evaluate, func, power, render, var
from discolab.agents.search.features import Feature, Library, _log_feature

TRIG_ARG_POWERS = (1.0, 0.5, 2.0, 3.0)
"""Powers ``b`` of a positive angle inside the terms ``sin(x**b)**q`` and ``cos(x**b)**q``."""

TRIG_TERM_POWERS = (1.0, 0.5, 2.0)
"""Powers ``q`` of the terms ``sin(x**b)**q`` and ``cos(x**b)**q``."""


def trig_sums(data: Dataset, library: Library) -> list[Feature]:
    """Sums ``sin(x**b)**q + cos(x**c)**r`` of every angle-like positive input.

    An input is angle-like when the library already holds its ``sin`` feature.
    """
    angles = [
        n
        for n in data.names
        if data.positive(n) and any(f.label == f"sin({n})" for f in library.extras)
    ]
    out: list[Feature] = []
    for name in angles:
        x = var(name)
        sines = [_term("sin", x, b, q) for b in TRIG_ARG_POWERS for q in TRIG_TERM_POWERS]
        cosines = [_term("cos", x, b, q) for b in TRIG_ARG_POWERS for q in TRIG_TERM_POWERS]
        for s, c in itertools.product(sines, cosines):
            tree = binary("add", c, s)
            values = evaluate(tree, {name: data.columns[name]})
            feat = _log_feature(render(tree), tree, values, {name})
            if feat is not None:
                out.append(feat)
    return out


def _term(fn: str, x: Node, b: float, q: float) -> Node:
    return power(func(fn, power(x, b)), q)


def _projected(data: Dataset, base: tuple[Feature, ...], columns: list[np.ndarray]):
    """``log|y|`` and ``columns`` with the constant and the ``base`` columns projected out;
    columns are scaled to unit norm (zero columns stay zero)."""
    q, r = np.linalg.qr(np.column_stack([np.ones(data.n), *(f.column for f in base)]))
    keep = np.abs(np.diag(r)) > 1e-10 * max(1.0, float(np.abs(r).max(initial=0.0)))
    q = q[:, keep]
    z = data.log_abs_y - q @ (q.T @ data.log_abs_y)
    block = np.column_stack(columns) if columns else np.zeros((data.n, 0))
    block = block - q @ (q.T @ block)
    norms = np.linalg.norm(block, axis=0)
    block = np.where(norms > 1e-9, block / np.where(norms > 0, norms, 1.0), 0.0)
    return z, block


def _single_scores(data: Dataset, base: tuple[Feature, ...], feats: list[Feature]) -> np.ndarray:
    """Residual sum of squares of ``log|y|`` on the base plus each feature alone."""
    z, block = _projected(data, base, [f.column for f in feats])
    return float(z @ z) - (block.T @ z) ** 2


def _pair_scores(
    data: Dataset, base: tuple[Feature, ...], feats: list[Feature], i: np.ndarray, j: np.ndarray
) -> np.ndarray:
    """Residual sum of squares on the base plus each pair ``(feats[i], feats[j])``."""
    z, block = _projected(data, base, [f.column for f in feats])
    gram = block.T @ block
    rhs = block.T @ z
    det = gram[i, i] * gram[j, j] - gram[i, j] ** 2
    with np.errstate(all="ignore"):
        ci = (gram[j, j] * rhs[i] - gram[i, j] * rhs[j]) / det
        cj = (gram[i, i] * rhs[j] - gram[i, j] * rhs[i]) / det
        sse = float(z @ z) - ci * rhs[i] - cj * rhs[j]
    single = np.maximum(rhs[i] ** 2, rhs[j] ** 2)
    return np.where((det > 1e-10) & np.isfinite(sse), sse, float(z @ z) - single)


def screened_sets(
    data: Dataset, library: Library, top: int = 4, top_sums: int = 3
) -> list[tuple[Feature, ...]]:
    """The ``top`` most promising two-extra feature sets, and the ``top_sums`` best single
    trigonometric sums, each with and without the inputs they replace.

    Pairs are of extras reading disjoint inputs (two exponential factors included); a set is
    ranked by the residual of its free log-linear fit together with all inputs. Needs a few
    more points than features.
    """
    base = library.inputs
    if not data.log_mode or data.n < len(base) + 8:
        return []
    extras = list(library.extras)
    out: list[tuple[Feature, ...]] = []

    def variants(chosen: tuple[Feature, ...]) -> None:
        used = frozenset().union(*(f.uses for f in chosen))
        replaced = tuple(f for f in base if not (f.uses & used))
        out.append((*base, *chosen))
        if len(replaced) < len(base):
            out.append((*replaced, *chosen))

    pairs = [
        (a, b)
        for a, b in itertools.combinations(range(len(extras)), 2)
        if not (extras[a].uses & extras[b].uses)
    ]
    if pairs and top > 0:
        i, j = (np.array(v) for v in zip(*pairs, strict=True))
        scores = _pair_scores(data, base, extras, i, j)
        for k in np.argsort(scores, kind="stable")[:top]:
            variants((extras[i[k]], extras[j[k]]))
    sums = trig_sums(data, library)
    if sums and top_sums > 0:
        scores = _single_scores(data, base, sums)
        for k in np.argsort(scores, kind="stable")[:top_sums]:
            variants((sums[k],))
    return out
