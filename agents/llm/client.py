"""A chat client for any OpenAI-compatible endpoint, on the ``openai`` SDK directly.

It adds what a long campaign needs around one request: a short connect timeout and a bounded
read timeout, retries with exponential backoff (honouring ``Retry-After``) on 408, 409, 429,
5xx, connection errors, timeouts and malformed bodies, a limit on concurrent requests, SSE
streaming, and token counts for every call. The SDK's own retries are off so that every
attempt is counted here. The API key lives only inside the SDK client: every message this
module raises or logs has it redacted.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import openai

from discolab.agents.llm.presets import ModelEndpoint
from discolab.errors import ModelRejected, ModelUnavailable

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 409, 429}) | frozenset(range(500, 600))
TOOLS_UNSUPPORTED = re.compile(
    r"\btools?\b.*\b(not supported|unsupported|requires?|disabled|not enabled)"
    r"|\b(does not|doesn't|cannot|can't) support\b.*\btools?\b|tool_choice|jinja",
    re.IGNORECASE,
)
"""Error text that blames the request's ``tools`` (checked only when tools were sent)."""
Message = Mapping[str, Any]


@dataclass(frozen=True)
class ClientSettings:
    """How requests are made.

    Attributes:
        temperature: sampling temperature.
        max_tokens: cap on completion tokens per call.
        connect_timeout: seconds to open a connection (short: a dead server fails fast).
        read_timeout: seconds to wait for response bytes (bounded: a hung server fails).
        retries: extra attempts after a retryable failure (0 = one attempt only).
        backoff_s: delay before the first retry; doubles each retry.
        max_backoff_s: cap on one delay, ``Retry-After`` included.
        concurrency: most requests in flight at once through this client.
        stream: use SSE streaming (text arrives incrementally; usage requested at the end).
    """

    temperature: float = 0.7
    max_tokens: int = 2048
    connect_timeout: float = 5.0
    read_timeout: float = 120.0
    retries: int = 4
    backoff_s: float = 1.0
    max_backoff_s: float = 30.0
    concurrency: int = 4
    stream: bool = False


@dataclass(frozen=True)
class ToolCall:
    """A function call the model asked for; ``arguments`` is the raw JSON text."""

    name: str
    arguments: str


@dataclass(frozen=True)
class Completion:
    """One model answer and what it cost.

    Attributes:
        text: assistant text as received (may include ``<think>`` blocks).
        reasoning: separate ``reasoning_content``, when the server sends it.
        tool_calls: requested function calls.
        finish_reason: ``stop``, ``length`` (truncated), ``tool_calls`` ...
        prompt_tokens: input tokens (server-reported, else estimated at 4 chars a token).
        completion_tokens: output tokens, likewise.
        usage_estimated: whether the token counts are estimates.
        attempts: HTTP attempts made (1 + retries used).
        duration_s: wall-clock seconds including backoff.
        model: the model string that answered.
    """

    text: str
    reasoning: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    finish_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    usage_estimated: bool = False
    attempts: int = 1
    duration_s: float = 0.0
    model: str = ""


@dataclass
class _Assembled:
    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    tools: dict[int, list[str]] = field(default_factory=dict)
    finish_reason: str | None = None
    usage: Any = None


