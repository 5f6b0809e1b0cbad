"""What every construction problem shares: the two-stage scoring around a family verifier.

A problem names a ``parse`` stage (exact shapes and finite real entries, raising
:class:`~discolab.verifiers.constructions.reading.InvalidConstruction`) and a ``measure``
stage (constraints and the objective) from :mod:`discolab.verifiers.constructions`;
:class:`VerifiedProblem` turns both into :class:`ConstructionScore` verdicts, so no problem
class repeats the cascade, the fitness sign or the finiteness checks of its figures.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from typing import Any

from discolab.environments.programs.base import ConstructionProblem, ConstructionScore
from discolab.verifiers.constructions.reading import (
    InvalidConstruction,
    Measured,
    read_construction,
)

EVOLVE_START = "# EVOLVE-BLOCK-START"
EVOLVE_END = "# EVOLVE-BLOCK-END"

WRITE_JSON = """
if __name__ == "__main__":
    with open("construction.json", "w", encoding="utf-8") as handle:
        json.dump(construct(), handle)
"""
"""The tail of every seed program: outside the evolve block, so mutations keep the output."""

JSON_RULES = (
    "Write the construction as JSON to the file construction.json in the current directory. "
    "Numbers must be plain finite JSON numbers (no NaN, Infinity, strings or booleans), the "
    "lists must have exactly the lengths stated, and no other keys are allowed. The score is "
    "recomputed from that file alone, with zero tolerance: equality in a constraint is "
    "allowed, any violation makes the construction invalid."
)


class VerifiedProblem(ConstructionProblem):
    """A construction problem scored by a family verifier's ``parse`` and ``measure``."""

    @abstractmethod
    def parse(self, data: Any) -> Any:
        """The data in typed form; raises InvalidConstruction naming the bad entry."""

    @abstractmethod
    def measure(self, parsed: Any) -> Measured:
        """Constraints and objective of parsed data; raises InvalidConstruction."""

    def check_shape(self, data: Any) -> str | None:
        """``None`` when the data parses, else the reason."""
        try:
            self.parse(data)
        except InvalidConstruction as exc:
            return str(exc)
        return None

    def score(self, data: Any) -> ConstructionScore:
        """The verdict: shape stage, then constraints and objective, all recomputed."""
        try:
            parsed = self.parse(data)
        except InvalidConstruction as exc:
            return ConstructionScore.invalid(str(exc), stage="shape")
        try:
            measured = self.measure(parsed)
        except InvalidConstruction as exc:
            return ConstructionScore.invalid(str(exc))
        value = float(measured.value)
        if not math.isfinite(value):
            return ConstructionScore.invalid(f"the objective is {value!r}, not a finite number")
        metrics = {k: float(v) for k, v in measured.metrics.items() if math.isfinite(float(v))}
        behaviour = float(measured.behaviour)
        behaviour = min(max(behaviour, 0.0), 1.0) if math.isfinite(behaviour) else 0.0
        return ConstructionScore(
            valid=True,
            value=value,
            fitness=self.fitness(value),
            metrics=metrics,
            behaviour=behaviour,
        )


def seed_source(imports: str, block: str, fixed: str = "") -> str:
    """A seed program: ``imports``, the problem's ``fixed`` sizes (outside the block, so a
    mutation cannot change what is asked), the evolve block holding ``construct()``, and
    the writer."""
    head = (
        f"{imports.strip()}\n\n{fixed.strip()}\n\n" if fixed.strip() else f"{imports.strip()}\n\n"
    )
    return f"{head}{EVOLVE_START}\n{block.strip()}\n{EVOLVE_END}\n{WRITE_JSON}"


def score_output(problem: ConstructionProblem, raw: bytes) -> ConstructionScore:
    """The verdict on the bytes a candidate wrote to ``problem.output_file``.

    The strict reader runs first (NaN / Infinity tokens, invalid UTF-8, duplicate keys and
    oversized files fail at the shape stage), then :meth:`ConstructionProblem.score`.
    """
    data, error = read_construction(raw)
    if error is not None:
        return ConstructionScore.invalid(error, stage="shape")
    return problem.score(data)
