"""Shared value types that flow between environments, proposers, verifiers and storage.

All of them are frozen dataclasses holding plain JSON-like data, so they can live in a
LangGraph checkpoint, a SQLite row or a JSONL submission without custom encoders.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, TypeAlias

Series: TypeAlias = Mapping[str, tuple[float, ...]]
"""A measured time series: observable name -> values at the sample times (``t`` first)."""


class CandidateKind(StrEnum):
    """What a candidate's source text is: a formula or a program."""

    EXPRESSION = "expression"
    PROGRAM = "program"


@dataclass(frozen=True)
class Variable:
    """One declared input (or the output) of a task.

    Attributes:
        name: identifier used in formulas and experiment dicts (``m1``, ``r``).
        unit: SI unit string for people and unit checks (``kg``, ``m``, ``N``).
        low: smallest value an experiment may request (inclusive).
        high: largest value an experiment may request (inclusive).
        description: a short phrase for prompts and ``discolab envs``.
        log_scale: whether the range spans decades, so sampling and fitting use logs.
        resolution: for a measured quantity, the absolute noise floor scale in its unit: noise
            of relative level ``s`` has standard deviation ``s * max(|y|, resolution)``.
    """

    name: str
    unit: str
    low: float
    high: float
    description: str = ""
    log_scale: bool = True
    resolution: float = 0.0

    def contains(self, value: float) -> bool:
        """True when ``value`` is finite and inside ``[low, high]``."""
        return math.isfinite(value) and self.low <= value <= self.high


@dataclass(frozen=True)
class TaskSpec:
    """Everything an agent may know about a task; never the hidden truth.

    Attributes:
        task_id: the registry id of the environment (``newton/gravity-v1``).
        title: one line for tables.
        description: the task statement given to agents (what is measured, how).
        inputs: the declared inputs with ranges and units.
        output: the measured quantity.
        budget: how many ``experiment`` calls the agent may make.
        max_batch: how many input points one call may contain.
        noise: relative Gaussian noise on measurements (0 means exact).
        kind: what a proposal for this task is.
        law_inputs: for a system task, the variables the law is written in (the experiment
            ``inputs`` are then the apparatus controls); empty for a vanilla task.
        observables: for a system task, the series each experiment point returns, the
            sampling axis (time ``t``) first; empty when each point returns one number.
        points: for a system task, samples per returned series.
    """

    task_id: str
    title: str
    description: str
    inputs: tuple[Variable, ...]
    output: Variable
    budget: int
    max_batch: int
    noise: float = 0.0
    kind: CandidateKind = CandidateKind.EXPRESSION
    law_inputs: tuple[Variable, ...] = ()
    observables: tuple[Variable, ...] = ()
    points: int = 0

    @property
    def input_names(self) -> tuple[str, ...]:
        """Names of the experiment inputs, in declaration order."""
        return tuple(v.name for v in self.inputs)

    @property
    def is_system(self) -> bool:
        """Whether experiments return time series of an apparatus rather than law outputs."""
        return bool(self.observables)

    @property
    def formula_inputs(self) -> tuple[Variable, ...]:
        """The variables a proposed formula may use: the law's, else the experiment inputs."""
        return self.law_inputs or self.inputs

    @property
    def formula_names(self) -> tuple[str, ...]:
        """Names of :attr:`formula_inputs`."""
        return tuple(v.name for v in self.formula_inputs)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class Experiment:
    """One answered ``experiment`` call: the requested inputs and the measured outputs.

    ``index`` is the 0-based call number within the campaign, so a resumed campaign can tell a
    stored call from a new one.
    """

    index: int
    inputs: tuple[Mapping[str, float], ...]
    outputs: tuple[float | Series, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (a series output becomes ``{name: [values]}``)."""
        return {
            "index": self.index,
            "inputs": [dict(x) for x in self.inputs],
            "outputs": [_output_to_json(y) for y in self.outputs],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Experiment:
        """Inverse of :meth:`to_dict`."""
        return cls(
            index=int(data["index"]),
            inputs=tuple(dict(x) for x in data["inputs"]),
            outputs=tuple(_output_from_json(y) for y in data["outputs"]),
        )


def _output_to_json(value: float | Series) -> float | dict[str, list[float]]:
    if isinstance(value, Mapping):
        return {name: [float(v) for v in values] for name, values in value.items()}
    return float(value)


def _output_from_json(value: Any) -> float | Series:
    if isinstance(value, Mapping):
        return {str(name): tuple(float(v) for v in values) for name, values in value.items()}
    return float(value)


def stack_experiments(
    experiments: Sequence[Experiment], names: Sequence[str]
) -> tuple[dict[str, list[float]], list[float]]:
    """Flatten experiments into column lists ``{name: [...]}`` and the output list.

    For vanilla tasks only (one number per point); system tasks turn their series into law
    samples with :func:`discolab.environments.observations.law_data`.

    Raises:
        TypeError: an output is a series.
    """
    columns: dict[str, list[float]] = {n: [] for n in names}
    outputs: list[float] = []
    for exp in experiments:
        for point, y in zip(exp.inputs, exp.outputs, strict=True):
            if isinstance(y, Mapping):
                raise TypeError("a series output has no single value; use law_data()")
            for n in names:
                columns[n].append(float(point[n]))
            outputs.append(float(y))
    return columns, outputs


@dataclass(frozen=True)
class Candidate:
    """A proposal: a formula or a program, with where it came from.

    Attributes:
        kind: expression or program.
        source: the formula (Python syntax) or the program text.
        proposer: registry id of the proposer that made it (``builtin``, ``openai:gpt-4.1``).
        parent_ids: ids of stored candidates it was derived from.
        generation: search generation or explorer round that produced it.
        island: island / niche index for evolutionary search (0 when unused).
        model: model name when a language model produced it.
        prompt_hash: hash of the prompt that produced it, for transcripts.
        metadata: free-form JSON-ready details (fitted loss, complexity, ...).
        id: storage id, set once stored.
    """

    kind: CandidateKind
    source: str
    proposer: str
    parent_ids: tuple[str, ...] = ()
    generation: int = 0
    island: int = 0
    model: str | None = None
    prompt_hash: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    id: str | None = None


@dataclass(frozen=True)
class Evaluation:
    """A verifier's verdict on one candidate.

    Attributes:
        score: higher is better, in [0, 1]; failures score 0.
        passed: whether the candidate meets the task's success criterion.
        metrics: named figures the verifier computed itself (never taken from the candidate).
        feedback: text for the next prompt; only agent-visible information.
        error: why the candidate failed, when it did.
    """

    score: float
    passed: bool
    metrics: Mapping[str, float] = field(default_factory=dict)
    feedback: str = ""
    error: str | None = None

    @classmethod
    def failure(cls, error: str, feedback: str | None = None) -> Evaluation:
        """A failed evaluation: score 0, not passed, the error kept for the next prompt."""
        return cls(score=0.0, passed=False, metrics={}, feedback=feedback or error, error=error)
