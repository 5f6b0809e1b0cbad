"""Prompt building from the template files in ``agents/prompts/`` (``string.Template``).

Templates are package data loaded with :mod:`importlib.resources`, so they ship with the
wheel and golden tests can pin their rendered text. The explorer's prompts hold the task
statement, the agent's own experiment log, the laws tried with their agent-visible feedback
and the last problem (a refused experiment, an unreadable reply) — never the hidden law or
any held-out figure.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

from discolab.agents.proposers.base import ProposalContext, ScoredCandidate
from discolab.environments.observations import law_data
from discolab.errors import ExperimentError
from discolab.types import TaskSpec

MAX_LOG_POINTS = 120
MAX_LOG_RUNS = 24
SERIES_SHOWN = 16
MAX_LAWS_SHOWN = 10
MAX_INVERTED_SAMPLES = 60
"""Most law samples of the apparatus inversion shown in one prompt (evenly thinned)."""


@cache
def template(name: str) -> string.Template:
    """The template ``agents/prompts/NAME.txt``."""
    text = resources.files("discolab.agents.prompts").joinpath(f"{name}.txt").read_text("utf-8")
    return string.Template(text)


def render(name: str, **values: Any) -> str:
    """Render a template; every placeholder must be given (a KeyError names a missing one)."""
    return template(name).substitute(**{k: str(v) for k, v in values.items()}).strip()


def _num(value: float) -> str:
    return f"{value:.6g}"


def system_prompt(spec: TaskSpec) -> str:
    """The explorer's system message: the task statement and the rules."""
    inputs = "\n".join(
        f"- {v.name} ({v.unit}): {v.description or v.name}, range [{v.low:g}, {v.high:g}]"
        for v in spec.inputs
    )
    output = f"{spec.output.name} ({spec.output.unit}) {spec.output.description}".rstrip()
    if spec.is_system:
        records = ", ".join(f"{v.name} ({v.unit})" for v in spec.observables)
        output = (
            f"each run records the series {records}; the law you propose gives {output} "
            f"from {', '.join(spec.formula_names)}"
        )
    return render(
        "explorer_system",
        title=spec.title,
        description=spec.description,
        inputs=inputs,
        output=output,
        budget=spec.budget,
        max_batch=spec.max_batch,
        noise=f"{spec.noise:g}",
    )


def experiment_log(context: ProposalContext) -> str:
    """The agent's own measurements, newest last (at most ``MAX_LOG_POINTS`` points, or
    ``MAX_LOG_RUNS`` recorded runs of a system task, each shown at ``SERIES_SHOWN`` evenly
    spaced samples)."""
    names = context.spec.input_names
    out = context.spec.output.name
    lines: list[str] = []
    for exp in context.experiments:
        for point, y in zip(exp.inputs, exp.outputs, strict=True):
            args = ", ".join(f"{n}={_num(point[n])}" for n in names)
            if isinstance(y, Mapping):
                lines.append(f"call {exp.index + 1}: {args} -> {_series(y)}")
            else:
                lines.append(f"call {exp.index + 1}: {args} -> {out}={_num(y)}")
    if not lines:
        return "(none yet)"
    limit = MAX_LOG_RUNS if context.spec.is_system else MAX_LOG_POINTS
    dropped = len(lines) - limit
    if dropped > 0:
        lines = [f"({dropped} older points not shown)", *lines[-limit:]]
    return "\n".join(lines)


def _series(record: Mapping[str, Sequence[float]]) -> str:
    """A recorded run as ``name=[v0, v1, ...]`` at evenly spaced sample indices."""
    size = min((len(v) for v in record.values()), default=0)
    if size == 0:
        return "(empty record)"
    count = min(size, SERIES_SHOWN)
    picks = sorted({round(i * (size - 1) / max(count - 1, 1)) for i in range(count)})
    parts = [
        f"{name}=[{', '.join(_num(values[i]) for i in picks)}]" for name, values in record.items()
    ]
    note = f" (samples {', '.join(str(i) for i in picks)} of {size})" if count < size else ""
    return "; ".join(parts) + note


