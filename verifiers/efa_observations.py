"""Reading what the EFA harness wrote: strict, capped JSON lines and raw answers.

Everything here is untrusted data from a candidate's process: a line without the run's
token, a line that is not a JSON object, too many lines or too large a file make the whole
run unreadable (the ``executable`` property fails with that reason). Raw answers
(``{"type", "text"}``) become trusted :class:`Answer` values by the same rules as
:func:`~discolab.environments.efa.answers.to_answer`, and each is self-checked with the
trusted :func:`check_answer` (an ``expression`` text must get through the safe parser).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from discolab.environments.efa.answers import (
    MAX_ANSWER_LENGTH,
    Answer,
    check_answer,
    expression_text,
)

MAX_LINES = 2000
"""Most lines a run may write (a sample writes one line)."""
MAX_BYTES = 2 << 20
"""Largest observations file read, in bytes."""
ALLOWED_TYPES = {
    "integer": ("int", "Fraction"),
    "rational": ("int", "Fraction"),
    "real": ("int", "Fraction", "float"),
    "expression": ("int", "Fraction", "sympy"),
}


@dataclass
class Run:
    """The records of one harness run, grouped by type (``t``)."""

    records: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    foreign: int = 0

    def of(self, kind: str) -> list[dict[str, Any]]:
        """Every record of type ``kind``, in order."""
        return [r for r in self.records if r.get("t") == kind]

    def first(self, kind: str) -> dict[str, Any] | None:
        """The first record of type ``kind``, or ``None``."""
        found = self.of(kind)
        return found[0] if found else None

    @property
    def done(self) -> bool:
        """The harness reached its end."""
        return self.first("done") is not None


def read_run(raw: bytes | None, token: str, filename: str) -> Run:
    """Parse the observations file; any malformed input gives a :class:`Run` with ``error``.

    Lines without the run's token were not written by the harness (the candidate cannot
    know the token): they are dropped and counted in ``foreign``, and ``error`` says so.
    A token line that is not a JSON record ends the reading.
    """
    if raw is None:
        return Run(error=f"the harness left no {filename}")
    if len(raw) > MAX_BYTES:
        return Run(error=f"{filename} is larger than {MAX_BYTES} bytes")
    run = Run()
    lines = raw.decode("utf-8", "replace").splitlines()
    if len(lines) > MAX_LINES:
        return Run(error=f"{filename} has more than {MAX_LINES} lines")
    for number, line in enumerate(lines, 1):
        head, _, body = line.partition(" ")
        if head != token:
            run.foreign += 1
            run.error = run.error or f"line {number} of {filename} was not written by the harness"
            continue
        try:
            record = json.loads(body, parse_constant=_no_constant)
        except ValueError as exc:
            run.error = f"line {number} of {filename} is not JSON: {exc}"
            return run
        if not isinstance(record, dict) or not isinstance(record.get("t"), str):
            run.error = f"line {number} of {filename} is not a record"
            return run
        run.records.append(record)
    return run


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read_answer(raw: Any, kind: str) -> tuple[Answer | None, str | None]:
    """The trusted answer of a raw ``solve`` result, or why it is not one of ``kind``."""
    if not (isinstance(raw, dict) and isinstance(raw.get("type"), str)):
        return None, "the answer record is malformed"
    type_, text = raw["type"], raw.get("text")
    if not isinstance(text, str) or len(text) > MAX_ANSWER_LENGTH:
        return None, f"the answer is longer than {MAX_ANSWER_LENGTH} characters"
    if type_ not in ALLOWED_TYPES.get(kind, ()):
        return None, f"solve returned a {type_} ({text[:60]}), not a {kind} answer"
    try:
        value = Fraction(text)
        if kind == "integer":
            if value.denominator != 1:
                return None, f"solve returned {text[:60]}, not an integer"
            answer = Answer(kind, str(value.numerator))
        elif kind == "rational":
            answer = Answer(kind, str(value))
        elif kind == "real":
            number = float(value) if type_ != "float" else float(text)
            if not math.isfinite(number):
                return None, f"solve returned {text[:60]}, which is not finite"
            answer = Answer(kind, repr(number))
        else:
            answer = Answer(kind, text)
    except (ValueError, ZeroDivisionError, OverflowError):
        if kind != "expression" or type_ != "sympy":
            return None, f"solve returned {text[:60]!r}, which is not a {kind}"
        answer = Answer(kind, expression_text(text))
    check = check_answer(answer, answer.text)
    if not check.correct:
        return None, f"the answer {text[:60]!r} cannot be read back: {check.reason}"
    return answer, None


def same_answer(a: Answer, b: Answer) -> bool:
    """Whether two trusted answers are equal by the trusted check."""
    return a.kind == b.kind and (a.text == b.text or check_answer(a, b.text).correct)
