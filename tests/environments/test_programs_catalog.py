"""Conformance of every registered construction problem: seed, markers, statement, references."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from discolab.environments.programs.base import ConstructionProblem
from discolab.environments.programs.catalog import make_problem, problem_ids, problem_registry
from discolab.environments.programs.common import EVOLVE_END, EVOLVE_START
from discolab.errors import UnknownIdError

IDS = problem_ids()
EXPECTED = {
    "programs/circle-packing-26-v1",
    "programs/circle-packing-32-v1",
    "programs/circle-packing-rect-21-v1",
    "programs/first-autocorrelation-v1",
    "programs/second-autocorrelation-v1",
    "programs/third-autocorrelation-v1",
    "programs/erdos-min-overlap-v1",
    "programs/heilbronn-triangle-11-v1",
    "programs/min-max-distance-16-2d-v1",
    "programs/min-max-distance-14-3d-v1",
    "programs/kissing-11-v1",
    "constants/pcf-zeta3-v1",
    "constants/pcf-pi-v1",
    "constants/pcf-e-v1",
    "constants/pcf-ln2-v1",
}


def run_seed(problem: ConstructionProblem, tmp_path: Path) -> object:
    """Run the (trusted) seed program on the host in an empty dir; the data it wrote."""
    (tmp_path / "main.py").write_text(problem.seed_program())
    done = subprocess.run(
        [sys.executable, "main.py"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads((tmp_path / problem.output_file).read_text())


def test_every_problem_is_registered_under_a_versioned_id() -> None:
    assert set(IDS) == EXPECTED


def test_the_registry_is_fresh_on_each_call() -> None:
    assert problem_registry() is not problem_registry()
    assert make_problem(IDS[0]) is not make_problem(IDS[0])


def test_an_unknown_id_suggests_the_close_one() -> None:
    with pytest.raises(UnknownIdError, match=r"did you mean .*programs/circle-packing-26-v1"):
        make_problem("programs/circle-packing-62-v1")


@pytest.mark.parametrize("problem_id", IDS)
def test_the_seed_writes_a_valid_construction(problem_id: str, tmp_path: Path) -> None:
    problem = make_problem(problem_id)
    data = run_seed(problem, tmp_path)
    assert problem.check_shape(data) is None
    verdict = problem.score(data)
    assert verdict.valid, verdict.error
    assert verdict.value is not None and verdict.fitness == problem.fitness(verdict.value)
    assert 0.0 <= verdict.behaviour <= 1.0
    # a seed is a weak start: it does not beat (or match) the best known value
    assert problem.fitness(verdict.value) < problem.fitness(problem.best_known)


@pytest.mark.parametrize("problem_id", IDS)
def test_the_seed_has_one_evolve_block_and_writes_outside_it(problem_id: str) -> None:
    lines = make_problem(problem_id).seed_program().splitlines()
    assert lines.count(EVOLVE_START) == 1 and lines.count(EVOLVE_END) == 1
    start, end = lines.index(EVOLVE_START), lines.index(EVOLVE_END)
    assert start < end
    block, tail = lines[start + 1 : end], lines[end + 1 :]
    assert any("=" in line and any(c.isdigit() for c in line) for line in block)
    assert not any("construction.json" in line for line in block)
    assert any("construction.json" in line for line in tail)
    assert len(lines) <= 60


@pytest.mark.parametrize("problem_id", IDS)
def test_the_statement_names_no_reference_value(problem_id: str) -> None:
    problem = make_problem(problem_id)
    assert "construction.json" in problem.statement
    assert ("maximise" if problem.direction == "max" else "minimise") in problem.statement
    for reference in problem.references:
        value = reference.value
        forms = {repr(value), str(value), f"{value:g}"}
        forms |= {f"{value:.{k}g}" for k in range(3, 8)} | {f"{value:.{k}f}" for k in (3, 4, 5, 6)}
        for form in forms:
            assert form not in problem.statement, (form, problem_id)


@pytest.mark.parametrize("problem_id", IDS)
def test_references_are_ordered_and_the_last_is_the_best(problem_id: str) -> None:
    problem = make_problem(problem_id)
    fitness = [problem.fitness(r.value) for r in problem.references]
    assert len(fitness) >= 2
    assert fitness == sorted(fitness)
    assert problem.best_known == problem.references[-1].value
    assert all(r.label for r in problem.references)


@pytest.mark.parametrize("problem_id", IDS)
@pytest.mark.parametrize("data", [None, [], "x", 1.0, {}, {"unexpected": 1}])
def test_junk_fails_at_the_shape_stage(problem_id: str, data: object) -> None:
    problem = make_problem(problem_id)
    verdict = problem.score(data)
    assert not verdict.valid and verdict.stage == "shape" and verdict.error
    assert verdict.value is None and verdict.fitness is None
    assert problem.check_shape(data) == verdict.error


MUTATE = r"""
import ast, json, random, sys
source = sys.stdin.read()
lines = source.splitlines()
start, end = lines.index("# EVOLVE-BLOCK-START") + 1, lines.index("# EVOLVE-BLOCK-END") + 1
tree = ast.parse(source)
knobs = [
    n for n in ast.walk(tree)
    if isinstance(n, ast.Constant) and type(n.value) in (int, float) and start < n.lineno < end
]
rng = random.Random(int(sys.argv[1]))
out = []
for _ in range(int(sys.argv[2])):
    node = rng.choice(knobs)
    old = node.value
    new = old * rng.uniform(0.7, 1.3) if old else rng.uniform(-0.3, 0.3)
    node.value = int(round(new)) if type(old) is int else new
    namespace = {"__name__": "mutant"}
    try:
        exec(compile(ast.unparse(tree), "mutant", "exec"), namespace)
        out.append(namespace["construct"]())
    except Exception:
        out.append(None)
    node.value = old
print(json.dumps(out))
"""


@pytest.mark.parametrize("problem_id", IDS)
def test_most_one_knob_mutations_of_the_seed_stay_valid(problem_id: str) -> None:
    """The evolver perturbs numeric constants; a seed must stay valid for most of them."""
    problem = make_problem(problem_id)
    done = subprocess.run(
        [sys.executable, "-c", MUTATE, "7", "24"],
        input=problem.seed_program(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    verdicts = [problem.score(data).valid for data in json.loads(done.stdout)]
    assert sum(verdicts) >= 0.75 * len(verdicts), (problem_id, verdicts)


def test_the_seed_parses_into_one_block_for_the_evolver() -> None:
    from discolab.agents.edits import layout

    for problem_id in IDS:
        assert len(layout(make_problem(problem_id).seed_program()).blocks) == 1


def test_score_output_reads_the_bytes_strictly() -> None:
    from discolab.environments.programs.common import score_output

    problem = make_problem("programs/first-autocorrelation-v1")
    assert score_output(problem, b'{"heights": [1, 1, 1]}').value == 2.0
    for raw in (b'{"heights": [1, NaN]}', b"\xff", b'{"heights": [1], "heights": [2]}'):
        verdict = score_output(problem, raw)
        assert not verdict.valid and verdict.stage == "shape" and verdict.error