def inverted_samples(context: ProposalContext) -> str:
    """Law samples read out of the agent's records by the apparatus' public inversion.

    The assistance ``inversion`` (see :mod:`discolab.assistance`): the same samples the
    built-in search fits on a system task, at most ``MAX_INVERTED_SAMPLES`` evenly spaced.
    """
    spec = context.spec
    try:
        columns, outputs = law_data(spec, context.experiments)
    except ExperimentError as exc:
        return f"(your records could not be inverted: {exc})"
    size = int(outputs.size)
    if size == 0:
        return "(none yet)"
    count = min(size, MAX_INVERTED_SAMPLES)
    picks = sorted({round(i * (size - 1) / max(count - 1, 1)) for i in range(count)})
    out = spec.output.name
    lines = [
        ", ".join(f"{n}={_num(columns[n][i])}" for n in spec.formula_names)
        + f" -> {out}={_num(outputs[i])}"
        for i in picks
    ]
    note = f"({len(picks)} evenly spaced samples of {size})" if len(picks) < size else ""
    return "\n".join([*lines, note] if note else lines)


def _law_line(item: ScoredCandidate) -> str:
    ev = item.evaluation
    if ev.error and not ev.metrics.get("data_rel_log_error"):
        return f"- {item.candidate.source or '(empty)'}: FAILED: {ev.feedback or ev.error}"
    return f"- {ev.feedback or item.candidate.source}"


def laws_tried(best: Sequence[ScoredCandidate], recent: Sequence[ScoredCandidate]) -> str:
    """The best laws and last round's attempts (failures included), each once."""
    seen: set[str] = set()
    lines: list[str] = []
    for item in [*best, *recent]:
        key = item.candidate.source
        if key in seen:
            continue
        seen.add(key)
        lines.append(_law_line(item))
    return "\n".join(lines[:MAX_LAWS_SHOWN]) or "(none yet)"


def _example(spec: TaskSpec) -> str:
    """Two complete points, every input at its low and then its high end: a whole, valid
    reply a small model can copy and vary (no ``...`` to copy into the JSON)."""
    low = ", ".join(f'"{v.name}": {_num(v.low)}' for v in spec.inputs)
    high = ", ".join(f'"{v.name}": {_num(v.high)}' for v in spec.inputs)
    return "{" + low + "}, {" + high + "}"


def _law_example(spec: TaskSpec) -> str:
    """A readable law in the task's own inputs (its form is arbitrary, not a hint)."""
    names = list(spec.formula_names)
    return f"C*{names[0]}**2/{names[1]}" if len(names) > 1 else f"C*{names[0]}**2"


def explorer_messages(
    purpose: str,
    context: ProposalContext,
    protocol: str,
    max_laws: int = 3,
    *,
    inversion: bool = False,
) -> list[dict[str, str]]:
    """The chat messages of one explorer call (``purpose`` is ``design`` or ``propose``).

    With ``inversion`` a system task's prompt also lists :func:`inverted_samples`, the law
    samples the apparatus' inversion reads out of the records (assistance ``inversion``).
    """
    if purpose not in ("design", "propose"):
        raise ValueError(f"unknown purpose {purpose!r}")
    spec = context.spec
    how_name = f"how_{purpose}_{'tools' if protocol == 'tools' else 'text'}"
    problem = (
        f"\nProblem with your last reply: {context.last_error}\n" if context.last_error else ""
    )
    log = experiment_log(context)
    if inversion and spec.is_system:
        log += (
            "\n\nLaw samples read out of your records by the apparatus' inversion "
            f"({', '.join(spec.formula_names)} -> {spec.output.name}):\n"
            + inverted_samples(context)
        )
    user = render(
        f"explorer_{purpose}",
        calls_used=len(context.experiments),
        calls_left=max(spec.budget - len(context.experiments), 0),
        budget=spec.budget,
        log=log,
        laws=laws_tried(context.best, context.recent),
        problem=problem,
        max_laws=max_laws,
        how=render(
            how_name,
            example=_example(spec),
            points="[" + _example(spec) + "]",
            formula=_law_example(spec),
            law_example="\n".join(
                f"<final_law>{law}</final_law>"
                for law in (_law_example(spec), f"C1*{spec.formula_names[0]} + C2")
            ),
        ),
    )
    return [
        {"role": "system", "content": system_prompt(spec)},
        {"role": "user", "content": user},
    ]
