"""Laws and domains: the hidden truth of a vanilla-equation task and the lab it lives in.

A :class:`Domain` is a measurement set-up (what is measured, its inputs with ranges and units)
with a canonical law and several *shifted* laws: the same inputs, but altered exponents or
operators and a different hidden constant, so an agent cannot recall the answer from a
textbook and has to discover it from experiments (the NewtonBench idea). A shift is chosen by
name in a config file; the name and everything in :class:`Law` stay out of the task
statement and go only to verifiers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from discolab.environments.base import ArrayFn
from discolab.environments.options import closest
from discolab.environments.physics.tree import Node, evaluate, number_text, render
from discolab.errors import ConfigError
from discolab.types import Variable

__all__ = ["CANONICAL", "Domain", "HiddenConstant", "Law", "law_from_tree", "number_text"]

CANONICAL = "canonical"
"""Name of the textbook law of every domain (the default shift)."""

Shape = Callable[[Mapping[str, np.ndarray]], np.ndarray]


@dataclass(frozen=True)
class HiddenConstant:
    """One hidden constant of a law: its name in the tree, value and SI unit."""

    name: str
    value: float
    unit: str


@dataclass(frozen=True)
class Law:
    """One hidden law: a formula, its vectorised form and its constants.

    Attributes:
        name: the shift name that selects it (``canonical``, ``s1``, ``easy-2``, ...); never
            shown to agents.
        formula: Python syntax over the input names with the constants written as numbers,
            using only ``+ - * / **`` and the parser's functions, so the safe parser reads it.
        function: ``{input name: array} -> array``, the noise-free law (same as ``formula``).
        constant: the first hidden constant (1.0 for a law without one).
        unit: SI unit of ``constant``, which makes the law dimensionally consistent.
        difficulty: ``canonical``, ``easy``, ``medium``, ``hard`` or ``legacy`` (hand-written).
        constants: every hidden constant with its unit.
        tree: the expression tree the formula was rendered from (for unit checks).
    """

    name: str
    formula: str
    function: ArrayFn
    constant: float
    unit: str
    difficulty: str = "legacy"
    constants: tuple[HiddenConstant, ...] = ()
    tree: Node | None = None

    @property
    def constant_count(self) -> int:
        """How many hidden constants the law has: ``len(constants)`` for a law built from a
        tree, 1 for a legacy law built by :func:`scaled_law` (one constant, not listed)."""
        return len(self.constants) if self.tree is not None or self.constants else 1


def scaled_law(name: str, shape: str, fn: Shape, constant: float, unit: str) -> Law:
    """The law ``constant * shape``, with the formula text and function built from one value.

    ``shape`` is the constant-free part as a product/quotient of powers (``m1 * m2 / r**1.5``)
    and ``fn`` computes it; building both from the same ``constant`` keeps them in agreement.
    """
    if not re.fullmatch(r"[\w\s.*/()+-]+", shape):
        raise ValueError(f"shape {shape!r} is not a plain arithmetic formula")

    def function(columns: Mapping[str, np.ndarray]) -> np.ndarray:
        return constant * np.asarray(fn(columns), dtype=float)

    return Law(name, f"{number_text(constant)} * {shape}", function, constant, unit)


def law_from_tree(
    name: str,
    tree: Node,
    constants: tuple[HiddenConstant, ...],
    difficulty: str,
) -> Law:
    """The law ``tree`` with its hidden ``constants`` written in as numbers."""
    values = {c.name: c.value for c in constants}
    texts = {c.name: number_text(c.value) for c in constants}

    def function(columns: Mapping[str, np.ndarray]) -> np.ndarray:
        return evaluate(tree, columns, values)

    first = constants[0] if constants else HiddenConstant("", 1.0, "1")
    return Law(
        name=name,
        formula=render(tree, texts),
        function=function,
        constant=first.value,
        unit=first.unit,
        difficulty=difficulty,
        constants=constants,
        tree=tree,
    )


@dataclass(frozen=True)
class Domain:
    """A measurement set-up with its canonical and shifted laws.

    Attributes:
        title: one line for tables (``Force between two bodies``).
        measured: what the agent measures, as a phrase for the task statement.
        inputs: the controllable inputs with ranges and units.
        output: the measured quantity.
        laws: the canonical law first, then the shifted variants.
    """

    title: str
    measured: str
    inputs: tuple[Variable, ...]
    output: Variable
    laws: tuple[Law, ...]

    def __post_init__(self) -> None:
        if not self.laws or self.laws[0].name != CANONICAL:
            raise ValueError("a domain lists its canonical law first")
        if len({law.name for law in self.laws}) != len(self.laws):
            raise ValueError("shift names of a domain must be unique")

    @property
    def shifts(self) -> tuple[str, ...]:
        """Names of every law, canonical first."""
        return tuple(law.name for law in self.laws)

    def law(self, shift: str) -> Law:
        """The law selected by ``shift``.

        Raises:
            ConfigError: unknown shift name, with the closest valid one and the full list.
        """
        for law in self.laws:
            if law.name == shift:
                return law
        raise ConfigError(
            f"unknown shift {shift!r}{closest(str(shift), self.shifts)}; "
            f"valid shifts: {', '.join(self.shifts)}"
        )
