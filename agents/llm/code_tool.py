"""A sandboxed code tool for model agents: run Python on your own experiment data.

NewtonBench's "code-assisted" setting lets a model compute on its measurements (fit a line
in log space, compare candidate laws) before it answers; the paper found it helps weaker
models and can hurt stronger ones. Here the model asks with a ``run_python`` tool call or a
``<run_python>...</run_python>`` tag; the code runs inside the campaign's sandbox (Docker:
no network, read-only root, capped memory, processes, time and output) with one file,
``data.json``, holding the agent's own experiments and nothing else: no store, no
environment, no hidden law. Its printed output (capped) goes back to the model.

A proposer with the tool on records assistance ``code`` (see :mod:`discolab.assistance`), so
the leaderboard never ranks it with runs that had no tool.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from discolab.agents.llm.client import Completion
from discolab.agents.llm.parsing import find_tags, loads_lenient
from discolab.agents.llm.protocols import read
from discolab.errors import DiscolabError
from discolab.sandbox import Limits, Sandbox, SandboxConfig, make_sandbox
from discolab.types import Experiment

CODE_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "run_python",
        "description": "Run Python 3 (numpy and scipy available, no network) on your own "
        "measurements, read from data.json; you get back what it prints.",
        "parameters": {
            "type": "object",
            "properties": {"code": {"type": "string"}},
            "required": ["code"],
        },
    },
}

CODE_LIMITS = Limits(
    timeout=20.0, memory_mb=512, pids=32, output_bytes=64 << 10, file_mb=8, workdir_mb=32
)
"""Caps of one code run."""

MAX_OUTPUT_CHARS = 4000
"""Most characters of a run's output shown back to the model."""


def code_instructions(protocol: str) -> str:
    """The paragraph that offers the tool in a prompt."""
    how = (
        'call the run_python tool with {"code": "..."}'
        if protocol == "tools"
        else "write <run_python>your code</run_python>"
    )
    return (
        "Before you answer you may run Python on your measurements: "
        f"{how}. The file data.json holds a list of your measurements, each "
        '{"call": N, "inputs": {...}, "output": ...}; numpy and scipy are available, '
        "there is no network, and you get back what the code prints."
    )


def parse_code(completion: Completion) -> str | None:
    """The code of a ``run_python`` request in ``completion``, or None."""
    for call in completion.tool_calls:
        if call.name == "run_python":
            try:
                data = loads_lenient(call.arguments)
            except DiscolabError:
                return str(call.arguments)
            code = data.get("code") if isinstance(data, Mapping) else data
            return str(code) if code else None
    bodies, _ = find_tags(read(completion).text, "run_python")
    if bodies and bodies[0].strip():
        return _strip_fence(bodies[0])
    return None


def _strip_fence(code: str) -> str:
    lines = code.strip().splitlines()
    if lines and lines[0].startswith("```"):
        lines = lines[1:]
    if lines and lines[-1].startswith("```"):
        lines = lines[:-1]
    return "\n".join(lines)


def data_file(experiments: Sequence[Experiment]) -> str:
    """``data.json``: the agent's own experiments as JSON (non-finite values as null)."""
    rows = [
        {"call": exp.index, "inputs": dict(point), "output": _jsonable(output)}
        for exp in experiments
        for point, output in zip(exp.inputs, exp.outputs, strict=True)
    ]
    return json.dumps(rows)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if hasattr(value, "tolist"):
        return _jsonable(value.tolist())
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass
class CodeRunner:
    """Runs model code in a sandbox of kind ``sandbox`` (built on first use).

    Attributes:
        sandbox: ``docker``, ``process`` or ``auto`` (see :func:`make_sandbox`).
        limits: caps of one run.
    """

    sandbox: str = "auto"
    limits: Limits = CODE_LIMITS
    _box: Sandbox | None = field(default=None, init=False, repr=False)

    def run(self, code: str, experiments: Sequence[Experiment]) -> str:
        """Run ``code`` on the agent's data; the text the model gets back (never raises on
        what the code does)."""
        try:
            box = self._sandbox()
            result = box.run_python(code, files={"data.json": data_file(experiments)})
        except DiscolabError as exc:
            return f"the code could not be run: {exc}"
        parts = []
        if result.stdout:
            parts.append(result.stdout)
        if not result.ok:
            parts.append(f"[the run {result.failure_reason}]")
            if result.stderr:
                parts.append(result.stderr[-1500:])
        text = "\n".join(parts).strip() or "(the code printed nothing)"
        if len(text) > MAX_OUTPUT_CHARS:
            text = text[:MAX_OUTPUT_CHARS] + f"\n[output cut at {MAX_OUTPUT_CHARS} characters]"
        return text

    def close(self) -> None:
        """Release the sandbox (its containers), if one was built."""
        if self._box is not None:
            self._box.close()
            self._box = None

    def _sandbox(self) -> Sandbox:
        if self._box is None:
            self._box = make_sandbox(self.sandbox, SandboxConfig(limits=self.limits, pool_size=0))
        return self._box
