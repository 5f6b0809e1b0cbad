"""Variation: difficulty knobs of an EFA searched for instances harder or easier for a solver.

As EFAGen does for a learner: for every knob, values around its default (half, double,
triple, and the default) are tried one knob at a time; at each setting ``per_point``
instances are generated and the solver's success rate is measured by the exact answer
check. The settings are returned hardest first, so the first is where the solver fails most
and the last where it succeeds most. Settings the EFA refuses (``ValueError``) are skipped.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from discolab.environments.efa.answers import check_answer
from discolab.environments.efa.format import Instance
from discolab.errors import ConfigError, VerificationError

Sampler = Callable[[Mapping[str, Any], int, int], list[Instance]]
"""``(options, n, seed) → instances``: library EFAs on the host, stored ones in the sandbox."""
Solver = Callable[[str], str | None]


@dataclass(frozen=True)
class VariationPoint:
    """One knob setting and how the solver did on it."""

    options: Mapping[str, Any]
    solved: int
    total: int

    @property
    def success_rate(self) -> float:
        """Solved / total."""
        return self.solved / self.total if self.total else 0.0


def knob_settings(defaults: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The default setting, then each integer knob at half, double and triple its default."""
    settings: list[dict[str, Any]] = [dict(defaults)]
    for name, value in defaults.items():
        if isinstance(value, bool) or not isinstance(value, int):
            continue
        for changed in sorted({max(1, value // 2), value * 2, value * 3} - {value}):
            settings.append({**defaults, name: changed})
    return settings


def vary(
    defaults: Mapping[str, Any],
    sampler: Sampler,
    solver: Solver,
    *,
    per_point: int = 20,
    seed: int = 0,
) -> list[VariationPoint]:
    """Success rates of ``solver`` over :func:`knob_settings`, hardest first."""
    if not 1 <= per_point <= 1000:
        raise ConfigError(f"per_point must be in [1, 1000], got {per_point}")
    points: list[VariationPoint] = []
    for i, options in enumerate(knob_settings(defaults)):
        try:
            instances = sampler(options, per_point, random.Random(f"{seed}:{i}").randrange(2**31))
        except (ConfigError, VerificationError):
            continue  # the EFA refuses this setting
        solved = 0
        for instance in instances:
            answer = solver(instance.text)
            if answer is not None and check_answer(instance.answer, answer).correct:
                solved += 1
        points.append(VariationPoint(options, solved, len(instances)))
    return sorted(points, key=lambda p: (p.success_rate, sorted(p.options.items())))
