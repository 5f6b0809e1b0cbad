"""The PCF verifier: is ``PCF(a_n, b_n)`` a formula for a library constant, to many digits?

Every number is recomputed here from the two integer polynomials; nothing a candidate says
about its own limit is read. The steps, each of which can end the verdict with a named
status:

1. *refused* — the text is not two integer polynomials within the caps, or the work it asks
   for (bit size of the convergents) is over budget: a depth bomb is refused before any
   arithmetic.
2. *zero_b* — ``b_n`` vanishes at a positive integer, so the fraction terminates at a
   rational; *zero_denominator* — ``a_n ≡ 0`` or the deepest ``q_n`` is 0.
3. Exact convergents at a doubling ladder of depths (``ramanujantools``); *divergent* when
   the last ones do not settle; *too_slow* when they settle to fewer digits than asked.
4. *rational* — PSLQ finds a small ``p·x = q`` relation (at a third of the digits, so an
   irrational limit cannot be mistaken for one).
5. Identification — ``mpmath.pslq`` on ``[x·K, x, K, 1]`` for each library constant ``K``
   with coefficients at most ``max_height`` gives ``x = (p·K + q)/(r·K + s)``; the relation
   is then re-checked at the full precision and must hold to ``digits`` digits.
   *unidentified* otherwise, naming the nearest low-precision relation and how many digits
   it held to (a near miss fails); *wrong_constant* when a target was set and the limit is
   another constant.

A verified verdict reports the digits matched, the convergence rate in digits per term, the
irrationality measure δ (``ramanujantools``) and the predicted δ (its Kamidelta).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field, replace
from typing import Literal

import mpmath

from discolab.environments.constants.library import (
    Mobius,
    constant_ids,
    constant_value,
    get_constant,
    normalise,
)
from discolab.environments.constants.pcf import Pcf, canonical, parse_pcf
from discolab.environments.constants.polynomials import PolynomialLimits
from discolab.errors import ConfigError, ExpressionError
from discolab.types import Evaluation
from discolab.verifiers.pcf_convergents import (
    Convergents,
    compute_convergents,
    convergence_rate,
    delta_at,
    digits_between,
    error_digits,
    estimated_bits,
    zero_of_b,
)

Status = Literal[
    "verified",
    "unidentified",
    "too_slow",
    "rational",
    "divergent",
    "zero_b",
    "zero_denominator",
    "refused",
    "wrong_constant",
]

MIN_DIGITS, MAX_DIGITS = 50, 1000
MAX_DEPTH = 100_000


@dataclass(frozen=True)
class PcfSettings:
    """How hard the verifier looks.

    Attributes:
        depth: the deepest convergent computed (the ladder stops early once converged).
        digits: digits an identification must hold to (50 to 1,000).
        max_height: the largest coefficient of an accepted Möbius relation.
        constants: library ids to identify against.
        target: the constant a task asks for (``None`` = any library constant).
        max_bits: budget on the estimated bit size of ``q_depth`` (refuses depth bombs).
        delta_depth: the depth δ is measured at (an asymptotic figure needs depth).
        limits: caps on the polynomials themselves.
    """

    depth: int = 2000
    digits: int = MIN_DIGITS
    max_height: int = 12
    constants: tuple[str, ...] = field(default_factory=lambda: tuple(constant_ids()))
    target: str | None = None
    max_bits: float = 2.0e7
    delta_depth: int = 200
    limits: PolynomialLimits = field(default_factory=PolynomialLimits)

    def __post_init__(self) -> None:
        if not isinstance(self.depth, int) or not 16 <= self.depth <= MAX_DEPTH:
            raise ConfigError(f"depth must be an integer in [16, {MAX_DEPTH}], got {self.depth!r}")
        if not isinstance(self.digits, int) or not MIN_DIGITS <= self.digits <= MAX_DIGITS:
            raise ConfigError(
                f"digits must be an integer in [{MIN_DIGITS}, {MAX_DIGITS}], got {self.digits!r}"
            )
        if not isinstance(self.max_height, int) or not 1 <= self.max_height <= 1000:
            raise ConfigError(f"max_height must be in [1, 1000], got {self.max_height!r}")
        for cid in (*self.constants, *([self.target] if self.target else [])):
            get_constant(cid)

    @property
    def dps(self) -> int:
        """The working precision: the required digits plus guard digits."""
        return self.digits + 30


@dataclass(frozen=True)
class PcfVerdict:
    """The verifier's verdict on one PCF; every figure recomputed here."""

    status: Status
    pcf: Pcf | None
    reason: str | None = None
    constant: str | None = None
    transform: Mobius | None = None
    limit_text: str | None = None
    digits: float = 0.0
    converged_digits: float = 0.0
    rate: float | None = None
    delta: float | None = None
    predicted_delta: float | None = None
    depth: int = 0
    value: str | None = None
    canonical_key: str | None = None
    """The text of the formula's canonical form, once :func:`in_canonical_form` computed it
    (``None`` before: compute it with :func:`canonical_key`)."""

    @property
    def verified(self) -> bool:
        """The limit was identified to the required digits (and is the target, if set)."""
        return self.status == "verified"


