"""ESMA-style conjectures: PCF formulas read off a constant's continued-fraction sequence.

Following Elimelech et al. ("Algorithm-assisted discovery of an intrinsic order among
mathematical constants", PNAS 2024): expand the constant as a continued fraction, look for
a short linear recurrence in its partial quotients with Berlekamp–Massey, and when the
recurrence says "quasi-polynomial of period ``p``" (``e = [2; 1, 2, 1, 1, 4, 1, 1, 6, ...]``,
``e² = [7; 2, 1, 1, 3, 18, 5, 1, 1, 6, 30, ...]``), contract every block of ``p`` steps into
one step of a polynomial continued fraction.

The contraction is exact. A block is the polynomial matrix
``B(k) = Π [[P_r(k), 1], [1, 0]] = [[α, β], [γ, δ]]``; eliminating the second column of the
running product gives the three-term recurrence

    π_{k+1} = (α_k γ_{k-1} + γ_k δ_{k-1})·π_k − γ_k γ_{k-2} det B_{k-1}·π_{k-1},

with polynomial coefficients, satisfied (up to a common factor) by both the numerators and
the denominators of the block convergents. So the PCF's convergents are one fixed Möbius
image of the constant's own convergents, found exactly from a few of them; composing it
with the prefix (the terms before the pattern starts) states the conjecture as
``PCF(a_n, b_n) = (p·K + q)/(r·K + s)``. ``ramanujantools`` could also turn ``B`` into a
PCF (``PCF(Matrix)``), but its companion form does not say which transform relates the two
limits, and the conjecture needs it. Each conjecture is then checked independently by
:func:`discolab.verifiers.constants.verify_pcf`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction

import sympy

from discolab.agents.constants.sequences import (
    VARIANTS,
    QuasiPolynomial,
    Recurrence,
    Variant,
    berlekamp_massey,
    partial_quotients,
    quasi_polynomial,
)
from discolab.environments.constants.library import Mobius, get_constant, normalise
from discolab.environments.constants.pcf import Pcf, canonical, canonical_key
from discolab.environments.constants.polynomials import PolynomialLimits
from discolab.errors import ConfigError
from discolab.verifiers.constants import PcfSettings, PcfVerdict, verify_pcf
from discolab.verifiers.pcf_convergents import zero_of_b

K = sympy.Symbol("k")
N = sympy.Symbol("n")
MAX_PERIOD = 12
MAX_TERMS = 500
MAX_SHIFT = 8
"""How far the PCF's index may be shifted to keep ``b_n ≠ 0`` at every ``n ≥ 1``."""


@dataclass(frozen=True)
class EsmaConjecture:
    """One formula read off a continued-fraction sequence.

    Attributes:
        constant: the library id whose expansion was read.
        variant: ``regular`` (floor) or ``signed`` (nearest-integer) expansion.
        pcf: the contracted fraction, in canonical form.
        transform: the derived relation, ``limit = transform(constant)`` (exact; for a
            quadratic irrational such as φ it is one of several equal forms, and the
            verifier may report another).
        limit_text: ``transform`` written with the constant's symbol.
        recurrence: the Berlekamp–Massey relation of the quotients.
        pattern: the quasi-polynomial it implies (prefix, period, polynomials).
        start: index of the first quotient inside the contracted tail (``≥ pattern.prefix``).
        terms: how many quotients were read (all satisfy ``recurrence``).
        verdict: the verifier's verdict, ``None`` when the search ran with ``verify=False``.
    """

    constant: str
    variant: Variant
    pcf: Pcf
    transform: Mobius
    limit_text: str
    recurrence: Recurrence
    pattern: QuasiPolynomial
    start: int
    terms: int
    verdict: PcfVerdict | None = None

    @property
    def period(self) -> int:
        """``p``: how many continued-fraction steps one PCF step stands for."""
        return self.pattern.period

    @property
    def statement(self) -> str:
        """``PCF(4*n + 2, 1) = (e + 1)/(e - 1)``."""
        return f"{self.pcf.text} = {self.limit_text}"

    @property
    def verified(self) -> bool:
        """The verifier identified the limit as a transform of :attr:`constant`."""
        return self.verdict is not None and self.verdict.verified


def _polynomial(coeffs: tuple[Fraction, ...], argument: sympy.Expr) -> sympy.Expr:
    terms = (sympy.Rational(c.numerator, c.denominator) * argument**j for j, c in enumerate(coeffs))
    return sympy.expand(sum(terms, sympy.Integer(0)))


