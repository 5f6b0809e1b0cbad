"""The three autocorrelation inequality problems of AlphaEvolve, as step functions.

Verifier: :mod:`discolab.verifiers.constructions.autocorrelation`. A construction is
``{"heights": [...]}``, the values of a step function on ``n`` equal steps of
``[-1/4, 1/4]`` (the program chooses ``n``, at most 100000).

Behaviour descriptor: the share of nonzero heights (first, second) or of negative heights
(third).

Seeds build the heights from a few shape knobs (a constant, a cosine bump, a quadratic and
an edge spike) on 60 steps; with every knob but the constant at zero they are all ones, the
plain box, valid but far from the best known.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from discolab.environments.programs.base import Reference
from discolab.environments.programs.common import JSON_RULES, VerifiedProblem, seed_source
from discolab.verifiers.constructions.autocorrelation import (
    first_autocorrelation,
    parse_heights,
    second_autocorrelation,
    third_autocorrelation,
)
from discolab.verifiers.constructions.reading import Measured

_BLOCK = """
STEPS = 60  # number of equal steps on [-1/4, 1/4]
BASE = 1.0  # constant level
BUMP = 0.0  # weight of a cosine bump centred at 0
CURVE = 0.0  # weight of a quadratic in the position
EDGE = 0.0  # extra height on the two outermost steps
FREQ = 1.0  # frequency of the bump


def construct():
    n = max(int(round(STEPS)), 1)
    x = (np.arange(n) + 0.5) / n * 2 - 1  # step centres mapped to [-1, 1]
    h = BASE + BUMP * np.cos(np.pi * FREQ * x / 2) + CURVE * x**2
    h[0] += EDGE
    h[-1] += EDGE
{fix}
    return {{"heights": [float(v) for v in h]}}
"""

_NONNEGATIVE = """    h = np.maximum(h, 0.0)
    if h.sum() < 1.0:  # keep the integral away from zero
        h = h + 1.0"""
_SIGNED = """    if abs(h.sum()) < 1.0:  # keep the integral away from zero
        h = h + 1.0"""

_DATA = (
    "The function is given by its heights on n equal steps: h_i is its value on "
    "[-1/4 + i/(2n), -1/4 + (i+1)/(2n)). You choose n (1 to 100000); the magnitude of the "
    'sum of the heights must be at least 0.01. Write {"heights": [h_0, ..., h_{n-1}]}. '
)


def _seed(fix: str) -> str:
    return seed_source("import json\n\nimport numpy as np", _BLOCK.format(fix=fix))


class FirstAutocorrelation(VerifiedProblem):
    """Minimise ``max(f*f) / (∫f)²`` over nonnegative step functions on ``[-1/4, 1/4]``.

    Computed as ``2n max(conv(h, h)) / (Σh)²``; heights must be ``>= 0``. An upper bound on
    the constant C1 of the first autocorrelation inequality. Version 1.
    """

    id = "programs/first-autocorrelation-v1"
    title = "First autocorrelation inequality: minimise max(f*f) / (integral of f)^2"
    direction = "min"
    references = (
        Reference("previous state of the art", 1.5098),
        Reference("AlphaEvolve (2025)", 1.505294),
        Reference("later report", 1.502863),
    )
    statement = (
        "Construct a nonnegative step function f on [-1/4, 1/4] that makes "
        "max_t (f*f)(t) / (integral of f)^2 as small as possible (minimise), where f*f is the "
        "autoconvolution (f*f)(t) = integral f(s) f(t - s) ds. With step heights h this is "
        "2n * max(conv(h, h)) / (sum h)^2. Heights must be >= 0. " + _DATA + JSON_RULES
    )

    def seed_program(self) -> str:
        """The box (all ones) with shape knobs."""
        return _seed(_NONNEGATIVE)

    def parse(self, data: Any) -> np.ndarray:
        return parse_heights(data, nonnegative=True)

    def measure(self, parsed: np.ndarray) -> Measured:
        return first_autocorrelation(parsed)


class SecondAutocorrelation(VerifiedProblem):
    """Maximise ``‖f*f‖₂² / (‖f*f‖₁ ‖f*f‖∞)`` over nonnegative step functions.

    The L2 norm integrates the piecewise-linear autoconvolution exactly. A lower bound on
    the constant C2 of the second autocorrelation inequality. Version 1.
    """

    id = "programs/second-autocorrelation-v1"
    title = "Second autocorrelation inequality: maximise |f*f|_2^2 / (|f*f|_1 |f*f|_inf)"
    direction = "max"
    references = (
        Reference("previous state of the art", 0.88922),
        Reference("AlphaEvolve (2025)", 0.896280),
        Reference("later report", 0.961021),
        Reference("later report", 0.96258),
    )
    statement = (
        "Construct a nonnegative step function f on [-1/4, 1/4] that makes "
        "||f*f||_2^2 / (||f*f||_1 * ||f*f||_inf) as large as possible (maximise), where f*f "
        "is the autoconvolution. f*f of a step function is piecewise linear with knots at "
        "the multiples of the step width; the norms are integrated exactly on those linear "
        "pieces. Heights must be >= 0. " + _DATA + JSON_RULES
    )

    def seed_program(self) -> str:
        """The box (all ones) with shape knobs."""
        return _seed(_NONNEGATIVE)

    def parse(self, data: Any) -> np.ndarray:
        return parse_heights(data, nonnegative=True)

    def measure(self, parsed: np.ndarray) -> Measured:
        return second_autocorrelation(parsed)


class ThirdAutocorrelation(VerifiedProblem):
    """Minimise ``max|f*f| / (∫f)²`` over step functions of any sign.

    Computed as ``2n max|conv(h, h)| / (Σh)²``: like the published verifier, the largest
    absolute value of the autoconvolution (a negative dip counts as much as a peak). An
    upper bound on the constant C3 of the third autocorrelation inequality. Version 1.
    """

    id = "programs/third-autocorrelation-v1"
    title = "Third autocorrelation inequality: minimise max|f*f| / (integral of f)^2"
    direction = "min"
    references = (
        Reference("previous state of the art", 1.4581),
        Reference("AlphaEvolve (2025)", 1.455643),
    )
    statement = (
        "Construct a step function f on [-1/4, 1/4] (heights may be negative) that makes "
        "max_t |(f*f)(t)| / (integral of f)^2 as small as possible (minimise), where f*f is "
        "the autoconvolution. With step heights h this is 2n * max(|conv(h, h)|) / (sum h)^2. "
        + _DATA
        + JSON_RULES
    )

    def seed_program(self) -> str:
        """The box (all ones) with shape knobs; heights are not clipped at zero."""
        return _seed(_SIGNED)

    def parse(self, data: Any) -> np.ndarray:
        return parse_heights(data, nonnegative=False)

    def measure(self, parsed: np.ndarray) -> Measured:
        return third_autocorrelation(parsed)


PROBLEMS = (FirstAutocorrelation, SecondAutocorrelation, ThirdAutocorrelation)
