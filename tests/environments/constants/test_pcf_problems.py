"""PCF construction problems: known formulas score above 1, wrong ones below, junk is refused."""

from __future__ import annotations

import pytest

from discolab.environments.constants.problems import PROBLEMS, PcfProblem
from discolab.environments.programs.catalog import make_problem, problem_ids
from discolab.environments.programs.common import score_output

KNOWN = {
    "constants/pcf-zeta3-v1": {"a": [5, 27, 51, 34], "b": [0, 0, 0, 0, 0, 0, -1]},
    "constants/pcf-pi-v1": {"a": "2*n + 1", "b": "n**2"},
    "constants/pcf-e-v1": {"a": [3, 1], "b": [0, -1]},
    "constants/pcf-ln2-v1": {"a": "3*n + 2", "b": [0, 0, -2]},
}
IDS = sorted(KNOWN)


def test_every_pcf_problem_is_registered() -> None:
    assert {cls.id for cls in PROBLEMS} == set(KNOWN) <= set(problem_ids())


@pytest.mark.parametrize("problem_id", IDS)
def test_a_known_formula_is_verified_above_one(problem_id: str) -> None:
    problem = make_problem(problem_id)
    verdict = problem.score(KNOWN[problem_id])
    assert verdict.valid, verdict.error
    assert verdict.value is not None and 1.0 < verdict.value < 2.0
    assert verdict.value == pytest.approx(problem.best_known, abs=1e-4)
    assert verdict.metrics["verified"] == 1.0 and verdict.metrics["digits"] >= 50
    assert 0.0 <= verdict.behaviour <= 1.0


def test_faster_formulas_score_higher() -> None:
    zeta3 = make_problem("constants/pcf-zeta3-v1").score(KNOWN["constants/pcf-zeta3-v1"])
    ln2 = make_problem("constants/pcf-ln2-v1").score(KNOWN["constants/pcf-ln2-v1"])
    assert zeta3.metrics["rate"] > ln2.metrics["rate"]
    assert zeta3.value is not None and ln2.value is not None and zeta3.value > ln2.value


def test_a_transformed_formula_counts_for_its_constant() -> None:
    # PCF(n + 2, -n) = e/(e - 1): a Möbius transform of e is a formula for e
    verdict = make_problem("constants/pcf-e-v1").score({"a": "n + 2", "b": "-n"})
    assert verdict.valid and verdict.value is not None and verdict.value > 1.0


@pytest.mark.parametrize(
    ("problem_id", "data"),
    [
        ("constants/pcf-e-v1", KNOWN["constants/pcf-pi-v1"]),  # right formula, wrong constant
        ("constants/pcf-zeta3-v1", {"a": [5, 27, 51, 34], "b": [0, 0, 0, 0, 0, 0, -2]}),
        ("constants/pcf-pi-v1", {"a": "2*n + 2", "b": "n**2"}),  # a perturbed copy
        ("constants/pcf-pi-v1", {"a": "2", "b": "(2*n - 1)**2"}),  # 1 + 4/π, far too slow
    ],
)
def test_wrong_formulas_are_graded_below_one(problem_id: str, data: dict) -> None:
    verdict = make_problem(problem_id).score(data)
    assert verdict.valid, verdict.error
    assert verdict.value is not None and 0.0 <= verdict.value < 1.0
    assert verdict.metrics["verified"] == 0.0


def test_the_grade_rewards_digits_matched() -> None:
    problem = make_problem("constants/pcf-e-v1")
    near = "n + 3 + " + "*".join(f"(n - {j})" for j in range(8))  # e to ~5 digits
    close, far = problem.score({"a": near, "b": "-n"}), problem.score({"a": [1, 3], "b": [1, 1]})
    assert close.value is not None and far.value is not None
    assert 4 < close.metrics["matched_digits"] < 8
    assert far.value < close.value < 1.0


