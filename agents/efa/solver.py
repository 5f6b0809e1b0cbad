"""The built-in EFA solver: problem text in, an answer or a plain "cannot" out.

It tries the patterns of :mod:`discolab.agents.efa.handlers` in order. It never sees the
generator, its parameters or its answer. Where no pattern applies it says so and does not
guess, so a family it cannot solve scores 0 and is named as such in the report.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from discolab.agents.efa.handlers import HANDLERS

logger = logging.getLogger(__name__)

MAX_PROBLEM_LENGTH = 4000


@dataclass(frozen=True)
class SolveAttempt:
    """The solver's answer (``None`` when it cannot), the method used, or why not."""

    answer: str | None
    method: str | None
    reason: str | None = None


def solve_problem(text: str) -> SolveAttempt:
    """Answer ``text`` with the first pattern that applies, or say none does."""
    if not isinstance(text, str) or len(text) > MAX_PROBLEM_LENGTH:
        return SolveAttempt(None, None, "not a problem text of at most 4000 characters")
    for name, handler in HANDLERS:
        try:
            answer = handler(text)
        except (ValueError, ArithmeticError, TypeError, RecursionError) as exc:
            logger.debug("%s failed on %r: %s", name, text[:60], exc)
            continue
        if answer is not None:
            return SolveAttempt(answer, name)
    return SolveAttempt(None, None, "no known pattern: the built-in solver cannot do this family")
