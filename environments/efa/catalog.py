"""The EFA registry: every library module under a versioned ``efa/NAME-vN`` id.

Built fresh on each call (importing this module registers nothing). Each entry keeps the
module's source text — what the sandbox runs for property tests — and its seed (problem,
worked solution, answer key), which stays on the host.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from discolab.environments.efa import library
from discolab.environments.efa.answers import Answer
from discolab.environments.efa.format import HostEfa
from discolab.registry import Registry


@dataclass(frozen=True)
class EfaEntry:
    """One library EFA: id, title, family, seed, class and source."""

    id: str
    title: str
    family: str
    seed_problem: str
    seed_solution: str
    seed_answer: Answer
    cls: type
    source: str

    @property
    def options(self) -> Mapping[str, Any]:
        """The difficulty knobs and their defaults."""
        return dict(getattr(self.cls, "options", {}))

    def make(self, **options: Any) -> HostEfa:
        """The EFA built with ``options`` for host-side generation."""
        return HostEfa(self.id, self.cls, options)


def _entries() -> list[EfaEntry]:
    out: list[EfaEntry] = []
    for info in sorted(pkgutil.iter_modules(library.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{library.__name__}.{info.name}")
        seed = module.SEED
        kind = module.EFA.answer_kind
        out.append(
            EfaEntry(
                id=module.ID,
                title=module.TITLE,
                family=module.FAMILY,
                seed_problem=seed["problem"],
                seed_solution=seed["solution"],
                seed_answer=Answer(kind, seed["answer"]),
                cls=module.EFA,
                source=Path(module.__file__).read_text(encoding="utf-8"),
            )
        )
    return out


def efa_registry() -> Registry[EfaEntry]:
    """A fresh registry of every library EFA."""
    registry: Registry[EfaEntry] = Registry("EFA")
    for entry in _entries():
        registry.register(entry.id, lambda e=entry: e, entry.title)
    return registry


def get_efa(efa_id: str) -> EfaEntry:
    """The library entry ``efa_id`` (UnknownIdError with close matches)."""
    return efa_registry().make(efa_id)


def efa_ids() -> list[str]:
    """Every library id, sorted."""
    return efa_registry().ids()
