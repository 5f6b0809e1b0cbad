"""The catalog of construction problems: registry ids, ``make_problem`` and listings.

Like :mod:`discolab.environments.catalog`, the registry is built fresh on each call, so
importing this module registers nothing and no state is shared between callers. Every
problem is a versioned id under ``programs/`` (``constants/`` for PCF formulas); a changed
verifier or statement gets a new version instead of silently changing an old one.
"""

from __future__ import annotations

from discolab.environments.constants import problems as pcf_problems
from discolab.environments.programs import (
    autocorrelation,
    distances,
    erdos,
    heilbronn,
    kissing,
    packing,
)
from discolab.environments.programs.base import ConstructionProblem
from discolab.registry import Registry

_FAMILY_MODULES = (packing, autocorrelation, erdos, heilbronn, distances, kissing, pcf_problems)
"""Each family module lists its problem classes in ``PROBLEMS`` (PCF formulas for constants
live under ``constants/``, the rest under ``programs/``)."""


def problem_registry() -> Registry[ConstructionProblem]:
    """A fresh registry holding every construction problem class under its id."""
    registry: Registry[ConstructionProblem] = Registry("construction problem")
    for module in _FAMILY_MODULES:
        for cls in module.PROBLEMS:
            registry.register(cls.id, cls, cls.title)
    return registry


def make_problem(problem_id: str) -> ConstructionProblem:
    """The problem registered under ``problem_id``.

    Raises:
        UnknownIdError: ``problem_id`` is not registered (with close matches).
    """
    return problem_registry().make(problem_id)


def problem_ids() -> list[str]:
    """Every registered problem id, sorted."""
    return problem_registry().ids()