def block_matrix(pattern: QuasiPolynomial, start: int) -> sympy.Matrix:
    """``B(k)``: the product of the ``p`` step matrices of block ``k`` of the tail that
    begins at sequence index ``start``, scaled by a constant to integer coefficients."""
    matrix = sympy.eye(2)
    offset = start - pattern.prefix
    for step in range(pattern.period):
        residue, carry = (offset + step) % pattern.period, (offset + step) // pattern.period
        quotient = _polynomial(pattern.polynomials[residue], K + carry)
        matrix = matrix * sympy.Matrix([[quotient, 1], [1, 0]])
    matrix = matrix.applyfunc(sympy.expand)
    denominators = [
        sympy.Rational(c).q for entry in matrix for c in sympy.Poly(entry, K).coeffs() if c != 0
    ]
    scale = math.lcm(*denominators) if denominators else 1
    return (matrix * scale).applyfunc(sympy.expand)


def contract(block: sympy.Matrix, shift: int) -> Pcf | None:
    """The PCF whose step ``n`` is block step ``n + shift`` (see the module docstring);
    ``None`` when it degenerates (``b ≡ 0``) or a coefficient is not an integer."""
    alpha, _, gamma, delta = (block[i, j] for i in range(2) for j in range(2))
    det = sympy.expand(block.det())

    def at(expr: sympy.Expr, offset: int) -> sympy.Expr:
        return expr.subs(K, N + shift + offset)

    a = sympy.expand(at(alpha, -1) * at(gamma, -2) + at(gamma, -1) * at(delta, -2))
    b = sympy.expand(-at(gamma, -1) * at(gamma, -3) * at(det, -2))
    if b == 0:
        return None
    coeffs = []
    for expr in (a, b):
        poly = sympy.Poly(expr, N).all_coeffs()[::-1]
        if not all(c.is_integer for c in poly):
            return None
        coeffs.append(tuple(int(c) for c in poly))
    return Pcf(coeffs[0], coeffs[1])


def _pcf_convergents(pcf: Pcf, count: int) -> list[tuple[int, int]]:
    """``(P_N, Q_N)`` for ``N = 0 .. count-1`` in ``ramanujantools``' convention."""
    p_prev, q_prev, p, q = 1, 0, pcf.a_at(0), 1
    out = [(p, q)]
    for n in range(1, count):
        p_prev, p = p, pcf.a_at(n) * p + pcf.b_at(n) * p_prev
        q_prev, q = q, pcf.a_at(n) * q + pcf.b_at(n) * q_prev
        out.append((p, q))
    return out


def _block_convergents(block: sympy.Matrix, count: int) -> list[tuple[int, int]]:
    """First column of ``B(0)·...·B(K-1)`` for ``K = 0 .. count-1``."""
    entries = [sympy.lambdify(K, block[i, j], "sympy") for i in range(2) for j in range(2)]
    p, pp, q, qq = 1, 0, 0, 1
    out = [(p, q)]
    for k in range(count - 1):
        a, b, c, d = (int(f(k)) for f in entries)
        p, pp, q, qq = p * a + pp * c, p * b + pp * d, q * a + qq * c, q * b + qq * d
        out.append((p, q))
    return out


def matching_transform(
    pcf: Pcf, block: sympy.Matrix, shift: int, count: int = 14
) -> tuple[int, int, int, int] | None:
    """``(u, v, w, z)`` with ``P_N/Q_N = (u·r + v)/(w·r + z)`` for ``r = p_{N+shift}/q_{N+shift}``,
    the block convergents ``p/q``, at ``N = 3 .. count-1``; ``None`` if no unique relation.

    Both sequences obey one three-term recurrence, so a relation holding on these terms
    holds on all of them; the limits are then related by the same transform.
    """
    ours = _pcf_convergents(pcf, count)
    theirs = _block_convergents(block, count + shift)
    rows = []
    for n in range(3, count):
        (big_p, big_q), (p, q) = ours[n], theirs[n + shift]
        rows.append([-big_q * p, -big_q * q, big_p * p, big_p * q])
    null = sympy.Matrix(rows).nullspace()
    if len(null) != 1:
        return None
    vector = null[0]
    scale = math.lcm(*(sympy.Rational(c).q for c in vector))
    u, v, w, z = (int(c * scale) for c in vector)
    if u * z - v * w == 0:
        return None
    return u, v, w, z


def _prefix_inverse(quotients: list[int], start: int) -> tuple[int, int, int, int]:
    """The Möbius matrix taking the constant ``x`` to its tail ``y`` at index ``start``."""
    p, pp, q, qq = 1, 0, 0, 1
    for c in quotients[:start]:
        p, pp, q, qq = p * c + pp, p, q * c + qq, q
    return qq, -pp, -q, p  # adjugate of [[p, pp], [q, qq]]


