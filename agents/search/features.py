"""The feature library of the log-linear stage: what may appear as a factor of a power law.

A law ``y = C · Π f_k^a_k · exp(Σ b_j g_j)`` is linear in log space:
``log|y| = log|C| + Σ a_k log|f_k| + Σ b_j g_j``. The *power* features ``f_k`` are the
non-zero inputs, simple compositions of two inputs (``m1 + m2``, ``T1 - T2``,
``m1**2 + m2**2``) and, for angle-like inputs, ``sin`` and ``cos``; their exponents are later
snapped to simple rationals. The *linear* features ``g_j`` are raw inputs whose coefficient
stays a free parameter (exponential decay). Only the task spec and the data are used.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from discolab.agents.search.data import Dataset
from discolab.agents.search.expr import Node, binary, evaluate, func, num, power, render, var
from discolab.types import Variable


@dataclass(frozen=True)
class Feature:
    """One candidate factor.

    Attributes:
        label: short text for logs (``m1+m2``).
        base: the factor's tree without exponent.
        column: regression column: ``log|base|`` for power features, ``base`` for linear ones.
        linear: True for a linear feature that enters as ``exp(C_k * base)``.
        uses: input names the feature reads; a composite replaces these in a spec.
        signed: whether the feature takes negative values on the data.
    """

    label: str
    base: Node
    column: np.ndarray
    linear: bool
    uses: frozenset[str]
    signed: bool = False


@dataclass(frozen=True)
class Library:
    """The features found for one dataset, grouped by role.

    Attributes:
        inputs: log power features of the non-zero raw inputs, in task order.
        extras: compositions, trig factors and linear (exponential) features.
    """

    inputs: tuple[Feature, ...]
    extras: tuple[Feature, ...]


def _units(variables: Sequence[Variable]) -> dict[str, str]:
    return {v.name: v.unit for v in variables}


def _log_feature(label: str, base: Node, values: np.ndarray, uses: set[str]) -> Feature | None:
    """A power feature (column ``log|values|``) when ``values`` are finite, non-zero and vary.

    Signed values are allowed: the fit sees magnitudes and the built formula must then get the
    signs right (integer powers of a charge do, fractional ones are rejected). Features whose
    log varies by less than 1e-6 carry no signal (``cos`` of a tiny input) and would only let
    the fit chase noise.
    """
    if not (np.all(np.isfinite(values)) and np.all(values != 0)):
        return None
    column = np.log(np.abs(values))
    if values.size > 1 and np.ptp(column) < 1e-6:
        return None
    return Feature(label, base, column, False, frozenset(uses), bool(np.any(values < 0)))


ANGLE_POWERS = (0.5, 1.5, 2.0, 3.0)
"""Simple powers ``b`` of a positive angle offered inside ``sin(x**b)`` and ``cos(x**b)``."""

DEGREE_UNITS = frozenset({"deg", "degree", "degrees", "°"})
"""Declared units that mark an input as an angle in degrees."""


def angle_kind(col: np.ndarray, unit: str = "") -> str:
    """``"rad"``, ``"deg"`` or ``""``: whether an input looks like an angle, and in which unit.

    A declared degree unit decides; otherwise the range does: largest magnitude in
    ``[0.5, 2π]`` reads as radians, in ``(2π, 360]`` as degrees (angles of instruments and
    tables are mostly quoted in degrees, from a few degrees to a right or full angle).
    """
    if not col.size:
        return ""
    top = float(np.abs(col).max())
    if unit.strip().lower() in DEGREE_UNITS:
        return "deg" if top <= 720 else ""
    if 0.5 <= top <= 2 * math.pi + 1e-9:
        return "rad"
    if 2 * math.pi < top <= 360 + 1e-9:
        return "deg"
    return ""


def radians(x: Node, kind: str, multiple: int = 1) -> Node:
    """The angle ``multiple * x`` in radians: ``x`` itself, or ``pi*x/180`` for degrees."""
    if kind == "deg":
        return binary("div", binary("mul", num(math.pi), x), num(180 / multiple))
    return x if multiple == 1 else binary("mul", num(float(multiple)), x)


def _angle_features(name: str, col: np.ndarray, kind: str = "rad") -> list[Feature]:
    """Trigonometric power features of an angle-like input (``kind`` ``rad`` or ``deg``).

    ``sin``, ``cos``, their sum (``(sin + cos)**2`` is a shifted Malus law), ``tan`` below a
    right angle, ``sin`` of the double angle (ranges of projectiles, stresses on a plane)
    and, for positive angles in radians, ``sin``/``cos`` of simple powers of the angle (a
    wrapped argument ``cos(theta**1.5)``).
    """
    x = var(name)
    u = radians(x, kind)
    trees: list[Node] = [func("sin", u), func("cos", u)]
    trees.append(binary("add", func("sin", u), func("cos", u)))
    top = float(np.abs(col).max()) * (math.pi / 180 if kind == "deg" else 1.0)
    if top < math.pi / 2 - 1e-6:
        trees.append(func("tan", u))
    if top < math.pi / 2 + 1e-6:
        trees.append(func("sin", radians(x, kind, 2)))
    if kind == "rad" and np.all(col > 0):
        trees.extend(func(fn, power(x, b)) for b in ANGLE_POWERS for fn in ("sin", "cos"))
    out = []
    for tree in trees:
        feat = _log_feature(render(tree), tree, evaluate(tree, {name: col}), {name})
        if feat is not None:
            out.append(feat)
    return out


def build_library(data: Dataset, variables: Sequence[Variable] = ()) -> Library:
    """All features usable on ``data``.

    ``variables`` (the task's declared inputs) supply units: sums and differences are only
    formed between inputs with the same unit (or when units are unknown), because adding a mass
    to a distance has no physical meaning and would only invite overfitting. ``sin`` and
    ``cos`` (and the compositions of :func:`_angle_features`) are offered for inputs that look
    like angles, in radians or degrees (:func:`angle_kind`).
    """
    units = _units(variables)
    inputs: list[Feature] = []
    extras: list[Feature] = []
    for name in data.names:
        col = data.columns[name]
        feat = _log_feature(name, var(name), col, {name})
        if feat is not None:
            inputs.append(feat)
        if col.size > 1 and np.ptp(col) > 0:
            extras.append(Feature(f"exp({name})", var(name), col, True, frozenset({name})))
        kind = angle_kind(col, units.get(name, ""))
        if kind:
            extras.extend(_angle_features(name, col, kind))
    for a, b in itertools.combinations(data.names, 2):
        ua, ub = units.get(a, ""), units.get(b, "")
        if ua and ub and ua != ub:
            continue
        ca, cb = data.columns[a], data.columns[b]
        with np.errstate(all="ignore"):
            plus = ca + cb
            minus = ca - cb
        feat = _log_feature(f"{a}+{b}", binary("add", var(a), var(b)), plus, {a, b})
        if feat is not None:
            extras.append(feat)
        squares = binary("add", power(var(a), 2), power(var(b), 2))
        feat = _log_feature(f"{a}^2+{b}^2", squares, ca**2 + cb**2, {a, b})
        if feat is not None:
            extras.append(feat)
        if np.all(minus > 0):
            diff = _log_feature(f"{a}-{b}", binary("sub", var(a), var(b)), minus, {a, b})
        elif np.all(minus < 0):
            diff = _log_feature(f"{b}-{a}", binary("sub", var(b), var(a)), -minus, {a, b})
        else:
            diff = None
        if diff is not None:
            extras.append(diff)
    return Library(tuple(inputs), tuple(extras))


def feature_sets(library: Library) -> list[tuple[Feature, ...]]:
    """The feature combinations the log-linear stage fits, simplest first.

    The plain power law over every non-zero input; that plus each extra; and, for a composite,
    the power law with the composite *replacing* the inputs it is made of (``(m1+m2)**2/r**1.5``
    has no separate ``m1`` factor). Duplicates are removed.
    """
    base = library.inputs
    sets: list[tuple[Feature, ...]] = [base] if base else []
    for extra in library.extras:
        sets.append((*base, extra))
        if not extra.linear:
            replaced = tuple(f for f in base if not (f.uses & extra.uses))
            if len(replaced) < len(base):
                sets.append((*replaced, extra))
    seen: set[tuple[str, ...]] = set()
    unique: list[tuple[Feature, ...]] = []
    for fs in sets:
        key = tuple(f.label for f in fs)
        if key not in seen:
            seen.add(key)
            unique.append(fs)
    return unique
