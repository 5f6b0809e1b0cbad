"""Builds proposers from the ``agent.proposer`` string of a config.

``builtin`` is the offline symbolic-regression search. Model strings (``openai:gpt-4.1``,
``ollama:qwen2.5-coder``) belong to the model-provider work and are refused with a clear
message until it lands.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from discolab.agents.proposers.base import Proposer
from discolab.errors import ConfigError
from discolab.registry import suggest

PROPOSERS = ("builtin",)


def make_proposer(name: str, options: Mapping[str, Any] | None = None) -> Proposer:
    """Build the proposer named ``name`` with keyword ``options`` checked against it."""
    options = dict(options or {})
    if name == "builtin":
        from discolab.agents.proposers.builtin import BuiltinLawProposer

        _check_options(BuiltinLawProposer, options)
        try:
            return BuiltinLawProposer(**options)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"agent.options: {exc}") from None
    if ":" in name:
        provider = name.split(":", 1)[0]
        raise ConfigError(
            f"agent.proposer = {name!r}: model providers ({provider}:...) are not available in "
            "this version; use 'builtin'"
        )
    raise ConfigError(
        f"agent.proposer = {name!r} is unknown{suggest(name, list(PROPOSERS))}; "
        f"known: {', '.join(PROPOSERS)} or a model string like 'openai:MODEL'"
    )


def _check_options(factory: Any, options: Mapping[str, Any]) -> None:
    params = inspect.signature(factory).parameters
    accepted = {n: p for n, p in params.items() if p.kind is not p.VAR_KEYWORD and n != "self"}
    for key, value in options.items():
        if key not in accepted:
            raise ConfigError(
                f"unknown option agent.options.{key}{suggest(key, list(accepted))}; "
                f"valid: {', '.join(sorted(accepted)) or 'none'}"
            )
        default = accepted[key].default
        if default is inspect.Parameter.empty or default is None:
            continue
        expected = type(default)
        ok = isinstance(value, expected) and not (isinstance(value, bool) and expected is not bool)
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            ok = True
        if not ok:
            raise ConfigError(
                f"agent.options.{key} = {value!r} has type {type(value).__name__}; "
                f"expected {expected.__name__}"
            )
