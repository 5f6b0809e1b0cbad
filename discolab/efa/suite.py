"""EFA suites: ``[suite] kind = "efa"`` files whose tasks are (EFA, difficulty tier) pairs.

Every task generates ``instances`` problems from its library EFA with a seed derived from
the suite's seed and the task id, so a suite is the same set of problems on every machine.
Public suites are dev splits: their seed is in the file.
"""

from __future__ import annotations

import random
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from discolab.environments.efa.catalog import get_efa
from discolab.environments.efa.format import Instance
from discolab.errors import ConfigError
from discolab.suites import resolve_suite_path, suite_kind

KIND = "efa"
MAX_INSTANCES = 1000


@dataclass(frozen=True)
class EfaTask:
    """One task: an EFA at one difficulty tier, and how many instances it generates."""

    id: str
    efa: str
    tier: str
    family: str
    options: Mapping[str, Any] = field(default_factory=dict)
    instances: int = 20


@dataclass(frozen=True)
class EfaSuite:
    """A named, versioned list of EFA tasks with the seed of its instances."""

    id: str
    description: str
    seed: int
    tasks: tuple[EfaTask, ...]

    def instances(self, task: EfaTask) -> list[tuple[str, Instance]]:
        """``(instance id, instance)`` for every instance of ``task``, deterministically."""
        efa = get_efa(task.efa).make(**task.options)
        rng = random.Random(f"{self.seed}:{task.id}")
        return [(instance_id(task, i), efa.instance(rng)) for i in range(task.instances)]

    def generate(self) -> dict[str, list[tuple[str, Instance]]]:
        """Every task's instances, by task id (generate once, then solve and score)."""
        return {task.id: self.instances(task) for task in self.tasks}

    def instance_ids(self) -> set[str]:
        """Every instance id of the suite, without generating the instances."""
        return {instance_id(t, i) for t in self.tasks for i in range(t.instances)}


def instance_id(task: EfaTask, index: int) -> str:
    """``TASK/INDEX``: how a submission names an instance."""
    return f"{task.id}/{index}"


def is_efa_suite(value: str | Path) -> bool:
    """Whether ``value`` names a suite file whose ``[suite] kind`` is ``efa``."""
    return suite_kind(value) == KIND


def load_efa_suite(value: str | Path) -> EfaSuite:
    """Read an EFA suite (a path or a name in ``configs/suites/``)."""
    path = resolve_suite_path(value)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    head = data.get("suite", {})
    default_n = int(head.get("instances", 20))
    tasks: list[EfaTask] = []
    seen: set[str] = set()
    for i, raw in enumerate(data.get("tasks", [])):
        where = f"{path.name}: tasks[{i}]"
        efa_id, tier = raw.get("efa"), raw.get("tier", "default")
        if not isinstance(efa_id, str) or not isinstance(tier, str):
            raise ConfigError(f"{where}: needs efa = 'efa/NAME-vN' and a tier name")
        entry = get_efa(efa_id)
        options = dict(raw.get("options", {}))
        entry.make(**options)  # validates the knobs
        tid = raw.get("id") or f"{efa_id.removeprefix('efa/')}-{tier}"
        if tid in seen:
            raise ConfigError(f"{where}: task id {tid!r} appears twice")
        seen.add(tid)
        n = int(raw.get("instances", default_n))
        if not 1 <= n <= MAX_INSTANCES:
            raise ConfigError(f"{where}: instances must be in [1, {MAX_INSTANCES}], got {n}")
        tasks.append(EfaTask(tid, efa_id, tier, entry.family, options, n))
    if not tasks:
        raise ConfigError(f"{path.name}: an EFA suite needs [[tasks]]")
    return EfaSuite(
        str(head.get("id", path.stem)),
        str(head.get("description", "")),
        int(head.get("seed", 0)),
        tuple(tasks),
    )
