"""The EFA property verifier: run a candidate EFA in the sandbox, decide six properties here.

>>> verdict = verify_efa_source(src, seed_answer=entry.seed_answer, sandbox=box)  # doctest: +SKIP
>>> verdict.passed, [p.name for p in verdict.failed]                            # doctest: +SKIP
(True, [])

A verification is two sandbox runs of the harness (:mod:`discolab.verifiers.efa_harness`,
pytest-style property tests that only collect raw data) with the candidate's source as a
separate file:

1. *explore*: load the module, build ``EFA(**options)``, draw ``samples`` parameter sets from
   ``random.Random("discolab-efa:{seed}:{i}")`` (deterministic), render and solve each (solve
   twice), and render and solve ``seed_params``;
2. *replay*, in a fresh process: solve the same parameters again, and render and solve the
   one-key variants built on the host (see :mod:`discolab.verifiers.efa_properties`).

The host then decides, from those records and with the trusted ``check_answer``:

``extractable``   a class ``EFA`` with ``sample(rng)``, ``render(params)``, ``solve(params)``,
                  ``answer_kind`` in the four kinds and ``seed_params`` a JSON dict;
``executable``    every call returned (per-call limit ``per_call`` seconds, the run's time
                  and memory limits), answers fit the declared kind, and nothing refused by
                  the harness's audit hook was attempted (files outside the work dir, any
                  file write, sockets, processes, ctypes, ...);
``has_degrees_of_freedom``  at least two distinct parameter sets and two distinct answers;
``single_valued`` the same parameters give the same answer in the same process and in a
                  fresh process;
``faithful``      ``solve(seed_params)`` equals the seed answer, which stays on the host;
``render_solve_consistent``  the text states what the answer depends on.

Bounds: each method call ``per_call`` seconds (default 2 s; variants 0.5 s and together at
most 40 % of the replay run), each run ``limits.timeout`` (default 30 s) and
``limits.memory_mb``, so a verification takes at most two run timeouts plus start-up (a
library EFA takes well under a second in Docker). At most 64 samples, 6 of them varied in
up to 12 keys; params 4,000 and texts 4,000 characters; answers 400 characters on the
host; the observations file 2 MiB / 2,000 lines. The seed answer is never written into the
sandbox; stdout, stderr and any file the candidate leaves are ignored (only the harness's
token-prefixed records count). Use the Docker sandbox for untrusted candidates: the
``process`` backend runs the same harness and hook but shares the host's file system.
"""

from __future__ import annotations

import ast
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from discolab.environments.efa.answers import KINDS, Answer
from discolab.environments.efa.format import plain_json
from discolab.sandbox.base import ExecResult, Limits, Sandbox
from discolab.types import Evaluation
from discolab.verifiers import efa_properties as props
from discolab.verifiers.efa_harness import CANDIDATE, JOB, OUT
from discolab.verifiers.efa_observations import Run, read_run
from discolab.verifiers.efa_properties import PropertyResult

PROPERTIES = (
    "extractable",
    "executable",
    "has_degrees_of_freedom",
    "single_valued",
    "faithful",
    "render_solve_consistent",
)
DEFAULT_SAMPLES = 12
MAX_SAMPLES = 64
MAX_SOURCE_BYTES = 64 * 1024
DEFAULT_PER_CALL = 2.0
DEFAULT_LIMITS = Limits(timeout=30.0, memory_mb=512, pids=32, file_mb=4, files_bytes=4 << 20)
"""Each of the two runs: 30 s wall clock, 512 MiB; a verification takes at most ~60 s."""
USE_PYTEST = True
"""Run the harness's property tests under pytest when the sandbox has it (else a plain loop)."""
VARIANT_PER_CALL = 0.5
"""Per-call limit (seconds) for the one-key variants of ``render_solve_consistent``."""
VARIANT_SHARE = 0.4
"""Share of the replay run's timeout that the variants may use in total."""
HARNESS = Path(__file__).with_name("efa_harness.py")
STDERR_TAIL = 400

__all__ = ["PROPERTIES", "EfaVerdict", "PropertyResult", "verify_efa_source"]


