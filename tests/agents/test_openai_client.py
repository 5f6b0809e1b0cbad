"""The chat client against the fake server: completions, streaming, retries, timeouts."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from openai_server import FakeOpenAI, Reply

from discolab.agents.llm.client import ChatClient, ClientSettings
from discolab.agents.llm.presets import resolve_model
from discolab.errors import ModelRejected, ModelUnavailable

KEY = "sk-test-SECRET-0123456789"
HELLO = [{"role": "user", "content": "hello there"}]


def _client(
    server: FakeOpenAI, sleeps: list[float] | None = None, **settings: object
) -> ChatClient:
    base = {"read_timeout": 1.0, "connect_timeout": 0.5, "retries": 2, "backoff_s": 0.01}
    endpoint = resolve_model("openai:fake-model", base_url=server.url)
    recorder = sleeps.append if sleeps is not None else time.sleep
    return ChatClient(endpoint, ClientSettings(**(base | settings)), KEY, sleep=recorder)


def test_completion_with_reasoning_and_usage(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply(content="<think>hmm</think>answer", reasoning="deep thought"))
    done = _client(fake_openai).complete(HELLO)
    assert done.text == "<think>hmm</think>answer"
    assert done.reasoning == "deep thought"
    assert (done.prompt_tokens, done.completion_tokens) == (3, 6)
    assert not done.usage_estimated and done.attempts == 1
    request = fake_openai.chat_requests[0]
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.body["model"] == "fake-model"
    assert request.body["max_completion_tokens"] == 2048  # the openai preset's quirk


def test_streaming_assembles_text_tool_calls_and_usage(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(
        Reply(
            content="Measuring now, please wait.",
            reasoning="plan",
            tool_calls=[("run_experiment", {"points": [{"x": 1.5}]})],
        )
    )
    done = _client(fake_openai, stream=True).complete(HELLO, tools=[{"type": "function"}])
    assert done.text == "Measuring now, please wait."
    assert done.reasoning == "plan"
    assert [(c.name, c.arguments) for c in done.tool_calls] == [
        ("run_experiment", '{"points": [{"x": 1.5}]}')
    ]
    assert done.finish_reason == "tool_calls"
    assert done.prompt_tokens == 3 and not done.usage_estimated
    body = fake_openai.chat_requests[0].body
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}


def test_429_and_503_then_success_honours_retry_after(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(
        Reply(status=429, retry_after=0.05), Reply(status=503), Reply(content="finally")
    )
    sleeps: list[float] = []
    done = _client(fake_openai, sleeps).complete(HELLO)
    assert done.text == "finally" and done.attempts == 3
    assert sleeps == [0.05, 0.02]  # Retry-After, then backoff 0.01 * 2


def test_retry_after_is_capped(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply(status=429, retry_after=3600), Reply(content="ok"))
    sleeps: list[float] = []
    _client(fake_openai, sleeps, max_backoff_s=0.5).complete(HELLO)
    assert sleeps == [0.5]


def test_malformed_bodies_are_retried(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(
        Reply(raw_body=b"{not json"), Reply(raw_body=b'{"x": 1}'), Reply(content="ok")
    )
    assert _client(fake_openai, []).complete(HELLO).text == "ok"


def test_a_hung_server_fails_after_bounded_retries(fake_openai: FakeOpenAI) -> None:
    released = threading.Event()

    def hang(body: dict[str, Any]) -> Reply:  # answers only once the client has given up
        released.wait(timeout=30)
        return Reply(content="late")

    fake_openai.responder = hang
    sleeps: list[float] = []
    try:
        with pytest.raises(ModelUnavailable) as info:
            _client(fake_openai, sleeps, read_timeout=0.2, retries=1).complete(HELLO)
    finally:
        released.set()
    assert "read timeout of 0.2 s" in str(info.value) and "2 attempt(s)" in str(info.value)
    assert len(fake_openai.chat_requests) == 2 and len(sleeps) == 1  # one retry, one backoff


def test_errors_after_retries_never_show_the_key(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(
        *[Reply(status=500, raw_body=f'{{"error": {{"message": "{KEY}"}}}}'.encode())] * 3
    )
    with pytest.raises(ModelUnavailable) as info:
        _client(fake_openai, []).complete(HELLO)
    assert KEY not in str(info.value) and "***" in str(info.value)
    assert "HTTP 500" in str(info.value)


def test_client_errors_are_not_retried(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply(status=400), Reply(content="never"))
    with pytest.raises(ModelRejected) as info:
        _client(fake_openai, []).complete(HELLO)
    assert info.value.status == 400
    assert len(fake_openai.chat_requests) == 1


def test_connection_refused_is_retried_then_reported() -> None:
    endpoint = resolve_model("vllm:m", base_url="http://127.0.0.1:9/v1")
    sleeps: list[float] = []
    settings = ClientSettings(connect_timeout=0.2, read_timeout=0.2, retries=2, backoff_s=0.01)
    with pytest.raises(ModelUnavailable, match="connection failed"):
        ChatClient(endpoint, settings, "dummy", sleep=sleeps.append).complete(HELLO)
    assert len(sleeps) == 2


def test_missing_usage_is_estimated(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply(content="12345678", usage=False))
    done = _client(fake_openai).complete(HELLO)
    assert done.usage_estimated and done.completion_tokens == 2


def test_concurrency_limit_bounds_requests_in_flight(fake_openai: FakeOpenAI) -> None:
    lock = threading.Lock()
    flight = {"now": 0, "peak": 0, "answered": 0}
    pair = threading.Barrier(2, timeout=20)  # a request is answered only beside another one

    def respond(body: dict[str, Any]) -> Reply:
        with lock:
            flight["now"] += 1
            flight["peak"] = max(flight["peak"], flight["now"])
        try:
            pair.wait()
        finally:
            with lock:
                flight["now"] -= 1
                flight["answered"] += 1
                answer = str(flight["answered"] - 1)
        return Reply(content=answer)

    fake_openai.responder = respond
    results = _client(fake_openai, concurrency=2).complete_many([(HELLO, None)] * 4)
    assert sorted(r.text for r in results) == ["0", "1", "2", "3"]  # type: ignore[union-attr]
    assert flight["peak"] == 2  # requests ran two at a time, never more
