"""The six EFA properties, each a small pure function over the harness's raw records.

Nothing computed inside the sandbox is a verdict: these functions take the records of the
explore run (seeded samples and the seed problem) and of the replay run (the same
parameters again in a fresh process, plus one-key variants built here), turn raw answers
into trusted :class:`Answer` values and decide each property with the trusted checks.

``render_solve_consistent`` uses two rules, both about keys the answer depends on. A key
``k`` is *answer-relevant* when some variant (a sample with ``k`` alone replaced by another
sample's value) gets a different answer. Then

1. the variant's rendered text must differ from the original's (a text that stays the same
   while the answer changes cannot determine the answer; this rule has no false alarms);
2. every number in the value of ``k`` (ints and floats, also inside lists and dicts) must
   appear in every sample's text, as a whole number token (``12`` does not match ``123``;
   ``1,000`` and ``1{,}000`` count as ``1000``; see :func:`stated` for the accepted forms,
   percentages, fractions and number words among them). Strings and booleans are exempt
   from rule 2 (they may be rendered in words), and so are 0, 1 and -1 (notation leaves
   them implicit).

Two samples with the same text must also have the same answer. Variants the EFA cannot
solve (it raises or hangs on a mix of parameters) give no evidence either way; a key no
variant changed the answer of is not checked (a constant EFA passes vacuously here and
fails ``has_degrees_of_freedom``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from discolab.environments.efa.answers import KINDS, Answer, check_answer
from discolab.verifiers.efa_observations import Run, read_answer, same_answer

VARIANT_SAMPLES = 6
"""Samples whose keys are varied for ``render_solve_consistent``."""
MAX_KEYS = 12
"""Most parameter keys varied per sample."""
_GROUPED = re.compile(r"(?<=\d)(?:\{,\}|\\,|,)(?=\d{3}(?!\d))")
_WORDS = dict(
    enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
)


@dataclass(frozen=True)
class PropertyResult:
    """One property's verdict: its name, whether it holds, why not, and what was seen."""

    name: str
    passed: bool
    reason: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Sample:
    """A sample that ran through: its parameters, text and trusted answer."""

    index: int
    params: dict[str, Any]
    text: str
    answer: Answer


def key_of(params: Any) -> str:
    """A canonical string of JSON parameters (for equality and grouping)."""
    return json.dumps(params, sort_keys=True)


def show(value: Any, cap: int = 120) -> str:
    """Short display text of parameters in a reason."""
    text = json.dumps(value, sort_keys=True) if not isinstance(value, str) else value
    return text if len(text) <= cap else text[: cap - 3] + "..."


def extractable(run: Run) -> tuple[PropertyResult, str | None]:
    """The class ``EFA`` with the three methods, a valid ``answer_kind``, ``seed_params``."""
    name = "extractable"
    info = run.first("extract")
    if info is None:
        why = run.error or "the harness did not get as far as loading the module"
        return PropertyResult(name, False, why), None
    if not info.get("loaded"):
        return PropertyResult(name, False, f"the module failed to load: {info.get('error')}"), None
    if not info.get("has_class"):
        return PropertyResult(name, False, "the module defines no class named EFA"), None
    if info.get("error"):
        return PropertyResult(name, False, str(info["error"])), None
    problems = [
        f"{method} {problem}"
        for method, problem in sorted(dict(info.get("methods") or {}).items())
        if problem
    ]
    problems += [
        f"EFA.{m} is missing" for m in ("sample", "render", "solve") if m not in info["methods"]
    ]
    kind = info.get("answer_kind")
    if not (info.get("answer_kind_is_str") and kind in KINDS):
        problems.append(f"answer_kind {kind!s:.40} is not one of {', '.join(KINDS)}")
    if not isinstance(info.get("seed_params"), dict):
        problems.append(
            info.get("seed_params_error") or "seed_params is missing or not a dict of JSON data"
        )
    if "options" in info and not isinstance(info["options"], dict):
        problems.append("options is not a dict of JSON data")
    if problems:
        return PropertyResult(name, False, "; ".join(problems)), None
    details = {"answer_kind": kind, "seed_params": info["seed_params"]}
    return PropertyResult(name, True, details=details), kind


