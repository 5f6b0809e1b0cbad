"""The convergence dynamics of one PCF: error decay, rate, type, δ, and a high-precision limit.

Shalyt et al. ("Unsupervised discovery of formulas for mathematical constants", NeurIPS
2024) characterise a formula by *how* it converges rather than by what it converges to:
the decay of ``|p_n/q_n − L|`` with ``n``, its rate in digits per term and type
(factorial, exponential or polynomial), and the irrationality measure δ in
``|p_n/q_n − L| = q_n^{−(1+δ)}``. :func:`features_of` measures all of these from exact
convergents (``ramanujantools``' integer matrix products) without knowing the limit, and
also returns that limit to enough digits for the PSLQ links of
:mod:`discolab.agents.constants.clustering`.

How the limit is pinned down: convergents are taken at a ladder ``8, 12, 16, 24, 32, ...``
up to a depth ``N`` that doubles until ``p_N/q_N`` agrees with ``p_{N/2}/q_{N/2}`` and with
its neighbour ``p_{N−1}/q_{N−1}`` to the requested digits (or ``max_depth`` is reached; the
neighbour catches periodic fractions that repeat exactly at ``N/2`` and ``N``). While the
error shrinks, ``p_N/q_N`` is at least as accurate as that agreement, so the agreement is a
safe lower bound on the digits known. Every error figure is an exact integer
cross-difference ``p_n·q_N − p_N·q_n``, so no precision is lost before the last logarithm.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

import mpmath
from mpmath.ctx_mp import MPContext

from discolab.environments.constants.pcf import Pcf
from discolab.errors import VerificationError
from discolab.verifiers.pcf_convergents import delta_at, estimated_bits, zero_of_b

ConvergenceType = Literal["factorial", "exponential", "subexponential", "polynomial", "none"]
FeatureStatus = Literal[
    "resolved", "rational", "too_slow", "divergent", "zero_b", "zero_denominator", "refused"
]


@dataclass(frozen=True)
class DynamicsSettings:
    """How deep and how precisely one formula's dynamics are measured.

    Attributes:
        digits: digits the limit must be known to for the formula to be *resolved*; the
            clustering confirms its links at this precision, so it should exceed the PSLQ
            precision by a margin (60 → 100 by default).
        min_depth: the first depth tried; the curve needs a few rungs below it.
        max_depth: the deepest convergent; a formula not settled by then is *too_slow*.
        max_bits: budget on the estimated bit size of ``q_max_depth``, refusing fractions
            whose convergents would be huge (the verifier's depth-bomb guard).
    """

    digits: int = 100
    min_depth: int = 64
    max_depth: int = 4096
    max_bits: float = 4.0e7


@dataclass(frozen=True)
class PcfFeatures:
    """One formula's convergence dynamics and limit.

    Attributes:
        pcf: the formula.
        status: ``resolved`` when the limit is an irrational-looking number known to
            ``known_digits ≥ settings.digits``; otherwise why not (``rational``,
            ``too_slow``, ``divergent``, ``zero_b``, ``zero_denominator``, ``refused``), with
            ``reason``.
        depth: the depth ``N`` of the reference convergent.
        known_digits: digits to which ``p_N/q_N`` agrees with both ``p_{N/2}/q_{N/2}`` and
            ``p_{N−1}/q_{N−1}``.
        curve: ``(n, digits)`` pairs, ``digits = −log10|p_n/q_n − p_N/q_N|`` for the ladder
            rungs ``n ≤ N/2``: the error decay curve.
        rate: digits gained per term between ``N/4`` and ``N/2``.
        convergence: the decay type read from the curve (see :func:`classify_decay`).
        delta: δ at depth ``N/2`` (``ramanujantools``), ``None`` when not resolvable.
        predicted_delta: the Kamidelta prediction of δ where it is finite.
        limit_text: ``p_N/q_N`` as decimal text to the precision computed (``None`` when
            ``q_N = 0`` or no convergent was computed).
        reason: why the formula is not resolved.
    """

    pcf: Pcf
    status: FeatureStatus
    depth: int = 0
    known_digits: float = 0.0
    curve: tuple[tuple[int, float], ...] = ()
    rate: float | None = None
    convergence: ConvergenceType = "none"
    delta: float | None = None
    predicted_delta: float | None = None
    limit_text: str | None = None
    reason: str | None = None

    @property
    def resolved(self) -> bool:
        """The limit is known to the requested digits."""
        return self.status == "resolved"

    def limit(self, dps: int) -> mpmath.mpf:
        """The limit as an mpmath number at ``dps`` digits (its text has more)."""
        if self.limit_text is None:
            raise VerificationError(f"{self.pcf.text} has no computed limit ({self.reason})")
        with mpmath.workdps(dps):
            return mpmath.mpf(self.limit_text)


def ladder(depth: int) -> list[int]:
    """``8, 12, 16, 24, 32, 48, ...`` below ``depth``, then ``depth``: rungs for the curve."""
    rungs: list[int] = []
    n = 8
    while n < depth:
        rungs.append(n)
        if n + n // 2 < depth:
            rungs.append(n + n // 2)
        n *= 2
    rungs.append(depth)
    return rungs


def _exact_convergents(pcf: Pcf, depths: list[int]) -> list[tuple[int, int]]:
    limits = pcf.to_ramanujantools().limit(depths)
    return [(int(limit.p()), int(limit.q())) for limit in limits]


def _gap_digits(first: tuple[int, int], second: tuple[int, int]) -> float:
    """``−log10|p/q − p'/q'|`` exactly from integers (``inf`` when they are equal)."""
    (p, q), (p2, q2) = first, second
    diff = abs(p * q2 - p2 * q)
    if diff == 0:
        return math.inf
    return math.log10(abs(q)) + math.log10(abs(q2)) - math.log10(diff)


def _doublings(points: dict[int, float], top: int) -> tuple[float, float, float] | None:
    """``(g₁, g₂, slope ratio)`` over ``top/4, top/2, top`` (the nearest rungs below)."""
    depths = sorted(points)
    n2 = max((n for n in depths if 2 * n <= top), default=None)
    n1 = max((n for n in depths if n2 is not None and 2 * n <= n2), default=None)
    if n1 is None or n2 is None:
        return None
    g1, g2 = points[n2] - points[n1], points[top] - points[n2]
    slope_ratio = (g2 / (top - n2)) / (g1 / (n2 - n1)) if g1 > 0 else math.inf
    return g1, g2, slope_ratio


def classify_decay(curve: tuple[tuple[int, float], ...]) -> tuple[float | None, ConvergenceType]:
    """The rate (digits/term) and the decay type from the curve's last doublings.

    With ``d(n)`` the digits at depth ``n`` and the points ``n₁ < n₂ < n₃`` (each twice the
    previous), the gains ``g₁ = d(n₂) − d(n₁)`` and ``g₂ = d(n₃) − d(n₂)`` separate the
    types: ``d ≈ c·log n`` (polynomial) gains the same per doubling (``g₂/g₁ ≈ 1``, below
    1.2), ``d ≈ c·√n`` (subexponential, e.g. when ``b_n/a_n²`` grows) ``√2`` times as much
    (below 1.7), ``d ≈ c·n`` (exponential) twice as much (slope ``s = g/Δn`` constant), and
    ``d ≈ c·n·log n`` (factorial) has a slope that keeps growing like ``log n`` (slope ratio
    ≥ 1.06 at the depths used; an exponential's polynomial prefactor only lowers it).

    The curve is measured against ``p_N/q_N``, not the true limit; for a slow formula that
    reference is off by a share of the error itself (``log10 2`` digits at ``N/2`` for a
    ``1/n`` error), so the slow types are decided one doubling earlier, where the bias is
    four times smaller. The rate is always the last doubling's.
    """
    points = {n: d for n, d in curve if math.isfinite(d)}
    if len(points) < 3:
        return None, "none"
    top = max(points)
    last = _doublings(points, top)
    if last is None:
        return None, "none"
    g1, g2, slope_ratio = last
    n2 = max(n for n in points if 2 * n <= top)
    rate = g2 / (top - n2)
    if g2 <= 0.05 or points[top] < 1:
        return rate, "none"
    if g1 <= 0 or g2 / g1 < 1.7:
        earlier = _doublings(points, n2)
        if earlier is not None and earlier[0] > 0:
            g1, g2, _ = earlier
        return rate, "polynomial" if g1 <= 0 or g2 / g1 < 1.2 else "subexponential"
    return rate, "factorial" if slope_ratio >= 1.06 else "exponential"


def predicted_delta(pcf: Pcf) -> float | None:
    """``ramanujantools``' Kamidelta prediction of δ, where it is a finite real number."""
    try:
        with mpmath.workdps(30):
            value = float(pcf.to_ramanujantools().kamidelta(20))
    except (ArithmeticError, ValueError, TypeError, AttributeError):  # no finite prediction
        return None
    return round(value, 4) if math.isfinite(value) else None


def _measure(
    pcf: Pcf, settings: DynamicsSettings
) -> tuple[int, list[int], list[tuple[int, int]], tuple[int, int]]:
    """Doubling rounds until ``N/2``, ``N − 1`` and ``N`` agree to the digits asked (or the
    maximum depth): the depth, the rungs, their convergents and the ``N − 1`` one."""
    depth = min(settings.min_depth, settings.max_depth)
    while True:
        rungs = ladder(depth)
        exact = _exact_convergents(pcf, [*rungs[:-1], depth - 1, depth])
        previous = exact.pop(-2)
        half = rungs.index(depth // 2) if depth // 2 in rungs else len(rungs) - 2
        settled = exact[-1][1] != 0 and exact[half][1] != 0 and previous[1] != 0
        if settled:
            # the neighbour too: a periodic fraction can repeat exactly at N/2 and N
            gap = min(_gap_digits(exact[half], exact[-1]), _gap_digits(previous, exact[-1]))
            settled = gap >= settings.digits + 5
        if settled or depth >= settings.max_depth:
            return depth, rungs, exact, previous
        depth = min(2 * depth, settings.max_depth)


def features_of(pcf: Pcf, settings: DynamicsSettings | None = None) -> PcfFeatures:
    """The dynamics and limit of ``pcf``; never raises for a bad fraction.

    A degenerate fraction comes back unresolved with its reason: ``b_n`` vanishing at a
    positive integer (it terminates, a rational), convergents too large to compute
    (``refused``), ``q_N = 0``, convergents that do not settle, or too few digits by
    ``max_depth``.
    """
    settings = settings or DynamicsSettings()
    zero = zero_of_b(pcf)
    if zero is not None:
        return PcfFeatures(pcf, "zero_b", reason=f"b_n = 0 at n = {zero}: a terminating fraction")
    if all(c == 0 for c in pcf.a):
        return PcfFeatures(pcf, "zero_denominator", reason="a_n ≡ 0")
    bits = estimated_bits(pcf, settings.max_depth)
    if bits > settings.max_bits:
        return PcfFeatures(
            pcf, "refused", reason=f"~{bits:.3g} bits per convergent (budget {settings.max_bits})"
        )
    depth, rungs, exact, previous = _measure(pcf, settings)
    last = exact[-1]
    if last[1] == 0:
        return PcfFeatures(pcf, "zero_denominator", depth, reason=f"q_n = 0 at n = {depth}")
    neighbour = _gap_digits(previous, last) if previous[1] != 0 else 0.0
    curve = tuple(
        (n, min(_gap_digits(pq, last), 10.0 * settings.digits))
        for n, pq in zip(rungs[:-1], exact[:-1], strict=True)
        if 2 * n <= depth and pq[1] != 0
    )
    known = min(curve[-1][1], neighbour) if curve else 0.0
    rate, kind = classify_decay(curve)
    ctx = MPContext()
    ctx.dps = settings.digits + 20
    limit_text = ctx.nstr(ctx.mpf(last[0]) / last[1], settings.digits + 15, min_fixed=-30)
    features = PcfFeatures(
        pcf,
        "resolved",
        depth,
        round(known, 3),
        curve,
        None if rate is None else round(rate, 4),
        kind,
        None,
        predicted_delta(pcf),
        limit_text,
    )
    if known < 1 or (kind == "none" and known < settings.digits):
        reason = f"the convergents do not settle: depths {depth // 2} and {depth} agree to "
        return _unresolved(features, "divergent", reason + f"{known:.1f} digits")
    if known < settings.digits:
        reason = f"only {known:.1f} digits by depth {depth} (needs {settings.digits}; {kind})"
        return _unresolved(features, "too_slow", reason)
    fraction = _rational(ctx, ctx.mpf(last[0]) / last[1], settings.digits)
    if fraction is not None:
        return _unresolved(features, "rational", f"the limit is the rational {fraction}")
    delta = delta_at(pcf, depth // 2, lambda dps: _at(last, dps))
    return _with_delta(features, delta)


def _rational(ctx: MPContext, value: mpmath.mpf, digits: int) -> str | None:
    """``"p/q"`` when ``value`` is a fraction with ``|p|, |q| ≤ 10^(digits/4)``.

    PSLQ at ``digits`` with coefficients capped at a quarter of the digits: an irrational
    limit would need an accidental agreement to ~50 digits beyond any such fraction.
    """
    if abs(value) < ctx.mpf(10) ** (-digits):
        return "0"
    relation = ctx.pslq([value, 1], maxcoeff=10 ** (digits // 4), maxsteps=20_000)
    if relation is None or relation[0] == 0:
        return None
    den, num = relation[0], -relation[1]
    if den < 0:
        num, den = -num, -den
    return str(num) if den == 1 else f"{num}/{den}"


def _at(pq: tuple[int, int], dps: int) -> mpmath.mpf:
    with mpmath.workdps(dps):
        return mpmath.mpf(pq[0]) / pq[1]


def _unresolved(features: PcfFeatures, status: FeatureStatus, reason: str) -> PcfFeatures:
    return replace(features, status=status, reason=reason)


def _with_delta(features: PcfFeatures, delta: float | None) -> PcfFeatures:
    return replace(features, delta=None if delta is None else round(delta, 4))
