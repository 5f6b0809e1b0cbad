"""The environment contract: a seeded, budgeted laboratory an agent runs experiments in.

Like a Gymnasium env, an environment is small, is seeded only through :meth:`reset`, declares
its inputs (names, ranges, units) and its budget in a :class:`TaskSpec`, and answers
experiments. The base class enforces the budget and validates every request, so subclasses only
implement the measurement. The hidden truth is reachable only through :meth:`ground_truth`,
which verifiers call and agents never see.
"""

from __future__ import annotations

import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from discolab.environments.options import Option
from discolab.errors import BudgetExhausted, ConfigError, ExperimentError
from discolab.types import TaskSpec, Variable

ArrayFn = Callable[[Mapping[str, np.ndarray]], np.ndarray]


@dataclass(frozen=True)
class GroundTruth:
    """The hidden law of a task, for verifiers only.

    Attributes:
        formula: the law in Python syntax with its constants as numbers (for reports).
        function: vectorised evaluation ``{input name: array} -> array`` of the noise-free law.
        inputs: the declared input domain, for held-out sampling.
        constants: how many hidden constants the law has (its fitted numbers); the judge
            caps a candidate's free parameters from it. 0 when the caller does not know.
    """

    formula: str
    function: ArrayFn
    inputs: tuple[Variable, ...]
    constants: int = 0

    def evaluate(self, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        """Noise-free outputs at the given input columns."""
        return np.asarray(self.function(columns), dtype=float)


FLOOR_FRACTION = 1e-3
"""Absolute noise floor of a series, as a fraction of its largest magnitude."""


def _noisy(
    clean: np.ndarray, level: float, floor: float | np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """``clean`` plus Gaussian noise of standard deviation ``level * max(|clean|, floor)``.

    Above the floor this is ``clean * (1 + level * N(0, 1))``, the plain relative noise.
    """
    draws = rng.standard_normal(clean.shape)
    if level == 0.0:
        return clean.copy()
    with np.errstate(invalid="ignore"):
        relative = clean * (1.0 + level * draws)
        absolute = clean + level * floor * draws
        return np.where(np.abs(clean) >= floor, relative, absolute)


def _noisy_series(
    raw: Any, observables: Sequence[Variable], level: float, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Noise every observable but the sampling axis (the first); shapes ``(n, points)``."""
    if not isinstance(raw, Mapping):
        raise ExperimentError("a system environment must measure a dict of series")
    out: dict[str, np.ndarray] = {}
    for k, var in enumerate(observables):
        clean = np.atleast_2d(np.asarray(raw[var.name], dtype=float))
        if k == 0:
            out[var.name] = clean
            continue
        peak = np.max(np.abs(np.nan_to_num(clean, posinf=0.0, neginf=0.0)), axis=1, keepdims=True)
        floor = np.maximum(FLOOR_FRACTION * peak, var.resolution)
        out[var.name] = _noisy(clean, level, floor, rng)
    return out


def sample_inputs(
    variables: Sequence[Variable], n: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Draw ``n`` points inside the declared ranges (log-uniform for log-scale inputs)."""
    columns: dict[str, np.ndarray] = {}
    for v in variables:
        if v.log_scale and v.low > 0:
            columns[v.name] = np.exp(rng.uniform(math.log(v.low), math.log(v.high), n))
        else:
            columns[v.name] = rng.uniform(v.low, v.high, n)
    return columns


class Environment(ABC):
    """Base class of every environment; subclasses implement :meth:`_measure` and the spec.

    The noise of call ``k`` comes from a generator seeded with ``(seed, k)``, so a campaign that
    is resumed at call ``k`` sees exactly the measurements an uninterrupted one would.
    """

    def __init__(self, *, budget: int = 10, max_batch: int = 20, noise: float = 0.0) -> None:
        if budget < 1:
            raise ExperimentError(f"budget must be at least 1, got {budget!r}")
        if max_batch < 1:
            raise ExperimentError(f"max_batch must be at least 1, got {max_batch!r}")
        if not (math.isfinite(noise) and 0.0 <= noise <= 1.0):
            raise ExperimentError(f"noise must be a relative level in [0, 1], got {noise!r}")
        self.budget = int(budget)
        self.max_batch = int(max_batch)
        self.noise = float(noise)
        self._seed: int = 0
        self._calls_used = 0

    @classmethod
    def options(cls) -> tuple[Option, ...]:
        """The keyword options the constructor accepts; subclasses add their own."""
        return (
            Option("noise", float, 0.0, "relative Gaussian noise on measurements", (), 0.0, 1.0),
            Option("budget", int, 10, "experiment calls allowed", (), 1, None),
            Option("max_batch", int, 20, "input points per experiment call", (), 1, 10_000),
        )

    # -- what subclasses provide -------------------------------------------------------------

    @property
    @abstractmethod
    def spec(self) -> TaskSpec:
        """The agent-visible task statement."""

    @abstractmethod
    def _measure(self, columns: Mapping[str, np.ndarray]) -> np.ndarray | Mapping[str, np.ndarray]:
        """Noise-free measurement at validated input columns.

        A vanilla environment returns one value per point (shape ``(n,)``); a system
        environment returns ``{observable: array of shape (n, points)}`` with the sampling
        axis (the first observable of the spec) first, which is never noised.
        """

    @abstractmethod
    def ground_truth(self) -> GroundTruth:
        """The hidden law, for verifiers only."""

    # -- the contract ----------------------------------------------------------------------

    def reset(self, seed: int | None = None) -> TaskSpec:
        """Start afresh: seed the noise, give back the full budget, return the spec.

        Raises:
            ConfigError: ``seed`` is not a non-negative integer.
        """
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0
        ):
            raise ConfigError(f"seed={seed!r} is not a non-negative integer")
        self._seed = 0 if seed is None else int(seed)
        self._calls_used = 0
        return self.spec

    def restore(self, calls_used: int) -> None:
        """Mark ``calls_used`` calls as already spent (used when a campaign resumes)."""
        if not 0 <= calls_used <= self.budget:
            raise ExperimentError(f"cannot restore {calls_used} calls of a budget of {self.budget}")
        self._calls_used = int(calls_used)

    @property
    def calls_used(self) -> int:
        """Experiment calls answered since :meth:`reset`."""
        return self._calls_used

    @property
    def calls_left(self) -> int:
        """Experiment calls still allowed."""
        return self.budget - self._calls_used

    def experiment(self, batch: Sequence[Mapping[str, float]]) -> list[Any]:
        """Measure the output at each input point of ``batch``; one call of the budget.

        Returns one float per point, or for a system task (``spec.observables``) one series
        ``{observable: (values, ...)}`` per point.

        Noise is relative Gaussian with an absolute floor: a value ``y`` gets standard
        deviation ``noise * max(|y|, floor)``, where ``floor`` is the output's declared
        ``resolution`` and, for a series, also ``FLOOR_FRACTION`` of the series' largest
        magnitude (a sensor's noise does not vanish where the signal crosses zero).

        Raises:
            BudgetExhausted: when every call of the budget is spent.
            ExperimentError: for a malformed batch or an input outside its declared range;
                a refused call does not count against the budget.
        """
        if self._calls_used >= self.budget:
            raise BudgetExhausted(
                f"experiment budget of {self.budget} calls is spent for {self.spec.task_id}"
            )
        columns = self._validate(batch)
        raw = self._measure(columns)
        rng = np.random.default_rng([self._seed, self._calls_used])
        spec = self.spec
        if spec.observables:
            series = _noisy_series(raw, spec.observables, self.noise, rng)
            self._calls_used += 1
            n = len(batch)
            return [
                {name: tuple(values[i].tolist()) for name, values in series.items()}
                for i in range(n)
            ]
        clean = np.asarray(raw, dtype=float)
        measured = _noisy(clean, self.noise, spec.output.resolution, rng)
        self._calls_used += 1
        return [float(y) for y in measured]

    def _validate(self, batch: Sequence[Mapping[str, float]]) -> dict[str, np.ndarray]:
        spec = self.spec
        if isinstance(batch, Mapping) or not isinstance(batch, Sequence) or not batch:
            raise ExperimentError("an experiment is a non-empty list of input dicts")
        if len(batch) > self.max_batch:
            raise ExperimentError(
                f"batch of {len(batch)} points exceeds max_batch={self.max_batch}"
            )
        names = spec.input_names
        rows: list[list[float]] = []
        for i, point in enumerate(batch):
            if not isinstance(point, Mapping):
                raise ExperimentError(f"point {i} is {type(point).__name__}, expected a dict")
            missing = [n for n in names if n not in point]
            extra = [k for k in point if k not in names]
            if missing or extra:
                raise ExperimentError(
                    f"point {i}: missing inputs {missing} / unknown inputs {extra}; "
                    f"expected exactly {list(names)}"
                )
            row = []
            for var in spec.inputs:
                raw = point[var.name]
                if isinstance(raw, bool) or not isinstance(raw, numbers.Real):
                    raise ExperimentError(f"point {i}: {var.name}={raw!r} is not a number")
                value = float(raw)
                if not var.contains(value):
                    raise ExperimentError(
                        f"point {i}: {var.name}={value!r} is outside its range "
                        f"[{var.low:g}, {var.high:g}] {var.unit}"
                    )
                row.append(value)
            rows.append(row)
        table = np.asarray(rows, dtype=float)
        return {n: table[:, j] for j, n in enumerate(names)}
