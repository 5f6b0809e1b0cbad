"""Private splits: laws redrawn from a secret seed, never on disk, scored given the seed."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from discolab.bench_cli import app
from discolab.bench_runner import campaign_id_for, run_suite
from discolab.campaign import CampaignRunner
from discolab.environments.catalog import make_environment
from discolab.errors import ConfigError
from discolab.scoring import read_submission, score_submission
from discolab.splits import (
    REDACTED,
    SECRET_OPTION,
    new_private_split,
    private_suite_text,
    restored_options,
)
from discolab.storage.db import Database
from discolab.storage.store import CampaignStore
from discolab.suites import load_suite, suite_from_dict

SECRET = "a long private secret"
OPTIONS = {"noise": 0.0, "budget": 2, "max_batch": 12, "seed": 0}


def _suite_text(env: str = "newton/fourier-v1", generator: str = "v2") -> str:
    split = new_private_split(SECRET, generator)
    return private_suite_text("private-t", split, description="t", options=OPTIONS, env=env)


def _truths(suite) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        t.id: make_environment(t.env_id, **dict(t.options)).ground_truth().formula
        for t in suite.tasks
    }


def test_a_private_split_file_holds_no_law_and_no_secret() -> None:
    text = _suite_text()
    suite = suite_from_dict(tomllib.loads(text), secret=SECRET)
    assert [t.id for t in suite.tasks][:2] == [
        "newton/fourier-v1#p-easy-1",
        "newton/fourier-v1#p-easy-2",
    ]
    assert sorted(t.difficulty for t in suite.tasks) == sorted(["easy", "medium", "hard"] * 3)
    assert SECRET not in text
    for formula in _truths(suite).values():
        assert formula not in text
        assert str(suite.tasks[0].options[SECRET_OPTION]) not in text


def test_private_laws_need_the_right_seed_and_are_reproducible() -> None:
    data = tomllib.loads(_suite_text())
    with pytest.raises(ConfigError, match="private split: give its secret seed"):
        suite_from_dict(data)
    with pytest.raises(ConfigError, match="not the secret seed"):
        suite_from_dict(data, secret="another secret")
    suite = suite_from_dict(data, secret=SECRET)
    first = _truths(suite)
    assert first == _truths(suite_from_dict(data, secret=SECRET))
    public = type(make_environment("newton/fourier-v1")).domain
    public_laws = {public.law(s).formula for s in public.shifts}
    assert len(set(first.values())) == 9
    for task in suite.tasks:  # easy laws may repeat public ones: a domain has only a few
        assert task.difficulty == "easy" or first[task.id] not in public_laws
    other = _truths(suite_from_dict(tomllib.loads(_suite_text()), secret=SECRET))
    assert other != first, "a new split (new salt) with the same secret draws new laws"


def test_a_public_suite_refuses_a_seed_and_short_secrets_are_refused() -> None:
    with pytest.raises(ConfigError, match="public"):
        load_suite("newton-mini-v1", secret=SECRET)
    with pytest.raises(ConfigError, match="at least 8"):
        new_private_split("short")
    with pytest.raises(ConfigError, match="cannot take a variant seed"):
        make_environment("newton/fourier-v1", shift="s1", variant_seed=5)


def test_a_submission_scores_against_the_private_laws(tmp_path: Path) -> None:
    suite = suite_from_dict(tomllib.loads(_suite_text()), secret=SECRET)
    truths = _truths(suite)
    path = tmp_path / "sub.jsonl"
    lines = [{"task": task_id, "law": law} for task_id, law in truths.items()]
    lines[0]["law"] = "C*A*dT/d"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    report = score_submission(suite, read_submission(path, suite))
    assert sum(s.symbolic_match for s in report.scores) == 8


def test_bench_cli_creates_and_scores_a_private_split(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "my-split.toml"
    made = runner.invoke(
        app,
        [
            "suite",
            "new",
            "my-split",
            "--seed",
            SECRET,
            "--env",
            "newton/hooke-v1",
            "--out",
            str(out),
        ],
    )
    assert made.exit_code == 0, made.output
    assert SECRET not in out.read_text()
    suite = load_suite(out, secret=SECRET)
    path = tmp_path / "sub.jsonl"
    path.write_text(
        "".join(json.dumps({"task": t.id, "law": "C*k*x**2"}) + "\n" for t in suite.tasks)
    )
    scored = runner.invoke(
        app,
        ["score", str(out), str(path), "--no-store"],
        env={"DISCOLAB_SUITE_SEED": SECRET},
    )
    assert scored.exit_code == 0, scored.output
    assert "my-split: " in scored.output and "/9 symbolic matches" in scored.output
    refused = runner.invoke(app, ["score", str(out), str(path), "--no-store"], env={})
    assert refused.exit_code != 0


def test_a_private_run_stores_no_variant_seed_and_resumes_only_with_it(tmp_path: Path) -> None:
    text = _suite_text("newton/hooke-v1").replace('"easy-*", "medium-*", "hard-*"', '"easy-1"')
    suite = suite_from_dict(tomllib.loads(text), secret=SECRET)
    (task,) = suite.tasks
    seed = task.options[SECRET_OPTION]
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    common = {"database_url": url, "suite": suite, "proposer": "builtin", "options": {}}
    (outcome,) = run_suite(**common, run_name="p", submission=tmp_path / "run.jsonl", workers=1)
    assert outcome.law and outcome.error is None
    record = CampaignStore(Database(url)).get_campaign(campaign_id_for("p", task))
    assert record.env_options[SECRET_OPTION] == REDACTED
    assert record.config["environment"]["options"][SECRET_OPTION] == REDACTED
    stored = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".jsonl"]
    assert len(stored) >= 2  # the database and the checkpoints
    for path in stored:
        assert str(seed).encode() not in path.read_bytes()
    assert CampaignRunner(url).resume(record.id).status == "finished"
    with pytest.raises(ConfigError, match="ran on a private split"):
        restored_options(record.env_options, None, record.id)
    assert restored_options(record.env_options, {SECRET_OPTION: seed}, "c")[SECRET_OPTION] == seed
