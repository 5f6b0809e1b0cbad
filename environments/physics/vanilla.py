"""The generic "vanilla equation" environment: measure one output of a hidden law directly.

In NewtonBench's vanilla setting an experiment sets the inputs of the law and reads its output
(with optional relative noise); there is no system to simulate around it. One class serves
every domain: a subclass fixes the :class:`Domain` and documents it, the ``shift`` option picks
the law. The base class validates requests, enforces the budget and applies the noise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import numpy as np

from discolab.environments.base import Environment, GroundTruth
from discolab.environments.options import Option
from discolab.environments.physics.laws import CANONICAL, Domain, Law
from discolab.types import TaskSpec, Variable


class VanillaLawEnvironment(Environment):
    """Answers experiments with the output of one law of a :class:`Domain`.

    Subclasses set :attr:`env_id` and :attr:`domain`; the class docstring of each subclass is
    its spec (inputs, output, units, shifts, version history).

    Options:
        shift: which law of the domain is hidden (default ``canonical``); a config-file name
            that never appears in the task statement.
        noise: relative Gaussian noise: a measurement is ``y * (1 + noise * N(0, 1))``.
        budget: experiment calls allowed (default 10).
        max_batch: input points per call (default 20).
        variant_seed: secret seed of a private split (default 0: none); when given, the
            ``shift`` (a generated one: ``easy-1``, ``v2-hard-3``, ...) is redrawn from it,
            so its law exists only in memory.
    """

    env_id: ClassVar[str]
    domain: ClassVar[Domain]

    def __init__(
        self,
        *,
        shift: str = CANONICAL,
        budget: int = 10,
        max_batch: int = 20,
        noise: float = 0.0,
        variant_seed: int = 0,
    ) -> None:
        super().__init__(budget=budget, max_batch=max_batch, noise=noise)
        self.shift = shift
        self._law: Law = self.domain.law(shift, int(variant_seed) or None)
        self._spec = TaskSpec(
            task_id=self.env_id,
            title=self.domain.title,
            description=_statement(self.domain, self.budget, self.max_batch, self.noise),
            inputs=self.domain.inputs,
            output=self.domain.output,
            budget=self.budget,
            max_batch=self.max_batch,
            noise=self.noise,
        )

    @classmethod
    def spec_title(cls) -> str:
        """The one-line title of the task, for listings."""
        return cls.domain.title

    @classmethod
    def options(cls) -> tuple[Option, ...]:
        """``shift`` (one of the domain's laws) and the base options."""
        shift = Option("shift", str, CANONICAL, "which hidden law is used", cls.domain.shifts)
        variant = Option(
            "variant_seed", int, 0, "secret seed of a private split (0: none)", (), 0, None
        )
        return (shift, *super().options(), variant)

    @property
    def spec(self) -> TaskSpec:
        """The task statement: what is measured, inputs, budget; never the law."""
        return self._spec

    def _measure(self, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        return self._law.function(columns)

    def ground_truth(self) -> GroundTruth:
        """The hidden law with its constant, for verifiers only."""
        return GroundTruth(
            formula=self._law.formula,
            function=self._law.function,
            inputs=self.domain.inputs,
            constants=self._law.constant_count,
        )


def _describe(v: Variable) -> str:
    return f"- {v.name}: {v.description}, in {v.unit}, from {v.low:g} to {v.high:g}"


def _statement(domain: Domain, budget: int, max_batch: int, noise: float) -> str:
    """The agent-visible task statement; built only from public facts of the domain."""
    out = domain.output
    inputs = "\n".join(_describe(v) for v in domain.inputs)
    names = ", ".join(v.name for v in domain.inputs)
    noise_text = (
        f"Each measurement carries relative Gaussian noise of about {noise:g}."
        if noise > 0
        else "Measurements are exact."
    )
    return (
        f"You measure {domain.measured}: the output {out.name} ({out.description}, in "
        f"{out.unit}). You control these inputs:\n{inputs}\n"
        f"Each experiment call sets up to {max_batch} input points and returns {out.name} at "
        f"each; you have {budget} calls. {noise_text}\n"
        "This system's law may differ from textbook physics: the way each input enters, and "
        f"the constant, may be altered. Find a formula for {out.name} in terms of {names}."
    )
