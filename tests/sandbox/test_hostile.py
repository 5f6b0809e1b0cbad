"""Hostile candidates, one test per attack, against every backend.

Each test asserts three things: the host is unharmed, the run is reported as a failure with a
reason, and the next candidate runs cleanly. An attack prints ``ESCAPED`` when it gets what
it wanted. Docker contains every attack. For ``process`` a test whose attack the backend
cannot contain on this machine (``ProcessSandbox.contains``) is marked
``xfail(strict=True)``: it documents the gap and fails loudly if that ever changes.
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from discolab.sandbox import ExecResult, Sandbox

GAPS = {
    "network": "no network namespace available (unshare/bwrap failed)",
    "host_files": "process candidates share the host file system",
    "secret_files": "process candidates run as root here (interpreter not usable by nobody)",
    "environment": "without a pid namespace /proc/<parent>/environ is readable",
    "processes": "RLIMIT_NPROC does not bind root",
    "disk": "only RLIMIT_FSIZE per file; many files can fill the host disk",
    "orphans": "without a pid namespace a setsid child escapes the process group",
    "scratch": "process candidates share the host /tmp",
    "signals": "without a pid namespace candidates can signal host processes",
}


@pytest.fixture
def attack(request: pytest.FixtureRequest, sandbox: Sandbox) -> Sandbox:
    """The sandbox, with a strict xfail when it cannot contain this test's attack."""
    name = request.node.get_closest_marker("attack").args[0]
    contains = getattr(sandbox, "contains", None)
    if contains is not None and name not in contains:
        reason = f"process backend cannot contain this: {GAPS.get(name, name)}"
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))
    return sandbox


def assert_contained(box: Sandbox, result: ExecResult, marker: str, leftovers: type) -> None:
    """The attack failed with a reason, left no process, and the next run is clean."""
    assert "ESCAPED" not in result.stdout, result
    assert not result.ok
    assert result.failure_reason
    assert leftovers.processes_with(marker) == []
    clean = box.run_python("import os; print('clean', sorted(os.listdir('.')))")
    assert clean.ok, clean
    assert clean.stdout == "clean ['main.py']\n"


@pytest.fixture
def listener() -> Iterator[tuple[int, list[object]]]:
    """A TCP server on the host's 127.0.0.1 that records every connection it accepts."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    accepted: list[object] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                accepted.append(server.accept()[1])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join()
    server.close()


CONNECT = """
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1.5)
print("ESCAPED: connected")
"""


@pytest.mark.attack("network")
def test_tcp_to_host_loopback(attack: Sandbox, listener, marker, leftovers) -> None:
    port, accepted = listener
    result = attack.run_python(CONNECT, args=["127.0.0.1", str(port), marker])
    assert accepted == []
    assert_contained(attack, result, marker, leftovers)


@pytest.mark.attack("network")
def test_tcp_to_outside_address(attack: Sandbox, marker, leftovers) -> None:
    result = attack.run_python(CONNECT, args=["192.0.2.1", "80", marker])  # TEST-NET-1
    assert_contained(attack, result, marker, leftovers)


READ = """
import os, sys
path = sys.argv[1]
data = os.listdir(path) if path.endswith("/") else open(path).read()
print("ESCAPED:", str(data)[:200])
"""


@pytest.mark.attack("host_files")
def test_read_the_repository(attack: Sandbox, marker, leftovers) -> None:
    path = leftovers.repo / "pyproject.toml"
    result = attack.run_python(READ, args=[str(path), marker])
    assert "discolab" not in result.stdout
    assert_contained(attack, result, marker, leftovers)


@pytest.mark.attack("secret_files")
def test_read_root_home(attack: Sandbox, marker, leftovers) -> None:
    result = attack.run_python(READ, args=["/root/", marker])
    assert_contained(attack, result, marker, leftovers)


@pytest.mark.attack("secret_files")
def test_read_etc_shadow(attack: Sandbox, marker, leftovers) -> None:
    result = attack.run_python(READ, args=["/etc/shadow", marker])
    assert "root:" not in result.stdout
    assert_contained(attack, result, marker, leftovers)


ENVIRON = """
import os, sys
secret = sys.argv[1]
if secret in str(os.environ):
    print("ESCAPED: in os.environ")
for pid in os.listdir("/proc"):
    try:
        if pid.isdigit() and secret.encode() in open(f"/proc/{pid}/environ", "rb").read():
            print("ESCAPED: in /proc", pid)
    except OSError:
        pass
sys.exit("the secret was not found")
"""


@pytest.mark.attack("environment")
def test_parent_environment_is_invisible(
    attack: Sandbox, marker, leftovers, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk-" + os.urandom(12).hex()
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    result = attack.run_python(ENVIRON, args=[secret, marker])
    assert secret not in result.stdout + result.stderr
    assert_contained(attack, result, marker, leftovers)


FORK_BOMB = """
import os, sys, time
born = 0
for _ in range(400):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    born += 1
print("ESCAPED" if born > int(sys.argv[1]) else "contained", born)
sys.exit(1)
"""


@pytest.mark.attack("processes")
def test_fork_bomb(attack: Sandbox, marker, leftovers) -> None:
    result = attack.run_python(FORK_BOMB, args=[str(leftovers.limits.pids), marker])
    assert_contained(attack, result, marker, leftovers)


@pytest.mark.attack("memory")
def test_memory_bomb(attack: Sandbox, marker, leftovers) -> None:
    code = "chunks = []\nwhile True:\n    chunks.append(bytearray(64 << 20))\n"
    result = attack.run_python(code, args=[marker])
    assert result.oom_killed
    assert_contained(attack, result, marker, leftovers)


DISK_FILL = """
import os, sys, tempfile
written = 0
for i in range(12):
    for where in (".", tempfile.gettempdir()):
        try:
            with open(os.path.join(where, f"fill-{sys.argv[2]}-{i}"), "wb") as fh:
                fh.write(b"x" * (8 << 20))
            written += 8
        except OSError:
            pass
