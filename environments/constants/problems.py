"""Construction problems whose construction is a PCF: the evolver's path to formulas.

A candidate program writes ``{"a": ..., "b": ...}`` to ``construction.json``: each
polynomial as a list of integer coefficients (constant term first) or as polynomial text in
``n``. The host parses the data with the safe polynomial parser and scores it with
:func:`discolab.verifiers.constants.verify_pcf` against the problem's target constant;
nothing the program says about its own limit is read.

Fitness (maximised), so that search has a gradient below the goal and a reason to improve
past it:

* verified for the target: ``1 + rate/(1 + rate)`` with ``rate`` the verifier's digits per
  term (so in ``[1, 2)``: any formula beats every non-formula, faster ones score higher);
* convergent but not a formula of the target (``unidentified``, ``wrong_constant``,
  ``too_slow``): ``0.9 · m/15`` where ``m`` (at most 15) is how many digits the limit shares
  with the nearest ``(p·K + q)/(r·K + s)``, ``K`` the target and ``|p|, |q|, |r|, |s| ≤ 4``,
  capped by the digits the convergents settled to (always below 1);
* refused, terminating, degenerate, divergent or rational: invalid, with the verifier's
  status and reason.

The behaviour descriptor is ``(deg a + deg b) / (2 · max degree)``: the grid keeps simple
and complex formulas apart.
"""

from __future__ import annotations

import bisect
import math
import threading
from functools import cached_property
from typing import Any

import mpmath

from discolab.environments.constants.library import Constant, get_constant, transforms
from discolab.environments.constants.pcf import Pcf
from discolab.environments.constants.polynomials import PolynomialLimits, parse_polynomial
from discolab.environments.programs.base import ConstructionProblem, ConstructionScore, Reference
from discolab.environments.programs.common import seed_source
from discolab.errors import ExpressionError
from discolab.verifiers.constants import PcfSettings, PcfVerdict, evaluation_of, verify_pcf

LIMITS = PolynomialLimits(max_degree=8, max_coefficient=10**6, max_length=300, max_nodes=120)
"""Caps on each polynomial of a candidate (degree 8 covers every classic formula)."""

GRADED = frozenset({"unidentified", "wrong_constant", "too_slow"})
"""Verdicts that are real convergent fractions, scored below 1 by digits matched."""

MATCH_HEIGHT = 4
MATCH_CAP = 15.0

_BLOCK = """
A = {a}  # a_n coefficients, constant term first
B = {b}  # b_n coefficients, constant term first


def construct():
    a = [int(round(c)) for c in A] or [1]
    b = [int(round(c)) for c in B] or [1]
    return {{"a": a, "b": b}}
"""

_RULES = (
    "Write the formula as JSON to the file construction.json in the current directory: "
    '{"a": [a_0, a_1, ...], "b": [b_0, b_1, ...]}, the coefficients of a_n and b_n as JSON '
    'integers, constant term first (or each polynomial as text in n, such as "5*n**4 - 7"). '
    f"Degrees at most {LIMITS.max_degree}, coefficients at most {LIMITS.max_coefficient} in "
    "absolute value, no other keys; floats, booleans, NaN and any other text are refused. "
    "The limit is recomputed from the polynomials alone with exact arithmetic."
)


