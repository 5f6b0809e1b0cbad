"""The sandbox contract, checked against every backend (the ``sandbox`` fixture)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from discolab.sandbox import Limits, Sandbox


def test_exec_argv_and_shell_string(sandbox: Sandbox) -> None:
    result = sandbox.exec(["echo", "hello", "world"])
    assert result.ok, result
    assert result.stdout == "hello world\n"
    shell = sandbox.exec("echo $((6 * 7)) && echo oops >&2")
    assert (shell.stdout, shell.stderr) == ("42\n", "oops\n")


def test_stdin_reaches_the_command(sandbox: Sandbox) -> None:
    result = sandbox.run_python("import sys; print(sys.stdin.read().upper())", stdin="abc")
    assert result.stdout == "ABC\n"


def test_a_failing_candidate_is_a_result(sandbox: Sandbox) -> None:
    result = sandbox.run_python("import sys; print('partial'); sys.exit(3)")
    assert result.returncode == 3
    assert not result.ok
    assert result.failure_reason == "exited with status 3"
    assert result.stdout == "partial\n"
    crash = sandbox.run_python("raise ValueError('boom')")
    assert crash.returncode == 1 and "ValueError: boom" in crash.stderr


def test_missing_program_is_a_result_not_an_exception(sandbox: Sandbox) -> None:
    result = sandbox.exec(["/no/such/program"])
    assert not result.ok
    assert result.returncode in (126, 127)


def test_timeout_kills_and_reports(sandbox: Sandbox) -> None:
    code = "import time; print('started', flush=True); time.sleep(60); print('woke')"
    result = sandbox.run_python(code, timeout=1)
    assert result.timed_out
    assert not result.ok and "timed out" in (result.failure_reason or "")
    # Killed mid-sleep: it never woke, and the run ended before the program could have.
    assert "woke" not in result.stdout and result.duration < 60


def test_files_in_and_out(sandbox: Sandbox) -> None:
    code = "d = open('data/in.txt').read(); open('out.txt', 'w').write(d * 2)"
    result = sandbox.run_python(code, files={"data/in.txt": "ab"})
    assert result.ok, result
    assert result.files["out.txt"] == b"abab"
    assert sandbox.read_file("out.txt") == b"abab"
    with pytest.raises(FileNotFoundError):
        sandbox.read_file("missing.txt")


def test_write_file_stages_inputs_for_later_runs(sandbox: Sandbox) -> None:
    sandbox.write_file("cfg.json", '{"n": 5}')
    code = "import json; print(json.load(open('cfg.json'))['n'])"
    assert sandbox.run_python(code).stdout == "5\n"
    assert sandbox.run_python(code).stdout == "5\n"
    sandbox.clear_files()
    assert not sandbox.run_python(code).ok


def test_each_run_gets_a_fresh_work_dir(sandbox: Sandbox) -> None:
    first = sandbox.run_python("import os; open('left.txt', 'w').write('x'); print(os.getcwd())")
    second = sandbox.run_python("import os; print(os.getcwd()); print(os.listdir('.'))")
    assert first.ok and second.ok
    assert "left.txt" not in second.stdout
    assert first.stdout.strip() != second.stdout.splitlines()[0]


def test_environment_is_minimal_and_extendable(sandbox: Sandbox) -> None:
    result = sandbox.exec(
        ["python3" if sandbox.name == "docker" else sandbox.python_argv()[0], "-c", _ENV_CODE],
        env={"EXTRA": "1"},
    )
    names = set(result.stdout.split())
    assert {"PATH", "HOME", "LANG", "EXTRA"} <= names
    assert not names & {"USER", "SSH_AUTH_SOCK", "OPENAI_API_KEY", "VIRTUAL_ENV"}


_ENV_CODE = "import os; print(' '.join(os.environ))"


def test_output_is_capped(sandbox: Sandbox) -> None:
    limits = Limits(output_bytes=1000, timeout=3)
    result = sandbox.run_python("print('y' * 50000)", limits=limits)
    assert result.output_truncated
    assert len(result.stdout) == 1000
    assert not result.ok


def test_numpy_and_friends_are_available(sandbox: Sandbox) -> None:
    code = "import numpy, scipy, sympy, mpmath; print(numpy.arange(4).sum())"
    result = sandbox.run_python(code)
    assert result.ok, result.stderr
    assert result.stdout == "6\n"


def test_paths_must_stay_in_the_work_dir(sandbox: Sandbox) -> None:
    for bad in ("../escape.txt", "/etc/passwd", "a/../../b"):
        with pytest.raises(ValueError, match="relative"):
            sandbox.write_file(bad, "x")
        with pytest.raises(ValueError, match="relative"):
            sandbox.exec(["true"], files={bad: "x"})


def test_concurrent_runs_do_not_mix(sandbox: Sandbox) -> None:
    def run(i: int) -> str:
        return sandbox.run_python(f"print({i} * {i})", stdin=str(i)).stdout

    with ThreadPoolExecutor(4) as pool:
        outputs = list(pool.map(run, range(8)))
    assert outputs == [f"{i * i}\n" for i in range(8)]