_MPMATH_LOCK = threading.Lock()
"""mpmath keeps its working precision in one process-wide context; verdicts computed from
two threads at once would change each other's precision (and a PSLQ run at too low a
precision can "find" a relation). Verifications therefore run one at a time per process;
parallel callers use processes (the enumeration does)."""


def verify_pcf(candidate: Pcf | str, settings: PcfSettings | None = None) -> PcfVerdict:
    """The verdict on ``candidate`` (a :class:`Pcf` or ``PCF(a_n, b_n)`` text).

    Never raises for a bad candidate: every failure is a verdict with a reason. Safe to
    call from several threads (they take turns, see ``_MPMATH_LOCK``).
    """
    with _MPMATH_LOCK:
        return _verify(candidate, settings or PcfSettings())


def _verify(candidate: Pcf | str, settings: PcfSettings) -> PcfVerdict:
    try:
        if isinstance(candidate, Pcf):
            pcf = candidate
        else:
            pcf = parse_pcf(candidate, limits=settings.limits)
        _check_caps(pcf, settings)
    except ExpressionError as exc:
        return PcfVerdict("refused", None if isinstance(candidate, str) else candidate, str(exc))
    zero = zero_of_b(pcf)
    if zero is not None:
        return PcfVerdict(
            "zero_b", pcf, f"b_n = 0 at n = {zero}: the fraction terminates (a rational limit)"
        )
    if all(c == 0 for c in pcf.a):
        return PcfVerdict("zero_denominator", pcf, "a_n ≡ 0: every other denominator vanishes")
    conv = compute_convergents(pcf, settings.depth, settings.dps)
    early = _convergence_failure(pcf, conv, settings)
    if early is not None:
        return early
    assert conv.last is not None
    value = conv.last
    base = PcfVerdict(
        "unidentified",
        pcf,
        converged_digits=conv.agreement,
        depth=conv.depths[-1],
        value=mpmath.nstr(value, 30),
    )
    rational = _rational_relation(value, settings)
    if rational is not None:
        num, den = rational
        text = str(num) if den == 1 else f"{num}/{den}"
        return replace(base, status="rational", reason=f"the limit is the rational {text}")
    return _identify(pcf, conv, base, settings)


def in_canonical_form(verdict: PcfVerdict, settings: PcfSettings | None = None) -> PcfVerdict:
    """The verdict on the canonical form of a verified PCF, so each formula is stored as its
    deflated, sign-normalised representative (re-verified here: its limit differs from the
    original's by the rational factor the deflation removed). Unverified verdicts come back
    unchanged; when the canonical form would not verify, the verdict stays as it was. A
    verified verdict carries ``canonical_key``, the canonical form's text, so storing it
    need not compute the canonical form again."""
    if not verdict.verified or verdict.pcf is None:
        return verdict
    representative = canonical(verdict.pcf)
    key = representative.text
    if representative == verdict.pcf:
        return replace(verdict, canonical_key=key)
    again = verify_pcf(representative, settings)
    return replace(again if again.verified else verdict, canonical_key=key)


def _check_caps(pcf: Pcf, settings: PcfSettings) -> None:
    limits = settings.limits
    if max(pcf.degrees) > limits.max_degree:
        raise ExpressionError(f"degree {max(pcf.degrees)} exceeds the cap {limits.max_degree}")
    if pcf.max_coefficient > limits.max_coefficient:
        raise ExpressionError(
            f"coefficient {pcf.max_coefficient} exceeds the cap {limits.max_coefficient}"
        )
    bits = estimated_bits(pcf, settings.depth)
    if bits > settings.max_bits:
        raise ExpressionError(
            f"depth {settings.depth} would need ~{bits:.3g} bits per convergent "
            f"(budget {settings.max_bits:.3g}): refused as a depth bomb"
        )


