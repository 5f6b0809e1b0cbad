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
from discolab.errors import ConfigError
from discolab.types import Variable

CANONICAL = "canonical"
"""Name of the textbook law of every domain (the default shift)."""

Shape = Callable[[Mapping[str, np.ndarray]], np.ndarray]


@dataclass(frozen=True)
class Law:
    """One hidden law: a formula, its vectorised form and its constant.

    Attributes:
        name: the shift name that selects it (``canonical``, ``s1``, ...); never shown to agents.
        formula: Python syntax over the input names with the constant written as a number,
            using only ``+ - * / **``, so the project's safe parser reads it.
        function: ``{input name: array} -> array``, the noise-free law (same as ``formula``).
        constant: the hidden multiplicative constant.
        unit: SI unit of the constant, which makes the law dimensionally consistent.
    """

    name: str
    formula: str
    function: ArrayFn
    constant: float
    unit: str


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


def number_text(value: float) -> str:
    """``value`` as a short Python literal that reads back exactly (``6.674e-11``, ``237.0``)."""
    if 1e-3 <= abs(value) < 1e4:
        return repr(value)
    mantissa, exponent = np.format_float_scientific(value, unique=True, trim="-").split("e")
    text = f"{mantissa}e{int(exponent)}"
    return text if float(text) == value else repr(value)


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