def samples(run: Run, kind: str) -> tuple[list[Sample], list[str]]:
    """The samples that ran through, and one problem line for each that did not."""
    good, problems = [], []
    for record in run.of("sample"):
        where = f"sample #{record.get('i')}"
        error = record.get("error")
        if error:
            on = "" if error.get("where") == "sample" else f" on params {show(record['params'])}"
            problems.append(f"{error.get('where')} raised {error.get('exception')}{on} ({where})")
            continue
        answer, why = read_answer(record.get("answer"), kind)
        text = record.get("text")
        if why is not None:
            problems.append(f"{why} on params {show(record['params'])}")
        elif not isinstance(text, str) or not text.strip():
            problems.append(f"render returned an empty text on params {show(record['params'])}")
        else:
            good.append(Sample(int(record["i"]), record["params"], text, answer))
    return good, problems


def executable(
    explore: Run, replay: Run | None, kind: str, explore_failure: str | None, expected: int
) -> PropertyResult:
    """Every method ran on every sample and the seed, within the limits, doing nothing refused."""
    name = "executable"
    problems = []
    runs = [run for run in (explore, replay) if run is not None]
    violations = [v.get("what") for run in runs for v in run.of("violation")]
    if violations:
        unique = list(dict.fromkeys(str(v) for v in violations))
        problems.append("attempted a forbidden operation: " + "; ".join(unique[:5]))
    foreign = sum(run.foreign for run in runs)
    if foreign:
        problems.append(
            f"{foreign} line(s) of the harness's observations were written by something else "
            "(a forged result)"
        )
    if explore_failure:
        problems.append(explore_failure)
    init = explore.first("init")
    if init is not None and init.get("error"):
        problems.append(f"EFA(**options) raised {init['error']}")
    _, sample_problems = samples(explore, kind)
    problems += sample_problems[:2]
    if len(sample_problems) > 2:
        problems.append(f"and {len(sample_problems) - 2} more failing sample(s)")
    seed = explore.first("seed")
    if seed is not None and seed.get("error"):
        error = seed["error"]
        problems.append(f"{error.get('where')} raised {error.get('exception')} on seed_params")
    elif seed is not None:
        _, why = read_answer(seed.get("answer"), kind)
        if why:
            problems.append(f"{why} on seed_params")
    count = len({r.get("i") for r in explore.of("sample")})
    if not problems and (count != expected or seed is None):
        stopped = [r.get("outcome") for r in explore.of("test")]
        problems.append(
            f"the harness stopped after {count} of {expected} samples"
            + (" and before the seed problem" if seed is None else "")
            + (f" ({stopped[0]})" if stopped else "")
        )
    if not problems and not explore.done:
        problems.append("the harness did not finish (the candidate ended the process)")
    details = {"samples": count, "failures": len(sample_problems), "violations": violations}
    if problems:
        return PropertyResult(name, False, "; ".join(problems), details)
    return PropertyResult(name, True, details=details)


def degrees_of_freedom(good: Sequence[Sample]) -> PropertyResult:
    """Samples differ in their parameters and the answer changes with them."""
    name = "has_degrees_of_freedom"
    if len(good) < 2:
        why = f"only {len(good)} sample(s) ran through; need two"
        return PropertyResult(name, False, why, {"unchecked": True})
    params = {key_of(s.params) for s in good}
    answers = {s.answer.text for s in good}
    details = {"samples": len(good), "distinct_params": len(params)}
    details["distinct_answers"] = len(answers)
    if len(params) < 2:
        why = f"all {len(good)} samples have the same parameters {show(good[0].params)}"
        return PropertyResult(name, False, why, details)
    if len(answers) < 2:
        why = f"all {len(good)} samples have the same answer {good[0].answer.text[:60]}"
        return PropertyResult(name, False, why, details)
    return PropertyResult(name, True, details=details)


