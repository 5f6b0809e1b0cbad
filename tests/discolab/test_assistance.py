"""Assistance: recorded on campaigns and benchmark runs, never ranked across on a leaderboard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from discolab import assistance as assist
from discolab.agents.llm.prompts import explorer_messages
from discolab.agents.proposers.base import ProposalContext, assistance_of
from discolab.agents.proposers.catalog import make_proposer
from discolab.bench_cli import app as bench_app
from discolab.campaign import CampaignRunner
from discolab.config import config_from_dict
from discolab.environments.catalog import make_environment
from discolab.errors import ConfigError
from discolab.leaderboard import build_leaderboard, store_report, suite_fingerprint
from discolab.scoring import read_submission, score_submission
from discolab.storage import BenchmarkStore, Database, RunSpec, TaskResult, sqlite_url
from discolab.suites import suite_from_dict
from discolab.types import Experiment

VANILLA = make_environment("newton/gravity-v1").spec
SYSTEM_ENV = make_environment("newton/gravity-simple-v1", max_batch=2)
MINI = {
    "suite": {"id": "mini-v1"},
    "options": {"noise": 0.0, "budget": 3, "max_batch": 10, "seed": 0},
    "tasks": [{"env": "newton/gravity-v1", "shifts": ["canonical", "s2"]}],
}
GOOD = {
    "newton/gravity-v1#canonical": "C*m1*m2/r**2",
    "newton/gravity-v1#s2": "C*(m1 + m2)**2/r**1.5",
}


def _invoke(*args: str) -> Any:
    result = CliRunner().invoke(bench_app, list(args), env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


# -- labels ------------------------------------------------------------------------------


def test_labels_and_kinds_round_trip() -> None:
    assert assist.label([]) == "none" and assist.label(None) == "unknown"
    assert assist.label(["inversion", "inversion"]) == "inversion"
    assert assist.kinds_of("none") == () == assist.kinds_of([])
    assert assist.kinds_of(["inversion"]) == ("inversion",) == assist.kinds_of("inversion")
    assert assist.kinds_of("b+a") == ("a", "b")
    assert assist.union(["none", "inversion", "none"]) == "inversion"
    assert assist.union(["none", "unknown"]) == "unknown"
    assert sorted(["unknown", "inversion", "none"], key=assist.sort_key) == [
        "none",
        "inversion",
        "unknown",
    ]
    for bad in (3, [1], ["unknown", "inversion"], [""]):
        with pytest.raises(ConfigError, match="assistance"):
            assist.kinds_of(bad)


# -- proposers and campaigns -------------------------------------------------------------


def test_proposers_declare_the_inversion_only_where_they_use_it() -> None:
    builtin = make_proposer("builtin")
    assert assistance_of(builtin, VANILLA) == ()
    assert assistance_of(builtin, SYSTEM_ENV.spec) == ("inversion",)
    url = {"base_url": "http://127.0.0.1:9/v1"}
    plain = make_proposer("openai:m", url)
    helped = make_proposer("openai:m", url | {"inversion": True})
    assert assistance_of(plain, SYSTEM_ENV.spec) == ()
    assert assistance_of(helped, SYSTEM_ENV.spec) == ("inversion",)
    assert assistance_of(helped, VANILLA) == ()  # a vanilla task needs no inversion
    assert assistance_of(object(), VANILLA) is None  # a proposer that does not say: unknown


def _context(env: Any) -> ProposalContext:
    env.reset(seed=1)
    points = [{v.name: v.low * 2 for v in env.spec.inputs} for _ in range(2)]
    outputs = env.experiment(points)
    return ProposalContext(env.spec, (Experiment(0, tuple(points), tuple(outputs)),), round=1)


def test_the_inversion_reaches_a_model_prompt_only_when_asked() -> None:
    ctx = _context(make_environment("newton/gravity-simple-v1", max_batch=2, points=16))
    plain = explorer_messages("propose", ctx, "text")[1]["content"]
    helped = explorer_messages("propose", ctx, "text", inversion=True)[1]["content"]
    assert "inversion" not in plain
    assert "Law samples read out of your records by the apparatus' inversion" in helped
    assert "(m1, m2, r -> F)" in helped and " -> F=" in helped
    assert helped.startswith(plain.split("Laws tried so far")[0].rstrip())
    vanilla = _context(make_environment("newton/gravity-v1"))
    assert explorer_messages("propose", vanilla, "text", inversion=True) == explorer_messages(
        "propose", vanilla, "text"
    )


@pytest.mark.parametrize(
    ("env_id", "expected"),
    [("newton/gravity-v1", ()), ("newton/gravity-simple-v1", ("inversion",))],
)
def test_a_campaign_records_its_assistance(
    tmp_path: Path, env_id: str, expected: tuple[str, ...]
) -> None:
    runner = CampaignRunner(sqlite_url(tmp_path / "c.db"))
    data = {
        "campaign": {"name": "a", "seed": 1},
        "environment": {"id": env_id, "options": {"budget": 1, "max_batch": 2}},
        "agent": {"proposer": "builtin", "options": {"population": 8, "generations": 1}},
    }
    result = runner.start(config_from_dict(data), campaign_id="a")
    assert runner.store.get_campaign("a").assistance == expected
    assert result.summary["assistance"] == assist.label(expected)


# -- benchmark runs and the leaderboard --------------------------------------------------


def _results(suite: Any, matched: int, score: float) -> list[TaskResult]:
    return [
        TaskResult(t.id, t.domain, t.difficulty, t.system, "C", score, i < matched)
        for i, t in enumerate(suite.tasks)
    ]


def _spec(suite: Any, label: str, assistance: str) -> RunSpec:
    return RunSpec(
        suite_id=suite.id,
        suite_hash=suite_fingerprint(suite),
        label=label,
        submission_sha256=label * 4,
        assistance=assistance,
    )


def test_leaderboard_ranks_each_assistance_class_on_its_own(tmp_path: Path) -> None:
    suite = suite_from_dict(MINI)
    with Database(sqlite_url(tmp_path / "d.db")) as db:
        store = BenchmarkStore(db)
        for label, assistance, matched, score in [
            ("oracle", "inversion", 2, 1.0),
            ("raw-good", "none", 1, 0.8),
            ("raw-best", "none", 2, 0.9),
            ("claimed", "unknown", 2, 1.0),
        ]:
            store.record_run(_spec(suite, label, assistance), _results(suite, matched, score))
        board = build_leaderboard(store, suite)
    assert board.classes == ("none", "inversion", "unknown")
    ranked = {name: [(r.rank, r.run.label) for r in board.ranked(name)] for name in board.classes}
    assert ranked == {
        "none": [(1, "raw-best"), (2, "raw-good")],
        "inversion": [(1, "oracle")],
        "unknown": [(1, "claimed")],
    }
    assert [r.run.label for r in board.rows] == ["raw-best", "raw-good", "oracle", "claimed"]


def _submission(path: Path, **extra: Any) -> Path:
    lines = [json.dumps({"task": t, "law": law, **extra}) for t, law in GOOD.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"assistance": ["inversion"]}, "inversion"),
        ({"assistance": "none"}, "none"),
        ({"assistance": []}, "none"),
        ({}, "unknown"),
    ],
)
def test_a_scored_file_records_the_assistance_it_claims(
    tmp_path: Path, extra: dict[str, Any], expected: str
) -> None:
    suite = suite_from_dict(MINI)
    path = _submission(tmp_path / "laws.jsonl", **extra)
    submission = read_submission(path, suite)
    report = score_submission(suite, submission)
    with Database(sqlite_url(tmp_path / "d.db")) as db:
        run, _ = store_report(BenchmarkStore(db), suite, report, path, submission=submission)
        assert run.spec.assistance == expected == BenchmarkStore(db).get_run(run.id).spec.assistance
        told, _ = store_report(
            BenchmarkStore(db), suite, report, path, label="run", assistance="inversion"
        )
        assert told.spec.assistance == "inversion"  # what ran wins over what a file says


def test_a_file_that_half_says_is_unknown_and_a_bad_value_is_refused(tmp_path: Path) -> None:
    suite = suite_from_dict(MINI)
    path = tmp_path / "laws.jsonl"
    (first, law1), (second, law2) = GOOD.items()
    path.write_text(
        json.dumps({"task": first, "law": law1, "assistance": "none"})
        + "\n"
        + json.dumps({"task": second, "law": law2})
        + "\n"
    )
    submission = read_submission(path, suite)
    report = score_submission(suite, submission)
    with Database(sqlite_url(tmp_path / "d.db")) as db:
        run, _ = store_report(BenchmarkStore(db), suite, report, path, submission=submission)
        assert run.spec.assistance == "unknown"
        bad = _submission(tmp_path / "bad.jsonl", assistance=3)
        parsed = read_submission(bad, suite)
        with pytest.raises(ConfigError, match="line 1: assistance = 3"):
            store_report(BenchmarkStore(db), suite, report, bad, submission=parsed)


def _write_suite(tmp_path: Path, data: dict[str, Any]) -> Path:
    lines = [f'[suite]\nid = "{data["suite"]["id"]}"\n[options]']
    lines += [f"{k} = {v!r}" for k, v in data["options"].items()]
    for selection in data["tasks"]:
        lines.append(f"[[tasks]]\nenv = {selection['env']!r}\nshifts = {selection['shifts']!r}")
    path = tmp_path / f"{data['suite']['id']}.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_bench_run_records_what_its_proposer_had_and_the_board_keeps_it_apart(
    tmp_path: Path,
) -> None:
    data = {
        "suite": {"id": "sys-v1"},
        "options": {"noise": 0.0, "budget": 1, "max_batch": 2, "seed": 0},
        "tasks": [{"env": "newton/gravity-simple-v1", "shifts": ["canonical"]}],
    }
    suite = str(_write_suite(tmp_path, data))
    db = str(tmp_path / "runs.db")
    out = tmp_path / "run.jsonl"
    args = ["run", suite, "--name", "b1", "--out", str(out), "--workers", "1", "--db", db]
    ran = _invoke(*args)
    assert ran.exit_code == 0, ran.output
    assert "(assistance: inversion)" in ran.output
    (line,) = [json.loads(x) for x in out.read_text().splitlines()]
    assert line["assistance"] == ["inversion"]

    raw = tmp_path / "raw.jsonl"
    raw.write_text(json.dumps({"task": line["task"], "law": line["law"], "assistance": []}) + "\n")
    assert _invoke("score", suite, str(raw), "--db", db).exit_code == 0
    with Database(sqlite_url(db)) as database:
        runs = {r.label: r.spec.assistance for r in BenchmarkStore(database).runs("sys-v1")}
    assert runs == {"b1": "inversion", "raw": "none"}

    board = _invoke("leaderboard", suite, "--db", db)
    assert board.exit_code == 0, board.output
    text = board.output
    assert "assistance: none" in text and "assistance: inversion" in text
    none_table, inversion_table = text.split("assistance: inversion")
    assert "raw" in none_table and "b1" not in none_table and "b1" in inversion_table

    refused = CliRunner().invoke(bench_app, ["run", suite, "--inversion", "--db", db])
    assert isinstance(refused.exception, ConfigError)
    assert "--inversion is for model proposers" in str(refused.exception)
