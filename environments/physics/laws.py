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
from dataclasses import dataclass, field

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
        private: ``(shift, variant seed or None) -> Law``: the generated variant ``shift``
            of a private seed, or with ``None`` one of the ``generated`` shifts (see
            :meth:`law`); ``None`` when the domain has no generator.
        generated: names of further shifts generated on first use by ``private`` (so that
            building the domain stays fast); listed by :attr:`shifts` after ``laws``.
    """

    title: str
    measured: str
    inputs: tuple[Variable, ...]
    output: Variable
    laws: tuple[Law, ...]
    private: Callable[[str, int | None], Law] | None = field(
        default=None, compare=False, repr=False
    )
    generated: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.laws or self.laws[0].name != CANONICAL:
            raise ValueError("a domain lists its canonical law first")
        if len(set(self.shifts)) != len(self.shifts):
            raise ValueError("shift names of a domain must be unique")
        if self.generated and self.private is None:
            raise ValueError("generated shifts need a private generator")

    @property
    def shifts(self) -> tuple[str, ...]:
        """Names of every law, canonical first, generated shifts last."""
        return (*(law.name for law in self.laws), *self.generated)

    def law(self, shift: str, variant_seed: int | None = None) -> Law:
        """The law selected by ``shift``, or with ``variant_seed`` the generated variant
        ``shift`` (``easy-1``, ``v2-hard-3``, ...) of that private seed.

        Raises:
            ConfigError: unknown shift name, with the closest valid one and the full list;
                a ``variant_seed`` for a domain without a generator or a shift that is not
                a generated one.
        """
        if variant_seed is not None:
            if self.private is None:
                raise ConfigError(f"{self.title!r} has no generated variants for a variant seed")
            return self.private(shift, variant_seed)
        for law in self.laws:
            if law.name == shift:
                return law
        if shift in self.generated and self.private is not None:
            return self.private(shift, None)
        raise ConfigError(
            f"unknown shift {shift!r}{closest(str(shift), self.shifts)}; "
            f"valid shifts: {', '.join(self.shifts)}"
        )
