"""Tolerant reading of model output: reasoning blocks, code fences, tags, prose, bad JSON.

Models wrap answers in prose, fences and ``<think>`` blocks, stop mid-answer, and write JSON
with trailing commas or comments. These helpers recover the answer when it is there and
otherwise raise :class:`ParseFailure` with a message written for the model's next prompt.
Nothing here evaluates model text: JSON goes through ``json.loads``, formulas stay strings
for the safe expression parser.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from discolab.errors import DiscolabError

_REASONING_TAGS = ("think", "thinking", "reasoning", "reflection")
_FENCE = re.compile(r"```[A-Za-z0-9_+-]*[ \t]*\n?(.*?)(?:```|\Z)", re.DOTALL)
_TRAILING_COMMA = re.compile(r",\s*([\]}])")
_LINE_COMMENT = re.compile(r"//[^\n]*")


class ParseFailure(DiscolabError):
    """The completion holds no usable answer; the message is feedback for the model."""


@dataclass(frozen=True)
class Split:
    """A completion split into its answer and its reasoning."""

    answer: str
    reasoning: str
    unfinished_reasoning: bool = False


def split_reasoning(text: str) -> Split:
    """Separate ``<think>…</think>`` (and similar) blocks from the answer.

    An opening tag without a closing one means the output stopped while still reasoning:
    everything after it is reasoning and the answer is what came before.
    """
    reasoning: list[str] = []
    answer = text or ""
    unfinished = False
    for tag in _REASONING_TAGS:
        pattern = re.compile(rf"<{tag}>(.*?)</{tag}>", re.DOTALL | re.IGNORECASE)
        reasoning.extend(m.group(1).strip() for m in pattern.finditer(answer))
        answer = pattern.sub("", answer)
        opened = re.search(rf"<{tag}>", answer, re.IGNORECASE)
        if opened:
            reasoning.append(answer[opened.end() :].strip())
            answer = answer[: opened.start()]
            unfinished = True
        # A lone closing tag: the server dropped the opening one (some chat templates do).
        closing = re.search(rf"</{tag}>", answer, re.IGNORECASE)
        if closing:
            reasoning.append(answer[: closing.start()].strip())
            answer = answer[closing.end() :]
    return Split(answer.strip(), "\n".join(r for r in reasoning if r), unfinished)


def strip_fences(text: str) -> str:
    """The inside of the first code fence, or the text itself when there is none."""
    match = _FENCE.search(text)
    return match.group(1).strip() if match else text.strip()


def find_tags(text: str, tag: str) -> tuple[list[str], bool]:
    """Contents of every ``<tag>…</tag>``; the flag says a last tag was left unclosed."""
    pattern = re.compile(rf"<{tag}>(.*?)</{tag}>", re.DOTALL | re.IGNORECASE)
    found = [m.group(1).strip() for m in pattern.finditer(text)]
    rest = pattern.sub("", text)
    opened = re.search(rf"<{tag}>(.*)\Z", rest, re.DOTALL | re.IGNORECASE)
    if opened:
        found.append(opened.group(1).strip())
    return found, opened is not None


def loads_lenient(text: str) -> Any:
    """Parse JSON from model output: fences, surrounding prose, trailing commas, ``//``.

    Raises ParseFailure naming the problem (and the position) when nothing parses.
    """
    body = strip_fences(text)
    candidates = [body]
    starts = [i for i in (body.find("["), body.find("{")) if i >= 0]
    if starts:
        start = min(starts)
        end = max(body.rfind("]"), body.rfind("}"))
        if end > start:
            candidates.append(body[start : end + 1])
    error: json.JSONDecodeError | None = None
    for candidate in candidates:
        for attempt in (candidate, _TRAILING_COMMA.sub(r"\1", _LINE_COMMENT.sub("", candidate))):
            try:
                return json.loads(attempt)
            except json.JSONDecodeError as exc:
                error = error or exc
    snippet = body[:120].replace("\n", " ")
    where = f" at line {error.lineno} column {error.colno}" if error else ""
    raise ParseFailure(f"invalid JSON{where}: {error.msg if error else 'empty'}; got {snippet!r}")


_LHS = re.compile(r"^\s*[A-Za-z_][A-Za-z0-9_]*(\([^)]*\))?\s*=(?!=)")


def clean_formula(text: str) -> str:
    """A formula from a tag or tool argument: fences, backticks, ``F =``, ``$`` removed."""
    formula = strip_fences(text).strip().strip("`").strip("$").strip()
    formula = _LHS.sub("", formula, count=1).strip()
    return formula.rstrip(".;").strip()
