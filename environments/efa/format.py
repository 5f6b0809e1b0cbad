"""The EFA format: a self-contained Python class, runnable in the sandbox as it is.

An EFA module defines one class named ``EFA`` and imports nothing but the standard library
and sympy (the sandbox image has both; it has no discolab)::

    class EFA:
        answer_kind = "integer"            # integer | rational | expression | real
        options = {"max_modulus": 60}      # difficulty knobs and their defaults
        seed_params = {...}                # the parameters of the seed problem

        def __init__(self, **options): ...           # validates the knobs
        def sample(self, rng: random.Random) -> dict  # plain JSON data (ints, strs, lists)
        def render(self, params: dict) -> str        # the problem text
        def solve(self, params: dict)                # int | Fraction | sympy expr | float

``sample`` must draw only from the ``rng`` it is given, so the same seed gives the same
parameters; ``render`` must state every parameter the answer depends on; ``solve`` must be
exact where the problem is (fractions and sympy, not floats) and single-valued. A library
module also defines ``SEED`` — the seed problem, its worked solution and its answer —
which only the host reads (the answer key never enters the sandbox with a candidate).

This module loads library EFAs on the host (trusted code, for fast generation) and turns
their output into :class:`Instance` records.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from discolab.environments.efa.answers import Answer, AnswerKind, to_answer
from discolab.errors import ConfigError

REQUIRED_METHODS = ("sample", "render", "solve")


@dataclass(frozen=True)
class Instance:
    """One generated problem: its parameters, text and answer."""

    efa_id: str
    params: Mapping[str, Any]
    text: str
    answer: Answer

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready record (one JSONL line of ``discolab efa sample``)."""
        return {
            "efa": self.efa_id,
            "params": dict(self.params),
            "problem": self.text,
            "answer": self.answer.text,
            "kind": self.answer.kind,
        }


def plain_json(value: Any, where: str = "params") -> Any:
    """``value`` if it is plain JSON data (dict/list/str/int/float/bool/None), else raise."""
    try:
        text = json.dumps(value, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where} must be plain JSON data: {exc}") from None
    return json.loads(text)


class HostEfa:
    """A trusted (library) EFA class wrapped for host-side generation."""

    def __init__(self, efa_id: str, cls: type, options: Mapping[str, Any] | None = None) -> None:
        self.efa_id = efa_id
        known = dict(getattr(cls, "options", {}))
        for key in options or {}:
            if key not in known:
                raise ConfigError(
                    f"{efa_id}: unknown option {key!r} (options: {', '.join(known) or 'none'})"
                )
        try:
            self.efa = cls(**dict(options or {}))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{efa_id}: bad options {dict(options or {})!r}: {exc}") from None
        self.kind: AnswerKind = cls.answer_kind

    def instance(self, rng: random.Random) -> Instance:
        """Sample parameters from ``rng`` and render and solve them."""
        params = plain_json(self.efa.sample(rng))
        return self.instance_for(params)

    def instance_for(self, params: Mapping[str, Any]) -> Instance:
        """The instance of the given parameters."""
        text = self.efa.render(dict(params))
        answer = to_answer(self.efa.solve(dict(params)), self.kind)
        return Instance(self.efa_id, dict(params), text, answer)