def _conjecture_for(
    quotients: list[int], pattern: QuasiPolynomial, start: int, limits: PolynomialLimits
) -> tuple[Pcf, Mobius] | None:
    """The contracted fraction of the tail at ``start`` and its transform of the constant.

    The PCF index is shifted forward until ``b_n`` has no zero at ``n ≥ 1``; the canonical
    (deflated) form is preferred when the exact relation survives deflation.
    """
    block = block_matrix(pattern, start)
    for shift in range(MAX_SHIFT + 1):
        raw = contract(block, shift)
        if raw is None:
            return None
        if zero_of_b(raw) is not None:  # the fraction would stop: start it later
            continue
        for pcf in (canonical(raw), raw):
            if max(pcf.degrees) > limits.max_degree or pcf.max_coefficient > limits.max_coefficient:
                continue
            found = matching_transform(pcf, block, shift)
            if found is None:
                continue
            u, v, w, z = found
            a, b, c, d = _prefix_inverse(quotients, start)
            transform = normalise(u * a + v * c, u * b + v * d, w * a + z * c, w * b + z * d)
            if transform is not None:
                return pcf, transform
        return None
    return None


def _check_options(terms: int, max_period: int, variants: tuple[str, ...], ratio: int) -> None:
    if not isinstance(terms, int) or not 10 <= terms <= MAX_TERMS:
        raise ConfigError(f"terms must be an integer in [10, {MAX_TERMS}], got {terms!r}")
    if not isinstance(max_period, int) or not 1 <= max_period <= MAX_PERIOD:
        raise ConfigError(f"max_period must be an integer in [1, {MAX_PERIOD}], got {max_period!r}")
    if not isinstance(ratio, int) or ratio < 2:
        raise ConfigError(f"confirmation must be an integer ≥ 2, got {ratio!r}")
    for v in variants:
        if v not in VARIANTS:
            raise ConfigError(f"unknown variant {v!r} (known: {', '.join(VARIANTS)})")


def esma_search(
    constant_id: str,
    terms: int = 80,
    max_period: int = 8,
    variants: tuple[Variant, ...] = VARIANTS,
    confirmation: int = 3,
    max_height: int = 999,
    verify: bool = True,
    settings: PcfSettings | None = None,
) -> list[EsmaConjecture]:
    """PCF conjectures for ``constant_id`` read off its continued-fraction quotients.

    For each expansion variant, the first ``terms`` quotients get a Berlekamp–Massey
    recurrence; it counts only when ``confirmation · length ≤ terms`` (so the relation is
    tested on many more terms than it has) and its characteristic roots are roots of unity
    of order ``≤ max_period``. Every phase of the period gives one contraction. A constant
    without such structure (π) gives an empty list. Fractions over ``settings.limits`` and
    conjectures whose transform has a coefficient above ``max_height`` are dropped (the
    verifier could not check them). With ``verify``, each conjecture carries
    :func:`verify_pcf`'s verdict (``settings.target`` defaults to ``constant_id``; the
    verifier's height bound is raised to the derived transform's height, so a conjecture
    with large coefficients is tested, not dismissed, though the verifier still finds the
    relation on its own by PSLQ). The list is sorted verified first, then by the size of
    the fraction, one entry per canonical form.

    Raises:
        ConfigError: unknown constant, ``terms`` outside ``[10, 500]``, ``max_period``
            outside ``[1, 12]``, ``confirmation < 2``, ``max_height`` outside
            ``[1, 999]`` or an unknown variant.
    """
    constant = get_constant(constant_id)
    _check_options(terms, max_period, tuple(variants), confirmation)
    if not isinstance(max_height, int) or not 1 <= max_height <= 999:
        raise ConfigError(f"max_height must be an integer in [1, 999], got {max_height!r}")
    settings = settings or PcfSettings(target=constant_id)
    out: dict[str, EsmaConjecture] = {}
    for variant in variants:
        quotients = partial_quotients(constant_id, terms, variant)
        recurrence = berlekamp_massey(quotients, max_length=terms // confirmation)
        if recurrence is None or recurrence.length == 0:
            continue
        pattern = quasi_polynomial(quotients, recurrence, max_period)
        if pattern is None:
            continue
        for phase in range(pattern.period):
            start = pattern.prefix + phase
            made = _conjecture_for(quotients, pattern, start, settings.limits)
            if made is None:
                continue
            pcf, transform = made
            key = canonical_key(pcf)
            if key in out or transform.height > max_height:
                continue
            verdict = None
            if verify:
                # + 1: mpmath's pslq bound is strict (|c| < maxcoeff), the verifier passes
                # max_height through unchanged.
                height = max(settings.max_height, transform.height + 1)
                verdict = verify_pcf(pcf, replace(settings, max_height=height))
            out[key] = EsmaConjecture(
                constant=constant_id,
                variant=variant,
                pcf=pcf,
                transform=transform,
                limit_text=transform.format(constant.symbol),
                recurrence=recurrence,
                pattern=pattern,
                start=start,
                terms=len(quotients),
                verdict=verdict,
            )
    return sorted(
        out.values(),
        key=lambda c: (not c.verified, sum(c.pcf.degrees), c.pcf.max_coefficient, c.pcf.text),
    )
