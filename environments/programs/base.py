"""The construction-problem contract: a seed program, a statement and a strict verifier.

A construction problem (AlphaEvolve's circle packing, autocorrelation inequalities, ...) asks
for a *program* that writes a construction as data. The evolver runs candidate programs only
in the sandbox; each writes :attr:`ConstructionProblem.output_file` (JSON) into its work dir,
the host reads those bytes back, and :meth:`ConstructionProblem.score` recomputes the
objective from the data alone. The verifier never imports or calls candidate code, and the
statement shown to agents names neither the verifier's code nor the best-known values.

Scoring is a cascade: :meth:`ConstructionProblem.check_shape` is the cheap first stage (exact
shapes, finite real numbers, the right types) and :meth:`ConstructionProblem.score` the full
strict check (constraints in the publisher's algebraic form, zero tolerance, equality
allowed) followed by the objective.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Direction = Literal["max", "min"]


@dataclass(frozen=True)
class Reference:
    """A published value of the objective: who reported it and what it was."""

    label: str
    value: float


@dataclass(frozen=True)
class ConstructionScore:
    """The trusted verifier's verdict on one construction.

    Attributes:
        valid: every check passed.
        value: the objective recomputed from the data (``None`` when invalid).
        fitness: higher is better: ``value`` for a maximisation, ``-value`` for a
            minimisation (``None`` when invalid).
        error: why the construction is invalid, naming the bad entry; ``None`` when valid.
        metrics: named figures such as ``worst_slack``; finite floats only.
        behaviour: a descriptor in ``[0, 1]`` for the evolver's MAP-Elites grid (each
            problem documents what it measures).
        stage: ``shape`` when the cheap stage refused the data, else ``full``.
    """

    valid: bool
    value: float | None
    fitness: float | None
    error: str | None = None
    metrics: Mapping[str, float] = field(default_factory=dict)
    behaviour: float = 0.0
    stage: Literal["shape", "full"] = "full"

    @classmethod
    def invalid(cls, error: str, stage: Literal["shape", "full"] = "full") -> ConstructionScore:
        """A failed verdict with its reason."""
        return cls(valid=False, value=None, fitness=None, error=error, stage=stage)


class ConstructionProblem(ABC):
    """One registered construction problem (``programs/circle-packing-26-v1``).

    Subclasses set the class attributes and implement the two checks; the class docstring
    of each is its spec (what the data is, the constraints, the objective, the references).
    """

    id: str
    title: str
    statement: str
    """The task as agents read it: what to construct and the exact JSON the program must
    write to :attr:`output_file`. Never the best-known values."""
    direction: Direction
    references: tuple[Reference, ...]
    """Published values, oldest first; the last is the best known."""
    output_file: str = "construction.json"

    @property
    def best_known(self) -> float:
        """The best published value of the objective."""
        return self.references[-1].value

    def fitness(self, value: float) -> float:
        """Higher is better: the value itself, or its negation for a minimisation."""
        return value if self.direction == "max" else -value

    @abstractmethod
    def seed_program(self) -> str:
        """A runnable program with ``# EVOLVE-BLOCK-START`` / ``# EVOLVE-BLOCK-END`` markers
        that writes a valid (weak) construction to :attr:`output_file`."""

    @abstractmethod
    def check_shape(self, data: Any) -> str | None:
        """The cheap stage: ``None`` when ``data`` has the exact shapes and finite real
        entries the problem needs, else the reason naming the bad entry."""

    @abstractmethod
    def score(self, data: Any) -> ConstructionScore:
        """The full strict verdict; calls :meth:`check_shape` first."""
