"""Exponential factors with a power inside: ``y = A(x)·exp(C·u(x))`` for a monomial ``u``.

The log-linear stage already fits ``exp(C·x)`` of raw inputs, because ``log|y|`` is then linear
in ``x``. Shifted decay and Boltzmann laws put a monomial in the exponent instead
(``exp(-C*t**1.5)``, ``exp(-C*sqrt(t))``, ``exp(-C*E/T)``). For a fixed monomial ``u`` the model
``log|y| = c0 + Σ a_i·log x_i + β·u`` is still linear, so the exponents of ``u`` can be screened
by variable projection: project ``log|y|`` and every candidate ``u`` off the power-law columns
and rank the candidates by how much residual variance ``u`` explains, all with one matrix
product. The few best become linear features for :func:`powerlaw.fit_feature_set`, which then
snaps the prefactor exponents and refits ``β`` as the free parameter ``C1``.
"""

from __future__ import annotations

import itertools

import numpy as np

from discolab.agents.search.data import Dataset
from discolab.agents.search.expr import Node, render, var
from discolab.agents.search.features import Feature, Library
from discolab.agents.search.powerlaw import power_product

EXP_POWERS = (-2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0, 3.0)
"""Exponents ``b`` of one-input monomials ``x**b`` inside an exponential."""

EXP_PAIR_POWERS = (-2.0, -1.0, 1.0, 2.0)
"""Exponents of each input in two-input monomials (``E/T``, ``E**2/T``) inside an exponential."""


def _candidates(data: Dataset) -> list[tuple[Node, np.ndarray, frozenset[str]]]:
    """Monomials of the positive inputs with finite, varying values: ``(tree, values, uses)``."""
    names = [n for n in data.names if data.positive(n)]
    out: list[tuple[Node, np.ndarray, frozenset[str]]] = []
    with np.errstate(all="ignore"):
        for n in names:
            for b in EXP_POWERS:
                tree = power_product(None, [(var(n), b)])
                out.append((tree, data.columns[n] ** b, frozenset({n})))
        for n1, n2 in itertools.combinations(names, 2):
            for a, b in itertools.product(EXP_PAIR_POWERS, repeat=2):
                tree = power_product(None, [(var(n1), a), (var(n2), b)])
                values = data.columns[n1] ** a * data.columns[n2] ** b
                out.append((tree, values, frozenset({n1, n2})))
    return [c for c in out if np.all(np.isfinite(c[1])) and np.ptp(c[1]) > 0]


def exp_features(data: Dataset, library: Library, top: int = 3) -> list[Feature]:
    """The ``top`` monomials ``u`` whose factor ``exp(C·u)`` best explains ``log|y|``.

    Each candidate is scored by the residual variance it removes once the power-law columns
    (the constant and ``log x_i`` of every input) are projected out; raw inputs (``u = x``) are
    skipped since the library already holds them as linear features.
    """
    if not data.log_mode or data.n < 6 or top <= 0:
        return []
    candidates = [c for c in _candidates(data) if c[0].op != "var"]
    if not candidates:
        return []
    base = np.column_stack([np.ones(data.n), *(f.column for f in library.inputs)])
    q, r = np.linalg.qr(base)
    keep = np.abs(np.diag(r)) > 1e-10 * max(1.0, float(np.abs(r).max(initial=0.0)))
    q = q[:, keep]
    z = data.log_abs_y - q @ (q.T @ data.log_abs_y)
    block = np.column_stack([c[1] for c in candidates])
    block = block / np.linalg.norm(block, axis=0)
    block = block - q @ (q.T @ block)
    norms = np.linalg.norm(block, axis=0)
    with np.errstate(all="ignore"):
        gain = np.where(norms > 1e-9, (block.T @ z) ** 2 / norms**2, 0.0)
    gain = np.nan_to_num(gain, nan=0.0, posinf=0.0, neginf=0.0)
    order = np.argsort(-gain, kind="stable")[:top]
    return [
        Feature(f"exp({render(candidates[i][0])})", *candidates[i][:2], True, candidates[i][2])
        for i in order
        if gain[i] > 0
    ]
