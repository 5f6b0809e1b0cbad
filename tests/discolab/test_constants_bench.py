"""`discolab bench score constants-v1 FILE`: every formula re-verified under the task's
bounds, distinct formulas counted by canonical form, hostile entries refused per task."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from discolab.cli import _mount_subcommands, app
from discolab.constants.bench import load_constants_suite, read_submission, score_task
from discolab.environments.constants.environment import PcfEnvironment, make_pcf_environment
from discolab.errors import ConfigError


@pytest.fixture(scope="module")
def suite():
    return {t.id: t for t in load_constants_suite("constants-v1").tasks}


def test_suite_lists_the_issue_tasks(suite) -> None:
    assert {"zeta3-delta", "pi-fast", "e-many"} <= set(suite)
    assert suite["zeta3-delta"].criterion == "delta" and suite["pi-fast"].threshold == 0.3
    for task in suite.values():
        assert "PCF(" in task.environment.statement  # agents read the format, not an answer
        assert "34*n**3" not in task.environment.statement


def test_inflated_copies_count_once(suite) -> None:
    result = score_task(suite["e-many"], ["PCF(n + 3, -n)", "PCF(2*n + 6, -4*n)", "PCF(n + 4, -n)"])
    assert len(result.verified) == 2 and not result.passed


def test_criteria(suite) -> None:
    apery = "PCF(34*n**3 + 51*n**2 + 27*n + 5, -n**6)"
    assert score_task(suite["zeta3-delta"], [apery]).passed
    slow = "PCF(3*n + 1, -2*n**2 + n)"  # 2/π at ~0.30 digits per term
    fast = "PCF(2*n + 1, n**2)"  # 4/π at ~0.77
    faster_than_half = replace(suite["pi-fast"], threshold=0.5)
    assert not score_task(faster_than_half, [slow]).passed
    assert score_task(faster_than_half, [slow, fast]).passed


def test_task_bounds_are_enforced(suite) -> None:
    result = score_task(suite["e-any"], ["PCF(n**2 + 3, -n)"])
    assert not result.verified and "degree 2 exceeds" in result.first_failure


@pytest.mark.parametrize(
    "formula",
    [
        "__import__('os').system('true')",
        "PCF(n**40, 1)",
        "PCF(0.5*n, 1)",
        "PCF(n, nan)",
        "x" * 5000,
    ],
)
def test_hostile_entries_fail_their_task_only(suite, formula) -> None:
    result = score_task(suite["e-any"], [formula, "PCF(n + 3, -n)"])
    assert result.passed and result.first_failure is not None


def test_cli_scores_a_mixed_submission(tmp_path: Path) -> None:
    _mount_subcommands()
    path = tmp_path / "sub.json"
    path.write_text(
        json.dumps(
            {
                "e-any": ["PCF(n + 3, -n)"],
                "zeta3-delta": ["PCF(34*n**3 + 51*n**2 + 27*n + 6, -n**6)"],
                "unknown-task": ["PCF(1, 1)"],
            }
        )
    )
    out = CliRunner().invoke(
        app, ["bench", "score", "constants-v1", str(path)], env={"COLUMNS": "220"}
    )
    assert out.exit_code == 0, out.output
    assert "1/9 tasks passed" in out.output
    assert "unknown task 'unknown-task'" in out.output
    assert "unidentified" in out.output


def test_jsonl_submissions_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "sub.jsonl"
    path.write_text('{"task": "e-any", "formula": "PCF(n + 3, -n)"}\nnot json\n{"task": 1}\n')
    entries, rejected = read_submission(path)
    assert entries == {"e-any": ["PCF(n + 3, -n)"]}
    assert len(rejected) == 2


def test_environment_options_are_checked() -> None:
    assert isinstance(make_pcf_environment("constants/pcf-v1", target="pi"), PcfEnvironment)
    with pytest.raises(ConfigError, match="unknown constant"):
        make_pcf_environment(target="tau")
    with pytest.raises(ConfigError, match="options"):
        make_pcf_environment(shift=2)
    with pytest.raises(ConfigError, match="max_a_degree"):
        PcfEnvironment(max_a_degree=40)