@dataclass(frozen=True)
class EfaVerdict:
    """The six property results of one candidate EFA and the raw data they were decided on.

    Attributes:
        properties: one :class:`PropertyResult` per name in :data:`PROPERTIES`, in order.
        observations: the raw records of both runs, the variants and how the runs went.
    """

    properties: tuple[PropertyResult, ...]
    observations: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def passed(self) -> bool:
        """Every property holds."""
        return all(p.passed for p in self.properties)

    @property
    def failed(self) -> list[PropertyResult]:
        """The properties that do not hold."""
        return [p for p in self.properties if not p.passed]

    def result(self, name: str) -> PropertyResult:
        """The result of property ``name`` (KeyError for an unknown name)."""
        for prop in self.properties:
            if prop.name == name:
                return prop
        raise KeyError(f"no property {name!r}; properties: {', '.join(PROPERTIES)}")

    def to_evaluation(self) -> Evaluation:
        """Score = fraction of properties that hold; feedback = the failing reasons."""
        metrics = {p.name: 1.0 if p.passed else 0.0 for p in self.properties}
        score = sum(metrics.values()) / len(self.properties)
        if self.passed:
            feedback = f"all {len(self.properties)} EFA properties hold"
            return Evaluation(score=score, passed=True, metrics=metrics, feedback=feedback)
        lines = [f"{p.name}: {p.reason}" for p in self.failed]
        return Evaluation(
            score=score,
            passed=False,
            metrics=metrics,
            feedback="failed EFA properties:\n" + "\n".join(lines),
            error=lines[0],
        )


def verify_efa_source(
    source: str,
    *,
    seed_answer: Answer,
    sandbox: Sandbox,
    options: Mapping[str, Any] | None = None,
    samples: int = DEFAULT_SAMPLES,
    limits: Limits = DEFAULT_LIMITS,
    per_call: float = DEFAULT_PER_CALL,
    seed: int = 0,
) -> EfaVerdict:
    """Verify the untrusted EFA module ``source``; every failure is a result.

    Args:
        source: the candidate module's text (run only in ``sandbox``).
        seed_answer: the seed problem's answer key; it stays in this process.
        sandbox: where the harness runs (Docker for untrusted code).
        options: keyword options for ``EFA(**options)`` (plain JSON data).
        samples: seeded parameter sets drawn (1..64).
        limits: caps of each of the two runs.
        per_call: seconds one method call may take before it counts as hung.
        seed: seeds the samples (same seed, same parameters).

    Raises:
        ValueError: ``samples`` is out of range.
        ConfigError: ``options`` is not plain JSON data.
        SandboxUnavailable: the sandbox cannot run anything (a failing candidate never raises).
    """
    if not 1 <= samples <= MAX_SAMPLES:
        raise ValueError(f"samples must be in [1, {MAX_SAMPLES}], got {samples}")
    options = plain_json(dict(options or {}), "options")
    problem = _source_problem(source)
    if problem is not None:
        return _unrunnable(problem)
    job = {
        "options": options,
        "per_call": per_call,
        "samples": samples,
        "seed": seed,
        "pytest": USE_PYTEST,
    }
    explore, explore_result = _run(sandbox, source, {**job, "mode": "explore"}, limits)
    explore_failure = _failure(explore, explore_result)
    observations: dict[str, Any] = {
        "explore": explore.records,
        "runs": [_job_info(explore_result)],
    }
    extract, kind = props.extractable(explore)
    if explore.first("extract") is None and explore_failure:
        extract, kind = static_extractable(source, explore_failure)
        if kind is not None:
            first = PropertyResult("executable", False, explore_failure)
            reason = f"not checked: {explore_failure}"
            rest = [PropertyResult(n, False, reason) for n in PROPERTIES[2:]]
            return EfaVerdict((extract, first, *rest), observations)
    if kind is None:
        reason = "not checked (the EFA is not extractable)"
        rest = [PropertyResult(n, False, reason) for n in PROPERTIES[1:]]
        return EfaVerdict((extract, *rest), observations)
    good, _ = props.samples(explore, kind)
    built = props.variants(good)
    replay, replay_failure = _replay(sandbox, source, job, limits, explore, kind, built)
    if replay is not None:
        observations["replay"] = replay[0].records
        observations["runs"].append(_job_info(replay[1]))
    replayed = replay[0] if replay else None
    observations["variants"] = [{"sample": p, "key": k} for p, k, _ in built]
    results = (
        extract,
        props.executable(explore, replayed, kind, explore_failure, samples),
        props.degrees_of_freedom(good),
        props.single_valued(good, explore, replayed, replay_failure, kind),
        props.faithful(explore, kind, seed_answer),
        props.consistent(good, built, replayed, kind),
    )
    if explore_failure:  # say why a property had no data, not just that it had none
        results = tuple(
            PropertyResult(r.name, False, f"not checked: {explore_failure}", r.details)
            if r.details.get("unchecked")
            else r
            for r in results
        )
    return EfaVerdict(results, observations)


