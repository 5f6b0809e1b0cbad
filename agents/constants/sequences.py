"""Integer sequences from constants, and the exact linear recurrences they satisfy.

ESMA (Elimelech et al., PNAS 2024) looks for structure in the continued-fraction expansion
of a constant: when the partial quotients satisfy a short linear recurrence with constant
coefficients, the sequence is (eventually) a quasi-polynomial, and a block of its continued
fraction steps contracts into one step of a polynomial continued fraction. This module holds
the sequence side of that pipeline:

- :func:`partial_quotients` — the regular (floor) or signed (nearest-integer) expansion of a
  library constant, keeping only the terms that a rigorous interval check certifies;
- :func:`berlekamp_massey` — the shortest linear recurrence of a rational sequence, exact
  over :class:`fractions.Fraction`;
- :func:`quasi_polynomial` — reading a recurrence whose characteristic roots are roots of
  unity as "period ``p``, one polynomial per residue", with the polynomials fitted exactly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import mpmath
import sympy

from discolab.environments.constants.library import constant_value
from discolab.errors import ConfigError

Variant = Literal["regular", "signed"]
VARIANTS: tuple[Variant, ...] = ("regular", "signed")

MAX_DPS = 20_000
"""The most digits :func:`partial_quotients` asks mpmath for before giving up."""


def _expand(value: Fraction, terms: int, variant: Variant) -> list[int]:
    """The first ``terms`` quotients of the rational ``value`` (fewer if it terminates)."""
    out: list[int] = []
    x = value
    while len(out) < terms:
        c = math.floor(x) if variant == "regular" else math.floor(x + Fraction(1, 2))
        out.append(c)
        rest = x - c
        if rest == 0:
            break
        x = 1 / rest
    return out


def _certified(value: mpmath.mpf, dps: int, terms: int, variant: Variant) -> list[int]:
    """The quotients shared by every number within ``10^-dps`` of ``value``.

    The numbers whose expansion starts with given quotients form an interval (each step is
    a monotone map on its branch), so the quotients both ends of the error interval agree
    on are those of the constant itself. The last shared quotient is dropped: an end that
    is itself rational may expand one term differently at the very end.
    """
    mantissa, exponent = value.man_exp
    centre = Fraction(int(mantissa)) * Fraction(2) ** int(exponent)
    radius = Fraction(1, 10**dps)
    low = _expand(centre - radius, terms + 1, variant)
    high = _expand(centre + radius, terms + 1, variant)
    shared = 0
    while shared < min(len(low), len(high)) and low[shared] == high[shared]:
        shared += 1
    return low[: max(0, min(shared - 1, terms))]


def partial_quotients(constant_id: str, terms: int, variant: Variant = "regular") -> list[int]:
    """The first ``terms`` continued-fraction quotients of a library constant.

    ``regular``: ``x = c_0 + 1/(c_1 + 1/(c_2 + ...))`` with ``c_i = ⌊x_i⌋`` (all ``c_i ≥ 1``
    after the first). ``signed``: the nearest-integer expansion written in the same shape,
    ``c_i = round(x_i)``, so ``|c_i| ≥ 2`` after the first and signs may alternate; both
    shapes are products of ``[[c_i, 1], [1, 0]]`` matrices. The precision is raised until
    every returned term is certified (see :func:`_certified`).

    Raises:
        ConfigError: unknown constant, bad ``variant``, ``terms < 1``, or ``terms`` needing
            more than :data:`MAX_DPS` digits (a rational constant never yields them).
    """
    if variant not in VARIANTS:
        raise ConfigError(f"unknown variant {variant!r} (known: {', '.join(VARIANTS)})")
    if not isinstance(terms, int) or terms < 1:
        raise ConfigError(f"terms must be a positive integer, got {terms!r}")
    dps = 40 + 2 * terms
    while dps <= MAX_DPS:
        value = constant_value(constant_id, dps)
        with mpmath.workdps(dps + 10):
            quotients = _certified(value, dps, terms, variant)
        if len(quotients) >= terms:
            return quotients[:terms]
        dps *= 2
    raise ConfigError(
        f"{terms} quotients of {constant_id!r} need more than {MAX_DPS} digits; ask for fewer"
    )


@dataclass(frozen=True)
class Recurrence:
    """``s_n + c_1·s_{n-1} + ... + c_d·s_{n-d} = 0`` for every ``n ≥ length``.

    Attributes:
        connection: ``(1, c_1, ..., c_d)``, the connection polynomial ``C(x) = Σ c_i x^i``.
        length: the linear complexity ``L`` Berlekamp–Massey reports; ``L − d`` leading
            terms (the *prefix*) are not covered by the relation.
    """

    connection: tuple[Fraction, ...]
    length: int

    @property
    def order(self) -> int:
        """``d``: how many earlier terms each term depends on."""
        return len(self.connection) - 1

    @property
    def prefix(self) -> int:
        """The number of leading terms the relation does not reach."""
        return self.length - self.order

    def characteristic(self) -> sympy.Poly:
        """``x^d + c_1 x^{d-1} + ... + c_d`` (over ℚ): its roots drive the sequence."""
        x = sympy.Symbol("x")
        return sympy.Poly([sympy.Rational(c.numerator, c.denominator) for c in self.connection], x)

    def holds_on(self, sequence: Sequence[int | Fraction]) -> bool:
        """Whether every term from index ``length`` on satisfies the relation."""
        for i in range(self.length, len(sequence)):
            total = sum(c * sequence[i - k] for k, c in enumerate(self.connection))
            if total != 0:
                return False
        return True

    @property
    def text(self) -> str:
        """``s(n) = 2·s(n-3) - s(n-6)`` style, for reports."""
        out = ""
        for k, c in enumerate(self.connection[1:], start=1):
            if c == 0:
                continue
            size = abs(c)
            term = f"s(n-{k})" if size == 1 else f"{size}·s(n-{k})"
            sign = "-" if c > 0 else "+"
            out += (f" {sign} " if out else ("-" if sign == "-" else "")) + term
        return "s(n) = " + (out or "0")


def berlekamp_massey(
    sequence: Sequence[int | Fraction], max_length: int | None = None
) -> Recurrence | None:
    """The shortest linear recurrence generating ``sequence`` (exact rational arithmetic).

    Massey's algorithm over the field ℚ: the returned relation reproduces every given term;
    it is *unique* (and so a meaningful conjecture) only when ``2·length ≤ len(sequence)``.
    The length never decreases along the sequence, so the search stops with ``None`` as
    soon as it passes ``max_length``: on a sequence without structure the exact rationals
    grow quickly and the full run costs about the cube of its length.
    """
    s = [Fraction(v) for v in sequence]
    current: list[Fraction] = [Fraction(1)]
    previous: list[Fraction] = [Fraction(1)]
    length, shift, last_discrepancy = 0, 1, Fraction(1)
    for n, term in enumerate(s):
        reach = min(length, len(current) - 1)
        discrepancy = term + sum(current[k] * s[n - k] for k in range(1, reach + 1))
        if discrepancy == 0:
            shift += 1
            continue
        factor = discrepancy / last_discrepancy
        updated = current + [Fraction(0)] * max(0, len(previous) + shift - len(current))
        for k, c in enumerate(previous):
            updated[k + shift] -= factor * c
        if 2 * length <= n:
            previous, length, last_discrepancy, shift = current, n + 1 - length, discrepancy, 1
            if max_length is not None and length > max_length:
                return None
        else:
            shift += 1
        current = updated
    while len(current) > 1 and current[-1] == 0:
        current.pop()
    return Recurrence(tuple(current), length)


@dataclass(frozen=True)
class QuasiPolynomial:
    """``s_{prefix + r + p·k} = P_r(k)`` for ``k ≥ 0``, one polynomial per residue ``r``.

    Attributes:
        prefix: leading terms outside the pattern.
        period: ``p``.
        polynomials: ``P_0 ... P_{p-1}``, rational coefficients constant term first.
    """

    prefix: int
    period: int
    polynomials: tuple[tuple[Fraction, ...], ...]

    def at(self, index: int) -> Fraction:
        """The pattern's value at sequence index ``index ≥ prefix``."""
        k, r = divmod(index - self.prefix, self.period)
        return sum((c * k**j for j, c in enumerate(self.polynomials[r])), Fraction(0))


