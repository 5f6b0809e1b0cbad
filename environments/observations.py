"""From an agent's experiments to samples of the law it is looking for.

On a vanilla task every experiment point is one sample of the law. On a system task every
point is one run of an apparatus that returned time series; the apparatus' public physics
(:meth:`~discolab.environments.physics.systems.apparatus.Apparatus.law_samples`) turns each
record back into samples. Verifiers (to fit a candidate's free parameters) and proposers (to
search) both go through :func:`law_data`, so they see the same samples.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence

import numpy as np

from discolab.errors import ExperimentError, UnknownIdError
from discolab.types import Experiment, TaskSpec, stack_experiments

logger = logging.getLogger(__name__)


def apparatus_for(task_id: str) -> object:
    """The apparatus of the system environment ``task_id``.

    Raises:
        UnknownIdError: ``task_id`` is not a registered environment.
        ExperimentError: the environment is not a system-level one.
    """
    from discolab.environments.catalog import environment_class

    apparatus = getattr(environment_class(task_id), "apparatus", None)
    if apparatus is None:
        raise ExperimentError(f"{task_id} is not a system-level environment")
    return apparatus


def run_records(
    experiments: Sequence[Experiment],
) -> Iterator[tuple[int, Mapping[str, float], dict[str, np.ndarray]]]:
    """Each run of a system task's ``experiments``: its experiment index, its controls and
    its recorded series as float arrays.

    Raises:
        ExperimentError: a run's record is a number rather than a mapping of series.
    """
    for exp in experiments:
        for point, record in zip(exp.inputs, exp.outputs, strict=True):
            if not isinstance(record, Mapping):
                raise ExperimentError(
                    f"experiment {exp.index}: a number where a recorded series was expected"
                )
            yield exp.index, point, {k: np.asarray(v, dtype=float) for k, v in record.items()}


def law_data(
    spec: TaskSpec, experiments: Sequence[Experiment]
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Law input columns (by :attr:`TaskSpec.formula_names`) and law outputs.

    Raises:
        ExperimentError: an experiment does not match the task (wrong inputs, a number where
            a series is expected or the reverse).
    """
    if not spec.is_system:
        try:
            columns, outputs = stack_experiments(experiments, spec.input_names)
        except (KeyError, TypeError, ValueError) as exc:
            raise ExperimentError(f"experiments do not match the task inputs: {exc}") from None
        return {n: np.asarray(c, dtype=float) for n, c in columns.items()}, np.asarray(
            outputs, dtype=float
        )
    try:
        apparatus = apparatus_for(spec.task_id)
    except UnknownIdError as exc:
        raise ExperimentError(str(exc)) from None
    names = spec.formula_names
    parts: list[dict[str, np.ndarray]] = []
    outputs: list[np.ndarray] = []
    for index, point, series in run_records(experiments):
        try:
            columns, y = apparatus.law_samples(point, series)  # type: ignore[attr-defined]
        except (KeyError, ValueError, IndexError) as exc:
            raise ExperimentError(f"experiment {index}: unreadable record: {exc}") from None
        parts.append({n: np.asarray(columns[n], dtype=float) for n in names})
        outputs.append(np.asarray(y, dtype=float))
    if not parts:
        return {n: np.empty(0) for n in names}, np.empty(0)
    return {n: np.concatenate([p[n] for p in parts]) for n in names}, np.concatenate(outputs)