def single_valued(
    good: Sequence[Sample],
    explore: Run,
    replay: Run | None,
    replay_failure: str | None,
    kind: str,
) -> PropertyResult:
    """The same parameters give the same answer twice in a process and in a fresh process."""
    name = "single_valued"
    if not good:
        return PropertyResult(name, False, "no sample ran through", {"unchecked": True})
    first = {s.index: s for s in good}
    for record in explore.of("sample"):
        sample = first.get(record.get("i"))
        again, _ = read_answer(record.get("answer_again"), kind)
        if sample is not None and (again is None or not same_answer(sample.answer, again)):
            why = (
                f"solve({show(sample.params)}) gave {sample.answer.text[:40]} and then "
                f"{_answer_text(record.get('answer_again'))} in the same process"
            )
            return PropertyResult(name, False, why)
    replayed = {r.get("i"): r for r in replay.of("replay")} if replay else {}
    originals = [*good, *_seed_sample(explore, kind)]
    for position, sample in enumerate(originals):
        record = replayed.get(position)
        if record is None:  # a later failure (say, in the variants) does not matter here
            why = f"the fresh-process run did not replay every sample: {replay_failure}"
            return PropertyResult(name, False, why, {"unchecked": True})
        answer, why = read_answer(record.get("answer"), kind)
        if answer is None or not same_answer(sample.answer, answer):
            got = why or answer.text[:40]
            why = (
                f"solve({show(sample.params)}) gave {sample.answer.text[:40]} in one process "
                f"and {got} in a fresh one"
            )
            return PropertyResult(name, False, why)
    return PropertyResult(name, True, details={"compared": len(originals)})


def _answer_text(raw: Any) -> str:
    return str(raw.get("text"))[:40] if isinstance(raw, dict) else "nothing"


def _seed_sample(run: Run, kind: str) -> list[Sample]:
    seed = run.first("seed")
    if seed is None or seed.get("error"):
        return []
    answer, _ = read_answer(seed.get("answer"), kind)
    text = seed.get("text") if isinstance(seed.get("text"), str) else ""
    return [] if answer is None else [Sample(-1, seed["params"], text, answer)]


def seed_for_replay(run: Run, kind: str) -> list[Sample]:
    """The seed problem as a sample when it ran through (it is replayed too)."""
    return _seed_sample(run, kind)


def faithful(run: Run, kind: str, seed_answer: Answer) -> PropertyResult:
    """``solve(seed_params)`` is the seed problem's answer (the key never left the host)."""
    name = "faithful"
    seed = run.first("seed")
    if seed is None:
        return PropertyResult(
            name, False, "solve(seed_params) was never computed", {"unchecked": True}
        )
    if seed.get("error"):
        error = seed["error"]
        return PropertyResult(name, False, f"{error.get('where')} raised {error.get('exception')}")
    if seed_answer.kind != kind:
        why = f"the seed answer is a {seed_answer.kind} answer but the EFA declares {kind}"
        return PropertyResult(name, False, why)
    answer, why = read_answer(seed.get("answer"), kind)
    if answer is None:
        return PropertyResult(name, False, f"solve(seed_params): {why}")
    if not check_answer(seed_answer, answer.text).correct:
        why = f"solve(seed_params) = {answer.text[:60]}, which is not the seed problem's answer"
        return PropertyResult(name, False, why)
    return PropertyResult(name, True, details={"answer": answer.text})


def variants(good: Sequence[Sample]) -> list[tuple[int, str, dict[str, Any]]]:
    """One-key variants: (position in ``good``, key, params with that key from another sample)."""
    out = []
    for position, sample in enumerate(good[:VARIANT_SAMPLES]):
        for key in sorted(sample.params)[:MAX_KEYS]:
            for other in good:
                if key in other.params and key_of(other.params[key]) != key_of(sample.params[key]):
                    out.append((position, key, {**sample.params, key: other.params[key]}))
                    break
    return out