class _Retryable(Exception):
    """An attempt failed in a way another attempt may fix."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def estimate_tokens(text: str) -> int:
    """A rough token count (4 characters a token) for servers that report no usage."""
    return math.ceil(len(text) / 4)


class ChatClient:
    """Chat completions against one endpoint with timeouts, retries and a concurrency limit.

    Args:
        endpoint: the resolved model (base URL, model name, quirks).
        settings: timeouts, retries, sampling.
        api_key: the key to send; taken from the environment by the caller, never stored.
        sleep: how to wait between retries (tests pass a recorder).
    """

    def __init__(
        self,
        endpoint: ModelEndpoint,
        settings: ClientSettings,
        api_key: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoint = endpoint
        self.settings = settings
        self._secret = api_key
        self._sleep = sleep
        self._slots = threading.BoundedSemaphore(max(1, settings.concurrency))
        timeout = openai.Timeout(settings.read_timeout, connect=settings.connect_timeout)
        self._sdk = openai.OpenAI(
            api_key=api_key, base_url=endpoint.base_url, max_retries=0, timeout=timeout
        )

    @property
    def model(self) -> str:
        """The model string (``ollama:qwen2.5-coder``)."""
        return self.endpoint.model_string

    def redact(self, text: str) -> str:
        """``text`` with the API key replaced by ``***``."""
        return text.replace(self._secret, "***") if len(self._secret) >= 4 else text

    def complete(
        self, messages: Sequence[Message], tools: Sequence[Mapping[str, Any]] | None = None
    ) -> Completion:
        """One chat completion, retried on transient failures.

        Raises:
            ModelUnavailable: every attempt failed transiently (the message says why).
            ModelRejected: the server refused the request for good (4xx other than 408/409/429).
        """
        started = time.monotonic()
        last = ""
        attempts = self.settings.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                with self._slots:
                    done = self._attempt(messages, tools)
                return _finish(done, messages, attempt, time.monotonic() - started, self.model)
            except _Retryable as exc:
                last = self.redact(str(exc))
                if attempt == attempts:
                    break
                delay = self._delay(attempt, exc.retry_after)
                logger.warning(
                    "%s: attempt %d/%d failed (%s); retrying in %.2g s",
                    self.model,
                    attempt,
                    attempts,
                    last,
                    delay,
                )
                self._sleep(delay)
        raise ModelUnavailable(
            f"model {self.model} at {self.endpoint.base_url} failed after {attempts} "
            f"attempt(s): {last}"
        )

    def complete_many(
        self, requests: Sequence[tuple[Sequence[Message], Sequence[Mapping[str, Any]] | None]]
    ) -> list[Completion | Exception]:
        """Several completions at once, at most ``concurrency`` in flight; order kept.

        A failed request yields its exception in place of a completion.
        """

        def one(request: tuple[Sequence[Message], Any]) -> Completion | Exception:
            try:
                return self.complete(*request)
            except (ModelUnavailable, ModelRejected) as exc:
                return exc

        with ThreadPoolExecutor(max_workers=max(1, self.settings.concurrency)) as pool:
            return list(pool.map(one, requests))

    # -- one attempt -------------------------------------------------------------------------

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        cap = self.settings.max_backoff_s
        if retry_after is not None and retry_after >= 0:
            return min(retry_after, cap)
        return min(self.settings.backoff_s * 2 ** (attempt - 1), cap)

    def _request(
        self, messages: Sequence[Message], tools: Sequence[Mapping[str, Any]] | None
    ) -> dict[str, Any]:
        preset = self.endpoint.preset
        body: dict[str, Any] = {
            "model": self.endpoint.model,
            "messages": [dict(m) for m in messages],
            "temperature": self.settings.temperature,
            preset.max_tokens_param: self.settings.max_tokens,
        }
        if tools:
            body["tools"] = [dict(t) for t in tools]
        if self.settings.stream:
            body["stream"] = True
            if preset.stream_usage:
                body["stream_options"] = {"include_usage": True}
        return body

    def _attempt(
        self, messages: Sequence[Message], tools: Sequence[Mapping[str, Any]] | None
    ) -> _Assembled:
        try:
            response = self._sdk.chat.completions.create(**self._request(messages, tools))
            if self.settings.stream:
                return _assemble_stream(response)
            return _assemble(response)
        except openai.APITimeoutError:
            raise _Retryable(
                f"no answer within the read timeout of {self.settings.read_timeout:g} s"
            ) from None
        except openai.APIConnectionError as exc:
            raise _Retryable(f"connection failed: {exc}") from None
        except openai.APIStatusError as exc:
            text = _error_text(exc)
            detail = f"HTTP {exc.status_code}: {text}"
            if tools and TOOLS_UNSUPPORTED.search(text):
                # llama.cpp without --jinja answers 500 "tools param requires --jinja flag":
                # not transient, and the caller can fall back to the text protocol.
                raise ModelRejected(
                    self.redact(f"model {self.model} refused the tools: {detail}"),
                    exc.status_code,
                    tools_unsupported=True,
                ) from None
            if exc.status_code in RETRY_STATUSES:
                raise _Retryable(detail, _retry_after(exc)) from None
            raise ModelRejected(
                self.redact(f"model {self.model} refused the request: {detail}"),
                exc.status_code,
            ) from None
        except (ValueError, TypeError, AttributeError, openai.APIError) as exc:
            # JSONDecodeError is a ValueError; wrong shapes surface as Type/AttributeError.
            raise _Retryable(f"malformed response body ({type(exc).__name__}: {exc})") from None


def _error_text(exc: openai.APIStatusError) -> str:
    try:
        data = exc.response.json()
        message = data.get("error", {}).get("message") if isinstance(data, dict) else None
    except ValueError:
        message = None
    return str(message or exc.message)[:300]


def _retry_after(exc: openai.APIStatusError) -> float | None:
    raw = exc.response.headers.get("retry-after")
    try:
        return float(raw) if raw is not None else None
    except ValueError:
        return None


def _extra(obj: Any, name: str) -> Any:
    value = getattr(obj, name, None)
    if value is None:
        value = (getattr(obj, "model_extra", None) or {}).get(name)
    return value


def _assemble(response: Any) -> _Assembled:
    choices = getattr(response, "choices", None)
    if not choices:
        raise ValueError("the response holds no choices")
    choice = choices[0]
    message = choice.message
    done = _Assembled(finish_reason=choice.finish_reason, usage=getattr(response, "usage", None))
    done.text.append(message.content or "")
    reasoning = _extra(message, "reasoning_content") or _extra(message, "reasoning")
    if isinstance(reasoning, str):
        done.reasoning.append(reasoning)
    for i, call in enumerate(message.tool_calls or []):
        function = call.function
        args = function.arguments
        done.tools[i] = [function.name or "", args if isinstance(args, str) else json.dumps(args)]
    return done


def _assemble_stream(stream: Any) -> _Assembled:
    done = _Assembled()
    for chunk in stream:
        if getattr(chunk, "usage", None) is not None:
            done.usage = chunk.usage
        for choice in chunk.choices or []:
            delta = choice.delta
            if delta is None:
                continue
            if delta.content:
                done.text.append(delta.content)
            reasoning = _extra(delta, "reasoning_content") or _extra(delta, "reasoning")
            if isinstance(reasoning, str):
                done.reasoning.append(reasoning)
            for call in delta.tool_calls or []:
                slot = done.tools.setdefault(call.index, ["", ""])
                if call.function is not None:
                    slot[0] += call.function.name or ""
                    slot[1] += call.function.arguments or ""
            if choice.finish_reason:
                done.finish_reason = choice.finish_reason
    return done


def _finish(
    done: _Assembled, messages: Sequence[Message], attempts: int, duration: float, model: str
) -> Completion:
    text = "".join(done.text)
    reasoning = "".join(done.reasoning) or None
    calls = tuple(ToolCall(name, args) for _, (name, args) in sorted(done.tools.items()))
    usage = done.usage
    prompt = getattr(usage, "prompt_tokens", None)
    output = getattr(usage, "completion_tokens", None)
    estimated = not isinstance(prompt, int) or not isinstance(output, int)
    if estimated:
        sent = "".join(str(m.get("content") or "") for m in messages)
        received = text + (reasoning or "") + "".join(c.arguments for c in calls)
        prompt, output = estimate_tokens(sent), estimate_tokens(received)
    return Completion(
        text=text,
        reasoning=reasoning,
        tool_calls=calls,
        finish_reason=done.finish_reason,
        prompt_tokens=int(prompt),
        completion_tokens=int(output),
        usage_estimated=estimated,
        attempts=attempts,
        duration_s=duration,
        model=model,
    )