@pytest.mark.parametrize(
    ("data", "stage", "message"),
    [
        ({"a": "+".join(["1"] * 80), "b": "1"}, "shape", "syntax nodes"),
        ({"a": "(n + 1)**100", "b": "1"}, "shape", "degree 100 exceeds the cap 8"),
        ({"a": [1] * 10, "b": [1]}, "shape", "degree at most 8"),
        ({"a": [1.5, 2], "b": [1]}, "shape", "a[0] = '1.5' is not a JSON integer"),
        ({"a": [1, True], "b": [1]}, "shape", "a[1] = 'True'"),
        ({"a": "2.0*n + 1", "b": "n**2"}, "shape", "coefficients must be integers"),
        ({"a": "__import__('os').system('ls')", "b": "n"}, "shape", "not a polynomial"),
        ({"a": "NaN", "b": "n"}, "shape", "unknown name 'NaN'"),
        ({"a": "inf*n", "b": "n"}, "shape", "unknown name 'inf'"),
        ({"a": [[1, 2], [3]], "b": [1]}, "shape", "is not a JSON integer"),
        ({"a": {"x": 1}, "b": [1]}, "shape", "got dict"),
        ({"a": [], "b": [1]}, "shape", "non-empty list"),
        ({"a": [10**30], "b": [1]}, "shape", "31 digits"),
        ({"a": "n", "b": "n", "c": "1"}, "shape", "unexpected keys ['c']"),
        ({"a": "n"}, "shape", "missing keys ['b']"),
        ({"a": "9**9**9", "b": "n"}, "shape", "exponents must be non-negative integer literals"),
        ({"a": "2**99", "b": "n"}, "shape", "too large"),
        ({"a": "n + 1", "b": "n**2 - 4"}, "full", "zero_b"),  # b_2 = 0: terminates
        ({"a": "n", "b": "-n**2"}, "full", "divergent"),
        ({"a": "1", "b": "-1"}, "full", "zero_denominator"),
        ({"a": "0", "b": "1"}, "full", "zero_denominator"),
        ({"a": "3*n + 1", "b": "-2*n**2"}, "full", "rational"),
    ],
)
def test_hostile_and_degenerate_data_is_refused_with_a_reason(
    data: object, stage: str, message: str
) -> None:
    problem = make_problem("constants/pcf-e-v1")
    verdict = problem.score(data)
    assert not verdict.valid and verdict.stage == stage
    assert message in (verdict.error or ""), verdict.error
    assert verdict.value is None and verdict.fitness is None


def test_nan_and_duplicate_keys_in_the_bytes_fail_at_the_shape_stage() -> None:
    problem = make_problem("constants/pcf-pi-v1")
    assert score_output(problem, b'{"a": "2*n + 1", "b": "n**2"}').valid
    for raw in (b'{"a": [NaN], "b": [1]}', b'{"a": [1], "a": [2], "b": [1]}', b"\xff"):
        verdict = score_output(problem, raw)
        assert not verdict.valid and verdict.stage == "shape" and verdict.error


@pytest.mark.parametrize("problem_id", IDS)
def test_statements_hold_no_answer_formula(problem_id: str) -> None:
    problem = make_problem(problem_id)
    assert isinstance(problem, PcfProblem)
    text = problem.statement.replace(" ", "")
    for answer in ("34*n**3", "2*n+1", "n**2", "-n**6", "3*n+2", "-2*n**2", "n+3"):
        assert answer not in text
    seed = problem.seed_program()
    assert "construction.json" in seed
    assert str(list(problem.seed_a)) in seed


def test_scores_from_threads_match_serial_scores() -> None:
    """The evolver scores from a thread pool; the verifier's mpmath precision is global."""
    from concurrent.futures import ThreadPoolExecutor

    problem = make_problem("constants/pcf-pi-v1")
    cases = [KNOWN["constants/pcf-pi-v1"], {"a": [1, 3], "b": [1, 1, 1]}] * 3
    serial = [problem.score(data).value for data in cases]
    with ThreadPoolExecutor(max_workers=3) as pool:
        threaded = list(pool.map(lambda data: problem.score(data).value, cases))
    assert threaded == serial