class PcfProblem(ConstructionProblem):
    """A PCF formula for one library constant (the subclass sets the target and seed).

    Data: ``{"a": coefficients or text, "b": coefficients or text}``. Valid iff both are
    integer polynomials within :data:`LIMITS` and the fraction converges to an irrational
    number; the value is the fitness described in the module docstring (maximised).
    """

    target: str
    seed_a: tuple[int, ...]
    seed_b: tuple[int, ...]
    direction = "max"

    def __init__(self) -> None:
        # Scoring takes turns: the verifier sets mpmath's process-wide precision
        # (``mpmath.workdps``), and the evolver scores programs from a thread pool.
        self._lock = threading.Lock()

    @cached_property
    def constant(self) -> Constant:
        """The target constant of the library."""
        return get_constant(self.target)

    @property
    def settings(self) -> PcfSettings:
        """How the verifier checks a candidate for this problem."""
        return PcfSettings(depth=2000, digits=50, target=self.target, limits=LIMITS)

    def seed_program(self) -> str:
        """A valid fraction that is not a formula for the target (it scores below 1)."""
        block = _BLOCK.format(a=list(self.seed_a), b=list(self.seed_b))
        return seed_source("import json", block)

    def parse(self, data: Any) -> Pcf:
        """The PCF in ``data``; raises ExpressionError naming the bad entry."""
        if not isinstance(data, dict):
            raise ExpressionError(f'expected {{"a": ..., "b": ...}}, got {type(data).__name__}')
        if set(data) != {"a", "b"}:
            extra = sorted(set(map(str, data)) - {"a", "b"})
            missing = sorted({"a", "b"} - set(data))
            detail = f"unexpected keys {extra[:5]}" if extra else f"missing keys {missing}"
            raise ExpressionError(f'expected exactly the keys "a" and "b": {detail}')
        return Pcf(_polynomial(data["a"], "a"), _polynomial(data["b"], "b"))

    def check_shape(self, data: Any) -> str | None:
        """``None`` when the data is two integer polynomials within the caps."""
        try:
            self.parse(data)
        except ExpressionError as exc:
            return str(exc)
        return None

    def score(self, data: Any) -> ConstructionScore:
        """Parse, verify against the target, and grade (see the module docstring)."""
        try:
            pcf = self.parse(data)
        except ExpressionError as exc:
            return ConstructionScore.invalid(str(exc), stage="shape")
        with self._lock:
            verdict = verify_pcf(pcf, self.settings)
            matched = self.matched_digits(verdict)
        if not (verdict.verified or verdict.status in GRADED):
            return ConstructionScore.invalid(f"{verdict.status}: {verdict.reason}")
        metrics = dict(evaluation_of(verdict).metrics)
        if verdict.verified:
            rate = max(verdict.rate or 0.0, 0.0)
            value = 1.0 + rate / (1.0 + rate)
            metrics["matched_digits"] = float(verdict.digits)
        else:
            matched = min(matched, verdict.converged_digits, MATCH_CAP)
            value = 0.9 * max(matched, 0.0) / MATCH_CAP
            metrics["matched_digits"] = float(matched)
        metrics["verified"] = 1.0 if verdict.verified else 0.0
        degrees = pcf.degrees
        return ConstructionScore(
            valid=True,
            value=round(value, 6),
            fitness=self.fitness(round(value, 6)),
            metrics={k: v for k, v in metrics.items() if math.isfinite(v)},
            behaviour=min(1.0, (degrees[0] + degrees[1]) / (2 * LIMITS.max_degree)),
        )

    def matched_digits(self, verdict: PcfVerdict) -> float:
        """Digits the limit shares with the nearest small transform of the target.

        Computed in double precision: the grade saturates at 15 digits anyway.
        """
        if verdict.value is None:
            return 0.0
        x = float(verdict.value)
        images = self._images
        at = bisect.bisect_left(images, x)
        best = min((abs(x - images[i]) for i in (at - 1, at) if 0 <= i < len(images)), default=1.0)
        if best == 0:
            return MATCH_CAP
        return max(0.0, -math.log10(best / max(abs(x), 1e-10)))

    @cached_property
    def _images(self) -> tuple[float, ...]:
        """The target's transforms of height at most :data:`MATCH_HEIGHT`, as floats."""
        with mpmath.workdps(30):
            k = float(self.constant.value())
        values = (m.apply_float(k) for m in transforms(MATCH_HEIGHT))
        return tuple(sorted(v for v in values if math.isfinite(v)))


