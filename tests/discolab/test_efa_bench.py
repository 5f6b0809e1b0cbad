"""EFA suites: deterministic instances, `bench run efa-v1` with the built-in solver and
`bench score efa-v1 FILE` with exact checks; sampling and the variation search."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from discolab.cli import _mount_subcommands, app
from discolab.efa.bench import read_answers, score_answers
from discolab.efa.sampling import sample_in_sandbox, sample_library
from discolab.efa.suite import load_efa_suite
from discolab.efa.variation import knob_settings, vary
from discolab.environments.efa.catalog import efa_ids, get_efa
from discolab.errors import ConfigError, VerificationError


@pytest.fixture(scope="module")
def process_sandbox():
    from discolab.sandbox import Limits
    from discolab.sandbox.process import ProcessSandbox

    with ProcessSandbox(Limits(timeout=30.0, memory_mb=1024)) as box:
        yield box


@pytest.fixture(scope="module")
def cli() -> CliRunner:
    _mount_subcommands()
    return CliRunner()


def test_suite_instances_are_the_same_every_time() -> None:
    suite = load_efa_suite("efa-v1")
    task = suite.tasks[0]
    first = [(i, x.text, x.answer) for i, x in suite.instances(task)]
    again = [(i, x.text, x.answer) for i, x in load_efa_suite("efa-v1").instances(task)]
    assert first == again and len(first) == task.instances


def test_suite_covers_every_family_and_tier() -> None:
    suite = load_efa_suite("efa-v1")
    families = {t.family for t in suite.tasks}
    assert {"algebra", "number theory", "combinatorics"} <= families
    assert {t.tier for t in suite.tasks} >= {"easy", "hard"}


def test_scoring_counts_exact_answers_only() -> None:
    suite = load_efa_suite("efa-v1")
    task = suite.tasks[0]
    items = suite.instances(task)
    answers = {iid: inst.answer.text for iid, inst in items}
    first = items[0][0]
    answers[first] = answers[first] + "0"  # wrong
    scores = score_answers(suite, answers)
    assert scores[0].correct == task.instances - 1
    assert scores[0].first_failure.startswith(first)
    assert all(s.correct == 0 for s in scores[1:])


def test_bench_run_and_score_through_the_cli(tmp_path: Path, cli: CliRunner) -> None:
    out = tmp_path / "answers.jsonl"
    env = {"COLUMNS": "220"}
    ran = cli.invoke(app, ["bench", "run", "efa-v1", "--out", str(out)], env=env)
    assert ran.exit_code == 0, ran.output
    assert "by family:" in ran.output and "overall" in ran.output
    assert "cannot do these families at all: combinatorics" in ran.output
    scored = cli.invoke(app, ["bench", "score", "efa-v1", str(out)], env=env)
    assert scored.exit_code == 0, scored.output
    overall = [line for line in ran.output.splitlines() if line.startswith("overall")]
    assert overall and overall[0].split(";")[0] in scored.output


def test_submissions_with_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text('{"id": "crt-v1-easy/0", "answer": "5"}\nnope\n{"id": 3, "answer": 4}\n')
    answers, rejected = read_answers(path)
    assert answers == {"crt-v1-easy/0": "5"} and len(rejected) == 2


def test_library_sampling_is_seeded() -> None:
    entry = get_efa("efa/crt-v1")
    a = [i.to_json() for i in sample_library(entry, 5, seed=3)]
    b = [i.to_json() for i in sample_library(entry, 5, seed=3)]
    c = [i.to_json() for i in sample_library(entry, 5, seed=4)]
    assert a == b and a != c
    with pytest.raises(ConfigError):
        sample_library(entry, 0, seed=3)


def test_sandbox_sampling_matches_the_host(process_sandbox) -> None:
    entry = get_efa("efa/crt-v1")
    host = [i.to_json() for i in sample_library(entry, 6, seed=9)]
    boxed = [i.to_json() for i in sample_in_sandbox(entry.source, entry.id, 6, 9, process_sandbox)]
    assert boxed == host


def test_sandbox_sampling_refuses_bad_data(process_sandbox) -> None:
    liar = (
        "class EFA:\n    answer_kind = 'integer'\n    options = {}\n"
        "    def sample(self, rng): return {}\n    def render(self, p): return 'x'\n"
        "    def solve(self, p): return 1.5\n"
    )
    with pytest.raises(VerificationError, match="sampling failed"):
        sample_in_sandbox(liar, "cand-x", 3, 0, process_sandbox)


def test_variation_orders_settings_by_success() -> None:
    entry = get_efa("efa/crt-v1")
    assert knob_settings({"a": 4, "flag": True})[1:] == [
        {"a": 2, "flag": True},
        {"a": 8, "flag": True},
        {"a": 12, "flag": True},
    ]
    points = vary(
        entry.options,
        lambda o, n, s: sample_library(entry, n, s, o),
        lambda text: "1" if "by 2," in text else None,  # a solver that only ever answers 1
        per_point=10,
    )
    rates = [p.success_rate for p in points]
    assert rates == sorted(rates) and len(points) >= 3


def test_efa_cli_list_sample_vary(cli: CliRunner) -> None:
    listed = cli.invoke(app, ["efa", "list"], env={"COLUMNS": "250"})
    assert listed.exit_code == 0 and all(i in listed.output for i in efa_ids())
    sampled = cli.invoke(app, ["efa", "sample", "efa/crt-v1", "-n", "3"])
    rows = [json.loads(line) for line in sampled.output.splitlines()]
    assert len(rows) == 3 and {"problem", "answer", "params", "kind"} <= set(rows[0])
    varied = cli.invoke(
        app, ["efa", "vary", "efa/crt-v1", "--per-point", "4"], env={"COLUMNS": "200"}
    )
    assert varied.exit_code == 0 and "hardest:" in varied.output
    bad = cli.invoke(app, ["efa", "sample", "cand-nope", "-n", "3"])
    assert bad.exit_code == 2 and "no EFA" in bad.output
