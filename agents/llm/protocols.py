"""The explorer's two protocols with a model: tool calls, or tagged text.

With tools the model calls ``run_experiment`` (``{"points": [{...}, ...]}``) and
``propose_law`` (``{"formula": "..."}``). Without them it writes
``<run_experiment>[{...}, ...]</run_experiment>`` and ``<final_law>...</final_law>``. The
readers here accept either in any reply, so a model that answers in text although tools were
offered still gets through. A reply without a usable answer raises ParseFailure with feedback
for the next prompt.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from discolab.agents.llm.client import Completion
from discolab.agents.llm.parsing import (
    ParseFailure,
    clean_formula,
    find_tags,
    loads_lenient,
    split_reasoning,
)
from discolab.types import TaskSpec

PROTOCOLS = ("auto", "tools", "text")
MAX_LAWS = 5


def experiment_tool(spec: TaskSpec) -> dict[str, Any]:
    """The ``run_experiment`` function schema for a task."""
    point = {
        "type": "object",
        "properties": {
            v.name: {"type": "number", "description": f"{v.unit}, in [{v.low:g}, {v.high:g}]"}
            for v in spec.inputs
        },
        "required": list(spec.input_names),
    }
    return {
        "type": "function",
        "function": {
            "name": "run_experiment",
            "description": f"Measure {spec.output.name} at up to {spec.max_batch} input points; "
            "one call of the experiment budget.",
            "parameters": {
                "type": "object",
                "properties": {"points": {"type": "array", "items": point}},
                "required": ["points"],
            },
        },
    }


LAW_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "propose_law",
        "description": "Propose a law as a Python expression of the inputs and free parameters "
        "C, C1, C2, ...; call once per law, best first.",
        "parameters": {
            "type": "object",
            "properties": {"formula": {"type": "string"}},
            "required": ["formula"],
        },
    },
}


@dataclass(frozen=True)
class Answer:
    """A completion read: the answer text, its reasoning, whether it was cut off."""

    text: str
    reasoning: str
    truncated: bool


def read(completion: Completion) -> Answer:
    """Split reasoning off a completion and note truncation."""
    split = split_reasoning(completion.text)
    reasoning = "\n".join(r for r in (completion.reasoning or "", split.reasoning) if r)
    truncated = completion.finish_reason == "length" or split.unfinished_reasoning
    return Answer(split.answer, reasoning, truncated)


def _truncation_note(answer: Answer) -> str:
    return " (your reply was cut off at the token limit; answer more briefly)" * answer.truncated


def parse_points(completion: Completion, spec: TaskSpec) -> list[dict[str, float]]:
    """Experiment points from a ``run_experiment`` tool call or tag."""
    answer = read(completion)
    raw: Any = None
    for call in completion.tool_calls:
        if call.name == "run_experiment":
            data = loads_lenient(call.arguments)
            raw = data.get("points", data) if isinstance(data, Mapping) else data
            break
    else:
        bodies, unclosed = find_tags(answer.text, "run_experiment")
        if not bodies:
            raise ParseFailure(
                "no experiment found: call run_experiment, or write "
                '<run_experiment>[{"name": value, ...}, ...]</run_experiment>'
                + _truncation_note(answer)
            )
        try:
            raw = loads_lenient(bodies[0])
        except ParseFailure as exc:
            note = " (the tag was not closed)" if unclosed else ""
            raise ParseFailure(f"{exc}{note}{_truncation_note(answer)}") from None
        if isinstance(raw, Mapping) and "points" in raw:
            raw = raw["points"]
    return _points(raw, spec)


def _points(raw: Any, spec: TaskSpec) -> list[dict[str, float]]:
    if isinstance(raw, Mapping):
        raw = [raw]
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
        raise ParseFailure("an experiment is a non-empty JSON list of objects, one per point")
    points: list[dict[str, float]] = []
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise ParseFailure(f"point {i} is {json.dumps(item)[:60]}, expected an object")
        point: dict[str, float] = {}
        for name, value in item.items():
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise ParseFailure(f"point {i}: {name}={value!r} is not a number") from None
            if not math.isfinite(number):
                raise ParseFailure(f"point {i}: {name}={value!r} is not finite")
            point[str(name)] = number
        points.append(point)
    if len(points) > spec.max_batch:
        raise ParseFailure(f"{len(points)} points exceed the limit of {spec.max_batch} per call")
    return points


def parse_laws(completion: Completion) -> list[str]:
    """Formulas from ``propose_law`` tool calls or ``<final_law>`` tags, best first."""
    answer = read(completion)
    laws: list[str] = []
    for call in completion.tool_calls:
        if call.name != "propose_law":
            continue
        try:
            data = loads_lenient(call.arguments)
        except ParseFailure:
            data = call.arguments
        formula = data.get("formula") if isinstance(data, Mapping) else data
        if isinstance(formula, str) and formula.strip():
            laws.append(clean_formula(formula))
    if not laws:
        bodies, _ = find_tags(answer.text, "final_law")
        laws = [clean_formula(b) for b in bodies if clean_formula(b)]
    if not laws:
        raise ParseFailure(
            "no law found: call propose_law, or write <final_law>FORMULA</final_law> with a "
            "Python expression such as C*x**2/y" + _truncation_note(answer)
        )
    return list(dict.fromkeys(laws))[:MAX_LAWS]


def describe(completion: Completion) -> list[dict[str, Any]]:
    """Tool calls as plain dicts (for transcripts)."""
    return [{"name": c.name, "arguments": c.arguments} for c in completion.tool_calls]
