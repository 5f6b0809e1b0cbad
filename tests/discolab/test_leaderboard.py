"""Stored benchmark runs and ``discolab bench leaderboard``: storing, ranking, CLI output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from discolab.bench_cli import app as bench_app
from discolab.errors import ConfigError
from discolab.leaderboard import (
    build_leaderboard,
    group_columns,
    proposer_label,
    rank_runs,
    run_metadata,
    seed_groups,
    store_report,
    suite_fingerprint,
)
from discolab.scoring import read_submission, score_submission
from discolab.storage import BenchmarkStore, Database, RunSpec, TaskResult, sqlite_url
from discolab.suites import Suite, SuiteTask, load_suite, suite_from_dict

MINI = {
    "suite": {"id": "mini-v1"},
    "options": {"noise": 0.0, "budget": 3, "max_batch": 10, "seed": 0},
    "tasks": [{"env": "newton/gravity-v1", "shifts": ["canonical", "s2"]}],
}
GOOD = {
    "newton/gravity-v1#canonical": "C*m1*m2/r**2",
    "newton/gravity-v1#s2": "C*(m1 + m2)**2/r**1.5",
}
NEWTON_V1 = ["newton-v1", *(f"newton-v1-noise{n}" for n in ("1e-4", "1e-3", "1e-2", "1e-1"))]


def _write_suite(tmp_path: Path, data: dict = MINI) -> Path:
    lines = [f'[suite]\nid = "{data["suite"]["id"]}"\n[options]']
    lines += [f"{k} = {v!r}" for k, v in data["options"].items()]
    for selection in data["tasks"]:
        lines.append(f"[[tasks]]\nenv = {selection['env']!r}\nshifts = {selection['shifts']!r}")
    path = tmp_path / f"{data['suite']['id']}.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _write_submission(path: Path, laws: dict[str, str], **metadata: object) -> Path:
    path.write_text(
        "".join(json.dumps({"task": t, "law": law, **metadata}) + "\n" for t, law in laws.items())
    )
    return path


def _invoke(*args: str) -> object:
    result = CliRunner().invoke(bench_app, list(args), env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


# -- suite files -------------------------------------------------------------------------


@pytest.mark.parametrize("name", NEWTON_V1)
def test_newton_v1_suites_load_with_unique_ids_and_default_batch(name: str) -> None:
    from discolab.environments.catalog import make_environment

    suite = load_suite(name)
    assert suite.id == name
    ids = [t.id for t in suite.tasks]
    assert ids and len(ids) == len(set(ids))
    assert {t.difficulty for t in suite.tasks} == {"easy", "medium", "hard"}
    assert all("max_batch" not in t.options for t in suite.tasks)
    first = suite.tasks[0]
    assert make_environment(first.env_id, **dict(first.options)).max_batch >= 1


def test_noisy_newton_v1_suites_differ_only_in_noise() -> None:
    base = load_suite("newton-v1")
    for name, noise in zip(NEWTON_V1[1:], (1e-4, 1e-3, 1e-2, 1e-1), strict=True):
        noisy = load_suite(name)
        assert [t.id for t in noisy.tasks] == [t.id for t in base.tasks]
        assert {t.options["noise"] for t in noisy.tasks} == {noise}
    assert {t.options["noise"] for t in base.tasks} == {0.0}


# -- storing and ranking -----------------------------------------------------------------


def test_fingerprint_follows_the_tasks_not_the_file() -> None:
    suite = suite_from_dict(MINI)
    same = suite_from_dict({**MINI, "suite": {"id": "mini-v1", "description": "renamed"}})
    fewer = suite_from_dict(
        {**MINI, "tasks": [{"env": "newton/gravity-v1", "shifts": ["canonical"]}]}
    )
    noisier = suite_from_dict({**MINI, "options": {**MINI["options"], "noise": 0.1}})
    assert suite_fingerprint(suite) == suite_fingerprint(same)
    assert len({suite_fingerprint(s) for s in (suite, fewer, noisier)}) == 3


def test_run_metadata_keeps_only_values_shared_by_every_line(tmp_path: Path) -> None:
    suite = suite_from_dict(MINI)
    path = tmp_path / "sub.jsonl"
    path.write_text(
        json.dumps({"task": "newton/gravity-v1#canonical", "law": "C", "proposer": "p", "c": 1})
        + "\n"
        + json.dumps({"task": "newton/gravity-v1#s2", "law": "C", "proposer": "p", "c": 2})
        + "\n"
    )
    assert run_metadata(read_submission(path, suite)) == {"proposer": "p"}


def test_store_report_stores_a_scored_submission_once(tmp_path: Path) -> None:
    suite = suite_from_dict(MINI)
    path = _write_submission(tmp_path / "my-laws.jsonl", GOOD, proposer="me")
    submission = read_submission(path, suite)
    report = score_submission(suite, submission)
    with Database(sqlite_url(tmp_path / "d.db")) as db:
        store = BenchmarkStore(db)
        run, replaced = store_report(store, suite, report, path, submission=submission)
        assert not replaced
        assert run.label == "my-laws" and run.spec.proposer == "me"
        assert (run.tasks, run.matched, run.accuracy, run.failed) == (2, 2, 1.0, 0)
        assert run.spec.suite_hash == suite_fingerprint(suite)
        assert len(run.spec.submission_sha256) == 64
        again, replaced = store_report(store, suite, report, path, submission=submission)
        assert replaced and again.id == run.id
        assert [r.id for r in store.runs("mini-v1")] == [run.id]
        results = store.task_results(run.id)
        assert [r.task_id for r in results] == [t.id for t in suite.tasks]
        assert all(r.symbolic_match and r.law for r in results)
        with pytest.raises(ConfigError, match="--label"):
            store_report(store, suite, report, path, label="  ")


def _results(suite: object, matched: int, score: float) -> list[TaskResult]:
    return [
        TaskResult(t.id, t.domain, t.difficulty, t.system, "C", score, i < matched)
        for i, t in enumerate(suite.tasks)  # type: ignore[attr-defined]
    ]


def _spec(suite: object, label: str, suite_hash: str | None = None) -> RunSpec:
    return RunSpec(
        suite_id=suite.id,  # type: ignore[attr-defined]
        suite_hash=suite_hash or suite_fingerprint(suite),  # type: ignore[arg-type]
        label=label,
        submission_sha256=label * 4,
    )


def test_leaderboard_ranks_by_accuracy_then_mean_score(tmp_path: Path) -> None:
    suite = suite_from_dict(MINI)
    with Database(sqlite_url(tmp_path / "d.db")) as db:
        store = BenchmarkStore(db)
        for label, matched, score in [
            ("half-low", 1, 0.5),
            ("none", 0, 0.9),
            ("all", 2, 1.0),
            ("half-high", 1, 0.8),
        ]:
            store.record_run(_spec(suite, label), _results(suite, matched, score))
        board = build_leaderboard(store, suite)
    assert [row.run.label for row in board.rows] == ["all", "half-high", "half-low", "none"]
    assert [row.rank for row in board.rows] == [1, 2, 3, 4]
    assert board.columns == ("vanilla",)
    assert board.rows[1].groups["vanilla"].accuracy == 0.5
    assert board.hidden == 0 and all(row.current for row in board.rows)


def test_ties_go_to_the_earlier_run(tmp_path: Path) -> None:
    suite = suite_from_dict(MINI)
    with Database(sqlite_url(tmp_path / "d.db")) as db:
        store = BenchmarkStore(db)
        first, _ = store.record_run(_spec(suite, "zz-first"), _results(suite, 1, 0.5))
        second, _ = store.record_run(_spec(suite, "aa-second"), _results(suite, 1, 0.5))
    assert [r.id for r in rank_runs([second, first])] == [first.id, second.id]
    later = replace(first, created_at=second.created_at)
    assert [r.label for r in rank_runs([later, second])] == ["aa-second", "zz-first"]


def test_runs_on_an_older_task_list_are_hidden_unless_asked(tmp_path: Path) -> None:
    suite = suite_from_dict(MINI)
    with Database(sqlite_url(tmp_path / "d.db")) as db:
        store = BenchmarkStore(db)
        store.record_run(_spec(suite, "old", suite_hash="0" * 64), _results(suite, 2, 1.0))
        store.record_run(_spec(suite, "new"), _results(suite, 1, 0.5))
        board = build_leaderboard(store, suite)
        everything = build_leaderboard(store, suite, include_stale=True)
    assert [row.run.label for row in board.rows] == ["new"] and board.hidden == 1
    assert [(row.run.label, row.current) for row in everything.rows] == [
        ("old", False),
        ("new", True),
    ]


def test_group_columns_follow_the_suite() -> None:
    tasks = tuple(
        SuiteTask(f"newton/{d}-{s}-v1#{k}-1", f"newton/{d}-{s}-v1", {}, d, k, s)
        for d, s, k in [
            ("snell", "complex", "hard"),
            ("gravity", "vanilla", "medium"),
            ("decay", "vanilla", "easy"),
        ]
    )
    suite = Suite(id="x-v1", description="", tasks=tasks)
    assert group_columns(suite, "system") == ("vanilla", "complex")
    assert group_columns(suite, "difficulty") == ("easy", "medium", "hard")
    assert group_columns(suite, "domain") == ("decay", "gravity", "snell")
    with pytest.raises(ConfigError, match="cannot group"):
        group_columns(suite, "shift")


# -- the CLI -----------------------------------------------------------------------------


def test_cli_score_stores_and_leaderboard_ranks(tmp_path: Path) -> None:
    suite = str(_write_suite(tmp_path))
    db = str(tmp_path / "runs.db")
    good = _write_submission(tmp_path / "good.jsonl", GOOD, proposer="builtin")
    half = _write_submission(
        tmp_path / "half.jsonl",
        {"newton/gravity-v1#canonical": GOOD["newton/gravity-v1#canonical"]},
    )

    empty = _invoke("leaderboard", suite, "--db", db)
    assert empty.exit_code == 0
    assert "no stored runs of suite mini-v1" in empty.output
    assert not Path(db).exists()

    scored = _invoke("score", suite, str(half), "--db", db)
    assert scored.exit_code == 0 and "stored run bench-" in scored.output
    assert "'half'" in scored.output
    assert "within relative error 0.1 on held-out points" in scored.output
    assert "median OOD NMSE" in scored.output
    scored = _invoke("score", suite, str(good), "--db", db, "--label", "best-laws")
    assert scored.exit_code == 0 and "stored run" in scored.output
    rescored = _invoke("score", suite, str(good), "--db", db, "--label", "best-laws")
    assert rescored.exit_code == 0 and "replaced stored run" in rescored.output
    printed = _invoke("score", suite, str(good), "--db", db, "--label", "x", "--no-store")
    assert printed.exit_code == 0 and "stored" not in printed.output

    board = _invoke("leaderboard", suite, "--db", db)
    assert board.exit_code == 0, board.output
    lines = board.output.splitlines()
    best = next(i for i, line in enumerate(lines) if "best-laws" in line)
    worse = next(i for i, line in enumerate(lines) if "half" in line)
    assert best < worse
    assert "100.0%" in lines[best] and "self-reported: builtin" in lines[best]
    assert "acc@0.1" in board.output and "OOD NMSE" in board.output
    assert "50.0%" in lines[worse]
    assert "vanilla" in board.output and "simple" not in board.output

    by_domain = _invoke("leaderboard", suite, "--db", db, "--by", "domain")
    assert by_domain.exit_code == 0 and "gravity" in by_domain.output

    with Database(sqlite_url(db)) as database:
        assert len(BenchmarkStore(database).runs("mini-v1")) == 2


def test_cli_run_stores_its_run_under_the_run_name(tmp_path: Path) -> None:
    data = {
        "suite": {"id": "tiny-v1"},
        "options": {"noise": 0.0, "budget": 3, "max_batch": 12, "seed": 0},
        "tasks": [{"env": "newton/fourier-v1", "shifts": ["canonical"]}],
    }
    suite = str(_write_suite(tmp_path, data))
    db = str(tmp_path / "runs.db")
    out = tmp_path / "run.jsonl"
    args = ["run", suite, "--name", "t1", "--out", str(out), "--workers", "1", "--db", db]
    result = _invoke(*args)
    assert result.exit_code == 0, result.output
    with Database(sqlite_url(db)) as database:
        (run,) = BenchmarkStore(database).runs("tiny-v1")
    assert run.label == "t1" and run.spec.proposer == "builtin" and run.tasks == 1
    assert run.spec.origin == "run" and proposer_label(run) == "builtin"


def test_cli_unknown_suite_is_a_config_error(tmp_path: Path) -> None:
    env = {**os.environ, "DISCOLAB_DB": f"sqlite:///{tmp_path / 'cli.db'}"}
    result = subprocess.run(
        [sys.executable, "-m", "discolab", "bench", "leaderboard", "no-such-suite-v1"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert result.returncode == 2
    assert "suite 'no-such-suite-v1' not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_newton_v1_is_324_tasks_over_three_system_levels() -> None:
    suite = load_suite("newton-v1")
    assert len(suite.tasks) == 324 and len({t.id for t in suite.tasks}) == 324
    for level in ("vanilla", "simple", "complex"):
        mine = [t for t in suite.tasks if t.system == level]
        assert len(mine) == 108, level
        assert len({t.domain for t in mine}) == 12
        assert sorted({t.difficulty for t in mine}) == ["easy", "hard", "medium"]
    simple = next(t for t in suite.tasks if t.system == "simple")
    from discolab.environments.catalog import make_environment as build

    assert build(simple.env_id, **dict(simple.options)).spec.is_system


# -- ranking past accuracy, who made a run, seeds ----------------------------------------


def _ranked_results(suite: object, matched: int, within: int, ood: float) -> list[TaskResult]:
    return [
        TaskResult(
            t.id,
            t.domain,
            t.difficulty,
            t.system,
            "C",
            0.9,
            i < matched,
            within_tolerance=i < within,
            ood_nmse=ood,
        )
        for i, t in enumerate(suite.tasks)  # type: ignore[attr-defined]
    ]


def test_ties_on_accuracy_go_to_tolerance_then_ood_nmse(tmp_path: Path) -> None:
    suite = suite_from_dict(MINI)
    with Database(sqlite_url(tmp_path / "d.db")) as db:
        store = BenchmarkStore(db)
        for label, matched, within, ood in [
            ("one-match-no-tol", 1, 0, 1e-9),
            ("no-match-all-tol", 0, 2, 1e-9),
            ("one-match-tol-bad-ood", 1, 2, 0.5),
            ("one-match-tol-good-ood", 1, 2, 0.01),
            ("one-match-tol-nan-ood", 1, 2, float("nan")),
        ]:
            store.record_run(_spec(suite, label), _ranked_results(suite, matched, within, ood))
        board = build_leaderboard(store, suite)
    assert [row.run.label for row in board.rows] == [
        "one-match-tol-good-ood",
        "one-match-tol-bad-ood",
        "one-match-tol-nan-ood",
        "one-match-no-tol",
        "no-match-all-tol",
    ]
    assert board.rows[0].groups["vanilla"].accuracy_at_tolerance == 1.0


def test_a_scored_file_is_self_reported_and_a_run_names_its_proposer(tmp_path: Path) -> None:
    suite = suite_from_dict(MINI)
    claimed = _write_submission(tmp_path / "claims.jsonl", GOOD, proposer="gpt-9-ultra")
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(
        json.dumps({"task": "newton/gravity-v1#canonical", "law": "C", "proposer": "builtin"})
        + "\n"
        + json.dumps({"task": "newton/gravity-v1#s2", "law": "C", "proposer": "other"})
        + "\n"
    )
    ran = _write_submission(tmp_path / "ran.jsonl", GOOD, proposer="builtin")
    bare = _write_submission(tmp_path / "bare.jsonl", GOOD)
    with Database(sqlite_url(tmp_path / "d.db")) as db:
        store = BenchmarkStore(db)

        def stored(path: Path, ran_by: str | None = None):  # type: ignore[no-untyped-def]
            submission = read_submission(path, suite)
            report = score_submission(suite, submission)
            return store_report(store, suite, report, path, submission=submission, ran_by=ran_by)[0]

        file_run = stored(claimed)
        assert file_run.spec.origin == "file" and file_run.spec.proposer == "gpt-9-ultra"
        assert proposer_label(file_run) == "self-reported: gpt-9-ultra"
        assert proposer_label(stored(bare)) == "self-reported"
        wrong = stored(claimed, ran_by="builtin")  # the lines claim another proposer
        assert wrong.spec.origin == "file"
        resumed = stored(mixed, ran_by="builtin")  # lines from elsewhere: not vouched for
        assert resumed.spec.origin == "file" and proposer_label(resumed) == "self-reported"
        real = stored(ran, ran_by="builtin")
        assert real.spec.origin == "run" and proposer_label(real) == "builtin"


def test_seed_groups_summarise_labels_run_with_several_seeds(tmp_path: Path) -> None:
    suite = suite_from_dict(MINI)
    with Database(sqlite_url(tmp_path / "d.db")) as db:
        store = BenchmarkStore(db)
        for label, seed, matched, sha in [
            ("agent", 1, 2, "a1"),
            ("agent", 2, 1, "a2"),
            ("agent", 3, 0, "a3-old"),
            ("agent", 3, 1, "a3-new"),  # the newest run of a seed stands for it
            ("lonely", 1, 2, "l1"),  # one seed: no interval to show
            ("unseeded", None, 2, "u1"),
        ]:
            spec = replace(_spec(suite, label), seed=seed, submission_sha256=sha)
            store.record_run(spec, _ranked_results(suite, matched, matched, 0.1))
        ran = replace(_spec(suite, "agent"), seed=4, submission_sha256="r4", origin="run")
        store.record_run(replace(ran, proposer="builtin"), _ranked_results(suite, 2, 2, 0.1))
        board = build_leaderboard(store, suite)
        runs = store.runs(suite.id)
    (group,) = board.seeds
    assert group == seed_groups(runs)[0]
    assert (group.label, group.seeds, group.accuracies) == ("agent", (1, 2, 3), (1.0, 0.5, 0.5))
    assert group.accuracy.n == 3 and group.accuracy.mean == pytest.approx(2 / 3)
    assert 0.0 <= group.accuracy.low < group.accuracy.mean < group.accuracy.high <= 1.0
    assert group.proposer == "self-reported"  # the bench-run seed 4 is not pooled with them
    singles = [(g.label, g.proposer) for g in seed_groups(runs, min_seeds=1)]
    assert singles == [
        ("agent", "builtin"),
        ("lonely", "self-reported"),
        ("agent", "self-reported"),
    ]


def test_cli_leaderboard_shows_seed_intervals(tmp_path: Path) -> None:
    suite_path = str(_write_suite(tmp_path))
    db = str(tmp_path / "runs.db")
    one = _write_submission(tmp_path / "s1.jsonl", GOOD)
    half = _write_submission(
        tmp_path / "s2.jsonl", {"newton/gravity-v1#canonical": GOOD["newton/gravity-v1#canonical"]}
    )
    for path, seed in ((one, "1"), (half, "2")):
        result = _invoke(
            "score", suite_path, str(path), "--db", db, "--label", "mine", "--seed", seed
        )
        assert result.exit_code == 0, result.output
    board = _invoke("leaderboard", suite_path, "--db", db)
    assert board.exit_code == 0, board.output
    assert "mine (seed 1)" in board.output and "mine (seed 2)" in board.output
    assert "across seeds" in board.output
    assert "75.0% [0.0%, 100.0%]" in board.output  # two seeds: t(0.975, 1) is 12.7
    assert "1:100.0% 2:50.0%" in board.output


def test_spread_across_suites_takes_each_suites_newest_run_of_the_label(tmp_path: Path) -> None:
    from discolab.leaderboard import spread_across_suites

    suites = [suite_from_dict({**MINI, "suite": {"id": f"private-{k}"}}) for k in range(3)]
    db = tmp_path / "d.db"
    with Database(sqlite_url(db)) as database:
        store = BenchmarkStore(database)
        for suite, matched in zip(suites, (2, 1, 2), strict=True):
            store.record_run(_spec(suite, "builtin"), _ranked_results(suite, 0, 0, 1.0))
            newer = replace(_spec(suite, "builtin"), submission_sha256="new")
            store.record_run(newer, _ranked_results(suite, matched, matched, 0.1))
            store.record_run(_spec(suite, "other"), _ranked_results(suite, 0, 0, 1.0))
        found = spread_across_suites(store, [s.id for s in suites] + ["private-9"], "builtin")
    assert [r.spec.suite_id for r in found.runs] == ["private-0", "private-1", "private-2"]
    assert [r.accuracy for r in found.runs] == [1.0, 0.5, 1.0]
    assert found.missing == ("private-9",)
    assert found.accuracy is not None and found.accuracy.mean == pytest.approx(5 / 6)
    assert found.accuracy.n == 3 and found.accuracy.high == 1.0
    result = _invoke(
        "spread", "private-0", "private-1", "private-2", "--label", "builtin", "--db", str(db)
    )
    assert result.exit_code == 0, result.output
    assert "mean over 3 suites (95% t-interval): accuracy 83.3% [" in result.output
    assert "private-1" in result.output
