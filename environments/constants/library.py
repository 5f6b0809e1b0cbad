"""The constants a PCF's limit is identified against, and their Möbius transforms.

Each constant has a short id used in configs (``zeta3``), a display symbol (``ζ(3)``) and an
mpmath function that returns it to any precision. A limit is *identified* when it equals
``(p·K + q)/(r·K + s)`` for a library constant ``K`` and small integers with
``p·s − q·r ≠ 0`` — the form in which the Ramanujan Machine reports its conjectures
(Raayoni et al., Nature 590, 2021).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction

import mpmath

from discolab.errors import ConfigError
from discolab.registry import suggest


@dataclass(frozen=True)
class Constant:
    """One library constant: its config id, display symbol and mpmath value."""

    id: str
    symbol: str
    title: str
    value: Callable[[], mpmath.mpf]
    """Evaluated under the caller's ``mpmath.workdps``."""


LIBRARY: tuple[Constant, ...] = (
    Constant("e", "e", "Euler's number", lambda: mpmath.e),
    Constant("pi", "π", "pi", lambda: mpmath.pi),
    Constant("zeta2", "ζ(2)", "zeta(2) = π²/6", lambda: mpmath.zeta(2)),
    Constant("zeta3", "ζ(3)", "Apéry's constant zeta(3)", lambda: mpmath.zeta(3)),
    Constant("zeta5", "ζ(5)", "zeta(5)", lambda: mpmath.zeta(5)),
    Constant("catalan", "G", "Catalan's constant", lambda: mpmath.catalan),
    Constant("ln2", "ln 2", "natural logarithm of 2", lambda: mpmath.log(2)),
    Constant("phi", "φ", "golden ratio", lambda: mpmath.phi),
    Constant("sqrt2", "√2", "square root of 2", lambda: mpmath.sqrt(2)),
    Constant("euler_gamma", "γ", "Euler–Mascheroni constant", lambda: mpmath.euler),
    Constant("e2", "e²", "e squared", lambda: mpmath.e**2),
)
"""The issue's ten constants plus e² (ESMA's classic target)."""


def constant_ids() -> list[str]:
    """Every library id, in library order."""
    return [c.id for c in LIBRARY]


def get_constant(constant_id: str) -> Constant:
    """The library constant ``constant_id``.

    Raises:
        ConfigError: unknown id (with close matches).
    """
    for c in LIBRARY:
        if c.id == constant_id:
            return c
    raise ConfigError(
        f"unknown constant {constant_id!r}{suggest(constant_id, constant_ids())} "
        f"(known: {', '.join(constant_ids())})"
    )


def constant_value(constant_id: str, dps: int) -> mpmath.mpf:
    """``constant_id`` to ``dps`` decimal digits (plus guard digits inside)."""
    with mpmath.workdps(dps + 10):
        return +get_constant(constant_id).value()


@dataclass(frozen=True, order=True)
class Mobius:
    """``(p·K + q)/(r·K + s)`` with integer coefficients and ``p·s − q·r ≠ 0``.

    Stored normalised (:func:`normalise`): coefficients coprime, and the first nonzero of
    ``(r, s)`` positive, so equal transforms compare equal.
    """

    p: int
    q: int
    r: int
    s: int

    @property
    def height(self) -> int:
        """The largest absolute coefficient: how "small" the relation is."""
        return max(abs(self.p), abs(self.q), abs(self.r), abs(self.s))

    def apply(self, value: mpmath.mpf) -> mpmath.mpf:
        """The transform of ``value`` at the current mpmath precision."""
        return (self.p * value + self.q) / (self.r * value + self.s)

    def apply_float(self, value: float) -> float:
        """The transform in double precision (``nan`` at a pole)."""
        den = self.r * value + self.s
        return (self.p * value + self.q) / den if den else math.nan

    def format(self, symbol: str) -> str:
        """Readable text such as ``4/π``, ``6/ζ(3)`` or ``(e + 1)/(e - 1)``."""
        num = _linear(self.p, self.q, symbol)
        if self.r == 0:
            frac = Fraction(1, self.s)
            if self.q == 0:
                c = Fraction(self.p, self.s)
                return _scaled(c, symbol)
            if frac == 1:
                return num
            return f"({num})/{self.s}"
        den = _linear(self.r, self.s, symbol)
        if self.r != 0 and self.s != 0:
            den = f"({den})"
        if self.p == 0:
            return f"{self.q}/{den}"
        if self.q != 0:
            num = f"({num})"
        return f"{num}/{den}"


def _scaled(c: Fraction, symbol: str) -> str:
    if c == 1:
        return symbol
    if c == -1:
        return f"-{symbol}"
    if c.denominator == 1:
        return f"{c.numerator}{symbol}" if len(symbol) == 1 else f"{c.numerator}·{symbol}"
    top = "" if c.numerator == 1 else ("-" if c.numerator == -1 else f"{c.numerator}")
    return f"{top}{symbol}/{c.denominator}"


def _linear(x: int, y: int, symbol: str) -> str:
    if x == 0:
        return str(y)
    head = _scaled(Fraction(x), symbol)
    if y == 0:
        return head
    return f"{head} {'+' if y > 0 else '-'} {abs(y)}"


def normalise(p: int, q: int, r: int, s: int) -> Mobius | None:
    """The normalised transform, or ``None`` when it is degenerate (``p·s = q·r``)."""
    if p * s - q * r == 0:
        return None
    g = math.gcd(math.gcd(p, q), math.gcd(r, s))
    p, q, r, s = p // g, q // g, r // g, s // g
    lead = r if r != 0 else s
    if lead < 0:
        p, q, r, s = -p, -q, -r, -s
    return Mobius(p, q, r, s)


def transforms(bound: int) -> Iterator[Mobius]:
    """Every distinct non-degenerate transform with coefficients in ``[-bound, bound]``."""
    seen: set[Mobius] = set()
    span = range(-bound, bound + 1)
    for p, q, r, s in itertools.product(span, span, span, span):
        m = normalise(p, q, r, s)
        if m is not None and m not in seen:
            seen.add(m)
            yield m
