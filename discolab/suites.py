"""Benchmark suites: named, versioned sets of tasks expanded from a small TOML file.

A suite file says which environments and shifts it covers and the options every task gets
(noise, budget, batch size, seed); :func:`load_suite` expands that into concrete tasks with
stable ids ``<env id>#<shift>`` (``newton/gravity-v1#s2``), so a submission can name a task
without knowing how the suite was written. Expansion reads the environment catalog, so a suite
of ``newton/*`` grows with it; a suite's version (``newton-v1``) pins what it meant.

A suite file with a ``[private]`` table is a private split (:mod:`discolab.splits`): it loads
only with its secret seed, and its tasks ``<env id>#p-easy-1`` are the generated slots of the
selected environments, redrawn from that seed.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from discolab.errors import ConfigError
from discolab.registry import suggest
from discolab.splits import (
    GENERATOR_PREFIX,
    PRIVATE_PREFIX,
    SECRET_OPTION,
    PrivateSplit,
    private_split_from_table,
    variant_seed,
)

TASK_SEPARATOR = "#"
SUITE_OPTION_KEYS = {"noise": float, "budget": int, "max_batch": int, "seed": int}
DIFFICULTIES = ("easy", "medium", "hard")
SYSTEM_LEVELS = ("vanilla", "simple", "complex")
SLOTS = tuple(f"{d}-{k}" for d in DIFFICULTIES for k in (1, 2, 3))
"""The generated variant slots a private split draws per environment."""
FAMILY_PREFIXES = (PRIVATE_PREFIX, *(p for p in GENERATOR_PREFIX.values() if p))
"""Shift prefixes that name a family, not a difficulty (``p-easy-1``, ``v2-hard-3``)."""


@dataclass(frozen=True)
class SuiteTask:
    """One task of a suite.

    Attributes:
        id: ``<env id>#<shift>``, unique within the suite.
        env_id: the environment's registry id.
        options: every option the environment is built with (shift, noise, budget, ...).
        domain: the environment's domain name (``gravity``), for report tables.
        difficulty: ``canonical``, ``easy``, ``medium``, ``hard`` or ``other``.
        system: ``vanilla``, ``simple`` or ``complex``.
    """

    id: str
    env_id: str
    options: Mapping[str, Any]
    domain: str
    difficulty: str
    system: str


@dataclass(frozen=True)
class Suite:
    """A named, versioned list of tasks.

    ``private`` is set for a private split (its tasks then carry the variant seed).
    """

    id: str
    description: str
    tasks: tuple[SuiteTask, ...]
    source: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    private: PrivateSplit | None = None

    def task(self, task_id: str) -> SuiteTask | None:
        """The task with ``task_id``, or ``None``."""
        return self._index().get(task_id)

    def _index(self) -> dict[str, SuiteTask]:
        return {t.id: t for t in self.tasks}


def task_labels(env_id: str, shift: str) -> tuple[str, str, str]:
    """(domain, difficulty, system) of a task, read from its id and shift name.

    ``newton/gravity-simple-v1`` is domain ``gravity`` at system level ``simple``; shift
    ``medium-2`` (or ``v2-medium-2``, ``p-medium-2``) has difficulty ``medium``; an
    out-of-grammar ``ood-3`` has difficulty ``ood``; ``canonical`` is its own difficulty.
    """
    name = env_id.rsplit("/", 1)[-1].rsplit("-v", 1)[0]
    system = "vanilla"
    for level in ("simple", "complex"):
        if name.endswith(f"-{level}"):
            name, system = name.removesuffix(f"-{level}"), level
    for family in FAMILY_PREFIXES:
        shift = shift.removeprefix(family)
    prefix = shift.split("-", 1)[0]
    if shift == "canonical":
        difficulty = "canonical"
    elif prefix == "ood":
        difficulty = "ood"
    elif prefix in DIFFICULTIES:
        difficulty = prefix
    else:
        difficulty = "other"
    return name, difficulty, system


def load_suite(path: str | Path, *, secret: str | None = None) -> Suite:
    """Read and expand a suite TOML file (see ``configs/suites/``).

    ``secret`` is a private split's seed; it is required for a private split and refused
    for a public suite (a mistake that would otherwise score the public laws).
    """
    path = resolve_suite_path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"suite file {str(path)!r} is not valid TOML: {exc}") from None
    return suite_from_dict(data, source=str(path), secret=secret)


def is_private(path: str | Path) -> bool:
    """Whether the suite file at ``path`` (or named so) is a private split."""
    resolved = resolve_suite_path(path)
    try:
        return "private" in tomllib.loads(resolved.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False


def resolve_suite_path(value: str | Path) -> Path:
    """A suite file from a path or a bare name looked up in ``configs/suites/``."""
    path = Path(value)
    if path.is_file():
        return path
    for base in (Path.cwd(), Path(__file__).resolve().parents[1]):
        candidate = base / "configs" / "suites" / f"{value}.toml"
        if candidate.is_file():
            return candidate
    raise ConfigError(
        f"suite {str(value)!r} not found: give a suite TOML path or a name in configs/suites/"
    )


def suite_kind(value: str | Path) -> str | None:
    """The ``[suite] kind`` of the suite file ``value`` names (``constructions``,
    ``constants``), or ``None`` for a law suite or anything that is not a readable suite."""
    try:
        data = tomllib.loads(resolve_suite_path(value).read_text(encoding="utf-8"))
    except (ConfigError, OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None
    head = data.get("suite")
    kind = head.get("kind") if isinstance(head, Mapping) else None
    return kind if isinstance(kind, str) else None


def suite_from_dict(
    data: Mapping[str, Any], *, source: str = "", secret: str | None = None
) -> Suite:
    """Validate and expand a parsed suite file (``secret``: see :func:`load_suite`)."""
    from discolab.environments.catalog import describe_environments

    keys = ["suite", "options", "tasks", "private"]
    for key in data:
        if key not in keys:
            raise ConfigError(f"unknown key [{key}] in suite{suggest(key, keys)}")
    head = _table(data, "suite")
    suite_id = head.get("id")
    if not isinstance(suite_id, str) or not suite_id:
        raise ConfigError("suite.id must be a non-empty string, e.g. 'newton-v1'")
    private = private_split_from_table(data["private"], suite_id) if "private" in data else None
    if private is None and secret:
        raise ConfigError(f"suite {suite_id!r} is public; --secret applies to private splits only")
    options = dict(data.get("options", {}))
    for key, value in options.items():
        if key not in SUITE_OPTION_KEYS:
            raise ConfigError(
                f"unknown key options.{key}{suggest(key, list(SUITE_OPTION_KEYS))}; "
                f"valid: {', '.join(SUITE_OPTION_KEYS)}"
            )
        expected = SUITE_OPTION_KEYS[key]
        allowed = (int, float) if expected is float else (int,)
        if isinstance(value, bool) or not isinstance(value, allowed):
            raise ConfigError(f"options.{key} = {value!r} must be {expected.__name__}")
    selections = data.get("tasks")
    if not isinstance(selections, list) or not selections:
        raise ConfigError("a suite needs at least one [[tasks]] table with env = '<id or glob>'")
    environments = {info.id: info for info in describe_environments()}
    if private is not None:
        seed = variant_seed(private, secret, suite_id)
        prefix = GENERATOR_PREFIX[private.generator]
        # select slots (easy-1 ...) of every environment that has generated variants
        environments = {
            k: dataclasses.replace(v, shifts=SLOTS)
            for k, v in environments.items()
            if set(SLOTS) <= set(v.shifts)
        }
    tasks: dict[str, SuiteTask] = {}
    for n, selection in enumerate(selections):
        for task in _expand(selection, n, environments, options):
            if private is not None:
                task = _private_task(task, prefix, seed)
            tasks.setdefault(task.id, task)
    return Suite(
        id=suite_id,
        description=str(head.get("description", "")),
        tasks=tuple(tasks.values()),
        source=source,
        options=options,
        private=private,
    )


def _private_task(task: SuiteTask, prefix: str, seed: int) -> SuiteTask:
    """A slot task of a private split: id ``<env>#p-<slot>``, the family's shift, the seed."""
    slot = str(task.options["shift"])
    return dataclasses.replace(
        task,
        id=f"{task.env_id}{TASK_SEPARATOR}{PRIVATE_PREFIX}{slot}",
        options={**task.options, "shift": prefix + slot, SECRET_OPTION: seed},
    )


