"""The EFA property verifier: every library EFA passes; each broken EFA fails its property.

The broken EFAs are self-contained modules under ``tests/fakes/efas/`` (read as text, never
imported here). Docker tests are marked ``docker``: skipped on a machine without the engine
or image, failed under ``CI=true``. A few run in the ``process`` sandbox too, so the logic is
covered without Docker.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from discolab.environments.efa.answers import Answer
from discolab.environments.efa.catalog import efa_ids, get_efa
from discolab.errors import SandboxUnavailable
from discolab.sandbox import Limits, Sandbox, SandboxConfig
from discolab.sandbox.base import ExecResult
from discolab.sandbox.process import ProcessSandbox
from discolab.verifiers import unittests
from discolab.verifiers.efa_observations import read_answer, read_run
from discolab.verifiers.efa_properties import numbers, stated
from discolab.verifiers.unittests import PROPERTIES, EfaVerdict, verify_efa_source

FAKES = Path(__file__).resolve().parents[1] / "fakes" / "efas"
SEED = Answer("integer", "17")  # the fakes' seed problem: 3 * 5 + 2
LIMITS = Limits(timeout=10.0, memory_mb=512, pids=32)
PER_CALL = 0.5


@pytest.fixture(scope="module")
def docker_box() -> Iterator[Sandbox]:
    from discolab.sandbox.docker import DockerSandbox, connect, require_image

    config = SandboxConfig(limits=LIMITS, pool_size=1, recycle_after=50)
    try:
        require_image(connect(10), config.image)
    except SandboxUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Docker tests must run in CI but cannot: {exc}")
        pytest.skip(f"Docker is not available: {exc}")
    with DockerSandbox(config) as box:
        yield box


@pytest.fixture(scope="module")
def process_box() -> Iterator[Sandbox]:
    with ProcessSandbox(LIMITS) as box:
        yield box


def fake(name: str) -> str:
    return (FAKES / f"{name}.py").read_text(encoding="utf-8")


def verify(name: str, box: Sandbox, **kwargs) -> EfaVerdict:
    kwargs.setdefault("limits", LIMITS)
    kwargs.setdefault("seed_answer", SEED)
    return verify_efa_source(fake(name), sandbox=box, per_call=PER_CALL, **kwargs)


def failing(verdict: EfaVerdict) -> list[str]:
    return [p.name for p in verdict.failed]


@pytest.mark.docker
@pytest.mark.parametrize("efa_id", efa_ids())
def test_library_efa_passes_every_property(docker_box: Sandbox, efa_id: str) -> None:
    entry = get_efa(efa_id)
    verdict = verify_efa_source(entry.source, seed_answer=entry.seed_answer, sandbox=docker_box)
    assert [p.name for p in verdict.properties] == list(PROPERTIES)
    assert verdict.passed, "\n".join(f"{p.name}: {p.reason}" for p in verdict.failed)
    assert verdict.result("render_solve_consistent").details["answer_relevant_keys"]


BROKEN = [
    ("nondeterministic", "single_valued", "in the same process"),
    ("process_dependent", "single_valued", "in a fresh one"),
    ("constant_params", "has_degrees_of_freedom", "same parameters"),
    ("render_omits", "render_solve_consistent", "changing 'c'"),
    ("crash_some", "executable", "solve raised ArithmeticError: cannot reduce b ="),
    ("infinite_loop", "executable", "solve did not return within 0.5 s on params"),
    ("reads_answer_key", "executable", "opening '/run/secrets/efa_answer_key.json' outside"),
    ("opens_socket", "executable", "opening a network socket (socket.getaddrinfo)"),
    ("wrong_seed", "faithful", "solve(seed_params) = 18, which is not the seed"),
    ("forges_results", "executable", "opening 'efa_observations.jsonl' for writing"),
    ("prints_verdict", "faithful", "solve(seed_params) = 18"),
]


@pytest.mark.docker
@pytest.mark.parametrize(("name", "prop", "reason"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_efa_fails_exactly_its_property(
    docker_box: Sandbox, name: str, prop: str, reason: str
) -> None:
    verdict = verify(name, docker_box)
    assert failing(verdict) == [prop], [(p.name, p.reason) for p in verdict.failed]
    assert reason in verdict.result(prop).reason


@pytest.mark.docker
def test_good_fake_passes(docker_box: Sandbox) -> None:
    verdict = verify("good", docker_box)
    assert verdict.passed
    assert verdict.to_evaluation().score == 1.0
    keys = verdict.result("render_solve_consistent").details["answer_relevant_keys"]
    assert keys == ["a", "b", "c"]


@pytest.mark.docker
def test_crash_names_the_params_and_the_rest_is_still_decided(docker_box: Sandbox) -> None:
    verdict = verify("crash_some", docker_box)
    reason = verdict.result("executable").reason
    assert '{"a": ' in reason and "(sample #" in reason
    assert verdict.result("has_degrees_of_freedom").details["samples"] < 12


@pytest.mark.docker
def test_uninterruptible_loop_is_a_run_timeout(docker_box: Sandbox) -> None:
    verdict = verify("stubborn_loop", docker_box, limits=Limits(timeout=3.0, memory_mb=512))
    assert verdict.result("extractable").passed
    executable = verdict.result("executable")
    assert not executable.passed and "timed out after" in executable.reason
    for prop in PROPERTIES[2:]:
        assert verdict.result(prop).reason.startswith("not checked: the run timed out")


@pytest.mark.docker
def test_forged_lines_are_dropped_and_reported(docker_box: Sandbox) -> None:
    verdict = verify("forges_results", docker_box)
    assert "written by something else (a forged result)" in verdict.result("executable").reason
    assert all(r.get("t") != "done" or "passed" not in r for r in verdict.observations["explore"])


@pytest.mark.docker
def test_not_extractable_reports_each_problem(docker_box: Sandbox) -> None:
    verdict = verify("bad_signature", docker_box)
    reason = verdict.result("extractable").reason
    assert "cannot be called as solve(self, params)" in reason
    assert "answer_kind number is not one of" in reason
    assert all(p.reason == "not checked (the EFA is not extractable)" for p in verdict.failed[1:])


@pytest.mark.docker
def test_pytest_runs_in_the_sandbox_and_its_outcome_is_only_a_report(docker_box: Sandbox) -> None:
    source = "class NotAnEfa:\n    pass\n"
    verdict = verify_efa_source(source, seed_answer=SEED, sandbox=docker_box)
    reports = [r for r in verdict.observations["explore"] if r["t"] == "test"]
    assert reports and reports[0]["name"] == "main.py::test_extractable"
    assert verdict.result("extractable").reason == "the module defines no class named EFA"


def test_syntax_error_is_not_run() -> None:
    class NoRuns(ProcessSandbox):
        def _run(self, *args, **kwargs) -> ExecResult:
            raise AssertionError("a source that does not parse must not be run")

    with NoRuns(LIMITS) as box:
        verdict = verify_efa_source("class EFA(:\n", seed_answer=SEED, sandbox=box)
    assert "syntax error at line 1" in verdict.result("extractable").reason
    assert not verdict.passed and verdict.to_evaluation().score == 0.0


def test_seed_answer_never_enters_the_sandbox() -> None:
    seen: list[bytes] = []

    class Recording(ProcessSandbox):
        def _run(self, argv, *, stdin, files, limits, env) -> ExecResult:
            seen.extend([stdin, *files.values(), " ".join(argv).encode()])
            return super()._run(argv, stdin=stdin, files=files, limits=limits, env=env)

    key = Answer("integer", "918273645")
    with Recording(LIMITS) as box:
        verdict = verify_efa_source(fake("good"), seed_answer=key, sandbox=box, per_call=PER_CALL)
    assert failing(verdict) == ["faithful"]
    assert len(seen) > 4 and not any(b"918273645" in data for data in seen)
    assert "918273645" not in verdict.to_evaluation().feedback


PROCESS_CASES = [
    ("good", []),
    ("wrong_seed", ["faithful"]),
    ("nondeterministic", ["single_valued"]),
    ("process_dependent", ["single_valued"]),
    ("render_omits", ["render_solve_consistent"]),
    ("reads_answer_key", ["executable"]),
]


@pytest.mark.parametrize(("name", "expected"), PROCESS_CASES, ids=[c[0] for c in PROCESS_CASES])
def test_process_sandbox_verdicts(process_box: Sandbox, name: str, expected: list[str]) -> None:
    assert failing(verify(name, process_box)) == expected


def test_library_efa_passes_in_the_process_sandbox(process_box: Sandbox) -> None:
    entry = get_efa("efa/crt-v1")
    verdict = verify_efa_source(entry.source, seed_answer=entry.seed_answer, sandbox=process_box)
    assert verdict.passed, [(p.name, p.reason) for p in verdict.failed]


def test_to_evaluation_scores_the_fraction_of_properties(process_box: Sandbox) -> None:
    evaluation = verify("wrong_seed", process_box).to_evaluation()
    assert evaluation.score == pytest.approx(5 / 6)
    assert not evaluation.passed
    assert evaluation.metrics == {p: float(p != "faithful") for p in PROPERTIES}
    assert evaluation.feedback.startswith("failed EFA properties:\nfaithful: solve(seed_params)")
    assert evaluation.error is not None and evaluation.error.startswith("faithful:")


def test_same_seed_same_samples(process_box: Sandbox) -> None:
    def params(seed: int) -> list[object]:
        verdict = verify("good", process_box, samples=4, seed=seed)
        return [r["params"] for r in verdict.observations["explore"] if r["t"] == "sample"]

    assert params(3) == params(3) != params(4)


@pytest.mark.parametrize(
    ("number", "text", "found"),
    [
        (12, "a = 12, b = 3", True),
        (12, "a = 123", False),
        (3, "x = 3.5", False),
        (1000, "a total of 1,000 coins", True),
        (1000, "$1{,}000$", True),
        (-4, "shift by −4", True),
        (2.5, "a rate of 2.5 per hour", True),
        (7.0, "after 7 days", True),
        (0.25, "with probability 25%", True),
        (0.5, r"with probability $\frac{1}{2}$", True),
        (0.75, "3/4 of the coins", True),
        (3, "three fair dice", True),
        (3, "thirty dice", False),
        (1000, r"$1\,000$", True),
    ],
)
def test_stated_matches_whole_number_tokens(number: float, text: str, found: bool) -> None:
    assert stated(number, text) is found


def test_numbers_skip_strings_and_booleans() -> None:
    assert numbers({"m": [3, 5, 1, 0], "name": "x", "flag": True, "r": {"k": 2.5}}) == [3, 5, 2.5]


def test_observations_reading_is_strict() -> None:
    token = "t0k"
    good = f'{token} {{"t": "start"}}\n'.encode()
    assert read_run(good, token, "o").records == [{"t": "start"}]
    forged = read_run(good + b'{"t": "done"}\n', token, "o")
    assert forged.foreign == 1 and not forged.done
    assert read_run(f"{token} NaN\n".encode(), token, "o").error
    assert read_run(None, token, "o").error == "the harness left no o"
    assert "larger than" in (read_run(b"x" * (3 << 20), token, "o").error or "")


@pytest.mark.parametrize(
    ("raw", "kind", "text"),
    [
        ({"type": "int", "text": "17"}, "integer", "17"),
        ({"type": "Fraction", "text": "6/3"}, "integer", "2"),
        ({"type": "Fraction", "text": "6/4"}, "rational", "3/2"),
        ({"type": "float", "text": "0.5"}, "real", "0.5"),
        ({"type": "sympy", "text": "E*x**2"}, "expression", "exp(1)*x**2"),
        ({"type": "float", "text": "2.0"}, "integer", None),
        ({"type": "bool", "text": "True"}, "integer", None),
        ({"type": "Fraction", "text": "1/2"}, "integer", None),
        ({"type": "float", "text": "inf"}, "real", None),
        ({"type": "sympy", "text": "__import__('os')"}, "expression", None),
        ({"type": "int", "text": "1" * 500}, "integer", None),
    ],
)
def test_raw_answers_are_read_by_the_trusted_rules(raw: dict, kind: str, text: str | None) -> None:
    answer, why = read_answer(raw, kind)
    assert (answer.text if answer else None) == text
    assert (why is None) is (text is not None)


def test_observations_are_json(process_box: Sandbox) -> None:
    verdict = verify("good", process_box, samples=3)
    json.dumps(verdict.observations)
    assert [r["t"] for r in verdict.observations["explore"]][:3] == ["start", "extract", "init"]


@pytest.mark.docker
def test_hanging_variants_stay_within_their_budget(docker_box: Sandbox) -> None:
    limits = Limits(timeout=5.0, memory_mb=512)
    verdict = verify(
        "hangs_on_mixed", docker_box, limits=limits, seed_answer=Answer("integer", "15")
    )
    assert verdict.passed, [(p.name, p.reason) for p in verdict.failed]
    assert any(r["t"] == "variants_stopped" for r in verdict.observations["replay"])
    assert sum(run["duration_s"] for run in verdict.observations["runs"]) < 2 * limits.timeout


@pytest.mark.docker
def test_ending_the_process_early_is_not_executable(docker_box: Sandbox) -> None:
    verdict = verify("exits_early", docker_box)
    assert failing(verdict) == ["executable", "faithful"]
    reason = verdict.result("executable").reason
    assert "did not finish: the run exited early with status 0" in reason
    assert "the last step that finished was sample #" in reason
    assert verdict.result("faithful").reason.startswith("not checked: the harness did not finish")


def test_plain_runner_without_pytest(process_box: Sandbox, monkeypatch) -> None:
    monkeypatch.setattr(unittests, "USE_PYTEST", False)
    assert failing(verify("wrong_seed", process_box)) == ["faithful"]
    verdict = verify_efa_source("X = 1\n", seed_answer=SEED, sandbox=process_box)
    reports = [r for r in verdict.observations["explore"] if r["t"] == "test"]
    assert [r["name"] for r in reports] == ["test_extractable"]


HOST_FILE = Path(__file__).resolve().parents[2] / "environments" / "efa" / "library" / "crt.py"
ATTEMPTS = [
    (f"open({str(HOST_FILE)!r}).read()", f"opening {str(HOST_FILE)!r} outside the work dir"),
    ("os.listdir('/')", "listing the directory '/' outside the work dir"),
    ("subprocess.run(['cat', '/etc/hostname'])", "starting a process (subprocess.Popen)"),
    ("os.system('true')", "starting a process (os.system)"),
    ("open('notes.txt', 'a').write('x')", "opening 'notes.txt' for writing"),
    ("os.remove('efa_job.json')", "deleting a file (os.remove)"),
    ("gc.get_objects()", "walking the interpreter's objects (gc)"),
]


@pytest.mark.parametrize(("attempt", "reason"), ATTEMPTS, ids=[a[1][:24] for a in ATTEMPTS])
def test_forbidden_operations_are_refused(process_box: Sandbox, attempt: str, reason: str) -> None:
    source = fake("good").replace(
        "    def solve(self, params):\n",
        "    def solve(self, params):\n        import gc, os, subprocess\n"
        f"        try:\n            {attempt}\n        except OSError:\n            pass\n",
    )
    verdict = verify_efa_source(source, seed_answer=SEED, sandbox=process_box, samples=3)
    assert failing(verdict) == ["executable"]
    assert reason in verdict.result("executable").reason


def test_oversized_params_and_texts_are_capped(process_box: Sandbox) -> None:
    source = fake("good").replace(
        "        top = self.max_value\n",
        "        top = self.max_value\n        if rng.random() < 0.5:\n"
        "            return {'a': 1, 'b': 2, 'c': 3, 'pad': 'x' * 10**6}\n",
    )
    verdict = verify_efa_source(source, seed_answer=SEED, sandbox=process_box)
    assert "sample raised ValueError: the sample is longer than 4000 characters" in (
        verdict.result("executable").reason
    )


def test_static_methods_and_hostile_descriptors(process_box: Sandbox) -> None:
    static = fake("good").replace(
        "    def render(self, params):", "    @staticmethod\n    def render(params):"
    )
    assert verify_efa_source(static, seed_answer=SEED, sandbox=process_box).passed
    a_property = fake("good").replace(
        "    def render(self, params):",
        "    @property\n    def sample(self):\n        return 1\n\n    def render(self, params):",
    )
    verdict = verify_efa_source(a_property, seed_answer=SEED, sandbox=process_box)
    assert verdict.result("extractable").reason == "sample is not callable"
    hostile = "class Boom:\n    def __get__(self, obj, owner):\n        raise SystemExit(3)\n\n\n"
    hostile += fake("good").replace(
        "    def render(self, params):", "    sample = Boom()\n\n    def render(self, params):"
    )
    verdict = verify_efa_source(hostile, seed_answer=SEED, sandbox=process_box)
    reason = verdict.result("extractable").reason
    assert reason == "inspecting the class raised SystemExit: 3"


@pytest.mark.docker
def test_memory_hog_fails_executable(docker_box: Sandbox) -> None:
    source = fake("good").replace(
        "    def solve(self, params):\n",
        "    def solve(self, params):\n        if params['b'] % 3 == 0:\n"
        "            params['pad'] = b'x' * (2 * 1024**3)\n",
    )
    verdict = verify_efa_source(source, seed_answer=SEED, sandbox=docker_box, limits=LIMITS)
    assert "executable" in failing(verdict)
    reason = verdict.result("executable").reason
    assert "MemoryError" in reason or "ran out of memory" in reason, reason
