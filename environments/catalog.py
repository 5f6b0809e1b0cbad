"""The environment catalog: registry ids, checked construction and listings.

Like Gymnasium's ``make``, :func:`make_environment` is the one way campaigns build an
environment: it resolves a versioned id (with "did you mean" for typos), checks every option
against what the environment declares (unknown names, wrong types, unknown shifts and
out-of-range values become one :class:`ConfigError`), builds it and seeds it through
``reset``. The registry is built fresh on each call, so importing this module registers
nothing and no state is shared between callers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from discolab.environments.base import Environment
from discolab.environments.options import Option, check_options
from discolab.environments.physics import (
    ampere,
    bose_einstein,
    calorimetry,
    coulomb,
    decay,
    fourier,
    gravity,
    hooke,
    malus,
    oscillator,
    snell,
    sound,
)
from discolab.registry import Registry
from discolab.types import Variable

_DOMAIN_MODULES = (
    gravity,
    coulomb,
    fourier,
    ampere,
    snell,
    decay,
    oscillator,
    malus,
    sound,
    hooke,
    bose_einstein,
    calorimetry,
)
"""Each domain module lists its environments (vanilla, simple, complex) in ``ENVIRONMENTS``."""


def _environment_classes() -> tuple[type[Environment], ...]:
    return tuple(cls for module in _DOMAIN_MODULES for cls in module.ENVIRONMENTS)


SEED_OPTION = Option("seed", int, 0, "seed of the measurement noise (passed to reset)", (), 0)
"""``seed`` is accepted by :func:`make_environment` only; environments are seeded by reset."""


@dataclass(frozen=True)
class EnvironmentInfo:
    """What ``discolab envs`` shows about one environment; never the hidden laws.

    Attributes:
        id: registry id (``newton/gravity-v1``).
        title: one line for tables.
        inputs: declared inputs with units and ranges.
        output: the measured quantity.
        shifts: names accepted by the ``shift`` option, canonical first.
        defaults: every option's default value, ``seed`` included.
        options: the full option declarations (types, bounds, descriptions).
    """

    id: str
    title: str
    inputs: tuple[Variable, ...]
    output: Variable
    shifts: tuple[str, ...]
    defaults: Mapping[str, Any]
    options: tuple[Option, ...]


def environment_registry() -> Registry[Environment]:
    """A fresh registry holding every environment class under its id."""
    registry: Registry[Environment] = Registry("environment")
    for cls in _environment_classes():
        registry.register(cls.env_id, cls, cls.spec_title())
    return registry


def environment_class(env_id: str) -> type[Environment]:
    """The class registered under ``env_id`` (raises UnknownIdError with close matches)."""
    factory = environment_registry().get(env_id).factory
    assert isinstance(factory, type) and issubclass(factory, Environment)
    return factory


def list_options(env_id: str) -> dict[str, Option]:
    """The options :func:`make_environment` accepts for ``env_id``, by name.

    Raises:
        UnknownIdError: ``env_id`` is not registered (with close matches).
    """
    accepted = (*environment_class(env_id).options(), SEED_OPTION)
    return {o.name: o for o in accepted}


def make_environment(env_id: str, **options: object) -> Environment:
    """Build the environment ``env_id`` with checked ``options`` and reset it with ``seed``.

    Raises:
        UnknownIdError: ``env_id`` is not registered (with close matches).
        ConfigError: an unknown option (with the closest valid name), a value of the wrong
            type or out of range, or an unknown shift (listing the valid ones).
    """
    cls = environment_class(env_id)
    accepted = list_options(env_id)
    values = check_options(options, tuple(accepted.values()), env_id)
    seed = values.pop(SEED_OPTION.name)
    env = cls(**values)
    env.reset(seed=seed)
    return env


def describe_environments() -> list[EnvironmentInfo]:
    """One :class:`EnvironmentInfo` per registered environment, sorted by id.

    Each environment is built with its default options to read its public spec, so the
    listing shows exactly what an agent would be told, and nothing more.
    """
    infos = []
    for entry in environment_registry():
        accepted = list_options(entry.id)
        spec = make_environment(entry.id).spec
        shift = accepted.get("shift")
        infos.append(
            EnvironmentInfo(
                id=entry.id,
                title=spec.title,
                inputs=spec.inputs,
                output=spec.output,
                shifts=shift.choices if shift else (),
                defaults={o.name: o.default for o in accepted.values()},
                options=tuple(accepted.values()),
            )
        )
    return infos