def _expand(
    selection: Any, n: int, environments: Mapping[str, Any], options: Mapping[str, Any]
) -> list[SuiteTask]:
    if not isinstance(selection, Mapping) or not isinstance(selection.get("env"), str):
        raise ConfigError(f"tasks[{n}] must be a table with env = '<id or glob>'")
    unknown = set(selection) - {"env", "shifts", "systems"}
    if unknown:
        raise ConfigError(
            f"tasks[{n}] has unknown keys {sorted(unknown)}; valid: env, shifts, systems"
        )
    systems = selection.get("systems", list(SYSTEM_LEVELS))
    if not isinstance(systems, list) or not systems or any(s not in SYSTEM_LEVELS for s in systems):
        raise ConfigError(
            f"tasks[{n}].systems = {systems!r} must be a non-empty list of "
            f"{', '.join(SYSTEM_LEVELS)}"
        )
    pattern = selection["env"]
    env_ids = sorted(
        i
        for i in environments
        if fnmatch.fnmatchcase(i, pattern) and task_labels(i, "")[2] in systems
    )
    if not env_ids:
        raise ConfigError(
            f"tasks[{n}].env = {pattern!r} matches no environment"
            f"{suggest(pattern, list(environments))}"
        )
    wanted = selection.get("shifts", "*")
    out = []
    for env_id in env_ids:
        available = environments[env_id].shifts
        if wanted == "*":
            shifts = list(available)
        elif isinstance(wanted, list) and all(isinstance(s, str) for s in wanted):
            shifts = []
            for s in wanted:
                matched = [a for a in available if fnmatch.fnmatchcase(a, s)]
                if not matched:
                    raise ConfigError(
                        f"tasks[{n}].shifts: {s!r} matches no shift of {env_id}"
                        f"{suggest(s, list(available))}"
                    )
                shifts.extend(m for m in matched if m not in shifts)
        else:
            raise ConfigError(f"tasks[{n}].shifts must be '*' or a list of names or globs")
        for shift in shifts:
            domain, difficulty, system = task_labels(env_id, shift)
            out.append(
                SuiteTask(
                    id=f"{env_id}{TASK_SEPARATOR}{shift}",
                    env_id=env_id,
                    options={**options, "shift": shift},
                    domain=domain,
                    difficulty=difficulty,
                    system=system,
                )
            )
    return out


def _table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, Mapping):
        raise ConfigError(f"a suite file needs a [{key}] table")
    return value
