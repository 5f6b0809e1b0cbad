"""A seeded generator of physics-like laws, a validation set the search is not tuned on.

``bench/dev_laws.py`` is a fixed list of 41 laws, and improving the search on it overfits it.
This module draws fresh laws from a grammar broader than the environments' mutation grammar:
products of powers with rational, two-decimal or irrational exponents; sums of two or three
power terms; exponentials and logarithms of monomials (of products too); sines, cosines and
tangents of angles in radians or degrees; rational functions; offsets; and thresholds
``(x - x0)**p`` whose threshold lies below the input's range. The inputs, their names and
ranges are drawn too. A law is kept only when its values are finite, of one sign and far from
zero on the whole domain (checked on a dense sample and the corners), so every law is a fair
task. Seeds are meant to be chosen at run time and not committed, so nobody tunes on them.

Use: ``random_laws(seed, count)`` returns :class:`RandomLaw` values; ``search_generality.py
--set random --seed N`` scores the built-in on them.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from discolab.types import Variable
from discolab.verifiers.expressions import parse_expression


@dataclass(frozen=True)
class RandomLaw:
    """One drawn law.

    Attributes:
        name: ``random/<seed>/<index>``.
        family: the grammar rule of the law's main factor (``monomial``, ``sum3`` ...).
        formula: the law in the project's formula grammar, constants as numbers.
        inputs: the declared inputs with their ranges.
        constants: how many numbers the law holds (its leading coefficient included); the
            judge caps a candidate's free parameters from it.
    """

    name: str
    family: str
    formula: str
    inputs: tuple[Variable, ...]
    constants: int


NAMES = ("x", "y", "z", "u", "w", "m", "r", "s", "q", "b", "k", "h")
"""Names of ordinary inputs."""

ANGLE_NAMES = ("theta", "phi", "alpha")
"""Names of angle inputs."""

IRRATIONALS = (math.e, math.pi, math.sqrt(2), math.sqrt(3), math.e - 1, math.pi / 2, 1.618034)
"""Irrational (or closed-form-free) exponents a law may carry."""


def _num(value: float, digits: int = 3) -> float:
    """``value`` rounded to ``digits`` significant figures."""
    return float(f"{value:.{digits}g}")


class _Drawer:
    """Draws the parts of one law from one generator, counting the constants it writes."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.constants = 0
        self.inputs: list[Variable] = []

    def coefficient(self) -> str:
        self.constants += 1
        return repr(_num(10 ** self.rng.uniform(-1, 1)))

    def exponent(self, simple: bool = False) -> float:
        roll = self.rng.random()
        if simple or roll < 0.5:
            while True:
                value = int(self.rng.integers(-12, 13)) / int(self.rng.choice([1, 2, 3, 4]))
                if 0.25 <= abs(value) <= 3:
                    return value
        if roll < 0.8:
            value = round(float(self.rng.uniform(0.2, 3.0)), 2)
            return value if self.rng.random() < 0.7 else -value
        value = float(self.rng.choice(IRRATIONALS))
        return value if self.rng.random() < 0.75 else -value

    def variable(self) -> str:
        used = {v.name for v in self.inputs}
        name = str(self.rng.choice([n for n in NAMES if n not in used]))
        low = _num(10 ** self.rng.uniform(-1.5, 1.5), 2)
        high = _num(low * 10 ** self.rng.uniform(0.5, 2.0), 2)
        self.inputs.append(Variable(name, "", low, high, log_scale=bool(self.rng.random() < 0.7)))
        return name

    def angle(self) -> tuple[str, str]:
        """A new angle input and its value in radians as text."""
        used = {v.name for v in self.inputs}
        name = str(self.rng.choice([n for n in ANGLE_NAMES if n not in used]))
        if self.rng.random() < 0.5:
            low, high = _num(self.rng.uniform(0.05, 0.3), 2), _num(self.rng.uniform(0.8, 1.3), 2)
            unit, text = str(self.rng.choice(["rad", ""])), name
        else:
            low, high = float(self.rng.integers(1, 20)), float(self.rng.integers(45, 80))
            unit, text = str(self.rng.choice(["deg", ""])), f"(pi*{name}/180)"
        self.inputs.append(Variable(name, unit, low, high, log_scale=False))
        return name, text

    def monomial(self, names: list[str], shared: bool = False) -> str:
        if shared and len(names) > 1:
            return f"({'*'.join(names)})**{self.exponent()!r}"
        return "*".join(f"{n}**{self.exponent()!r}" for n in names)

    def some(self, names: list[str], most: int = 2) -> list[str]:
        k = int(self.rng.integers(1, min(most, len(names)) + 1))
        return [str(n) for n in self.rng.choice(names, size=k, replace=False)]


def _monomial(d: _Drawer, names: list[str]) -> tuple[str, str]:
    return "monomial", d.monomial(names, shared=d.rng.random() < 0.3)


def _power_sum(d: _Drawer, names: list[str]) -> tuple[str, str]:
    terms = int(d.rng.integers(2, 4))
    parts = [d.monomial(d.some(names, 1 if d.rng.random() < 0.7 else 2)) for _ in range(terms)]
    coefficients = [d.coefficient() for _ in range(terms - 1)]
    body = " + ".join(
        [parts[0], *(f"{c}*{p}" for c, p in zip(coefficients, parts[1:], strict=True))]
    )
    return f"sum{terms}", f"({body})"


def _exponential(d: _Drawer, names: list[str]) -> tuple[str, str]:
    inner = d.monomial(d.some(names), shared=d.rng.random() < 0.5)
    d.constants += 1
    return "exp", f"exp({'-' if d.rng.random() < 0.7 else ''}RATE*{inner})"