def _convergence_failure(pcf: Pcf, conv: Convergents, settings: PcfSettings) -> PcfVerdict | None:
    if conv.last is None:
        return PcfVerdict(
            "zero_denominator", pcf, f"q_n = 0 at the deepest convergent (n = {conv.depths[-1]})"
        )
    agreement = conv.agreement
    defined = [v for v in conv.values if v is not None]
    unsettled = agreement < 1 or (agreement < 3 and not _settling(conv))
    if unsettled or not all(mpmath.isfinite(v) for v in defined):
        return PcfVerdict(
            "divergent",
            pcf,
            f"the convergents do not settle: depth {conv.depths[-1]} agrees with depths "
            f"{conv.depths[-2]} and {conv.depths[-1] - 1} to {agreement:.1f} digits",
            converged_digits=agreement,
            depth=conv.depths[-1],
        )
    if agreement < settings.digits:
        return PcfVerdict(
            "too_slow",
            pcf,
            f"converges to only {agreement:.1f} digits by depth {conv.depths[-1]} "
            f"(needs {settings.digits})",
            converged_digits=agreement,
            depth=conv.depths[-1],
            value=mpmath.nstr(conv.last, 20),
        )
    return None


def _settling(conv: Convergents) -> bool:
    """Whether the gaps between the last three rungs shrink (slow convergence, not none)."""
    values = [v for v in conv.values[-3:] if v is not None]
    if len(values) < 3:
        return False
    with mpmath.workdps(conv.dps):
        older, newer = abs(values[1] - values[0]), abs(values[2] - values[1])
    return bool(newer < older / 1.5)