def consistent(
    good: Sequence[Sample],
    built: Sequence[tuple[int, str, dict[str, Any]]],
    replay: Run | None,
    kind: str,
) -> PropertyResult:
    """The rendered text states what the answer depends on (rules in the module docstring)."""
    name = "render_solve_consistent"
    if len(good) < 2:
        why = f"only {len(good)} sample(s) ran through; need two"
        return PropertyResult(name, False, why, {"unchecked": True})
    by_text: dict[str, Sample] = {}
    for sample in good:
        seen = by_text.setdefault(sample.text, sample)
        if not same_answer(seen.answer, sample.answer):
            why = (
                f"params {show(seen.params)} and {show(sample.params)} render the same text "
                f"but have answers {seen.answer.text[:40]} and {sample.answer.text[:40]}"
            )
            return PropertyResult(name, False, why)
    results = {r.get("i"): r for r in (replay.of("variant") if replay else [])}
    relevant: dict[str, tuple[Sample, dict[str, Any], Answer]] = {}
    for number, (position, key, params) in enumerate(built):
        record, original = results.get(number), good[position]
        if record is None or record.get("error"):
            continue  # a mixed parameter set the EFA cannot solve gives no evidence
        answer, _ = read_answer(record.get("answer"), kind)
        if answer is None or same_answer(answer, original.answer):
            continue
        relevant.setdefault(key, (original, params, answer))
        if record.get("text") == original.text and not record.get("text_truncated"):
            why = (
                f"changing {key!r} from {show(original.params[key], 60)} to "
                f"{show(params[key], 60)} changes the answer from {original.answer.text[:40]} "
                f"to {answer.text[:40]} but not the rendered text"
            )
            return PropertyResult(name, False, why)
    for key, (original, params, answer) in sorted(relevant.items()):
        for sample in good:
            missing = [n for n in numbers(sample.params.get(key)) if not stated(n, sample.text)]
            if missing:
                why = (
                    f"the answer depends on {key!r} (changing it from "
                    f"{show(original.params[key], 60)} to {show(params[key], 60)} changes the "
                    f"answer from {original.answer.text[:40]} to {answer.text[:40]}), but the "
                    f"text of params {show(sample.params)} does not state {key} = "
                    f"{show(sample.params.get(key), 60)} ({show(missing[0], 30)} is missing)"
                )
                return PropertyResult(name, False, why)
    details = {"variants": len(built), "answer_relevant_keys": sorted(relevant)}
    return PropertyResult(name, True, details=details)


def numbers(value: Any) -> list[int | float]:
    """The ints and floats in a JSON value that a text must state.

    Booleans and strings are excluded, and so are 0, 1 and -1: mathematical notation leaves
    them implicit (``x^2 - 3x`` has the coefficients 1, -3 and 0).
    """
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return []
    if isinstance(value, int | float):
        return [] if value in (0, 1, -1) else [value]
    if isinstance(value, dict):
        return [n for item in value.values() for n in numbers(item)]
    if isinstance(value, list | tuple):
        return [n for item in value for n in numbers(item)]
    return []


def stated(number: int | float, text: str) -> bool:
    """Whether ``number`` appears in ``text``: as a whole number token (``1,000``, ``1{,}000``
    and ``1\\,000`` count as 1000), a float's usual forms, a percentage, a fraction
    ``p/q`` or ``\\frac{p}{q}`` of a float, or a number word from two to twenty."""
    size = abs(number)
    forms = {str(size)}
    if isinstance(number, float):
        forms |= {repr(size), f"{size:g}", f"{size * 100:g}%", f"{size * 100:g}\\%"}
        if number.is_integer():
            forms.add(str(int(size)))
        ratio = Fraction(size).limit_denominator(1000)
        if ratio.denominator > 1 and float(ratio) == size:
            forms |= {f"{ratio.numerator}/{ratio.denominator}"}
            forms |= {f"\\frac{{{ratio.numerator}}}{{{ratio.denominator}}}"}
    plain = _GROUPED.sub("", text)
    for form in forms:
        pattern = rf"(?<![\d.]){re.escape(form)}(?![\d]|\.\d)"
        if re.search(pattern, plain) or re.search(pattern, text):
            return True
    word = _WORDS.get(size) if float(size).is_integer() else None
    return word is not None and re.search(rf"\b{word}\b", text, re.IGNORECASE) is not None