print("ESCAPED" if written > int(sys.argv[1]) else "contained", written, "MiB")
sys.exit(1)
"""


@pytest.mark.attack("disk")
def test_disk_fill(attack: Sandbox, marker, leftovers) -> None:
    try:
        result = attack.run_python(DISK_FILL, args=[str(3 * leftovers.limits.workdir_mb), marker])
        assert_contained(attack, result, marker, leftovers)
    finally:
        for path in Path("/tmp").glob(f"fill-{marker}-*"):
            path.unlink()


@pytest.mark.attack("timeout")
def test_infinite_loop(attack: Sandbox, marker, leftovers) -> None:
    result = attack.run_python("while True:\n    pass\n", args=[marker], timeout=1)
    # A loop that never ends returned at all: it was killed (a minute is a hang, not load).
    assert result.timed_out and result.duration < 60
    assert_contained(attack, result, marker, leftovers)


@pytest.mark.attack("output")
def test_hundred_megabytes_to_stdout(attack: Sandbox, marker, leftovers) -> None:
    code = "import sys\nfor _ in range(100):\n    sys.stdout.buffer.write(b'x' * (1 << 20))\n"
    result = attack.run_python(code, args=[marker])
    assert result.output_truncated
    assert len(result.stdout) <= leftovers.limits.output_bytes
    assert_contained(attack, result, marker, leftovers)


ORPHAN = """
import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(1.5)
        print("ESCAPED: outlived the run", flush=True)
        open(sys.argv[1], "w").write("alive")
        time.sleep(30)
    os._exit(0)
time.sleep(0.3)
sys.exit("parent done")
"""


@pytest.mark.attack("orphans")
def test_double_forked_child_dies_with_its_run(attack: Sandbox, marker, leftovers) -> None:
    witness = Path("/tmp") / f"witness-{marker}"
    result = attack.run_python(ORPHAN, args=[str(witness), marker])
    assert leftovers.processes_with(marker) == []
    subprocess.run(["sleep", "2"], check=True)
    assert leftovers.processes_with(marker) == []
    assert not witness.exists()
    assert_contained(attack, result, marker, leftovers)


PLANT = """
import os, sys, tempfile
for where in (tempfile.gettempdir(), "/tmp", "/dev/shm", "..", "."):
    try:
        open(os.path.join(where, "planted-" + sys.argv[1]), "w").write("evil")
    except OSError:
        pass
"""
PROBE = """
import os, sys, tempfile
for where in (tempfile.gettempdir(), "/tmp", "/dev/shm", "..", ".", "/work"):
    try:
        if any(n.startswith("planted-" + sys.argv[1]) for n in os.listdir(where)):
            print("ESCAPED: found in", where)
    except OSError:
        pass
sys.exit("nothing planted was found")
"""


@pytest.mark.attack("scratch")
def test_writing_into_the_next_candidates_work_dir(attack: Sandbox, marker, leftovers) -> None:
    try:
        attack.run_python(PLANT, args=[marker])
        result = attack.run_python(PROBE, args=[marker])
        assert_contained(attack, result, marker, leftovers)
    finally:
        for path in Path("/tmp").glob(f"planted-{marker}"):
            path.unlink()


SIGNALS = """
import os, signal, sys
for target in (1, os.getppid(), int(sys.argv[1])):
    try:
        os.kill(target, signal.SIGKILL)
        print("sent to", target)
    except OSError as exc:
        print("refused", target, exc)
sys.exit("signals sent")
"""


@pytest.mark.attack("signals")
def test_signals_to_pid1_parent_and_host(attack: Sandbox, marker, leftovers) -> None:
    if "signals" not in getattr(attack, "contains", {"signals"}):
        pytest.xfail("not run: without a pid namespace this would SIGKILL host processes")
    sentinel = subprocess.Popen(["sleep", "30"])
    try:
        result = attack.run_python(SIGNALS, args=[str(sentinel.pid), marker])
        assert sentinel.poll() is None, "a host process was killed"
        assert_contained(attack, result, marker, leftovers)
    finally:
        sentinel.kill()
        sentinel.wait()


@pytest.mark.attack("argv")
def test_huge_argv(attack: Sandbox, marker, leftovers) -> None:
    result = attack.exec(["python3", "-c", "print('ESCAPED')", marker, "x" * (4 << 20)])
    assert result.error and "too long" in result.error.lower()
    assert_contained(attack, result, marker, leftovers)


@pytest.mark.attack("encoding")
def test_non_utf8_output(attack: Sandbox, marker, leftovers) -> None:
    code = (
        "import sys\nsys.stdout.buffer.write(b'ok\\xff\\xfe\\x80 done')\n"
        "sys.stderr.buffer.write(b'\\xc3\\x28')\nsys.exit(3)\n"
    )
    result = attack.run_python(code, args=[marker])
    assert result.stdout == "ok\ufffd\ufffd\ufffd done"
    assert "\ufffd" in result.stderr
    assert result.failure_reason == "exited with status 3"
    assert_contained(attack, result, marker, leftovers)