def _rational_relation(value: mpmath.mpf, settings: PcfSettings) -> tuple[int, int] | None:
    """``(p, q)`` with ``value = p/q`` and ``|p|, |q| ≤ 10^(digits/3)``, else ``None``."""
    with mpmath.workdps(settings.digits):
        if abs(value) < mpmath.mpf(10) ** (-settings.digits):
            return 0, 1
        cap = 10 ** (settings.digits // 3)
        relation = mpmath.pslq([value, 1], maxcoeff=cap, maxsteps=20_000)
    if relation is None or relation[0] == 0:
        return None
    den, num = relation[0], -relation[1]
    if den < 0:
        num, den = -num, -den
    return num, den


def _pslq_transform(value: mpmath.mpf, k: mpmath.mpf, height: int, dps: int) -> Mobius | None:
    """The Möbius relation of ``value`` to ``k`` with coefficients at most ``height``.

    ``mpmath.pslq``'s ``maxcoeff`` bound is strict, so it is given ``height + 1`` and the
    found relation is checked against ``height`` itself.
    """
    with mpmath.workdps(dps):
        try:
            relation = mpmath.pslq([value * k, value, k, 1], maxcoeff=height + 1, maxsteps=20_000)
        except (ValueError, ZeroDivisionError):  # a zero entry: no Möbius relation to find
            return None
    if relation is None:
        return None
    x, y, z, w = relation  # x·vK + y·v + z·K + w = 0  →  v = (−z·K − w)/(x·K + y)
    transform = normalise(-z, -w, x, y)
    return transform if transform is not None and transform.height <= height else None


def _identify(pcf: Pcf, conv: Convergents, base: PcfVerdict, settings: PcfSettings) -> PcfVerdict:
    value = conv.last
    assert value is not None
    order = list(settings.constants)
    if settings.target is not None:
        order = [settings.target] + [c for c in order if c != settings.target]
    near: tuple[float, str] | None = None
    for cid in order:
        k = constant_value(cid, settings.dps)
        transform = _pslq_transform(value, k, settings.max_height, settings.digits)
        symbol = get_constant(cid).symbol
        if transform is None:
            rough = _pslq_transform(value, k, settings.max_height, 15)
            if rough is not None:
                held = digits_between(value, _apply(rough, k, settings.dps), settings.dps)
                if near is None or held > near[0]:
                    near = (held, rough.format(symbol))
            continue
        target = _apply(transform, k, settings.dps)
        held = digits_between(value, target, settings.dps)
        matched = min(held, conv.agreement)
        if not accepts(held, conv.agreement, settings.digits):
            if near is None or matched > near[0]:
                near = (matched, transform.format(symbol))
            continue
        return _verified(pcf, conv, base, settings, cid, transform, target, matched)
    if near is not None:
        held, text = near
        reason = (
            f"no identification to {settings.digits} digits: the nearest relation, "
            f"{text}, holds to {held:.1f} digits only"
        )
    else:
        reason = (
            f"no Möbius relation with coefficients ≤ {settings.max_height} to any of "
            f"{', '.join(order)} at {settings.digits} digits"
        )
    return replace(base, reason=reason)


AGREEMENT_SLACK = 5.0
"""Digits by which a relation may fall short of the convergents' own agreement."""


def accepts(held: float, settled: float, digits: int) -> bool:
    """Whether a relation that holds to ``held`` digits identifies a limit whose
    convergents settled to ``settled`` digits, when ``digits`` are required.

    Both must reach ``digits``, and the relation must hold to every digit the convergents
    settled (up to :data:`AGREEMENT_SLACK`): a limit that differs from the transform in a
    digit the computation resolved is a near miss, however many digits it shares. This
    closes tolerance farming — a fraction built to agree with a constant to just past the
    required digits fails as long as the working precision (digits + 30) resolves it.
    """
    return held >= digits and settled >= digits and held >= settled - AGREEMENT_SLACK


def _apply(transform: Mobius, k: mpmath.mpf, dps: int) -> mpmath.mpf:
    with mpmath.workdps(dps + 10):
        return transform.apply(k)


def _verified(
    pcf: Pcf,
    conv: Convergents,
    base: PcfVerdict,
    settings: PcfSettings,
    cid: str,
    transform: Mobius,
    target: mpmath.mpf,
    matched: float,
) -> PcfVerdict:
    errors = error_digits(conv, target)
    rate = convergence_rate(errors, settings.dps)
    delta_depth = min(settings.delta_depth, conv.depths[-1])
    delta = delta_at(pcf, delta_depth, lambda dps: _apply(transform, constant_value(cid, dps), dps))
    verdict = replace(
        base,
        status="verified",
        constant=cid,
        transform=transform,
        limit_text=transform.format(get_constant(cid).symbol),
        digits=round(matched, 2),
        rate=None if rate is None else round(rate, 4),
        delta=None if delta is None else round(delta, 4),
        predicted_delta=_predicted_delta(pcf),
    )
    if settings.target is not None and cid != settings.target:
        wanted = get_constant(settings.target).symbol
        return replace(
            verdict,
            status="wrong_constant",
            reason=f"the limit is {verdict.limit_text}, not a transform of {wanted}",
        )
    return verdict


def _predicted_delta(pcf: Pcf) -> float | None:
    """``ramanujantools``' Kamidelta prediction; ``None`` when it has no finite value."""
    try:
        with mpmath.workdps(30):
            predicted = pcf.to_ramanujantools().kamidelta(20)
        value = float(predicted)
    except Exception:  # a prediction the library cannot make is just absent
        return None
    return round(value, 4) if math.isfinite(value) else None


def evaluation_of(verdict: PcfVerdict) -> Evaluation:
    """The verdict as a stored :class:`Evaluation` (score 1 only when verified)."""
    metrics: dict[str, float] = {
        "digits": float(verdict.digits),
        "converged_digits": float(verdict.converged_digits),
        "depth": float(verdict.depth),
    }
    for name in ("rate", "delta", "predicted_delta"):
        value = getattr(verdict, name)
        if value is not None:
            metrics[name] = float(value)
    if not verdict.verified:
        reason = f"{verdict.status}: {verdict.reason}"
        return Evaluation(score=0.0, passed=False, metrics=metrics, feedback=reason, error=reason)
    feedback = (
        f"limit {verdict.limit_text} to {verdict.digits:.0f} digits, "
        f"{_fmt(verdict.rate)} digits/term, δ = {_fmt(verdict.delta)}"
    )
    return Evaluation(score=1.0, passed=True, metrics=metrics, feedback=feedback)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"
