"""A tiny unit algebra: a unit is a vector of exponents over the seven SI base dimensions.

Laws of the physics suite are checked for dimensional consistency, and the hidden constant of
a shifted law gets whatever unit makes it consistent. For that a unit string such as
``N*m^2/kg^2`` or ``W/(m*K)`` is read into exponents over ``kg m s A K mol cd`` (derived units
such as ``N``, ``J``, ``W`` and ``C`` are expanded; ``rad``, ``count`` and ``1`` are
dimensionless) and written back in base units (``m^3/(kg*s^2)``), with fractional exponents
as decimals (``m^1.5``) or small fractions (``m^(4/3)``).
"""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np

BASE = ("kg", "m", "s", "A", "K", "mol", "cd")
"""The SI base dimensions, in the order of a unit vector."""

_DERIVED: dict[str, dict[str, float]] = {
    "N": {"kg": 1, "m": 1, "s": -2},
    "J": {"kg": 1, "m": 2, "s": -2},
    "W": {"kg": 1, "m": 2, "s": -3},
    "Pa": {"kg": 1, "m": -1, "s": -2},
    "C": {"A": 1, "s": 1},
    "V": {"kg": 1, "m": 2, "s": -3, "A": -1},
    "Hz": {"s": -1},
    "rad": {},
    "count": {},
    "1": {},
}

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([A-Za-z]+)|(\*\*|[*/^()\-]))")


class UnitError(ValueError):
    """A unit string that the algebra cannot read, naming the bad piece."""


def _symbol(name: str) -> np.ndarray:
    vector = np.zeros(len(BASE))
    if name in BASE:
        vector[BASE.index(name)] = 1.0
        return vector
    if name not in _DERIVED:
        raise UnitError(f"unknown unit symbol {name!r}; known: {', '.join((*BASE, *_DERIVED))}")
    for base, power in _DERIVED[name].items():
        vector[BASE.index(base)] = power
    return vector


def parse_unit(text: str) -> np.ndarray:
    """Exponents over :data:`BASE` of a unit string (``kg*m/s^2``, ``W/(m*K)``, ``1``).

    Raises:
        UnitError: an unknown symbol or malformed text.
    """
    tokens: list[str] = []
    pos = 0
    stripped = text.strip()
    while pos < len(stripped):
        match = _TOKEN.match(stripped, pos)
        if not match:
            raise UnitError(f"cannot read unit {text!r} at {stripped[pos:]!r}")
        tokens.append(next(g for g in match.groups() if g is not None))
        pos = match.end()
    reader = _Reader(tokens, text)
    vector = reader.product()
    if reader.pos != len(tokens):
        raise UnitError(f"cannot read unit {text!r}: unexpected {tokens[reader.pos]!r}")
    return vector


class _Reader:
    """Recursive descent over ``product := factor (('*'|'/') factor)*``."""

    def __init__(self, tokens: list[str], text: str) -> None:
        self.tokens, self.text, self.pos = tokens, text, 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise UnitError(f"unit {self.text!r} ends too early")
        self.pos += 1
        return token

    def product(self) -> np.ndarray:
        vector = self.factor()
        while self.peek() in ("*", "/"):
            sign = 1.0 if self.take() == "*" else -1.0
            vector = vector + sign * self.factor()
        return vector

    def factor(self) -> np.ndarray:
        token = self.take()
        if token == "(":
            vector = self.product()
            if self.take() != ")":
                raise UnitError(f"unbalanced parenthesis in unit {self.text!r}")
        elif token == "1" or re.fullmatch(r"[A-Za-z]+", token):
            vector = _symbol(token)
        else:
            raise UnitError(f"unexpected {token!r} in unit {self.text!r}")
        if self.peek() in ("^", "**"):
            self.take()
            vector = vector * self.exponent()
        return vector

    def exponent(self) -> float:
        token = self.take()
        if token == "-":
            return -self.exponent()
        if token == "(":
            value = self.exponent()
            if self.peek() == "/":
                self.take()
                value /= self.exponent()
            if self.take() != ")":
                raise UnitError(f"unbalanced parenthesis in unit {self.text!r}")
            return value
        try:
            return float(token)
        except ValueError:
            raise UnitError(f"bad exponent {token!r} in unit {self.text!r}") from None


def _power_text(power: float) -> str:
    fraction = Fraction(power).limit_denominator(60)
    if abs(float(fraction) - power) > 1e-9:
        return f"{power:.6g}"
    if fraction.denominator == 1:
        return str(fraction.numerator)
    if 10**6 % fraction.denominator == 0:  # a finite decimal: 1.5, 2.3, 0.25
        return f"{float(fraction):g}"
    return f"({fraction.numerator}/{fraction.denominator})"


def _factor_text(name: str, power: float) -> str:
    return name if abs(power - 1.0) < 1e-12 else f"{name}^{_power_text(power)}"


def format_unit(vector: np.ndarray) -> str:
    """Base-unit text of an exponent vector: ``m^3/(kg*s^2)``; ``1`` when dimensionless."""
    above = [_factor_text(n, p) for n, p in zip(BASE, vector, strict=True) if p > 1e-12]
    below = [_factor_text(n, -p) for n, p in zip(BASE, vector, strict=True) if p < -1e-12]
    top = "*".join(above) or "1"
    if not below:
        return top
    bottom = below[0] if len(below) == 1 else f"({'*'.join(below)})"
    return f"{top}/{bottom}"


def same_unit(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two exponent vectors agree (to round-off)."""
    return bool(np.allclose(a, b, rtol=0.0, atol=1e-9))