def _replay(
    sandbox: Sandbox,
    source: str,
    job: dict[str, Any],
    limits: Limits,
    explore: Run,
    kind: str,
    built: list[tuple[int, str, dict[str, Any]]],
) -> tuple[tuple[Run, ExecResult] | None, str | None]:
    """The fresh-process run: the first run's parameters again, then the variants."""
    good, _ = props.samples(explore, kind)
    originals = [*good, *props.seed_for_replay(explore, kind)]
    init = explore.first("init")
    if not originals or init is None or init.get("error"):
        return None, "nothing ran through in the first run"
    replay_job = {
        **job,
        "mode": "replay",
        "params": [s.params for s in originals],
        "variants": [params for _, _, params in built],
        "variant_per_call": min(float(job["per_call"]), VARIANT_PER_CALL),
        "variant_budget": limits.timeout * VARIANT_SHARE,
    }
    run, result = _run(sandbox, source, replay_job, limits)
    return (run, result), _failure(run, result)


def static_extractable(source: str, failure: str) -> tuple[PropertyResult, str | None]:
    """``extractable`` from the source text, when the run ended before the module loaded."""
    name = "extractable"
    tree = ast.parse(source)
    cls = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "EFA"), None)
    if cls is None:
        return PropertyResult(name, False, f"{failure}; the module defines no class EFA"), None
    methods = {n.name: n for n in cls.body if isinstance(n, ast.FunctionDef)}
    attrs = {
        target.id: node.value
        for node in cls.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    problems = []
    for method in ("sample", "render", "solve"):
        function = methods.get(method)
        if function is None:
            problems.append(f"EFA.{method} is not defined in the class body")
        elif len(function.args.posonlyargs + function.args.args) < 2 and not function.args.vararg:
            problems.append(f"{method} takes no argument besides self")
    kind_node = attrs.get("answer_kind")
    kind = kind_node.value if isinstance(kind_node, ast.Constant) else None
    if kind not in KINDS:
        problems.append("answer_kind is not one of " + ", ".join(KINDS))
    if not isinstance(attrs.get("seed_params"), ast.Dict):
        problems.append("seed_params is not a dict literal")
    if problems:
        return PropertyResult(name, False, f"{failure}; " + "; ".join(problems)), None
    details = {"answer_kind": kind, "decided_from": "source text (the run ended early)"}
    return PropertyResult(name, True, details=details), str(kind)


def _source_problem(source: Any) -> str | None:
    if not isinstance(source, str):
        return f"the EFA source must be text, got {type(source).__name__}"
    if len(source.encode("utf-8", "replace")) > MAX_SOURCE_BYTES:
        return f"the EFA source is longer than {MAX_SOURCE_BYTES} bytes"
    try:
        ast.parse(source)
    except SyntaxError as exc:
        return f"syntax error at line {exc.lineno}: {exc.msg}"
    except (ValueError, RecursionError) as exc:
        return f"the source cannot be parsed: {exc}"
    return None


def _unrunnable(problem: str) -> EfaVerdict:
    first = PropertyResult("extractable", False, problem)
    reason = "not checked (the EFA is not extractable)"
    return EfaVerdict((first, *(PropertyResult(n, False, reason) for n in PROPERTIES[1:])))


def _run(
    sandbox: Sandbox, source: str, job: dict[str, Any], limits: Limits
) -> tuple[Run, ExecResult]:
    token = secrets.token_hex(16)
    files = {CANDIDATE: source, JOB: json.dumps(job)}
    result = sandbox.run_python(
        HARNESS.read_text(encoding="utf-8"), files=files, stdin=token + "\n", limits=limits
    )
    return read_run(result.files.get(OUT), token, OUT), result


def _failure(run: Run, result: ExecResult) -> str | None:
    """Why a run did not complete, from the sandbox's side and the records' side."""
    if result.timed_out:
        return (
            f"the run timed out after {result.duration:.1f} s (an EFA method did not return "
            f"and could not be interrupted by the per-call limit{_last_step(run)})"
        )
    if result.oom_killed:
        return f"the run ran out of memory (memory limit) and was killed{_last_step(run)}"
    if run.error and not run.foreign:
        return f"the run's observations are unreadable: {run.error}"
    if not run.done:
        tail = result.stderr.strip()[-STDERR_TAIL:]
        reason = result.failure_reason or "exited early with status 0"
        return f"the harness did not finish: the run {reason}{_last_step(run)}" + (
            f"; stderr ends with: {tail}" if tail else ""
        )
    return None


def _last_step(run: Run) -> str:
    steps = [r for r in run.records if r.get("t") in ("extract", "init", "sample", "seed")]
    if not steps:
        return ""
    last = steps[-1]
    where = {"extract": "loading the module", "init": "building the EFA"}.get(last["t"])
    where = where or f"{last['t']} #{last.get('i', 0)}"
    return f"; the last step that finished was {where}"


def _job_info(result: ExecResult) -> dict[str, Any]:
    return {
        "duration_s": round(result.duration, 4),
        "returncode": result.returncode,
        "timed_out": result.timed_out,
        "oom_killed": result.oom_killed,
    }
