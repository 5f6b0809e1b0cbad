"""Candidate programs that try to cheat the construction scorer, in the real sandbox.

Each program runs through the evolver's cascade (:class:`ProgramEvaluator`) exactly as in a
campaign. The score must be the honest one recomputed from the construction data, or a
failure: printing or writing a fake score, redefining a scoring function, ``exec`` into
globals or monkeypatching numpy inside the sandbox changes nothing on the host, and a
program that hangs, floods, eats memory or forks is a failed result after which the same
sandbox still scores the next program. Reading the verifier's files, the best-known value
or an API key is probed directly: in Docker none of them is there to read.
"""

from __future__ import annotations

import json

import pytest

from discolab.agents.evolution.evaluate import ProgramEvaluator
from discolab.environments.programs.catalog import make_problem
from discolab.sandbox.base import Limits

LIMITS = Limits(timeout=5.0, memory_mb=256, pids=32, output_bytes=1 << 16)

HONEST = """import json
# EVOLVE-BLOCK-START
centers = [[0.1 + 0.16 * (k % 6), 0.1 + 0.2 * (k // 6)] for k in range(26)]
radii = [0.075] * 26
# EVOLVE-BLOCK-END
json.dump({"centers": centers, "radii": radii}, open("construction.json", "w"))
"""
HONEST_VALUE = 26 * 0.075

SCORE_CHEATS = {
    "prints a fake score": HONEST + 'print("score: 2.9999", "value = 2.9999")\n',
    "writes fake score files": HONEST
    + 'json.dump({"score": 3.0, "value": 3.0}, open("score.json", "w"))\n'
    + 'open("metrics.json", "w").write(\'{"fitness": 3}\')\n',
    "redefines the scoring function": "def score(*a, **k):\n    return 3.0\n"
    + "def evaluate(*a, **k):\n    return {'score': 3.0}\n"
    + HONEST
    + "try:\n    import discolab.environments.programs.packing as p\n"
    + "    p.score = score\nexcept ImportError:\n    pass\n",
    "execs into globals": HONEST + "exec('score = lambda *a: 3.0\\nbest_known = 0.0', globals())\n",
    "monkeypatches numpy": "import numpy as np\nnp.sqrt = lambda x: x * 0 + 100.0\n"
    + "np.hypot = lambda *a: 100.0\n"
    + HONEST,
}

FAILURES = {
    "hangs": "while True:\n    pass\n",
    "floods its output": "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n",
    "exhausts memory": "blocks = []\nwhile True:\n    blocks.append(bytearray(1 << 24))\n",
    "forks": "import os, time\nfor _ in range(20):\n    if os.fork() == 0:\n"
    "        time.sleep(30)\n        os._exit(0)\ntime.sleep(30)\n",
    "writes NaN": "import json\njson.dump({'centers': [[float('nan'), 0.5]] * 26, "
    "'radii': [0.01] * 26}, open('construction.json', 'w'))\n",
    "writes a complex value": "import json\nopen('construction.json', 'w').write("
    "json.dumps({'centers': [['1+2j', 0.5]] * 26, 'radii': [0.01] * 26}))\n",
    "overlaps by 1e-12": "import json\nc = [[0.1 + 0.16 * (k % 6), 0.1 + 0.2 * (k // 6)] "
    "for k in range(26)]\nr = [0.075] * 26\nr[0] = 0.085 + 1e-12\nr[1] = 0.075\n"
    "json.dump({'centers': c, 'radii': r}, open('construction.json', 'w'))\n",
    "writes nothing": "print('done')\n",
}

PROBE = r"""
import os, sys
found = []
for root in ("/", "/work", "/tmp", "/opt", "/usr/local/lib", "/home", "/root", "/srv"):
    for base, dirs, files in os.walk(root):
        if base.startswith(("/proc", "/sys", "/dev")):
            dirs[:] = []
            continue
        for name in files:
            path = os.path.join(base, name)
            if name.endswith(".py") and ("discolab" in path or "verifiers" in path):
                found.append(path)
            if name.endswith((".toml", ".json")) and "suites" in path:
                found.append(path)
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            found.append("cmdline:" + open(f"/proc/{pid}/cmdline", "rb").read().decode("latin-1"))
        except OSError:
            pass
print("ENV", sorted(os.environ.items()))
print("FOUND", found)
"""


@pytest.fixture(scope="module")
def problem():  # type: ignore[no-untyped-def]
    return make_problem("programs/circle-packing-26-v1")


@pytest.mark.parametrize("name", sorted(SCORE_CHEATS))
def test_a_score_cheat_gets_only_the_honest_score(sandbox, problem, name: str) -> None:  # type: ignore[no-untyped-def]
    run = ProgramEvaluator(problem, sandbox, LIMITS).evaluate(SCORE_CHEATS[name])
    assert run.stage == "full", run.evaluation.error
    assert run.evaluation.metrics["value"] == pytest.approx(HONEST_VALUE, abs=1e-12)


@pytest.mark.parametrize("name", sorted(FAILURES))
def test_a_hostile_program_is_a_failed_result_and_the_next_one_scores(  # type: ignore[no-untyped-def]
    sandbox, problem, name: str
) -> None:
    evaluator = ProgramEvaluator(problem, sandbox, LIMITS)
    run = evaluator.evaluate(FAILURES[name])
    assert not run.evaluation.passed and run.evaluation.score == 0.0
    assert run.evaluation.error and run.stage in ("run", "read", "shape", "full")
    assert evaluator.evaluate(HONEST).evaluation.passed


@pytest.mark.docker
def test_the_sandbox_holds_no_verifier_reference_or_key(docker_sandbox, problem, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OPENAI_API_KEY", "sk-discolab-test-secret")
    result = docker_sandbox.run_python(PROBE, limits=Limits(timeout=30.0, output_bytes=1 << 22))
    assert result.ok, result.failure_reason
    out = result.stdout
    assert "sk-discolab-test-secret" not in out and "OPENAI" not in out
    found = json.loads(json.dumps(out.split("FOUND", 1)[1].strip()))
    assert "verifiers" not in found and "discolab/" not in found, found[:500]
    for reference in problem.references:
        assert f"{reference.value}" not in out
