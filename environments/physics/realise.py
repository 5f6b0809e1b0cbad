"""Realising a mutated law tree: units of its constants, fitted values and acceptance checks.

Part of the variant generator (:mod:`~discolab.environments.physics.mutation`): a
:class:`LawSetup` declares a domain's canonical law; :class:`Lab` holds the fixed samples of
the domain on which a mutated tree's constants are fitted (in log space, to the canonical
law's outputs) and on which the resulting law is checked.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from discolab.environments.base import sample_inputs
from discolab.environments.physics.laws import HiddenConstant, Law, law_from_tree
from discolab.environments.physics.tree import (
    Bin,
    Const,
    Node,
    constant_names,
    evaluate,
    positions,
    solve_units,
)
from discolab.environments.physics.units import format_unit, parse_unit
from discolab.errors import ExpressionError
from discolab.types import Variable
from discolab.verifiers.expressions import parse_expression

SCALE = "K"
"""Name of the outer scale constant added when a mutation needs one for its units."""

_FIT_POINTS, _CHECK_POINTS = 256, 2048
_COARSE = np.arange(-40.0, 40.0001, 0.25)
_FINE = np.arange(-0.25, 0.2501, 0.005)


@dataclass(frozen=True)
class LawSetup:
    """A domain's canonical law and what mutations may do to it.

    Attributes:
        name: the domain's short name (``gravity``); seeds the domain's own draws.
        inputs: the controllable inputs (units are read by :mod:`units`).
        output: the measured quantity.
        tree: the canonical law with its hidden constants as :class:`Const` leaves.
        constants: ``(name, value)`` of each hidden constant of the canonical law.
        functions: what ``wrap`` may use: ``sqrt``, ``exp-`` (``exp(-x)``), ``sin``, ``cos``.
    """

    name: str
    inputs: tuple[Variable, ...]
    output: Variable
    tree: Node
    constants: tuple[tuple[str, float], ...]
    functions: tuple[str, ...] = ("sqrt",)


def canonical_law(setup: LawSetup) -> Law:
    """The textbook law of ``setup`` as a :class:`Law` named ``canonical``.

    Raises:
        ValueError: the canonical law's units are inconsistent.
    """
    units = solve_units(setup.tree, input_units(setup), parse_unit(setup.output.unit))
    if units is None:
        raise ValueError(f"the canonical {setup.name} law has inconsistent units")
    constants = tuple(
        HiddenConstant(name, value, format_unit(units[name])) for name, value in setup.constants
    )
    return law_from_tree("canonical", setup.tree, constants, "canonical")


def input_units(setup: LawSetup) -> dict[str, np.ndarray]:
    return {v.name: parse_unit(v.unit) for v in setup.inputs}


def _corners(inputs: Sequence[Variable]) -> dict[str, np.ndarray]:
    rows = list(itertools.product(*[(v.low, v.high) for v in inputs]))
    return {v.name: np.array([r[i] for r in rows]) for i, v in enumerate(inputs)}


def _sample(inputs: Sequence[Variable], n: int, seed: int) -> dict[str, np.ndarray]:
    columns = sample_inputs(inputs, n, np.random.default_rng(seed))
    corners = _corners(inputs)
    return {k: np.concatenate([columns[k], corners[k]]) for k in columns}


def _outer_constant(tree: Node) -> str | None:
    """The constant that multiplies the whole law (leftmost factor of the top product)."""
    node = tree
    while isinstance(node, Bin) and node.op in "*/":
        node = node.left
    if not isinstance(node, Const):
        return None
    count = sum(isinstance(n, Const) and n.name == node.name for _, n in positions(tree))
    return node.name if count == 1 else None


def _round(value: float) -> float:
    return float(f"{value:.3g}")


class Lab:
    """The fixed samples a domain's candidates are fitted and checked on."""

    def __init__(self, setup: LawSetup) -> None:
        self.setup = setup
        self.canonical = canonical_law(setup)
        self.fit = _sample(setup.inputs, _FIT_POINTS, seed=0)
        self.check = _sample(setup.inputs, _CHECK_POINTS, seed=1)
        self.target = np.log(self.canonical.function(self.fit))
        self.output_unit = parse_unit(setup.output.unit)
        self.names = tuple(v.name for v in setup.inputs)

    def log_check(self, law: Law) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.log(law.function(self.check))

    def realise(self, tree: Node, name: str, difficulty: str) -> Law | None:
        """The law of a mutated tree with fitted constants, or ``None`` if it is rejected."""
        units = solve_units(tree, input_units(self.setup), self.output_unit)
        if units is None and _outer_constant(tree) is None:
            tree = Const(SCALE) * tree
            units = solve_units(tree, input_units(self.setup), self.output_unit)
        if units is None:
            return None
        values = self._fit(tree)
        if values is None:
            return None
        constants = tuple(
            HiddenConstant(n, values[n], format_unit(units[n])) for n in constant_names(tree)
        )
        law = law_from_tree(name, tree, constants, difficulty)
        return law if self._acceptable(law) else None

    def _loss(self, tree: Node, values: dict, outer: str | None) -> tuple[np.ndarray, np.ndarray]:
        """Mean squared log error to the canonical law, and the best log outer constant."""
        with np.errstate(all="ignore"):
            y = evaluate(tree, self.fit, {**values, **({outer: 1.0} if outer else {})})
            residual = self.target - np.log(y)
            shift = residual.mean(axis=-1, keepdims=True) if outer else np.zeros(1)
            loss = ((residual - shift) ** 2).mean(axis=-1)
        loss = np.where(np.isfinite(loss), loss, np.inf)
        return loss, shift[..., 0]

    def _fit(self, tree: Node) -> dict[str, float] | None:
        known = dict(self.setup.constants)
        names = constant_names(tree)
        outer = _outer_constant(tree)
        values: dict[str, float] = {n: known.get(n, 1.0) for n in names if n != outer}
        for _ in range(2 if len(values) > 1 else 1):
            for inner in list(values):
                centre = 0.0
                for grid in (_COARSE, _FINE):
                    points = centre + grid
                    loss, _ = self._loss(tree, {**values, inner: 10.0 ** points[:, None]}, outer)
                    if not np.isfinite(loss.min()):
                        return None
                    centre = float(points[int(np.argmin(loss))])
                values[inner] = float(10.0**centre)
        values = {n: _round(v) for n, v in values.items()}
        loss, shift = self._loss(tree, values, outer)
        if not np.isfinite(loss).all():
            return None
        if outer:
            values[outer] = _round(float(np.exp(shift)))
        return values if all(v > 0 and np.isfinite(v) for v in values.values()) else None

    def _acceptable(self, law: Law) -> bool:
        with np.errstate(all="ignore"):
            y = law.function(self.check)
        if not (np.all(np.isfinite(y)) and np.all(y > 0)):
            return False
        logs = np.log10(y)
        if logs.min() < -14 or logs.max() > 29 or logs.max() - logs.min() < 1.0:
            return False
        if not self._depends_on_every_input(law):
            return False
        try:
            parsed = parse_expression(law.formula, self.names)
        except ExpressionError:
            return False
        return parsed.parameters == () and bool(
            np.allclose(parsed.evaluate(self.check), y, rtol=1e-12, atol=0.0)
        )

    def _depends_on_every_input(self, law: Law) -> bool:
        few = {k: v[:64] for k, v in self.check.items()}
        for var in self.setup.inputs:
            low = law.function({**few, var.name: np.full(64, var.low)})
            high = law.function({**few, var.name: np.full(64, var.high)})
            with np.errstate(all="ignore"):
                if not np.max(np.abs(np.log(high / low))) > 1e-2:
                    return False
        return True
