"""EFA answers: their kinds, a JSON form, and the trusted check of a given answer.

An EFA's ``solve`` returns an ``int`` (kind ``integer``), a ``fractions.Fraction``
(``rational``), a sympy expression (``expression``) or a ``float`` (``real``). The check is
exact for the first three — integers compare as integers, rationals as reduced fractions,
expressions by ``sympy.simplify(expected − given) == 0`` — and for reals it accepts a
relative error of at most :data:`REAL_TOLERANCE` (documented, and the only tolerance).
A given answer is untrusted text: integers and fractions are read with ``int`` /
``Fraction`` after a length cap, expressions only through the project's safe parser.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from discolab.errors import ExpressionError

AnswerKind = Literal["integer", "rational", "expression", "real"]
KINDS: tuple[str, ...] = ("integer", "rational", "expression", "real")
REAL_TOLERANCE = 1e-6
"""Largest relative error accepted for a ``real`` answer (absolute below magnitude 1)."""
MAX_ANSWER_LENGTH = 400

_INTEGER = re.compile(r"^[+-]?\d+$")
_RATIONAL = re.compile(r"^[+-]?\d+\s*/\s*[+-]?\d+$")
_E = re.compile(r"\bE\b")  # sympy prints Euler's number as E; the safe parser reads exp(1)


@dataclass(frozen=True)
class Answer:
    """An answer in canonical text form with its kind."""

    kind: AnswerKind
    text: str

    def to_json(self) -> dict[str, str]:
        """``{"kind": ..., "text": ...}``."""
        return {"kind": self.kind, "text": self.text}

    @classmethod
    def from_json(cls, data: Any) -> Answer:
        """Inverse of :meth:`to_json`; raises ExpressionError on malformed data."""
        if not (isinstance(data, dict) and data.get("kind") in KINDS):
            raise ExpressionError(
                f"an answer is {{kind, text}} with kind in {KINDS}, got {data!r:.80}"
            )
        text = data.get("text")
        if not isinstance(text, str) or len(text) > MAX_ANSWER_LENGTH:
            raise ExpressionError("an answer's text must be a string of at most 400 characters")
        return cls(data["kind"], text)


def to_answer(value: Any, kind: AnswerKind) -> Answer:
    """The canonical :class:`Answer` of a ``solve`` result of the declared ``kind``.

    Raises:
        ExpressionError: the value does not fit the kind (a float for an exact kind, a
            non-integer rational for ``integer``, NaN or infinity for ``real``).
    """
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, Fraction) and value.denominator == 1:
                return Answer(kind, str(value.numerator))
            raise ExpressionError(f"an integer answer must be an int, got {value!r:.60}")
        return Answer(kind, str(value))
    if kind == "rational":
        if isinstance(value, bool) or not isinstance(value, int | Fraction):
            raise ExpressionError(f"a rational answer must be a Fraction or int, got {value!r:.60}")
        return Answer(kind, str(Fraction(value)))
    if kind == "real":
        if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
            raise ExpressionError(f"a real answer must be a number, got {value!r:.60}")
        number = float(value)
        if not math.isfinite(number):
            raise ExpressionError(f"a real answer must be finite, got {number!r}")
        return Answer(kind, repr(number))
    import sympy

    if isinstance(value, int | Fraction) and not isinstance(value, bool):
        value = (
            sympy.Rational(value.numerator, value.denominator)
            if isinstance(value, Fraction)
            else sympy.Integer(value)
        )
    if not isinstance(value, sympy.Basic):
        raise ExpressionError(f"an expression answer must be a sympy expression, got {value!r:.60}")
    return Answer(kind, expression_text(sympy.sstr(value)))


def expression_text(printed: str) -> str:
    """sympy's printed form made readable by the safe parser (Euler's number ``E`` is
    written ``exp(1)``); every producer of expression answers goes through this."""
    return _E.sub("exp(1)", printed)


@dataclass(frozen=True)
class AnswerCheck:
    """Whether a given answer equals the expected one, and why not."""

    correct: bool
    reason: str | None = None


def _expression(text: str) -> Any:
    from discolab.verifiers.expressions import parse_expression

    return parse_expression(
        text.replace("^", "**"), ("x", "n", "k"), max_length=MAX_ANSWER_LENGTH
    ).expr


def check_answer(expected: Answer, given: str) -> AnswerCheck:
    """Compare untrusted ``given`` text with ``expected``; never raises for bad input."""
    if not isinstance(given, str):
        return AnswerCheck(False, f"an answer must be text, got {type(given).__name__}")
    text = given.strip().removeprefix("$").removesuffix("$").strip()
    if not text:
        return AnswerCheck(False, "empty answer")
    if len(text) > MAX_ANSWER_LENGTH:
        return AnswerCheck(
            False, f"answer is {len(text)} characters long (cap {MAX_ANSWER_LENGTH})"
        )
    try:
        if expected.kind == "integer":
            if not _INTEGER.match(text):
                return AnswerCheck(False, f"expected an integer, got {text[:40]!r}")
            ok = int(text) == int(expected.text)
        elif expected.kind == "rational":
            if not (_INTEGER.match(text) or _RATIONAL.match(text)):
                return AnswerCheck(False, f"expected a fraction p/q, got {text[:40]!r}")
            ok = Fraction(text.replace(" ", "")) == Fraction(expected.text)
        elif expected.kind == "real":
            number = float(text)
            want = float(expected.text)
            if not math.isfinite(number):
                return AnswerCheck(False, f"answer {text!r} is not finite")
            ok = abs(number - want) <= REAL_TOLERANCE * max(1.0, abs(want))
        else:
            import sympy

            difference = sympy.simplify(_expression(expected.text) - _expression(text))
            ok = difference == 0
    except (ValueError, ZeroDivisionError, OverflowError, ExpressionError) as exc:
        return AnswerCheck(False, f"could not read {text[:40]!r}: {exc}")
    return AnswerCheck(True) if ok else AnswerCheck(False, f"{text[:40]} is not the answer")
