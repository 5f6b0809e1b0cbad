"""The ``newton-v1`` task list: 12 domains x 9 generated shifted laws, vanilla, noise-free.

NewtonBench's 108 laws: for each of the twelve physics domains, three variants at each of
three difficulties (``easy-1`` ... ``hard-3``), generated from the canonical law with the fixed
seed :data:`~discolab.environments.physics.variants.NEWTON_V1_SEED`. The canonical laws and the
hand-written shifts ``s1`` ... ``s4`` of the first domains are not part of the suite.
Benchmark mode reads :func:`newton_v1_tasks`; a suite file can reproduce the same list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from discolab.environments.catalog import environment_registry, make_environment
from discolab.environments.physics.mutation import DIFFICULTIES
from discolab.environments.physics.vanilla import VanillaLawEnvironment

SUITE_ID = "newton-v1"
"""Name of the fixed suite."""

PER_DIFFICULTY = 3
"""Variants per difficulty and domain in the suite."""


@dataclass(frozen=True)
class PhysicsTask:
    """One task of a physics suite.

    Attributes:
        env_id: the environment's registry id (``newton/gravity-v1``).
        shift: the hidden law's shift name (``medium-2``).
        domain: the domain's short name (``gravity``).
        difficulty: ``easy``, ``medium`` or ``hard``.
        system: ``vanilla`` (the agent queries the law directly).
        options: every option the environment is built with.
    """

    env_id: str
    shift: str
    domain: str
    difficulty: str
    system: str = "vanilla"
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """``<env id>#<shift>``, unique within the suite."""
        return f"{self.env_id}#{self.shift}"


def newton_v1_tasks(noise: float = 0.0) -> tuple[PhysicsTask, ...]:
    """The 108 vanilla tasks of ``newton-v1`` (noise 0 unless asked), in catalog order."""
    tasks = []
    for entry in environment_registry():
        cls = entry.factory
        if not (isinstance(cls, type) and issubclass(cls, VanillaLawEnvironment)):
            continue
        if not entry.id.startswith("newton/"):
            continue
        domain = entry.id.removeprefix("newton/").removesuffix("-v1")
        for difficulty in DIFFICULTIES:
            for k in range(1, PER_DIFFICULTY + 1):
                shift = f"{difficulty}-{k}"
                options = {"shift": shift, "noise": float(noise)}
                tasks.append(PhysicsTask(entry.id, shift, domain, difficulty, options=options))
    return tuple(tasks)


def check_tasks(tasks: tuple[PhysicsTask, ...]) -> None:
    """Build every task's environment once (raises ``ConfigError`` for a bad one)."""
    for task in tasks:
        make_environment(task.env_id, **task.options)