def _polynomial(value: Any, name: str) -> tuple[int, ...]:
    """Coefficients from a JSON list of integers or from polynomial text."""
    if isinstance(value, str):
        try:
            return parse_polynomial(value, limits=LIMITS)
        except ExpressionError as exc:
            raise ExpressionError(f"{name}: {exc}") from None
    if not isinstance(value, list) or not value:
        raise ExpressionError(
            f"{name} must be a non-empty list of integer coefficients or polynomial text, "
            f"got {type(value).__name__}"
        )
    if len(value) > LIMITS.max_degree + 1:
        raise ExpressionError(
            f"{name} has {len(value)} coefficients: degree at most {LIMITS.max_degree}"
        )
    for i, c in enumerate(value):
        if isinstance(c, bool) or not isinstance(c, int):
            raise ExpressionError(f"{name}[{i}] = {str(c)[:40]!r} is not a JSON integer")
        if abs(c) > LIMITS.max_coefficient:
            raise ExpressionError(
                f"{name}[{i}] has {len(str(abs(c)))} digits: the cap is {LIMITS.max_coefficient}"
            )
    return tuple(value)


def _statement(symbol: str, title: str) -> str:
    return (
        f"Find a polynomial continued fraction for {title} ({symbol}): integer polynomials "
        "a_n and b_n such that a_0 + b_1/(a_1 + b_2/(a_2 + b_3/(a_3 + ...))) converges to "
        f"(p*{symbol} + q)/(r*{symbol} + s) for some integers with |p|, |q|, |r|, |s| <= 12 "
        "and p*s != q*r, to 50 digits. Score (maximise it): a verified formula scores above 1, "
        "more for faster convergence (digits gained per term); a fraction that is not a "
        f"formula for {symbol} scores below 1, graded by how many digits its limit shares "
        f"with the nearest small transform of {symbol}. Fractions that terminate (b_n = 0 at "
        "some n >= 1), diverge or have a rational limit are invalid. " + _RULES
    )


class ZetaThreePcf(PcfProblem):
    """A PCF for Apéry's constant ζ(3). Version 1."""

    id = "constants/pcf-zeta3-v1"
    title = "PCF formula for zeta(3): maximise 1 + convergence bonus once verified"
    target = "zeta3"
    seed_a, seed_b = (1, 3, 5, 3), (0, 0, 0, 0, 0, 0, -1)
    statement = _statement("ζ(3)", "Apéry's constant zeta(3)")
    references = (
        Reference("the seed program's fraction", 0.181921),
        Reference("Apéry (1979), rate about 3.06 digits/term", 1.753725),
    )


class PiPcf(PcfProblem):
    """A PCF for π. Version 1."""

    id = "constants/pcf-pi-v1"
    title = "PCF formula for pi: maximise 1 + convergence bonus once verified"
    target = "pi"
    seed_a, seed_b = (1, 3), (1, 1, 1)
    statement = _statement("π", "pi")
    references = (
        Reference("the seed program's fraction", 0.170605),
        Reference("Euler-type 4/pi fraction, rate about 0.77 digits/term", 1.433588),
    )


class EPcf(PcfProblem):
    """A PCF for Euler's number e. Version 1."""

    id = "constants/pcf-e-v1"
    title = "PCF formula for e: maximise 1 + convergence bonus once verified"
    target = "e"
    seed_a, seed_b = (3, 2), (1, 2)
    statement = _statement("e", "Euler's number e")
    references = (
        Reference("the seed program's fraction", 0.167297),
        Reference("Euler (1737) fraction, rate about 1.45 digits/term", 1.59222),
    )


class LnTwoPcf(PcfProblem):
    """A PCF for ln 2. Version 1."""

    id = "constants/pcf-ln2-v1"
    title = "PCF formula for ln 2: maximise 1 + convergence bonus once verified"
    target = "ln2"
    seed_a, seed_b = (1, 4), (0, 1, 1)
    statement = _statement("ln 2", "the natural logarithm of 2")
    references = (
        Reference("the seed program's fraction", 0.231552),
        Reference("classic 1/ln 2 fraction, rate about 0.31 digits/term", 1.234069),
    )


PROBLEMS = (ZetaThreePcf, PiPcf, EPcf, LnTwoPcf)
