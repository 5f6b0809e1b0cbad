"""The apparatus contract: the simple and complex systems a hidden law is embedded in.

NewtonBench poses each law three ways: *vanilla* (query the law directly), *simple system*
(the law drives an apparatus the agent controls, which returns a time series) and *complex
system* (the law is confounded with other physics: two bodies moving in a plane, a second
isotope, a hidden layer). An :class:`Apparatus` is one such system for one domain. It is
public knowledge, like a lab manual: its controls, what it records, and how a physicist
turns a record back into samples of the law (:meth:`Apparatus.law_samples`). The law
itself is passed in as a function, so the same apparatus simulates the hidden law (for
measurements) and a candidate law (for the verifier's trajectory comparison).

Simulators are numpy, deterministic, vectorised over the runs of one experiment call, and
return ``{observable: array (runs, points)}`` with the sampling axis (time) first.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import ClassVar

import numpy as np

from discolab.environments.base import ArrayFn
from discolab.types import Variable

LawSamples = tuple[dict[str, np.ndarray], np.ndarray]
"""Law input columns and law outputs recovered from a record."""

SIMPLE = "simple"
COMPLEX = "complex"
LEVELS = (SIMPLE, COMPLEX)


class Apparatus(ABC):
    """One system a law can be embedded in; subclasses are parameterised per domain.

    Attributes:
        level: ``simple`` or ``complex``.
        title: one line for tables.
        description: the public statement of the set-up (what the agent controls, what is
            recorded, how the law enters); it never names the law's form.
        controls: the experiment inputs, with ranges and units.
        observables: the recorded series, the sampling axis first.
        law_inputs: the variables of the law.
        law_output: the law's output quantity.
    """

    level: ClassVar[str]

    def __init__(
        self,
        *,
        title: str,
        description: str,
        controls: tuple[Variable, ...],
        observables: tuple[Variable, ...],
        law_inputs: tuple[Variable, ...],
        law_output: Variable,
    ) -> None:
        self.title = title
        self.description = description
        self.controls = controls
        self.observables = observables
        self.law_inputs = law_inputs
        self.law_output = law_output

    @abstractmethod
    def simulate(
        self, law: ArrayFn, controls: Mapping[str, np.ndarray], points: int
    ) -> dict[str, np.ndarray]:
        """Record ``points`` samples of every observable for each run (vectorised)."""

    @abstractmethod
    def law_samples(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> LawSamples:
        """Samples of the law recovered from one run's record (public physics only).

        Runs that carry no usable information (the body never moved, the record is
        non-finite) return empty arrays rather than raising.
        """

    def checks(
        self, law: ArrayFn, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> dict[str, float]:
        """Physics residuals of ``law`` against one run's record (see verifiers/physics.py).

        Each value is a relative residual (0 means consistent). The default has none.
        """
        return {}


def empty_samples(names: tuple[str, ...]) -> LawSamples:
    """No samples, for a run that carries no information about the law."""
    return {n: np.empty(0) for n in names}, np.empty(0)


def samples_at_controls(
    law_inputs: tuple[Variable, ...], controls: Mapping[str, float], outputs: np.ndarray
) -> LawSamples:
    """Repeated measurements of the law at one run's fixed inputs (every law input is a
    control of the run, and the record yields ``outputs`` over and over)."""
    names = tuple(v.name for v in law_inputs)
    if outputs.size == 0:
        return empty_samples(names)
    return constant_columns({n: float(controls[n]) for n in names}, outputs.size), outputs


def constant_columns(names: Mapping[str, float], size: int) -> dict[str, np.ndarray]:
    """Columns holding the same value ``size`` times (a run's fixed law inputs)."""
    return {k: np.full(size, float(v)) for k, v in names.items()}


def evaluate_law(law: ArrayFn, columns: Mapping[str, np.ndarray]) -> np.ndarray:
    """``law`` at ``columns`` as a float array, floating-point warnings silenced.

    Simulating a candidate law may divide by zero or overflow; the record then holds
    non-finite values, which the verifier scores as a failure instead of a crash.
    """
    with np.errstate(all="ignore"):
        return np.asarray(law(columns), dtype=float)


def finite_law(law: ArrayFn) -> Callable[[Mapping[str, np.ndarray]], np.ndarray]:
    """``law`` wrapped by :func:`evaluate_law`, for passing to a simulator."""

    def evaluate(columns: Mapping[str, np.ndarray]) -> np.ndarray:
        return evaluate_law(law, columns)

    return evaluate


def sampling_grid(duration: np.ndarray, points: int) -> tuple[np.ndarray, np.ndarray]:
    """Sampling interval per run ``(runs,)`` and the time grid ``(runs, points)`` of records
    of length ``duration`` (the first sample at 0, the last at ``duration``)."""
    dt = np.asarray(duration, dtype=float) / (points - 1)
    return dt, dt[:, None] * np.arange(points)[None, :]


def run_columns(controls: Mapping[str, float]) -> dict[str, np.ndarray]:
    """One run's controls as length-1 arrays, to call a vectorised simulator or law."""
    return {name: np.asarray([float(value)]) for name, value in controls.items()}


def finite_series(*series: np.ndarray) -> bool:
    """True when every array is finite and they all have the same length of at least 3."""
    sizes = {np.asarray(s).shape[0] for s in series}
    return (
        len(sizes) == 1
        and sizes.pop() >= 3
        and all(bool(np.all(np.isfinite(np.asarray(s, dtype=float)))) for s in series)
    )
