"""Suites expand into stable task ids; bad submissions score 0 with a reason, never crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from discolab.errors import ConfigError
from discolab.scoring import read_submission, score_submission
from discolab.suites import load_suite, suite_from_dict, task_labels

MINI = {
    "suite": {"id": "mini-v1"},
    "options": {"noise": 0.0, "budget": 3, "max_batch": 10, "seed": 0},
    "tasks": [{"env": "newton/gravity-v1", "shifts": ["canonical", "s2"]}],
}


def test_suite_expands_to_stable_ids() -> None:
    suite = suite_from_dict(MINI)
    assert [t.id for t in suite.tasks] == ["newton/gravity-v1#canonical", "newton/gravity-v1#s2"]
    task = suite.tasks[1]
    assert task.options == {"noise": 0.0, "budget": 3, "max_batch": 10, "seed": 0, "shift": "s2"}
    assert (task.domain, task.difficulty, task.system) == ("gravity", "other", "vanilla")


def test_shipped_suite_loads_by_name() -> None:
    suite = load_suite("newton-mini-v1")
    assert len(suite.tasks) == 13
    assert len({t.id for t in suite.tasks}) == 13


def test_task_labels() -> None:
    assert task_labels("newton/gravity-simple-v1", "medium-2") == ("gravity", "medium", "simple")
    assert task_labels("newton/snell-complex-v1", "canonical") == ("snell", "canonical", "complex")
    assert task_labels("newton/coulomb-v1", "hard-3") == ("coulomb", "hard", "vanilla")


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"tasks": [{"env": "newton/gravty-v1"}]}, "did you mean 'newton/gravity-v1'"),
        ({"tasks": [{"env": "newton/gravity-v1", "shifts": ["s9"]}]}, "matches no shift"),
        ({"tasks": []}, "at least one [[tasks]]"),
        ({"options": {"nosie": 0.1}}, "did you mean 'noise'"),
        ({"options": {"budget": "ten"}}, "options.budget"),
        ({"suite": {}}, "suite.id"),
    ],
)
def test_bad_suites_name_the_problem(change: dict, needle: str) -> None:
    with pytest.raises(ConfigError) as info:
        suite_from_dict({**MINI, **change})
    assert needle in str(info.value)


def _write(path: Path, lines: list[object]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write((line if isinstance(line, str) else json.dumps(line)) + "\n")
    return path


BAD_LAWS = {
    "unparseable": "C*m1*m2/(r**2",
    "hostile": "__import__('os').system('touch /tmp/discolab-pwned')",
    "nan": "C*log(-m1)",
    "overflow": "C*exp(m1)",
    "not-a-string": 42,
}


@pytest.mark.parametrize("kind", sorted(BAD_LAWS))
def test_bad_laws_score_zero_with_a_reason(tmp_path: Path, kind: str) -> None:
    suite = suite_from_dict(MINI)
    path = _write(
        tmp_path / "sub.jsonl",
        [
            {"task": "newton/gravity-v1#canonical", "law": BAD_LAWS[kind]},
            {"task": "newton/gravity-v1#s2", "law": "C*(m1 + m2)**2/r**1.5"},
        ],
    )
    report = score_submission(suite, read_submission(path, suite))
    bad, good = report.scores
    assert bad.score == 0.0 and not bad.symbolic_match and bad.error
    assert good.symbolic_match and good.score == 1.0
    assert not Path("/tmp/discolab-pwned").exists()


def test_bad_lines_duplicates_and_missing_tasks(tmp_path: Path) -> None:
    suite = suite_from_dict(MINI)
    path = _write(
        tmp_path / "sub.jsonl",
        [
            "this is not json",
            "[1, 2, 3]",
            {"law": "C*m1"},
            {"task": "newton/nowhere-v1#s1", "law": "C*m1"},
            {"task": "newton/gravity-v1#s2", "law": "C*(m1 + m2)**2/r**1.5"},
            {"task": "newton/gravity-v1#s2", "law": "C*m1*m2/r**2"},
        ],
    )
    submission = read_submission(path, suite)
    assert len(submission.rejected_lines) == 4
    assert any("unknown task id 'newton/nowhere-v1#s1'" in r for r in submission.rejected_lines)
    report = score_submission(suite, submission)
    canonical, shifted = report.scores
    assert canonical.error == "no law submitted for this task"
    assert shifted.score == 0.0 and "duplicate submission" in shifted.error
    assert report.total()["tasks"] == 2 and report.accuracy == 0.0


def test_exact_laws_with_or_without_fitted_constants(tmp_path: Path) -> None:
    suite = suite_from_dict(MINI)
    path = _write(
        tmp_path / "sub.jsonl",
        [
            {"task": "newton/gravity-v1#canonical", "law": "6.674e-11*m1*m2/r**2"},
            {"task": "newton/gravity-v1#s2", "law": "C*(m2 + m1)**2*r**-1.5"},
        ],
    )
    report = score_submission(suite, read_submission(path, suite))
    assert [s.symbolic_match for s in report.scores] == [True, True]
    assert report.by("domain")[0]["accuracy"] == 1.0


def test_laws_past_the_parameter_cap_are_refused_before_any_measurement(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import discolab.scoring as scoring

    suite = suite_from_dict(MINI)
    task = suite.tasks[0]

    def no_measuring(*args: object) -> None:
        raise AssertionError("a refused law must not cost a calibration run")

    monkeypatch.setattr(scoring, "calibration_experiments", no_measuring)
    cap = scoring.MAX_LAW_PARAMETERS
    too_many = " + ".join(f"C{k}*m1**C{k + 1}" for k in range(0, cap + 1, 2))
    refused = scoring.score_task(task, too_many)
    assert refused.score == 0.0 and not refused.symbolic_match
    assert f"has {cap + 2} free parameters" in (refused.error or "")
    assert f"at most {cap}" in (refused.error or "")
    unparseable = scoring.score_task(task, "C*m1*m2/(r**2")
    assert (unparseable.error or "").startswith("formula rejected:")
    assert scoring.screen_law(" + ".join(f"C{k}*m1" for k in range(cap)), ["m1"]) is None