def _logarithm(d: _Drawer, names: list[str]) -> tuple[str, str]:
    inner = d.monomial(d.some(names, 1), shared=False)
    d.constants += 1
    return "log", f"log(SHIFT*{inner})" if d.rng.random() < 0.5 else f"log(1 + SHIFT*{inner})"


def _trig(d: _Drawer, names: list[str]) -> tuple[str, str]:
    _, angle = d.angle()
    fn = str(d.rng.choice(["sin", "cos", "tan"]))
    power = float(d.rng.choice([1.0, 2.0, 0.5, 1.5, 3.0]))
    text = f"{fn}({angle})" if power == 1 else f"{fn}({angle})**{power!r}"
    if d.rng.random() < 0.3:
        text = f"(1 + {d.coefficient()}*{text})"
    return "trig", text


def _rational(d: _Drawer, names: list[str]) -> tuple[str, str]:
    n = str(d.rng.choice(names))
    top = d.monomial([n]) if d.rng.random() < 0.5 else "1"
    bottom = d.monomial(d.some(names), shared=False)
    return "rational", f"({top}/(1 + {d.coefficient()}*{bottom}))"


def _offset(d: _Drawer, names: list[str]) -> tuple[str, str]:
    return "offset", f"({d.monomial(d.some(names))} + {d.coefficient()})"


def _threshold(d: _Drawer, names: list[str]) -> tuple[str, str]:
    name = str(d.rng.choice(names))
    low = next(v.low for v in d.inputs if v.name == name)
    d.constants += 1
    x0 = _num(low * d.rng.uniform(0.2, 0.9), 2)
    return "threshold", f"({name} - {x0!r})**{d.exponent(simple=True)!r}"


RULES: tuple[Callable[[_Drawer, list[str]], tuple[str, str]], ...] = (
    _monomial,
    _power_sum,
    _exponential,
    _logarithm,
    _trig,
    _rational,
    _offset,
    _threshold,
)
"""Rules of the main factor, drawn uniformly."""


def _sample(inputs: tuple[Variable, ...], n: int, rng: np.random.Generator) -> dict:
    """``n`` random points (log-uniform where declared) plus every corner of the domain."""
    columns = {}
    for v in inputs:
        if v.log_scale:
            draw = np.exp(rng.uniform(math.log(v.low), math.log(v.high), n))
        else:
            draw = rng.uniform(v.low, v.high, n)
        columns[v.name] = draw
    corners = list(itertools.product(*[(v.low, v.high) for v in inputs]))
    for j, v in enumerate(inputs):
        columns[v.name] = np.concatenate([columns[v.name], [c[j] for c in corners]])
    return columns


def _fill(text: str, d: _Drawer, inputs: tuple[Variable, ...]) -> str | None:
    """Replace the ``RATE`` and ``SHIFT`` placeholders with constants scaled to the domain:
    an exponent that spans up to a few units, a logarithm's argument above ``e**0.3``."""
    names = [v.name for v in inputs]
    columns = _sample(inputs, 500, d.rng)
    for key in ("RATE", "SHIFT"):
        if key not in text:
            continue
        start = text.index(key) + len(key) + 1
        depth, end = 0, start
        while end < len(text) and not (text[end] == ")" and depth == 0):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        with np.errstate(all="ignore"):
            values = np.abs(parse_expression(text[start:end], names).evaluate(columns, {}))
        if not (np.all(np.isfinite(values)) and values.min() > 0):
            return None
        if key == "RATE":
            value = _num(d.rng.uniform(0.5, 4.0) / float(values.max()))
        else:
            value = _num(math.exp(d.rng.uniform(0.3, 1.5)) / float(values.min()))
        text = text.replace(key, repr(value), 1)
    return text


def _acceptable(formula: str, inputs: tuple[Variable, ...], rng: np.random.Generator) -> bool:
    """Finite, one-signed and far from zero over a dense sample and the corners."""
    try:
        parsed = parse_expression(formula, [v.name for v in inputs])
        with np.errstate(all="ignore"):
            y = np.asarray(parsed.evaluate(_sample(inputs, 3000, rng), {}), dtype=float)
    except Exception:  # a drawn formula the parser refuses is simply redrawn
        return False
    if not np.all(np.isfinite(y)) or not (np.all(y > 0) or np.all(y < 0)):
        return False
    a = np.abs(y)
    return bool(a.min() > 1e-30 and a.max() < 1e30 and a.min() > 1e-9 * a.max())


def draw_law(rng: np.random.Generator, name: str) -> RandomLaw:
    """One acceptable law (redrawn until one is)."""
    while True:
        d = _Drawer(rng)
        names = [d.variable() for _ in range(int(rng.integers(1, 4)))]
        rule = RULES[int(rng.integers(len(RULES)))]
        family, factor = rule(d, names)
        parts = [d.coefficient(), factor]
        rest = [n for n in names if not re.search(rf"\b{n}\b", factor)]
        if rest and rng.random() < 0.7:
            parts.append(d.monomial(rest))
        elif rng.random() < 0.2 and family != "trig":
            parts.append(_trig(d, names)[1])
        inputs = tuple(d.inputs)
        formula = _fill("*".join(parts), d, inputs)
        if formula is not None and _acceptable(formula, inputs, rng):
            return RandomLaw(name, family, formula, inputs, d.constants)


def random_laws(seed: int, count: int = 40) -> list[RandomLaw]:
    """``count`` laws drawn from ``seed`` (the same seed gives the same laws)."""
    rng = np.random.default_rng([seed, 0x5EED])
    return [draw_law(rng, f"random/{seed}/{k}") for k in range(count)]
