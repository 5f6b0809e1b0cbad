"""``discolab bench score|run efa-v1``: generated problems answered and checked exactly.

A submission is a JSON object ``{instance id: answer text}`` or JSON lines
``{"id": ..., "answer": ...}``; instance ids are ``TASK/INDEX`` (``crt-easy/3``). Every
answer is checked against the generator's ``solve`` by the trusted exact check
(:func:`discolab.environments.efa.answers.check_answer`). ``bench run`` answers with the
built-in solver, writes its submission, and scores it the same way; the report gives
accuracy per task, per family and per tier, and names the families the solver cannot do.
EFA runs are printed, not stored on the leaderboard.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from discolab.efa.suite import EfaSuite, EfaTask, load_efa_suite
from discolab.environments.efa.answers import check_answer
from discolab.environments.efa.format import Instance
from discolab.submissions import read_submission_file

MAX_SUBMISSION_BYTES = 20_000_000


@dataclass(frozen=True)
class TaskScore:
    """Correct answers of one task, and the first wrong or missing one with its reason."""

    task: EfaTask
    correct: int
    answered: int
    total: int
    first_failure: str | None


def read_answers(path: Path) -> tuple[dict[str, str], list[str]]:
    """``{instance id: answer}`` from a JSON object or JSON lines, and the rejected lines."""
    parsed = read_submission_file(path, MAX_SUBMISSION_BYTES)
    if parsed.whole is not None:
        answers = {str(k): v for k, v in parsed.whole.items() if isinstance(v, str)}
        rejected = [
            f"{k}: the answer must be text"
            for k, v in parsed.whole.items()
            if not isinstance(v, str)
        ]
        return answers, rejected
    answers: dict[str, str] = {}
    rejected = list(parsed.rejected)
    for n, row in parsed.rows:
        if (
            isinstance(row, dict)
            and isinstance(row.get("id"), str)
            and isinstance(row.get("answer"), str)
        ):
            answers[row["id"]] = row["answer"]
        else:
            rejected.append(f'line {n}: expected {{"id": ..., "answer": "..."}}')
    return answers, rejected


def score_answers(
    suite: EfaSuite,
    answers: dict[str, str],
    generated: Mapping[str, list[tuple[str, Instance]]] | None = None,
) -> list[TaskScore]:
    """Check every instance's answer (missing ones count as wrong); ``generated`` is
    :meth:`EfaSuite.generate`'s output when the caller has it already."""
    generated = generated if generated is not None else suite.generate()
    scores: list[TaskScore] = []
    for task in suite.tasks:
        correct = answered = 0
        failure: str | None = None
        for iid, instance in generated[task.id]:
            given = answers.get(iid)
            if given is None:
                failure = failure or f"{iid}: no answer"
                continue
            answered += 1
            verdict = check_answer(instance.answer, given)
            if verdict.correct:
                correct += 1
            elif failure is None:
                failure = f"{iid}: {verdict.reason}"
        scores.append(TaskScore(task, correct, answered, task.instances, failure))
    return scores


def solve_with_builtin(
    generated: Mapping[str, list[tuple[str, Instance]]],
) -> tuple[dict[str, str], dict[str, str]]:
    """The built-in solver's answers, and for each unanswered instance why not."""
    from discolab.agents.efa.solver import solve_problem

    answers: dict[str, str] = {}
    unanswered: dict[str, str] = {}
    for items in generated.values():
        for iid, instance in items:
            attempt = solve_problem(instance.text)
            if attempt.answer is None:
                unanswered[iid] = attempt.reason or "no answer"
            else:
                answers[iid] = attempt.answer
    return answers, unanswered


def print_report(
    suite: EfaSuite, scores: list[TaskScore], seconds: float, console: Console
) -> None:
    """Accuracy per task, then per family and per tier."""
    table = Table(title=f"{suite.id}: {suite.description}")
    for col in ("task", "family", "tier", "answered", "correct", "accuracy", "first failure"):
        table.add_column(
            col, justify="right" if col in ("answered", "correct", "accuracy") else "left"
        )
    for s in scores:
        table.add_row(
            s.task.id,
            s.task.family,
            s.task.tier,
            f"{s.answered}/{s.total}",
            str(s.correct),
            f"{s.correct / s.total:.0%}",
            (s.first_failure or "")[:60],
        )
    console.print(table)
    for label, key in (("family", lambda s: s.task.family), ("tier", lambda s: s.task.tier)):
        sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for s in scores:
            sums[key(s)][0] += s.correct
            sums[key(s)][1] += s.total
        console.print(
            f"by {label}: "
            + ", ".join(f"{k} {c}/{t} ({c / t:.0%})" for k, (c, t) in sorted(sums.items()))
        )
    total = sum(s.correct for s in scores)
    count = sum(s.total for s in scores)
    console.print(
        f"overall {total}/{count} ({total / max(1, count):.0%}); checked in {seconds:.1f} s"
    )


def score_efa_file(suite_name: str, path: Path, console: Console) -> list[TaskScore]:
    """``bench score`` for an EFA suite."""
    suite = load_efa_suite(suite_name)
    answers, rejected = read_answers(path)
    started = time.monotonic()
    scores = score_answers(suite, answers)
    print_report(suite, scores, time.monotonic() - started, console)
    known = suite.instance_ids()
    unknown = [iid for iid in answers if iid not in known]
    for line in rejected + [f"unknown instance {iid!r}" for iid in unknown[:20]]:
        console.print(f"[yellow]rejected[/] {line}")
    return scores


def run_efa_builtin(suite_name: str, out: Path | None, console: Console) -> list[TaskScore]:
    """``bench run SUITE --proposer builtin`` for an EFA suite: solve, write, score."""
    suite = load_efa_suite(suite_name)
    started = time.monotonic()
    generated = suite.generate()
    answers, unanswered = solve_with_builtin(generated)
    out = out or Path(f"{suite.id}-builtin.jsonl")
    out.write_text("".join(json.dumps({"id": k, "answer": v}) + "\n" for k, v in answers.items()))
    scores = score_answers(suite, answers, generated)
    print_report(suite, scores, time.monotonic() - started, console)
    families: dict[str, int] = defaultdict(int)
    for s in scores:
        families[s.task.family] += s.answered
    none = sorted(f for f, answered in families.items() if answered == 0)
    efas = sorted({s.task.efa for s in scores if s.answered == 0})
    if none:
        console.print("the built-in solver cannot do these families at all: " + ", ".join(none))
    if efas:
        console.print("it answers no instance of: " + ", ".join(efas))
    console.print(f"answers written to {out} ({len(answers)} answered, {len(unanswered)} not)")
    return scores
