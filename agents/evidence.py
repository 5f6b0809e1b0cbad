"""Whether an agent's experiments can support a law at all.

Any one-constant law fits a single point exactly, so a proposer that repeats one input point
would look "converged" on a wrong law. Before the explorer counts a law as confident it asks
what the design can support: how many distinct points were measured, and what share of each
input's declared range they span. The same figures tell the agent, in plain words, when its
design is degenerate.

Only the agent's own experiment inputs are read (the controls of a system task): nothing here
looks at outputs, the hidden law or a verifier's metrics.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from discolab.types import Experiment, TaskSpec, Variable

MIN_COVERAGE = 0.1
"""Share of an input's declared range (log range for log-scale inputs) the points must span."""

EXTRA_POINTS = 2
"""Distinct points a confident law needs beyond its free parameters."""


@dataclass(frozen=True)
class DesignSupport:
    """What a set of experiments can support.

    Attributes:
        distinct_points: distinct input points measured (rounded to 12 significant digits).
        coverage: per input, the share of its declared range the points span (0 to 1).
    """

    distinct_points: int
    coverage: dict[str, float]

    def problems(self, free_parameters: int) -> list[str]:
        """Why a law with ``free_parameters`` constants cannot be confirmed on this design;
        empty when it can."""
        found = []
        needed = free_parameters + EXTRA_POINTS
        if self.distinct_points < needed:
            found.append(
                f"only {self.distinct_points} distinct input point(s), and a law with "
                f"{free_parameters} free constant(s) needs at least {needed}"
            )
        narrow = [n for n, c in self.coverage.items() if c < MIN_COVERAGE]
        if narrow:
            spans = ", ".join(f"{n} spans {self.coverage[n]:.0%}" for n in narrow)
            found.append(
                f"inputs barely varied ({spans} of its range; at least {MIN_COVERAGE:.0%} needed)"
            )
        return found

    def supports(self, free_parameters: int) -> bool:
        """Whether a law with ``free_parameters`` constants can be confirmed on this design."""
        return not self.problems(free_parameters)


def design_support(spec: TaskSpec, experiments: Sequence[Experiment]) -> DesignSupport:
    """The support of ``experiments`` (their input points only) for a law of ``spec``."""
    points = [point for exp in experiments for point in exp.inputs]
    distinct = {
        tuple(_rounded(point.get(v.name, math.nan)) for v in spec.inputs) for point in points
    }
    coverage = {
        v.name: _coverage(v, [float(p[v.name]) for p in points if v.name in p]) for v in spec.inputs
    }
    return DesignSupport(distinct_points=len(distinct), coverage=coverage)


def _rounded(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    if not math.isfinite(number) or number == 0.0:
        return number
    return float(f"{number:.12g}")


def _coverage(variable: Variable, values: list[float]) -> float:
    """Share of ``variable``'s declared range spanned by ``values`` (1 for a fixed input)."""
    low, high = float(variable.low), float(variable.high)
    finite = [v for v in values if math.isfinite(v)]
    if high <= low:
        return 1.0
    if not finite:
        return 0.0
    lo, hi = min(finite), max(finite)
    if variable.log_scale and low > 0 and lo > 0:
        return min(1.0, math.log(hi / lo) / math.log(high / low))
    return min(1.0, (hi - lo) / (high - low))
