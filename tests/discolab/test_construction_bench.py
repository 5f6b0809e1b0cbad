"""``discolab bench score alphaevolve-v1 FILE``: construction suites scored by trusted verifiers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from discolab.bench_cli import app as bench_app
from discolab.construction_bench import (
    best_ratio,
    is_construction_suite,
    load_construction_suite,
    read_constructions,
    score_constructions,
)
from discolab.environments.programs.catalog import make_problem, problem_ids
from discolab.errors import ConfigError, UnknownIdError

SUITE = "alphaevolve-v1"


@pytest.fixture(scope="module")
def seed_constructions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """What every problem's seed program writes, run once on the host (trusted code)."""
    out = {}
    for problem_id in load_construction_suite(SUITE).problems:
        problem = make_problem(problem_id)
        work = tmp_path_factory.mktemp("seed")
        (work / "main.py").write_text(problem.seed_program())
        subprocess.run([sys.executable, "main.py"], cwd=work, check=True, timeout=60)
        out[problem_id] = json.loads((work / problem.output_file).read_text())
    return out


def _invoke(*args: str) -> object:
    result = CliRunner().invoke(bench_app, list(args), env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def test_the_suite_lists_every_registered_construction_problem() -> None:
    """Every ``programs/`` problem; the ``constants/pcf-*`` ones belong to constants-v1."""
    suite = load_construction_suite(SUITE)
    assert is_construction_suite(SUITE) and not is_construction_suite("newton-mini-v1")
    assert not is_construction_suite("constants-v1")
    assert set(suite.problems) == {p for p in problem_ids() if p.startswith("programs/")}


def test_the_seed_constructions_score_through_the_cli(seed_constructions, tmp_path: Path) -> None:
    path = tmp_path / "seeds.json"
    path.write_text(json.dumps(seed_constructions))
    result = _invoke("score", SUITE, str(path))
    assert result.exit_code == 0, result.output
    assert f"{SUITE}: 11/11 valid" in result.output
    assert "programs/kissing-11-v1" in result.output and "593" in result.output
    assert "invalid" not in result.output


def test_a_nan_entry_is_reported_invalid_without_a_traceback(
    seed_constructions, tmp_path: Path
) -> None:
    broken = json.loads(json.dumps(seed_constructions))
    broken["programs/circle-packing-26-v1"]["radii"][0] = float("nan")
    path = tmp_path / "nan.json"
    path.write_text(json.dumps(broken))  # json writes the token NaN
    assert "NaN" in path.read_text()
    result = _invoke("score", SUITE, str(path))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "invalid programs/circle-packing-26-v1: radii[0] is NaN" in result.output
    assert f"{SUITE}: 10/11 valid" in result.output


def test_json_lines_are_accepted_and_bad_lines_reported(seed_constructions, tmp_path: Path) -> None:
    lines = [json.dumps({"problem": k, "construction": v}) for k, v in seed_constructions.items()]
    lines[1:1] = ["not json", '{"problem": "programs/nope-v1", "construction": {}}']
    path = tmp_path / "seeds.jsonl"
    path.write_text("\n".join(lines) + "\n")
    constructions, rejected = read_constructions(path)
    assert len(constructions) == 12 and len(rejected) == 1
    result = _invoke("score", SUITE, str(path))
    assert result.exit_code == 0, result.output
    assert "11/11 valid" in result.output and "rejected line 2" in result.output
    assert "programs/nope-v1: not a problem of suite" in result.output


def test_missing_problems_are_invalid_and_ratios_follow_the_direction() -> None:
    suite = load_construction_suite(SUITE)
    report = score_constructions(suite, {"programs/kissing-11-v1": {"vectors": [[1] + [0] * 10]}})
    by_id = {r.problem_id: r for r in report.results}
    assert report.valid == 1
    assert by_id["programs/kissing-11-v1"].ratio == pytest.approx(1 / 593)
    assert by_id["programs/circle-packing-26-v1"].error == "no construction submitted"
    assert best_ratio(2.0, 1.5, "min") == 0.75 and best_ratio(1.5, 2.0, "max") == 0.75


def test_a_suite_with_an_unknown_problem_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        '[suite]\nid = "bad-v1"\nkind = "constructions"\nproblems = ["programs/x-v1"]\n'
    )
    with pytest.raises(UnknownIdError):
        load_construction_suite(path)
    path.write_text('[suite]\nid = "bad-v1"\nkind = "constructions"\nproblems = []\n')
    with pytest.raises(ConfigError):
        load_construction_suite(path)


MAIN = "import sys; from discolab.cli import main; sys.argv[0] = 'discolab'; main()"


def _discolab(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed CLI, with its error handling, in a child process."""
    return subprocess.run(
        [sys.executable, "-c", MAIN, *args], capture_output=True, text=True, timeout=120
    )


def test_an_unreadable_submission_and_a_law_command_are_one_clear_error(tmp_path: Path) -> None:
    done = _discolab("bench", "score", SUITE, str(tmp_path / "missing.json"))
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "cannot read submission" in done.stderr
    done = _discolab("bench", "leaderboard", SUITE, "--db", str(tmp_path / "db.sqlite"))
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "is a construction suite" in done.stderr
