"""Exact convergents of a PCF and what they say about convergence, via ``ramanujantools``.

``ramanujantools`` multiplies the PCF's integer recurrence matrices exactly (python-flint);
this module asks it for the convergents ``p_n/q_n`` at a doubling ladder of depths, turns
them into mpmath values at the verifier's working precision, and measures how many digits
the last ones agree to. It also names the degenerate fractions before any work is done: a
``b_n`` that vanishes at a positive integer (the fraction terminates, so the limit is
rational), ``a_n ≡ 0``, and work budgets a hostile candidate could blow up.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import mpmath

from discolab.environments.constants.pcf import Pcf

FIRST_DEPTH = 8
"""The first rung of the depth ladder; each next rung doubles."""

MAX_DELTA_DPS = 20_000
"""δ is not computed where resolving the error would need more digits than this."""


@dataclass(frozen=True)
class Convergents:
    """Convergent values of one PCF at a ladder of depths.

    Attributes:
        depths: increasing depths ``n`` (number of recurrence steps).
        values: ``p_n/q_n`` at each depth as mpmath numbers (``None`` where ``q_n = 0``).
        dps: the mpmath precision the values were computed at.
        before_last: ``p_{N-1}/q_{N-1}`` one step before the deepest rung, so a fraction
            whose convergents cycle with a period dividing the ladder's steps is not
            mistaken for a settled one.
    """

    depths: tuple[int, ...]
    values: tuple[mpmath.mpf | None, ...]
    dps: int
    before_last: mpmath.mpf | None = None

    @property
    def last(self) -> mpmath.mpf | None:
        """The deepest convergent."""
        return self.values[-1]

    @functools.cached_property
    def agreement(self) -> float:
        """Digits to which the deepest convergent agrees with the rung before it and with
        the step just before it (the smaller; relative); ``0`` when unknown."""
        last, rung, step = (
            self.values[-1],
            self.values[-2] if len(self.values) > 1 else None,
            self.before_last,
        )
        if last is None or rung is None or step is None:
            return 0.0
        return min(digits_between(last, rung, self.dps), digits_between(last, step, self.dps))


def digits_between(x: mpmath.mpf, y: mpmath.mpf, cap: int) -> float:
    """``-log10(|x − y| / max(|x|, 1e-30))`` capped at ``cap`` digits."""
    with mpmath.workdps(cap + 20):
        diff = abs(x - y)
        if diff == 0:
            return float(cap)
        scale = max(abs(x), mpmath.mpf(10) ** -30)
        return float(min(cap, max(0.0, -mpmath.log10(diff / scale))))


def depth_ladder(depth: int) -> list[int]:
    """``8, 16, 32, ...`` up to ``depth``, always ending with ``depth`` itself."""
    ladder: list[int] = []
    n = FIRST_DEPTH
    while n < depth:
        ladder.append(n)
        n *= 2
    ladder.append(depth)
    return ladder


def estimated_bits(pcf: Pcf, depth: int) -> float:
    """An upper estimate of the bit size of ``q_depth``, to refuse depth bombs up front.

    ``|q_n| ≤ Π (|a_k| + sqrt|b_k|)``-style growth: each step adds at most
    ``log2(|a_k| + |b_k| + 1)`` bits, bounded with the degrees and the largest coefficient.
    """
    deg = max(pcf.degrees[0], (pcf.degrees[1] + 1) // 2)
    coefficient = math.log2(pcf.max_coefficient * (len(pcf.a) + len(pcf.b)) + 2)
    return depth * (deg * math.log2(depth + 1) + coefficient + 1)


def zero_of_b(pcf: Pcf) -> int | None:
    """The first positive integer ``n`` with ``b_n = 0``, or ``None`` when there is none.

    Integer roots of an integer polynomial divide its lowest nonzero coefficient, so only
    those divisors up to the Cauchy bound need checking; sympy finds them exactly.
    """
    import sympy

    if all(c == 0 for c in pcf.b):
        return 1
    n = sympy.Symbol("n")
    poly = sympy.Poly(list(reversed(pcf.b)), n)
    roots = [int(r) for r in poly.ground_roots() if r.is_integer and int(r) >= 1]
    return min(roots) if roots else None


def compute_convergents(pcf: Pcf, depth: int, dps: int) -> Convergents:
    """Exact convergents at :func:`depth_ladder` depths, as values at ``dps`` digits.

    The caller has checked :func:`zero_of_b` and the bit budget; ``b_n ≠ 0`` here.
    """
    ladder = depth_ladder(depth)
    limits = pcf.to_ramanujantools().limit(ladder)
    values: list[mpmath.mpf | None] = []
    with mpmath.workdps(dps):
        for limit in limits:
            p, q = int(limit.p()), int(limit.q())
            values.append(mpmath.mpf(p) / q if q != 0 else None)
        last = limits[-1]
        p_prev, q_prev = int(last.p(previous=True)), int(last.q(previous=True))
        before_last = mpmath.mpf(p_prev) / q_prev if q_prev != 0 else None
    return Convergents(tuple(ladder), tuple(values), dps, before_last)


def error_digits(conv: Convergents, target: mpmath.mpf) -> list[tuple[int, float]]:
    """``(depth, -log10|p_n/q_n − target|/|target|)`` for every defined convergent."""
    out: list[tuple[int, float]] = []
    for depth, value in zip(conv.depths, conv.values, strict=True):
        if value is not None:
            out.append((depth, digits_between(value, target, conv.dps)))
    return out


def convergence_rate(errors: list[tuple[int, float]], saturation: float) -> float | None:
    """Digits gained per term, from the deepest two rungs not yet at the precision floor.

    ``saturation`` is the precision in digits: a rung whose error reached it says nothing
    about the rate. With one usable rung the average ``digits / depth`` is returned.
    """
    usable = [(n, d) for n, d in errors if d < saturation - 5]
    if len(usable) >= 2:
        (n1, d1), (n2, d2) = usable[-2], usable[-1]
        return (d2 - d1) / (n2 - n1)
    first_saturated = next(((n, d) for n, d in errors if d >= saturation - 5), None)
    if usable:
        n, d = usable[-1]
        return d / n
    if first_saturated is not None:
        n, d = first_saturated
        return d / n
    return None


def delta_at(pcf: Pcf, depth: int, target_at: Callable[[int], mpmath.mpf]) -> float | None:
    """The irrationality measure δ in ``|p_n/q_n − L| = q_n^{−(1+δ)}`` at depth ``n``.

    δ is an asymptotic figure, so it is taken at a fixed, fairly deep ``n`` (200 by
    default) rather than at the shallow rungs where the convergents already met the
    working precision. ``ramanujantools`` computes it from the exact ``p_n, q_n``; the
    limit ``L`` is evaluated by ``target_at(dps)`` at a precision that resolves the error:
    ``|p/q − L| ≥ q^{−2.5}`` for any δ ≤ 1.5, so ``2.5·digits(q_n) + 40`` digits suffice.
    Returns ``None`` when the error is not resolved (a rational limit) or not finite.
    """
    limit = pcf.to_ramanujantools().limit(depth)
    q = int(limit.q())
    if q == 0:
        return None
    dps = int(2.5 * (abs(q).bit_length() * math.log10(2) + 1)) + 40  # no str(): 4300-digit cap
    if dps > MAX_DELTA_DPS:
        return None
    with mpmath.workdps(dps):
        target = target_at(dps)
        error = abs(mpmath.mpf(int(limit.p())) / q - target)
        if error == 0 or error < mpmath.mpf(10) ** (-(dps - 20)):
            return None
        try:
            delta = float(limit.delta(target))
        except Exception:  # ramanujantools fails on degenerate limits
            return None
    return delta if math.isfinite(delta) else None
