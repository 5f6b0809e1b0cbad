"""A small OpenAI-compatible HTTP server for tests, on 127.0.0.1, scripted per request.

The ``openai`` SDK (>= 3) talks through httpx2, which respx cannot intercept, so tests drive
the real client against this server instead. Each request to ``/v1/chat/completions`` takes
the next scripted :class:`Reply` from a queue (or asks a ``responder`` callable when the queue
is empty), and every request is recorded with its headers and JSON body so tests can assert
what the client sent.

A reply can be a normal completion (text, tool calls, ``reasoning_content``), an SSE stream,
an HTTP error with ``Retry-After``, a malformed body, or a delay longer than the client's read
timeout. Token usage is counted as ``ceil(characters / 4)`` of the prompt and the completion.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer.

    Attributes:
        content: assistant text (may hold ``<think>`` blocks, tags, fences...).
        tool_calls: ``[(name, arguments-as-JSON-string-or-object), ...]``.
        reasoning: a ``reasoning_content`` field on the message (vLLM / DeepSeek style).
        status: HTTP status; not 200 means an error body.
        retry_after: a ``Retry-After`` header value (seconds) for error replies.
        raw_body: bytes sent verbatim instead of a JSON completion (malformed bodies).
        delay: seconds to wait before answering (beyond the read timeout: a hang).
        finish_reason: ``stop``, ``length`` (truncated) or ``tool_calls``.
        usage: ``False`` to leave the usage block out.
    """

    content: str | None = None
    tool_calls: list[tuple[str, Any]] = field(default_factory=list)
    reasoning: str | None = None
    status: int = 200
    retry_after: float | None = None
    raw_body: bytes | None = None
    delay: float = 0.0
    finish_reason: str | None = None
    usage: bool = True


@dataclass
class Request:
    """One recorded request."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]


Responder = Callable[[dict[str, Any]], Reply]


def count_tokens(text: str) -> int:
    """The fake tokenizer: one token per four characters, rounded up."""
    return math.ceil(len(text) / 4)


def _prompt_text(body: dict[str, Any]) -> str:
    return "".join(str(m.get("content") or "") for m in body.get("messages", []))


class FakeOpenAI:
    """The server state: the script queue, a fallback responder, and the request log."""

    def __init__(self) -> None:
        self.queue: deque[Reply] = deque()
        self.responder: Responder | None = None
        self.requests: list[Request] = []
        self.url = ""
        self._lock = threading.Lock()

    def script(self, *replies: Reply) -> None:
        """Queue replies, answered in order."""
        self.queue.extend(replies)

    def next_reply(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            if self.queue:
                return self.queue.popleft()
        if self.responder is not None:
            return self.responder(body)
        return Reply(status=500, raw_body=b'{"error": {"message": "script exhausted"}}')

    @property
    def chat_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]


def completion_json(reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
    """The JSON body of a non-streamed chat completion for ``reply``."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    if reply.reasoning is not None:
        message["reasoning_content"] = reply.reasoning
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": f"call_{i}",
                "type": "function",
                "function": {
                    "name": name,
                    "arguments": args if isinstance(args, str) else json.dumps(args),
                },
            }
            for i, (name, args) in enumerate(reply.tool_calls)
        ]
    finish = reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")
    data: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
    }
    if reply.usage:
        out = (reply.content or "") + "".join(str(a) for _, a in reply.tool_calls)
        prompt, completion = count_tokens(_prompt_text(body)), count_tokens(out)
        data["usage"] = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }
    return data


def sse_events(reply: Reply, body: dict[str, Any]) -> Iterator[bytes]:
    """The SSE chunks of a streamed completion: content in pieces, then tool calls, usage."""
    base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0}
    base["model"] = body.get("model", "fake")

    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        data = base | {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        return f"data: {json.dumps(data)}\n\n".encode()

    yield chunk({"role": "assistant", "content": ""})
    if reply.reasoning:
        yield chunk({"reasoning_content": reply.reasoning})
    text = reply.content or ""
    for start in range(0, len(text), 7):
        yield chunk({"content": text[start : start + 7]})
    for i, (name, args) in enumerate(reply.tool_calls):
        arguments = args if isinstance(args, str) else json.dumps(args)
        head = {"index": i, "id": f"call_{i}", "type": "function"}
        yield chunk({"tool_calls": [head | {"function": {"name": name, "arguments": ""}}]})
        half = len(arguments) // 2
        for piece in (arguments[:half], arguments[half:]):
            yield chunk({"tool_calls": [{"index": i, "function": {"arguments": piece}}]})
    yield chunk({}, reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop"))
    if reply.usage and (body.get("stream_options") or {}).get("include_usage"):
        usage = completion_json(reply, body)["usage"]
        yield f"data: {json.dumps(base | {'choices': [], 'usage': usage})}\n\n".encode()
    yield b"data: [DONE]\n\n"


def _lower(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def _handler(state: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return None

        def _send(self, status: int, payload: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            state.requests.append(Request(self.path, _lower(self.headers), {}))
            if self.path.endswith("/models"):
                body = {"object": "list", "data": [{"id": "fake", "object": "model"}]}
                self._send(200, json.dumps(body).encode(), {"Content-Type": "application/json"})
            else:
                self._send(404, b'{"error": {"message": "not found"}}', {})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                body = {"_raw": raw.decode("utf-8", "replace")}
            state.requests.append(Request(self.path, _lower(self.headers), body))
            if not self.path.endswith("/chat/completions"):
                self._send(404, b'{"error": {"message": "not found"}}', {})
                return
            reply = state.next_reply(body)
            if reply.delay:
                time.sleep(reply.delay)
            json_type = {"Content-Type": "application/json"}
            if reply.status != 200:
                headers = dict(json_type)
                if reply.retry_after is not None:
                    headers["Retry-After"] = f"{reply.retry_after:g}"
                payload = (
                    reply.raw_body
                    or json.dumps(
                        {"error": {"message": f"fake error {reply.status}", "type": "fake"}}
                    ).encode()
                )
                self._send(reply.status, payload, headers)
            elif reply.raw_body is not None:
                self._send(200, reply.raw_body, json_type)
            elif body.get("stream"):
                self._stream(reply, body)
            else:
                self._send(200, json.dumps(completion_json(reply, body)).encode(), json_type)

        def _stream(self, reply: Reply, body: dict[str, Any]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            for event in sse_events(reply, body):
                self.wfile.write(event)
                self.wfile.flush()
            self.close_connection = True

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (read timeout) closes the socket: not an error here."""
        return None


@contextmanager
def serve() -> Iterator[FakeOpenAI]:
    """Run a fresh fake server on ``127.0.0.1:<free port>`` for the duration of the block."""
    state = FakeOpenAI()
    server = _Server(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
