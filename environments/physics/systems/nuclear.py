"""Radioactive decay seen through a counter: one isotope (simple) and the isotope mixed with a
reference isotope the counter cannot tell apart (complex).

The law ``N(N0, t)`` is the number of nuclei of the studied isotope left at time ``t`` in a
sample prepared with ``N0``. A counter switched on at ``t1`` records the decays in the
interval between consecutive samples (expected numbers, not Poisson draws); when the
counting stops the sample is dissolved and an assay counts the nuclei left. The content at
every sample time follows by a mass balance, summing the later bins backwards from the
assay, which stays exact even when the content falls by many orders of magnitude.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from discolab.environments.base import ArrayFn
from discolab.environments.physics.systems.apparatus import (
    COMPLEX,
    SIMPLE,
    Apparatus,
    LawSamples,
    empty_samples,
    evaluate_law,
    finite_series,
    run_columns,
    sampling_grid,
)
from discolab.types import Variable
from discolab.verifiers.physics import relative_gap

REFERENCE_HALF_LIFE = 20.0
"""Half-life in s of the reference isotope of the complex system (textbook exponential decay)."""
_RESOLVED = 1e-8
"""A mixed-sample content below this fraction of the total is lost to rounding, not kept."""


def _times(controls: Mapping[str, np.ndarray], points: int) -> np.ndarray:
    start = np.asarray(controls["t1"], dtype=float)
    return start[:, None] + sampling_grid(controls["tau"], points)[1]


def _bins(content: np.ndarray) -> np.ndarray:
    """Decays in the interval ending at each sample (0 for the first), per run."""
    counts = np.zeros_like(content)
    counts[..., 1:] = content[..., :-1] - content[..., 1:]
    return counts


def _left(counts: np.ndarray, assay: np.ndarray) -> np.ndarray:
    """Content at each sample: the end assay plus every decay counted after the sample."""
    later = np.concatenate([np.cumsum(counts[::-1])[::-1][1:], [0.0]])
    return float(np.mean(assay)) + later


def reference_content(amount: np.ndarray | float, t: np.ndarray) -> np.ndarray:
    """Nuclei of the reference isotope left at ``t`` from ``amount`` at ``t = 0``."""
    return np.asarray(amount, dtype=float) * np.exp2(-np.asarray(t) / REFERENCE_HALF_LIFE)


class _Counter(Apparatus):
    """What both counting apparatus share: timing, the law call and the records."""

    reference: str | None = None

    def __init__(
        self,
        *,
        law_inputs: tuple[Variable, ...],
        law_output: Variable,
        controls: tuple[Variable, ...],
        description: str,
        title: str,
        amount: str,
        time: str,
    ) -> None:
        observables = (
            Variable("t", "s", 0.0, float("inf"), "time since the sample was prepared", False),
            Variable(
                "counts",
                "count",
                -float("inf"),
                float("inf"),
                "decays counted since the previous sample (0 at the first)",
                log_scale=False,
            ),
            Variable(
                "assay",
                "count",
                -float("inf"),
                float("inf"),
                "nuclei left when the counting stopped, from the final assay (every sample)",
                log_scale=False,
            ),
        )
        super().__init__(
            title=title,
            description=description,
            controls=controls,
            observables=observables,
            law_inputs=law_inputs,
            law_output=law_output,
        )
        self.amount, self.time = amount, time

    def _content(self, law: ArrayFn, amount: np.ndarray, t: np.ndarray) -> np.ndarray:
        return evaluate_law(law, {self.amount: amount, self.time: t})

    def _extra(self, controls: Mapping[str, np.ndarray], t: np.ndarray) -> np.ndarray:
        if self.reference is None:
            return np.zeros_like(t)
        return reference_content(np.asarray(controls[self.reference], float)[:, None], t)

    def simulate(
        self, law: ArrayFn, controls: Mapping[str, np.ndarray], points: int
    ) -> dict[str, np.ndarray]:
        t = _times(controls, points)
        amount = np.broadcast_to(np.asarray(controls[self.amount], float)[:, None], t.shape)
        content = self._content(law, amount, t) + self._extra(controls, t)
        assay = np.repeat(content[:, -1:], points, axis=1)
        return {"t": t, "counts": _bins(content), "assay": assay}

    def _record(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """Time, counts, the studied isotope's content and the total content at each sample."""
        t = np.asarray(series["t"], dtype=float)
        counts = np.asarray(series["counts"], dtype=float)
        assay = np.asarray(series["assay"], dtype=float)
        if not finite_series(t, counts, assay):
            return None
        total = _left(counts, assay)
        arrays = run_columns(controls)
        content = total - self._extra(arrays, t[None, :])[0]
        return t, counts, content, total

    def law_samples(
        self, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> LawSamples:
        names = tuple(v.name for v in self.law_inputs)
        record = self._record(controls, series)
        if record is None:
            return empty_samples(names)
        t, _, content, total = record
        keep = np.isfinite(content) & (content > _RESOLVED * np.abs(total))
        amount = np.full(int(keep.sum()), float(controls[self.amount]))
        return {self.amount: amount, self.time: t[keep]}, content[keep]

    def checks(
        self, law: ArrayFn, controls: Mapping[str, float], series: Mapping[str, np.ndarray]
    ) -> dict[str, float]:
        """The studied isotope's decays per interval and content against the candidate law.

        The reference isotope's known share is taken out of the record first, so the
        residuals are relative to the studied isotope alone.
        """
        record = self._record(controls, series)
        if record is None:
            return {}
        t, counts, content, total = record
        arrays = run_columns(controls)
        amount = np.full(t.size, float(controls[self.amount]))
        predicted = self._content(law, amount, t)
        own_counts = counts - _bins(self._extra(arrays, t[None, :])[0])
        kept = content > _RESOLVED * np.abs(total)
        return {
            "count_residual": relative_gap(own_counts[1:], _bins(predicted)[1:]),
            "content_residual": relative_gap(content[kept], predicted[kept]),
        }


def _timing(time: Variable) -> tuple[Variable, Variable]:
    start = Variable("t1", time.unit, 0.1, 10.0, "time the counter is switched on")
    duration = Variable("tau", time.unit, 1.0, 90.0, "counting time of the run")
    return start, duration


_PROTOCOL = (
    "A counter switched on at time t1 after the preparation (t = 0) counts for a time tau; "
    "each sample at time t records the decays counted since the previous sample (0 at the "
    "first, t = t1) as the expected number, not a random draw; a negative count means the "
    "sample gained nuclei. When the counting stops (t = t1 + tau) the sample is dissolved "
    "and an assay counts the nuclei left; its result is reported with every sample."
)


class DecayCounter(_Counter):
    """Simple system: a counter records the decays of one prepared sample.

    Controls: the initial number ``N0``, the switch-on time ``t1`` and the counting time
    ``tau``. Records ``t`` (from ``t1`` to ``t1 + tau``, inside the law's time range), the
    decays ``counts`` per interval and the end ``assay``. Inversion: the nuclei left at
    sample ``k`` are the assay plus all decays counted after ``k``.
    """

    level = SIMPLE

    def __init__(
        self, *, law_inputs: tuple[Variable, ...], law_output: Variable, title: str
    ) -> None:
        amount, time = (v.name for v in law_inputs)
        start, duration = _timing(law_inputs[1])
        description = (
            f"A radioactive sample is prepared with {amount} nuclei of one isotope at t = 0; "
            f"the hidden law gives the number {law_output.name} of them left at a time "
            f"{time}. {_PROTOCOL}"
        )
        super().__init__(
            law_inputs=law_inputs,
            law_output=law_output,
            controls=(law_inputs[0], start, duration),
            description=description,
            title=title,
            amount=amount,
            time=time,
        )


class MixedSourceCounter(_Counter):
    """Complex system: the studied isotope mixed with a reference isotope of known decay.

    Controls: ``N0``, the reference's initial number ``R0``, ``t1`` and ``tau``. The reference
    decays by the textbook exponential law with a half-life of
    :data:`REFERENCE_HALF_LIFE`; the counter and the assay cannot tell the isotopes apart, so
    ``counts`` and ``assay`` hold both. Inversion: the total content at each sample (as in
    :class:`DecayCounter`) minus ``R0 2^(-t / half-life)``.
    """

    level = COMPLEX
    reference = "R0"

    def __init__(
        self, *, law_inputs: tuple[Variable, ...], law_output: Variable, title: str
    ) -> None:
        amount, time = (v.name for v in law_inputs)
        start, duration = _timing(law_inputs[1])
        reference = Variable(
            "R0", "count", 100.0, 1e6, "nuclei of the reference isotope at the start"
        )
        description = (
            f"A radioactive source is prepared at t = 0 with {amount} nuclei of the studied "
            f"isotope and R0 nuclei of a reference isotope; the hidden law gives the number "
            f"{law_output.name} of studied nuclei left at a time {time}. The reference "
            "isotope decays by the textbook exponential law with a half-life of "
            f"{REFERENCE_HALF_LIFE:g} s: R0 * 2**(-t / {REFERENCE_HALF_LIFE:g}) of it is left "
            "at time t. The counter and the assay cannot tell the two isotopes apart: both "
            f"records are of the two together. {_PROTOCOL}"
        )
        super().__init__(
            law_inputs=law_inputs,
            law_output=law_output,
            controls=(law_inputs[0], reference, start, duration),
            description=description,
            title=title,
            amount=amount,
            time=time,
        )
