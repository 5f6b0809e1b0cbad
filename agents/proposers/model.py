"""The model law proposer: any OpenAI-compatible model drives the explorer.

Each round the model is asked twice, with a fresh prompt each time: once for the input points
of the next experiment (``design``), once for candidate laws (``propose``). The prompt holds
the task statement, the agent's own measurements, the laws tried so far with agent-visible
feedback, and the last problem (a refused experiment, an unreadable reply).

Protocol: with ``protocol = "auto"`` the model gets tools (``run_experiment``,
``propose_law``) when its preset supports them. The switch to the tagged text protocol follows
what the server does, not what it claims: a refusal of the tools (a 4xx, or any error whose
text says tools are unsupported, such as llama.cpp's ``HTTP 500: tools param requires --jinja
flag``) or ``TOOLLESS_SWITCH`` replies in a row with neither a tool call nor a tag (a server
that silently drops the tools) switch that model to text for the rest of the campaign. The
switch is written into the call's stored result (the transcript), and a resumed campaign
reads it back from there. Replies are read tolerantly in either form.

Every call goes through the campaign's call journal under the key ``r{round}-{purpose}``: it
is stored (tokens, cost, transcript) before its result is used, and a resumed campaign
replays the stored completion instead of calling the model again. An unreadable reply never
raises: for ``propose`` it becomes a failed candidate whose error is the feedback, for
``design`` a :class:`ProposalRejected` the explorer turns into feedback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from discolab.agents.llm.client import Completion, ToolCall
from discolab.agents.llm.code_tool import CODE_TOOL, CodeRunner, code_instructions, parse_code
from discolab.agents.llm.ensemble import Ensemble
from discolab.agents.llm.journal import memory_journal
from discolab.agents.llm.parsing import ParseFailure
from discolab.agents.llm.prompts import explorer_messages
from discolab.agents.llm.protocols import (
    LAW_TOOL,
    PROTOCOLS,
    experiment_tool,
    parse_laws,
    parse_points,
)
from discolab.agents.proposers.base import ProposalContext, ProposalRejected
from discolab.agents.proposers.journal_handle import Journal
from discolab.assistance import CODE, INVERSION
from discolab.errors import ConfigError, ModelRejected
from discolab.storage.calls import ModelCall
from discolab.types import Candidate, CandidateKind, TaskSpec

logger = logging.getLogger(__name__)

T = TypeVar("T")
_PURPOSE_STREAM = {"design": 11, "propose": 12}
TOOL_REJECT_STATUSES = frozenset({400, 404, 422, 501})
TOOLLESS_SWITCH = 2
"""Replies in a row with neither tool calls nor tags after which a model gets text."""
_LOOKBACK = 8
"""Earlier call keys searched for the protocol state a resumed campaign continues from."""
CONFIDENT_FLOOR = 1e-6


class ModelLawProposer:
    """Law discovery driven by a model (or an ensemble of models).

    Args:
        ensemble: the models and their weights.
        protocol: ``auto`` (tools when supported, else text), ``tools`` or ``text``.
        max_laws: most laws asked for per round.
        inversion: on a system task, also show the model the law samples the apparatus'
            inversion reads out of its records (what the built-in search fits), so the two
            can be compared like for like; recorded as assistance ``inversion``.
        code: a :class:`CodeRunner` to offer the model a sandboxed ``run_python`` tool on its
            own data (recorded as assistance ``code``); None leaves the tool off.
        code_runs: most code runs per model step before it must answer.
    """

    def __init__(
        self,
        ensemble: Ensemble,
        *,
        protocol: str = "auto",
        max_laws: int = 3,
        inversion: bool = False,
        code: CodeRunner | None = None,
        code_runs: int = 3,
    ) -> None:
        if protocol not in PROTOCOLS:
            raise ConfigError(f"agent.options.protocol = {protocol!r} is not one of {PROTOCOLS}")
        self.ensemble = ensemble
        self.name = ensemble.name
        self.protocol = protocol
        self.max_laws = max_laws
        self.inversion = bool(inversion)
        self.code = code
        self.code_runs = int(code_runs) if code is not None else 0
        self._text_only: set[str] = set()
        self._toolless: dict[str, int] = {}
        self._journal = memory_journal()

    # -- the Proposer protocol ---------------------------------------------------------------

    def design_experiments(
        self, context: ProposalContext, rng: np.random.Generator
    ) -> list[dict[str, float]]:
        """Points for the next experiment, chosen by the model."""
        value, error, _ = self._ask("design", context, lambda c: parse_points(c, context.spec))
        if error is not None:
            raise ProposalRejected(f"your experiment request could not be used: {error}")
        assert value is not None
        return value

    def propose(self, context: ProposalContext) -> list[Candidate]:
        """Candidate laws; an unreadable reply is one failed candidate carrying the reason."""
        laws, error, call = self._ask("propose", context, parse_laws)
        common = {
            "proposer": self.name,
            "model": call.model,
            "prompt_hash": call.prompt_hash,
            "generation": context.round,
        }
        meta = {"transcript": call.key}
        if error is not None:
            excerpt = (call.completion or "").strip()[:200]
            return [
                Candidate(
                    kind=CandidateKind.EXPRESSION,
                    source=excerpt,
                    metadata=meta | {"parse_error": error},
                    **common,
                )
            ]
        assert laws is not None
        return [
            Candidate(
                kind=CandidateKind.EXPRESSION,
                source=law,
                metadata=meta | {"rank": i, "pick": i == 0},
                **common,
            )
            for i, law in enumerate(laws)
        ]

    def assistance(self, spec: TaskSpec) -> tuple[str, ...]:
        """``inversion`` when the prompt shows inverted law samples (``inversion`` on a
        system task) and ``code`` when the code tool is on; nothing otherwise: the model
        sees its raw records only."""
        kinds = [INVERSION] if self.inversion and spec.is_system else []
        if self.code is not None:
            kinds.append(CODE)
        return tuple(kinds)

    def is_confident(self, context: ProposalContext, candidates: Sequence[Candidate]) -> bool:
        """Whether the model's top law already fit the agent's data to the noise floor."""
        if not candidates or candidates[0].metadata.get("parse_error"):
            return False
        floor = max(1.5 * context.spec.noise, CONFIDENT_FLOOR)
        for item in context.best:
            if item.candidate.source == candidates[0].source:
                loss = item.evaluation.metrics.get("data_rel_log_error")
                return loss is not None and float(loss) <= floor
        return False

    # -- one call, replayed when stored ------------------------------------------------------

    def _ask(
        self, purpose: str, context: ProposalContext, parse: Callable[[Completion], T]
    ) -> tuple[T | None, str | None, ModelCall]:
        journal: Journal = context.journal or self._journal
        key = f"r{context.round}-{purpose}"
        stored = journal.lookup(key)
        if stored is not None:
            logger.info("replaying stored model call %s", key)
            return (*_parse(parse, completion_of(stored)), stored)
        self._restore_protocol_state(journal, context.round, purpose)
        rng = np.random.default_rng([context.seed, _PURPOSE_STREAM[purpose]])
        client = self.ensemble.pick(rng)
        protocol = self._protocol_for(client)
        switch: str | None = None
        turns: list[dict[str, str]] = []  # code runs of this step, fed back to the model
        for run in range(self.code_runs + 1):
            code_key = f"{key}-code{run}"
            stored_run = journal.lookup(code_key) if self.code is not None else None
            if stored_run is not None:  # a resumed step sees the same outputs again
                result = stored_run.result or {}
                turns += _code_turn(str(result.get("code", "")), str(result.get("output", "")))
                continue
            journal.check_caps()
            messages, completion, protocol, refused = self._complete(
                client, purpose, context, protocol, turns
            )
            switch = refused or switch
            code = parse_code(completion) if self.code is not None else None
            if code is None or run == self.code_runs:
                break
            assert self.code is not None
            output = self.code.run(code, context.experiments)
            logger.info("%s: ran the model's code (%d characters)", code_key, len(code))
            journal.record(
                code_key,
                purpose,
                messages,
                completion,
                {
                    "protocol": protocol,
                    "protocol_state": self._protocol_state(),
                    "code": code,
                    "output": output,
                },
            )
            turns += _code_turn(code, output)
        value, error = _parse(parse, completion)
        if protocol == "tools" and self.protocol == "auto":
            switch = self._note_toolless(client.model, completion, error) or switch
        result: dict[str, Any] = {"protocol": protocol, "protocol_state": self._protocol_state()}
        if switch is not None:
            result["protocol_switch"] = switch
        if error is not None:
            result["error"] = error
        elif purpose == "design":
            result["points"] = value
        else:
            result["laws"] = value
        call = journal.record(key, purpose, messages, completion, result)
        return value, error, call

    def _complete(
        self,
        client: Any,
        purpose: str,
        context: ProposalContext,
        protocol: str,
        turns: list[dict[str, str]],
    ) -> tuple[list[dict[str, str]], Completion, str, str | None]:
        """One model call: the messages sent, the completion, the protocol it ended in, and
        why it switched to text when the server refused the tools."""
        switch = None
        while True:
            messages = explorer_messages(
                purpose, context, protocol, self.max_laws, inversion=self.inversion
            )
            if self.code is not None:
                messages[-1]["content"] += "\n\n" + code_instructions(protocol)
            messages += turns
            tools = [experiment_tool(context.spec) if purpose == "design" else LAW_TOOL]
            if self.code is not None:
                tools.append(CODE_TOOL)
            try:
                completion = client.complete(messages, tools if protocol == "tools" else None)
                return messages, completion, protocol, switch
            except ModelRejected as exc:
                if protocol != "tools" or self.protocol != "auto":
                    raise
                if exc.status not in TOOL_REJECT_STATUSES and not exc.tools_unsupported:
                    raise
                switch = f"the server refused tool calls ({exc}); using the text protocol"
                logger.warning("%s: %s", client.model, switch)
                self._text_only.add(client.model)
                protocol = "text"

    def close(self) -> None:
        """Release the code tool's sandbox, if one was built."""
        if self.code is not None:
            self.code.close()

    def _note_toolless(self, model: str, completion: Completion, error: str | None) -> str | None:
        """Count a tools-mode reply with neither a tool call nor a readable tag; after
        ``TOOLLESS_SWITCH`` in a row, switch ``model`` to text and say why."""
        if completion.tool_calls or error is None:
            self._toolless[model] = 0
            return None
        self._toolless[model] = self._toolless.get(model, 0) + 1
        if self._toolless[model] < TOOLLESS_SWITCH:
            return None
        self._text_only.add(model)
        message = (
            f"{self._toolless[model]} replies in a row held neither a tool call nor a tag: "
            "the server seems to drop the tools; using the text protocol"
        )
        logger.warning("%s: %s", model, message)
        return message

    def _protocol_state(self) -> dict[str, Any]:
        return {"text_only": sorted(self._text_only), "toolless": dict(self._toolless)}

    def _restore_protocol_state(self, journal: Journal, round_: int, purpose: str) -> None:
        """Take the protocol state of the latest stored call before ``r{round_}-{purpose}``,
        so a resumed campaign keeps a switch made before it was stopped."""
        keys = [f"r{r}-{p}" for r in range(round_, -1, -1) for p in ("propose", "design")]
        keys = keys[keys.index(f"r{round_}-{purpose}") + 1 :][:_LOOKBACK]
        for key in keys:
            stored = journal.lookup(key)
            if stored is None:
                continue
            state = (stored.result or {}).get("protocol_state")
            if isinstance(state, dict):
                self._text_only |= {str(m) for m in state.get("text_only", [])}
                for model, count in dict(state.get("toolless", {})).items():
                    self._toolless[str(model)] = max(self._toolless.get(str(model), 0), int(count))
            return

    def _protocol_for(self, client: Any) -> str:
        if self.protocol != "auto":
            return self.protocol
        if client.model in self._text_only or not client.endpoint.preset.supports_tools:
            return "text"
        return "tools"


def _code_turn(code: str, output: str) -> list[dict[str, str]]:
    """The two messages a code run adds: what the model ran, and what it printed."""
    return [
        {"role": "assistant", "content": f"<run_python>\n{code}\n</run_python>"},
        {
            "role": "user",
            "content": f"Output of your code:\n{output}\n\nNow answer as asked above "
            "(you may run code again).",
        },
    ]


def _parse(parse: Callable[[Completion], T], completion: Completion) -> tuple[T | None, str | None]:
    try:
        return parse(completion), None
    except ParseFailure as exc:
        return None, str(exc)


def completion_of(call: ModelCall) -> Completion:
    """The completion of a stored call, for replay."""
    return Completion(
        text=call.completion,
        reasoning=call.reasoning,
        tool_calls=tuple(ToolCall(t["name"], t["arguments"]) for t in call.tool_calls),
        finish_reason=call.finish_reason,
        prompt_tokens=call.prompt_tokens,
        completion_tokens=call.completion_tokens,
        model=call.model,
    )
