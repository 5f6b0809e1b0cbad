"""``discolab show ID --prompts``: every model call with its prompt, completion and products.

Text from models and prompts is printed without rich markup, so brackets in it are shown as
they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.rule import Rule


def print_transcripts(console: Console, calls: Sequence[Any], records: Sequence[Any]) -> None:
    """Print each stored call: usage line, messages, reasoning, completion, what it produced."""
    by_transcript: dict[str, list[Any]] = {}
    for record in records:
        key = record.candidate.metadata.get("transcript")
        if key:
            by_transcript.setdefault(key, []).append(record)
    if not calls:
        console.print("no model calls stored for this campaign")
        return
    for call in calls:
        console.print(Rule(f"{call.key}  {call.purpose}  {call.model}"))
        console.print(
            f"tokens {call.prompt_tokens:,} in / {call.completion_tokens:,} out, "
            f"{call.attempts} attempt(s), {call.duration_s:.2f} s, finish {call.finish_reason}, "
            f"prompt {call.prompt_hash}",
            markup=False,
        )
        for message in call.messages:
            console.print(f"[bold]{message.get('role', '?')}[/]:")
            console.print(str(message.get("content") or ""), markup=False)
        if call.reasoning:
            console.print("[bold]reasoning[/]:")
            console.print(call.reasoning, markup=False)
        console.print("[bold]completion[/]:")
        console.print(call.completion or "(no text)", markup=False)
        for tool in call.tool_calls:
            console.print(f"tool call {tool.get('name')}({tool.get('arguments')})", markup=False)
        error = call.result.get("error")
        if error:
            console.print(f"unreadable: {error}", markup=False)
        for record in by_transcript.get(call.key, []):
            ev = record.evaluation
            verdict = "not evaluated" if ev is None else (ev.error or f"score {ev.score:.3g}")
            console.print(
                f"-> candidate {record.candidate.id}: {record.candidate.source!r} ({verdict})",
                markup=False,
            )
        if call.purpose == "design" and "points" in call.result:
            console.print(f"-> experiment of {len(call.result['points'])} point(s)")
