"""The generic system-level environment: a domain's hidden law inside an apparatus.

One class serves every (domain, apparatus) pair, as :class:`VanillaLawEnvironment` does for
the vanilla level: a subclass fixes :attr:`env_id`, the :class:`Domain` (shared with the
vanilla environment of the domain, so the ``shift`` names pick the same laws) and the
:class:`~discolab.environments.physics.systems.apparatus.Apparatus`. An experiment sets the
apparatus controls of up to ``max_batch`` runs and returns, for each run, the recorded
series; the agent's answer is still a formula for the law in the law's own variables.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import numpy as np

from discolab.environments.base import Environment, GroundTruth
from discolab.environments.options import Option
from discolab.environments.physics.laws import CANONICAL, Domain, Law
from discolab.environments.physics.systems.apparatus import Apparatus, finite_law
from discolab.types import TaskSpec, Variable

DEFAULT_POINTS = 64
MAX_POINTS = 1000
DEFAULT_RUNS = 4


class SystemLawEnvironment(Environment):
    """Answers experiments with the records of an apparatus driven by one law of a domain.

    Options:
        shift: which law of the domain is hidden (default ``canonical``).
        noise: relative Gaussian noise on every recorded value but time, with an absolute
            floor of 1e-3 of the series' largest magnitude.
        budget: experiment calls allowed (default 10).
        max_batch: runs per call (default 4).
        points: samples per recorded series (default 64, at most 1000).
        variant_seed: secret seed of a private split (default 0: none); when given, the
            ``shift`` (a generated one: ``easy-1``, ``v2-hard-3``, ...) is redrawn from it.
    """

    env_id: ClassVar[str]
    domain: ClassVar[Domain]
    apparatus: ClassVar[Apparatus]

    def __init__(
        self,
        *,
        shift: str = CANONICAL,
        budget: int = 10,
        max_batch: int = DEFAULT_RUNS,
        noise: float = 0.0,
        points: int = DEFAULT_POINTS,
        variant_seed: int = 0,
    ) -> None:
        super().__init__(budget=budget, max_batch=max_batch, noise=noise)
        self.shift = shift
        self.points = int(points)
        self._law: Law = self.domain.law(shift, int(variant_seed) or None)
        app = self.apparatus
        self._spec = TaskSpec(
            task_id=self.env_id,
            title=app.title,
            description=_statement(app, self.budget, self.max_batch, self.noise, self.points),
            inputs=app.controls,
            output=app.law_output,
            budget=self.budget,
            max_batch=self.max_batch,
            noise=self.noise,
            law_inputs=app.law_inputs,
            observables=app.observables,
            points=self.points,
        )

    @classmethod
    def spec_title(cls) -> str:
        """The one-line title of the task, for listings."""
        return cls.apparatus.title

    @classmethod
    def options(cls) -> tuple[Option, ...]:
        """``shift``, ``points`` and the base options (``max_batch`` counts runs)."""
        shift = Option("shift", str, CANONICAL, "which hidden law is used", cls.domain.shifts)
        variant = Option(
            "variant_seed", int, 0, "secret seed of a private split (0: none)", (), 0, None
        )
        points = Option(
            "points", int, DEFAULT_POINTS, "samples per recorded series", (), 8, MAX_POINTS
        )
        base = []
        for option in super().options():
            if option.name == "max_batch":
                option = Option(
                    "max_batch",
                    int,
                    DEFAULT_RUNS,
                    "apparatus runs per experiment call",
                    (),
                    1,
                    1000,
                )
            base.append(option)
        return (shift, points, *base, variant)

    @property
    def spec(self) -> TaskSpec:
        """The task statement: the apparatus, its controls and records; never the law."""
        return self._spec

    def _measure(self, columns: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        return self.apparatus.simulate(finite_law(self._law.function), columns, self.points)

    def ground_truth(self) -> GroundTruth:
        """The hidden law over the law's own variables, for verifiers only."""
        return GroundTruth(
            formula=self._law.formula,
            function=self._law.function,
            inputs=self.apparatus.law_inputs,
            constants=self._law.constant_count,
        )


def _describe(v: Variable) -> str:
    return f"- {v.name}: {v.description}, in {v.unit}, from {v.low:g} to {v.high:g}"


def _statement(app: Apparatus, budget: int, runs: int, noise: float, points: int) -> str:
    """The agent-visible task statement, built only from the apparatus' public facts."""
    out = app.law_output
    controls = "\n".join(_describe(v) for v in app.controls)
    records = "\n".join(f"- {v.name}: {v.description}, in {v.unit}" for v in app.observables)
    law_vars = "\n".join(_describe(v) for v in app.law_inputs)
    names = ", ".join(v.name for v in app.law_inputs)
    noise_text = (
        f"Every recorded value but {app.observables[0].name} carries relative Gaussian noise "
        f"of about {noise:g} (with a floor of 1e-3 of the series' largest magnitude)."
        if noise > 0
        else "Records are exact."
    )
    return (
        f"{app.description}\nYou control, for each run:\n{controls}\n"
        f"Each run records {points} samples of:\n{records}\n"
        f"Each experiment call starts up to {runs} runs; you have {budget} calls. {noise_text}\n"
        f"The hidden law gives {out.name} ({out.description}, in {out.unit}) from:\n{law_vars}\n"
        "This system's law may differ from textbook physics: the way each variable enters, "
        f"and the constant, may be altered. Find a formula for {out.name} in terms of {names}."
    )
