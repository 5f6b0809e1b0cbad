"""The PCF candidate: ``a_0 + b_1/(a_1 + b_2/(a_2 + ...))`` with integer polynomials.

This is the convention of ``ramanujantools`` (the Ramanujan Machine team's package), which
does the exact arithmetic: PCF(2n+1, n²) = 1 + 1/(3 + 4/(5 + ...)) = 4/π. A candidate is
stated as text, ``PCF(2*n + 1, n**2)`` or the two polynomials separately, and parsed by
:mod:`discolab.environments.constants.polynomials`; no candidate text is ever evaluated.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from typing import Any

from discolab.environments.constants.polynomials import (
    Coefficients,
    PolynomialLimits,
    evaluate,
    format_polynomial,
    parse_polynomial,
    trim,
)
from discolab.errors import ExpressionError


@dataclass(frozen=True)
class Pcf:
    """A polynomial continued fraction with integer coefficients (constant term first)."""

    a: Coefficients
    b: Coefficients

    def __post_init__(self) -> None:
        object.__setattr__(self, "a", tuple(trim(self.a)))
        object.__setattr__(self, "b", tuple(trim(self.b)))

    @property
    def degrees(self) -> tuple[int, int]:
        """``(deg a_n, deg b_n)``."""
        return len(self.a) - 1, len(self.b) - 1

    def a_at(self, n: int) -> int:
        """``a_n`` at the integer ``n``."""
        return evaluate(self.a, n)

    def b_at(self, n: int) -> int:
        """``b_n`` at the integer ``n``."""
        return evaluate(self.b, n)

    @property
    def text(self) -> str:
        """``PCF(2*n + 1, n**2)``: parseable by :func:`parse_pcf`."""
        return f"PCF({format_polynomial(self.a)}, {format_polynomial(self.b)})"

    @property
    def max_coefficient(self) -> int:
        """The largest absolute coefficient of ``a_n`` and ``b_n``."""
        return max(abs(c) for c in (*self.a, *self.b))

    def to_ramanujantools(self) -> Any:
        """The same fraction as a ``ramanujantools.pcf.PCF`` (exact sympy polynomials).

        Built once per instance: building it costs more than most of what is asked of it.
        """
        return self._ramanujantools

    @functools.cached_property
    def _ramanujantools(self) -> Any:
        import sympy
        from ramanujantools.pcf import PCF

        n = sympy.Symbol("n")
        a = sum((sympy.Integer(c) * n**k for k, c in enumerate(self.a)), sympy.Integer(0))
        b = sum((sympy.Integer(c) * n**k for k, c in enumerate(self.b)), sympy.Integer(0))
        return PCF(sympy.expand(a), sympy.expand(b))

    def __getstate__(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b}  # the cached ramanujantools object is not shipped

    def __setstate__(self, state: dict[str, Any]) -> None:
        object.__setattr__(self, "a", state["a"])
        object.__setattr__(self, "b", state["b"])

    def to_dict(self) -> dict[str, list[int]]:
        """JSON-ready coefficient lists."""
        return {"a": list(self.a), "b": list(self.b)}


def _split_call(text: str) -> tuple[str, str]:
    """``PCF(A, B)`` → ``(A, B)`` using the syntax tree only (nothing is evaluated)."""
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise ExpressionError(f"{text[:80]!r} is not valid syntax") from exc
    call = tree.body
    if not (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == "PCF"
        and len(call.args) == 2
        and not call.keywords
    ):
        raise ExpressionError(f"expected PCF(a_n, b_n) with two polynomials, got {text[:80]!r}")
    a, b = (ast.get_source_segment(text, arg) for arg in call.args)
    if a is None or b is None:
        raise ExpressionError(f"could not read the arguments of {text[:80]!r}")
    return a, b


def parse_pcf(text: str, b_text: str | None = None, limits: PolynomialLimits | None = None) -> Pcf:
    """Parse ``PCF(a_n, b_n)`` (or ``a_n`` and ``b_n`` given separately).

    Raises:
        ExpressionError: the text is not two integer polynomials within ``limits``; the
            message says which polynomial and why.
    """
    limits = limits or PolynomialLimits()
    if not isinstance(text, str) or (b_text is not None and not isinstance(b_text, str)):
        raise ExpressionError("a PCF must be given as text")
    if len(text) + len(b_text or "") > 2 * limits.max_length + 10:
        raise ExpressionError(
            f"PCF text is {len(text) + len(b_text or '')} characters long "
            f"(cap {2 * limits.max_length + 10})"
        )
    if b_text is None:
        a_text, b_text = _split_call(text.strip())
    else:
        a_text = text
    try:
        a = parse_polynomial(a_text, limits=limits)
    except ExpressionError as exc:
        raise ExpressionError(f"a_n: {exc}") from None
    try:
        b = parse_polynomial(b_text, limits=limits)
    except ExpressionError as exc:
        raise ExpressionError(f"b_n: {exc}") from None
    return Pcf(a, b)


def canonical(pcf: Pcf) -> Pcf:
    """The representative of ``pcf`` under inflation, for storing each formula once.

    Inflating by ``c_n`` (``a_n·c_n``, ``b_n·c_n·c_{n-1}``) multiplies the limit by the
    rational ``c_0`` only, so ``PCF(2a_n, 4b_n)`` is ``PCF(a_n, b_n)`` written differently;
    ``ramanujantools``' ``deflate_all`` removes every such common factor, and inflation by
    ``-1`` makes the leading coefficient of ``a_n`` positive.
    """
    import sympy

    out = pcf
    try:
        deflated = pcf.to_ramanujantools().deflate_all()
        n = sympy.Symbol("n")
        a = sympy.Poly(deflated.a_n, n).all_coeffs()[::-1]
        b = sympy.Poly(deflated.b_n, n).all_coeffs()[::-1]
        if all(c.is_integer for c in (*a, *b)):
            out = Pcf(tuple(int(c) for c in a), tuple(int(c) for c in b))
    except (ValueError, TypeError, ZeroDivisionError, sympy.PolynomialError):
        out = pcf
    if out.a[-1] < 0:
        out = Pcf(tuple(-c for c in out.a), out.b)
    return out


def canonical_key(pcf: Pcf) -> str:
    """The storage key of a formula: its canonical form's text."""
    return canonical(pcf).text
