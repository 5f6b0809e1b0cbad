"""Builds proposers from the ``agent.proposer`` string of a config.

``builtin`` is the offline symbolic-regression search; ``builtin-sim`` is its variant that
fits laws through a system task's forward simulation instead of the apparatus' inversion
(assistance ``simulator``, see :mod:`discolab.agents.proposers.simulator`). A model string
``PRESET:MODEL`` (``openai:gpt-4.1``, ``ollama:qwen2.5-coder``, ``vllm:...``) or ``ensemble`` (with
``[[agent.ensemble]]`` entries) builds a :class:`ModelLawProposer` on the ``openai`` SDK; its
options are the fields of :class:`ModelOptions`. API keys come from environment variables
named by the presets and never from config.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from discolab.agents.proposers.base import Proposer
from discolab.errors import ConfigError, ProposerError
from discolab.registry import suggest

PROPOSERS = ("builtin", "builtin-sim", "ensemble")


@dataclass(frozen=True)
class ModelOptions:
    """``[agent.options]`` of a model proposer.

    Attributes:
        base_url: overrides the preset's URL (``http://127.0.0.1:8000/v1``).
        temperature: sampling temperature, 0-2.
        max_tokens: cap on completion tokens per call.
        connect_timeout: seconds to connect (short, so a dead server fails fast).
        read_timeout: seconds to wait for an answer (bounded, so a hung server fails).
        retries: extra attempts on 408/429/5xx, timeouts, connection errors, bad bodies.
        backoff_s: first retry delay in seconds, doubled each retry.
        max_backoff_s: cap on one delay (``Retry-After`` included).
        concurrency: most requests in flight per model.
        stream: use SSE streaming.
        protocol: ``auto`` (tools when supported, else text), ``tools`` or ``text``.
        max_laws: most laws asked for per round.
        inversion: on system tasks, show the model the law samples the apparatus' inversion
            reads out of its records (the built-in's view), recorded as assistance
            ``inversion``; off by default, so a model sees its raw records only.
        code_tool: offer the model a ``run_python`` tool that runs its code on its own
            measurements inside the sandbox (NewtonBench's code-assisted setting), recorded
            as assistance ``code``; off by default.
        code_runs: most code runs per model step before the model must answer (1-10).
        code_sandbox: where that code runs: ``auto``, ``docker`` or ``process``; empty
            uses the campaign's ``sandbox``.
    """

    base_url: str = ""
    temperature: float = 0.7
    max_tokens: int = 2048
    connect_timeout: float = 5.0
    read_timeout: float = 120.0
    retries: int = 4
    backoff_s: float = 1.0
    max_backoff_s: float = 30.0
    concurrency: int = 4
    stream: bool = False
    protocol: str = "auto"
    max_laws: int = 3
    inversion: bool = False
    code_tool: bool = False
    code_runs: int = 3
    code_sandbox: str = ""


def make_proposer(
    name: str,
    options: Mapping[str, Any] | None = None,
    *,
    ensemble: Sequence[Mapping[str, Any]] = (),
    presets: Mapping[str, Mapping[str, Any]] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Proposer:
    """Build the proposer named ``name`` with keyword ``options`` checked against it."""
    options = dict(options or {})
    if name == "builtin":
        from discolab.agents.proposers.builtin import BuiltinLawProposer

        if ensemble:
            raise ConfigError("[[agent.ensemble]] needs agent.proposer = 'ensemble'")
        _check_options(BuiltinLawProposer, options)
        try:
            return BuiltinLawProposer(**options)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"agent.options: {exc}") from None
    if name == "builtin-sim":
        from discolab.agents.proposers.simulator import SimulatorLawProposer

        if ensemble:
            raise ConfigError("[[agent.ensemble]] needs agent.proposer = 'ensemble'")
        _check_options(SimulatorLawProposer, options)
        try:
            return SimulatorLawProposer(**options)
        except (TypeError, ValueError, ProposerError) as exc:
            raise ConfigError(f"agent.options: {exc}") from None
    if ":" in name or name == "ensemble":
        return make_model_proposer(name, options, ensemble, presets or {}, environ)
    raise ConfigError(
        f"agent.proposer = {name!r} is unknown{suggest(name, list(PROPOSERS))}; "
        f"known: {', '.join(PROPOSERS)} or a model string like 'openai:MODEL'"
    )


def model_options(options: Mapping[str, Any]) -> ModelOptions:
    """Validate ``[agent.options]`` of a model proposer into :class:`ModelOptions`."""
    if "api_key" in options:
        raise ConfigError(
            "agent.options.api_key is not allowed: keys are never stored; set the environment "
            "variable named by the preset (OPENAI_API_KEY, or api_key_env of the preset)"
        )
    _check_options(ModelOptions, options)
    opts = ModelOptions(**{k: float(v) if _is_float(k) else v for k, v in options.items()})
    checks = (
        ("temperature", 0 <= opts.temperature <= 2, "must be in [0, 2]"),
        ("max_tokens", opts.max_tokens >= 1, "must be at least 1"),
        ("connect_timeout", opts.connect_timeout > 0, "must be > 0 seconds"),
        ("read_timeout", opts.read_timeout > 0, "must be > 0 seconds"),
        ("retries", 0 <= opts.retries <= 20, "must be in [0, 20]"),
        ("backoff_s", opts.backoff_s >= 0, "must be >= 0 seconds"),
        ("max_backoff_s", opts.max_backoff_s >= 0, "must be >= 0 seconds"),
        ("concurrency", 1 <= opts.concurrency <= 256, "must be in [1, 256]"),
        ("max_laws", 1 <= opts.max_laws <= 10, "must be in [1, 10]"),
        ("code_runs", 1 <= opts.code_runs <= 10, "must be in [1, 10]"),
    )
    for key, ok, rule in checks:
        if not ok:
            raise ConfigError(f"agent.options.{key} = {getattr(opts, key)!r} {rule}")
    from discolab.agents.llm.protocols import PROTOCOLS
    from discolab.sandbox import KINDS as SANDBOXES

    if opts.code_sandbox and opts.code_sandbox not in SANDBOXES:
        raise ConfigError(
            f"agent.options.code_sandbox = {opts.code_sandbox!r} is not one of "
            f"{', '.join(SANDBOXES)}" + suggest(opts.code_sandbox, list(SANDBOXES))
        )
    if opts.protocol not in PROTOCOLS:
        raise ConfigError(
            f"agent.options.protocol = {opts.protocol!r} is not one of {', '.join(PROTOCOLS)}"
            + suggest(opts.protocol, list(PROTOCOLS))
        )
    return opts


def _is_float(key: str) -> bool:
    return {f.name: f.type for f in fields(ModelOptions)}.get(key) == "float"


def make_model_proposer(
    name: str,
    options: Mapping[str, Any],
    ensemble: Sequence[Mapping[str, Any]],
    presets: Mapping[str, Mapping[str, Any]],
    environ: Mapping[str, str] | None = None,
) -> Proposer:
    """A :class:`ModelLawProposer` for one model string or an ``ensemble``."""
    from discolab.agents.proposers.model import ModelLawProposer

    opts = model_options(options)
    clients = make_ensemble(name, opts, ensemble, presets, environ)
    code = None
    if opts.code_tool:
        from discolab.agents.llm.code_tool import CodeRunner

        code = CodeRunner(sandbox=opts.code_sandbox or "auto")
    return ModelLawProposer(
        clients,
        protocol=opts.protocol,
        max_laws=opts.max_laws,
        inversion=opts.inversion,
        code=code,
        code_runs=opts.code_runs,
    )


def make_ensemble(
    name: str,
    opts: ModelOptions,
    ensemble: Sequence[Mapping[str, Any]],
    presets: Mapping[str, Mapping[str, Any]],
    environ: Mapping[str, str] | None = None,
) -> Any:
    """The :class:`~discolab.agents.llm.ensemble.Ensemble` of clients for a model string
    (``PRESET:MODEL``) or ``ensemble`` with its entries; shared by law and program proposers."""
    from discolab.agents.llm.client import ChatClient, ClientSettings
    from discolab.agents.llm.ensemble import Ensemble, Member
    from discolab.agents.llm.presets import merge_presets, resolve_model

    known = merge_presets(presets)
    if name == "ensemble":
        if not ensemble:
            raise ConfigError("agent.proposer = 'ensemble' needs [[agent.ensemble]] entries")
        entries = [(e["model"], e.get("weight", 1.0), e.get("base_url")) for e in ensemble]
    else:
        if ensemble:
            raise ConfigError(
                f"[[agent.ensemble]] is set, so agent.proposer must be 'ensemble', not {name!r}"
            )
        entries = [(name, 1.0, None)]
    settings = ClientSettings(
        temperature=opts.temperature,
        max_tokens=opts.max_tokens,
        connect_timeout=opts.connect_timeout,
        read_timeout=opts.read_timeout,
        retries=opts.retries,
        backoff_s=opts.backoff_s,
        max_backoff_s=opts.max_backoff_s,
        concurrency=opts.concurrency,
        stream=opts.stream,
    )
    env = os.environ if environ is None else environ
    members = []
    for i, (model, weight, url) in enumerate(entries):
        where = f"agent.ensemble[{i}].model" if name == "ensemble" else "agent.proposer"
        endpoint = resolve_model(model, known, base_url=url or opts.base_url or None, where=where)
        client = ChatClient(endpoint, settings, endpoint.api_key(env))
        members.append(Member(client, float(weight)))
    return Ensemble(members)


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