def root_of_unity_period(recurrence: Recurrence, max_period: int) -> tuple[int, int] | None:
    """``(p, m)``: the least period ``p ≤ max_period`` and power ``m`` with
    ``char | (x^p − 1)^m``, or ``None`` when some root is not a root of unity of such order.

    A sequence obeying such a recurrence is, after its prefix, a quasi-polynomial of period
    ``p`` whose polynomials have degree below ``m``.
    """
    char = recurrence.characteristic()
    if char.degree() < 1:
        return None
    x = char.gens[0]
    for p in range(1, max_period + 1):
        base = sympy.Poly(x**p - 1, x, domain="QQ")
        power = base
        for m in range(1, char.degree() + 1):
            if power.rem(char).is_zero:
                return p, m
            power = power * base
    return None


def _fit(points: Sequence[Fraction], degree: int) -> tuple[Fraction, ...] | None:
    """The polynomial of degree ``≤ degree`` through ``points[k]`` at ``k = 0, 1, ...``
    (coefficients constant term first), if one passes through all of them."""
    if len(points) <= degree:
        return None
    k = sympy.Symbol("k")
    data = [(i, sympy.Rational(v.numerator, v.denominator)) for i, v in enumerate(points)]
    poly = sympy.Poly(sympy.interpolate(data[: degree + 1], k), k) if degree else None
    coeffs = (
        tuple(Fraction(int(c.p), int(c.q)) for c in reversed(poly.all_coeffs()))
        if poly is not None
        else (Fraction(points[0]),)
    )
    for i, v in enumerate(points):
        if sum((c * i**j for j, c in enumerate(coeffs)), Fraction(0)) != v:
            return None
    return coeffs


def quasi_polynomial(
    sequence: Sequence[int], recurrence: Recurrence, max_period: int
) -> QuasiPolynomial | None:
    """The per-residue polynomials of ``sequence`` implied by ``recurrence``, or ``None``.

    Each residue class needs at least two points beyond those fixing its polynomial, so the
    fit is confirmed by the data, not just interpolated.
    """
    found = root_of_unity_period(recurrence, max_period)
    if found is None:
        return None
    period, power = found
    prefix = recurrence.prefix
    polynomials = []
    for r in range(period):
        points = [Fraction(v) for v in sequence[prefix + r :: period]]
        if len(points) < power + 2:
            return None
        coeffs = _fit(points, power - 1)
        if coeffs is None:
            return None
        polynomials.append(coeffs)
    return QuasiPolynomial(prefix, period, tuple(polynomials))
