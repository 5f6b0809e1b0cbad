"""Benchmark suites: named, versioned sets of tasks expanded from a small TOML file.

A suite file says which environments and shifts it covers and the options every task gets
(noise, budget, batch size, seed); :func:`load_suite` expands that into concrete tasks with
stable ids ``<env id>#<shift>`` (``newton/gravity-v1#s2``), so a submission can name a task
without knowing how the suite was written. Expansion reads the environment catalog, so a suite
of ``newton/*`` grows with it; a suite's version (``newton-v1``) pins what it meant.
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from discolab.errors import ConfigError
from discolab.registry import suggest

TASK_SEPARATOR = "#"
SUITE_OPTION_KEYS = {"noise": float, "budget": int, "max_batch": int, "seed": int}
DIFFICULTIES = ("easy", "medium", "hard")
SYSTEM_LEVELS = ("vanilla", "simple", "complex")


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
    """A named, versioned list of tasks."""

    id: str
    description: str
    tasks: tuple[SuiteTask, ...]
    source: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)

    def task(self, task_id: str) -> SuiteTask | None:
        """The task with ``task_id``, or ``None``."""
        return self._index().get(task_id)

    def _index(self) -> dict[str, SuiteTask]:
        return {t.id: t for t in self.tasks}


def task_labels(env_id: str, shift: str) -> tuple[str, str, str]:
    """(domain, difficulty, system) of a task, read from its id and shift name.

    ``newton/gravity-simple-v1`` is domain ``gravity`` at system level ``simple``; shift
    ``medium-2`` has difficulty ``medium``; ``canonical`` is its own difficulty.
    """
    name = env_id.rsplit("/", 1)[-1].rsplit("-v", 1)[0]
    system = "vanilla"
    for level in ("simple", "complex"):
        if name.endswith(f"-{level}"):
            name, system = name.removesuffix(f"-{level}"), level
    prefix = shift.split("-", 1)[0]
    if shift == "canonical":
        difficulty = "canonical"
    elif prefix in DIFFICULTIES:
        difficulty = prefix
    else:
        difficulty = "other"
    return name, difficulty, system


def load_suite(path: str | Path) -> Suite:
    """Read and expand a suite TOML file (see ``configs/suites/``)."""
    path = resolve_suite_path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"suite file {str(path)!r} is not valid TOML: {exc}") from None
    return suite_from_dict(data, source=str(path))


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


def suite_from_dict(data: Mapping[str, Any], *, source: str = "") -> Suite:
    """Validate and expand a parsed suite file."""
    from discolab.environments.catalog import describe_environments

    for key in data:
        if key not in ("suite", "options", "tasks"):
            raise ConfigError(
                f"unknown key [{key}] in suite{suggest(key, ['suite', 'options', 'tasks'])}"
            )
    head = _table(data, "suite")
    suite_id = head.get("id")
    if not isinstance(suite_id, str) or not suite_id:
        raise ConfigError("suite.id must be a non-empty string, e.g. 'newton-v1'")
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
    tasks: dict[str, SuiteTask] = {}
    for n, selection in enumerate(selections):
        for task in _expand(selection, n, environments, options):
            tasks.setdefault(task.id, task)
    return Suite(
        id=suite_id,
        description=str(head.get("description", "")),
        tasks=tuple(tasks.values()),
        source=source,
        options=options,
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
