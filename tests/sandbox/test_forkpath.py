"""The preloaded fork path: forked numpy candidates behave as fresh interpreters and stay
isolated from each other and from the supervisor.

Docker tests compare the fork path with the fork+exec path (``fork_python=False``) on the
same candidates; the rest of the sandbox suite runs ``run_python`` through the fork path.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator

import pytest

from discolab.sandbox import ExecResult, Limits, SandboxConfig
from discolab.sandbox.containers import run_job
from discolab.sandbox.docker import DockerSandbox, fork_eligible
from discolab.sandbox.forkpath import FORK_ARGV

LIMITS = Limits(timeout=5, memory_mb=512, pids=64)


@pytest.fixture(scope="module")
def fork_box(docker_ready: None) -> Iterator[DockerSandbox]:
    """One warm container, so consecutive runs share its supervisor."""
    with DockerSandbox(SandboxConfig(limits=LIMITS, pool_size=1, recycle_after=1000)) as box:
        yield box


@pytest.fixture(scope="module")
def exec_box(docker_ready: None) -> Iterator[DockerSandbox]:
    config = SandboxConfig(limits=LIMITS, pool_size=1, recycle_after=1000, fork_python=False)
    with DockerSandbox(config) as box:
        yield box


def _hostname(box: DockerSandbox) -> str:
    return box.exec(["cat", "/etc/hostname"]).stdout


def test_eligible_argv_env_and_files() -> None:
    assert fork_eligible([*FORK_ARGV, "a"], {}, {"main.py": b"", "data/in.txt": b""})
    assert not fork_eligible(["python3", "-c", "pass"], {}, {})
    assert not fork_eligible(FORK_ARGV, {"OPENBLAS_NUM_THREADS": "4"}, {})
    assert not fork_eligible(FORK_ARGV, {}, {"main.py": b"", "json.py": b""})


def test_preload_falls_back_when_numpy_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    from discolab.sandbox import forkpath

    for name in forkpath.THREAD_CAPS:  # preload sets them; undo restores the originals
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(forkpath, "PRELOAD", ("discolab_no_such_module",))
    monkeypatch.delitem(__import__("sys").modules, "numpy", raising=False)
    assert forkpath.preload() is None


PRELOADED = "import sys; print('numpy' in sys.modules)"


@pytest.mark.docker
def test_run_python_takes_the_fork_path_and_exec_does_not(fork_box, exec_box) -> None:
    assert fork_box.run_python(PRELOADED).stdout == "True\n"
    assert exec_box.run_python(PRELOADED).stdout == "False\n"
    assert fork_box.exec(["python3", "-c", PRELOADED]).stdout == "False\n"
    with_module = fork_box.run_python(PRELOADED, files={"helper.py": "x = 1"})
    assert with_module.stdout == "False\n"


FACTS = r"""
import builtins, json, os, sys
print(json.dumps({
    "argv": sys.argv, "orig_argv": sys.orig_argv, "path": sys.path, "cwd": os.getcwd(),
    "file": __file__, "name": __name__, "spec": repr(__spec__), "env": dict(os.environ),
    "globals": sorted(globals()), "exit": hasattr(builtins, "exit"),
    "stdio": [(s.encoding, s.errors, s.line_buffering, s.buffer.raw.name, s.fileno())
              for s in (sys.stdin, sys.stdout, sys.stderr)],
    "fds": sorted(os.listdir("/proc/self/fd")), "sid": os.getsid(0) == os.getpid(),
    "home": os.path.expanduser("~") == os.getcwd(), "stdin": sys.stdin.read(),
    "uid": os.getuid(), "dumpable": os.access("/proc/self/mem", os.R_OK),
}))
"""


def _facts(result: ExecResult) -> dict[str, object]:
    assert result.ok, result
    run = re.escape(json.loads(result.stdout)["cwd"])
    return json.loads(re.sub(run, "<run>", result.stdout))


@pytest.mark.docker
def test_the_forked_interpreter_looks_like_a_fresh_one(fork_box, exec_box) -> None:
    forked = _facts(fork_box.run_python(FACTS, args=["a", "b c"], stdin="in"))
    fresh = _facts(exec_box.run_python(FACTS, args=["a", "b c"], stdin="in"))
    assert forked == fresh
    assert forked["argv"] == ["main.py", "a", "b c"]
    assert forked["file"] == "<run>/main.py" and forked["name"] == "__main__"
    assert forked["path"][0] == "<run>"  # type: ignore[index]


ENDINGS = {
    "exit 3": "import sys; print('partial'); sys.exit(3)",
    "exit message": "import sys; sys.exit('bad input')",
    "exit none": "import sys; sys.exit()",
    "exit huge": "raise SystemExit(256)",
    "exception": "def f():\n    raise ValueError('boom')\nf()\n",
    "syntax error": "x = (\n",
    "os._exit": "import os; print('lost', end=''); os._exit(7)",
    "unflushed": "import sys; sys.stdout.write('kept'); sys.stderr.write('also')",
    "atexit and threads": (
        "import atexit, threading, time\natexit.register(print, 'atexit ran')\n"
        "threading.Thread(target=lambda: (time.sleep(0.2), print('thread ran'))).start()\n"
    ),
    "keyboard interrupt": "raise KeyboardInterrupt",
    "closed stdout": "import os; os.close(1); print('x')",
}


@pytest.mark.docker
@pytest.mark.parametrize("name", list(ENDINGS))
def test_exit_status_and_output_match_the_exec_path(name: str, fork_box, exec_box) -> None:
    forked, fresh = (box.run_python(ENDINGS[name]) for box in (fork_box, exec_box))
    strip = re.compile(r"/work/run-[0-9a-f]+")
    assert forked.returncode == fresh.returncode, (forked, fresh)
    assert forked.stdout == fresh.stdout
    assert strip.sub("<run>", forked.stderr) == strip.sub("<run>", fresh.stderr)
    assert "supervisor" not in forked.stderr


LEAVE = """
import builtins, os, subprocess, sys
import numpy
numpy.sum = lambda *a, **k: 42
sys.modules["numpy"].x = 1
builtins.leaked = 1
sys.path.append("/tmp/evil")
os.environ["LEAKED"] = "1"
for where in (".", "..", "/tmp", "/dev/shm"):
    open(os.path.join(where, "left-" + sys.argv[1]), "w").write("x")
subprocess.Popen(["sleep", "30", sys.argv[1]], start_new_session=True)
print(numpy.sum([1, 2]))
"""
PROBE = """
import builtins, os, sys
import numpy
found = []
if numpy.sum([1, 2]) != 3: found.append("numpy.sum")
if hasattr(numpy, "x"): found.append("numpy.x")
if hasattr(builtins, "leaked"): found.append("builtins")
if "/tmp/evil" in sys.path: found.append("sys.path")
if "LEAKED" in os.environ: found.append("environ")
for where in (".", "..", "/tmp", "/dev/shm", "/work"):
    if any(n.startswith("left-") for n in os.listdir(where)): found.append(where)
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        if sys.argv[1].encode() in open(f"/proc/{pid}/cmdline", "rb").read(): found.append(pid)
    except OSError:
        pass
print(found)
"""


@pytest.mark.docker
def test_state_left_by_one_run_is_gone_in_the_next(fork_box, marker: str) -> None:
    host = _hostname(fork_box)
    left = fork_box.run_python(LEAVE, args=[marker])
    assert left.ok and left.stdout == "42\n", left
    probe = fork_box.run_python(PROBE, args=[marker])
    assert _hostname(fork_box) == host, "the runs must share one container"
    assert probe.ok and probe.stdout == "[]\n", probe


@pytest.mark.docker
def test_random_generators_are_reseeded_in_every_run(fork_box) -> None:
    code = "import random, numpy\nprint(random.random(), numpy.random.rand())"
    outputs = {fork_box.run_python(code).stdout for _ in range(3)}
    assert len(outputs) == 3


SCAN = r"""
import gc, hashlib, sys
prefix = bytes(b ^ 0x5A for b in bytes.fromhex(sys.argv[1]))
target = sys.argv[2]
control = bytearray(b ^ 0x5A for b in bytes.fromhex(sys.argv[3]))
control_digest = sys.argv[4]

def scan(data, found):
    for p in (prefix, bytes(control[:8])):
        start = 0
        while (i := data.find(p, start)) >= 0:
            digest = hashlib.sha256(data[i:i + 32]).hexdigest()
            if digest == target: found.add("KEY")
            if digest == control_digest: found.add("control")
            start = i + 1

found, scanned = set(), 0
for obj in gc.get_objects():
    for ref in gc.get_referents(obj):
        if isinstance(ref, (bytes, bytearray)):
            scan(bytes(ref), found)
frame = sys._getframe()
while frame is not None:
    for value in list(frame.f_locals.values()):
        if isinstance(value, (bytes, bytearray)):
            scan(bytes(value), found)
    frame = frame.f_back
with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb", 0) as mem:
    for line in maps:
        fields = line.split()
        lo, hi = (int(x, 16) for x in fields[0].split("-"))
        if "r" not in fields[1] or (len(fields) > 5 and fields[5] in ("[vvar]", "[vsyscall]")):
            continue
        for start in range(lo, hi, 1 << 22):
            try:
                mem.seek(start)
                data = mem.read(min(hi, start + (1 << 22) + 31) - start)
            except OSError:
                continue
            scanned += len(data)
            scan(data, found)
print(sorted(found), scanned >> 20)
"""


@pytest.mark.docker
def test_the_candidate_cannot_find_the_hmac_key(fork_box) -> None:
    assert fork_box.pool is not None
    control = os.urandom(32)
    container = fork_box.pool.acquire()
    try:
        key = container.key
        args = [
            bytes(b ^ 0x5A for b in key[:8]).hex(),
            hashlib.sha256(key).hexdigest(),
            bytes(b ^ 0x5A for b in control).hex(),
            hashlib.sha256(control).hexdigest(),
        ]
        result, recycle = run_job(
            container,
            [*FORK_ARGV, *args],
            stdin=b"",
            files={"main.py": SCAN.encode()},
            limits=LIMITS.with_timeout(30),
            env={},
            python_fork=True,
        )
    finally:
        fork_box.pool.release(container, recycle=False)
    assert result.ok and not recycle, result
    found, megabytes = result.stdout.rsplit(" ", 1)
    assert found == "['control']", result.stdout  # the scan works, and finds no key
    assert int(megabytes) > 10  # numpy's pages were scanned too


REACH = r"""
import os
escaped = []
for fd in range(3, 1024):
    try:
        os.fstat(fd)
        escaped.append(f"fd {fd} open")
    except OSError:
        pass
others = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]
for pid in others:  # the supervisor (pid 1) and its job handler
    for name in ("fd/0", "fd/1", "mem", "environ"):
        try:
            open(f"/proc/{pid}/{name}", "rb").close()
            escaped.append(f"opened /proc/{pid}/{name}")
        except OSError:
            pass
body = b'{"returncode": 0, "stdout": "", "stderr": "", "clean": true}'
os.write(1, b"%010d" % len(body) + body + b"0" * 64)
print()
print("ESCAPED" if escaped else "contained", escaped, 1 in others and len(others) >= 2)
"""


@pytest.mark.docker
def test_the_candidate_cannot_reach_the_protocol_streams(fork_box) -> None:
    result = fork_box.run_python(REACH)
    assert result.ok, result
    assert result.stdout.splitlines()[-1] == "contained [] True", result.stdout
    assert fork_box.run_python("print('next')").stdout == "next\n"


SIGNAL_PID1 = """
import os, signal
for sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGSTOP, signal.SIGCHLD):
    os.kill(1, sig)
    os.kill(os.getppid(), sig)
print("sent")
"""


@pytest.mark.docker
def test_signals_from_the_candidate_do_not_stop_the_zygote(fork_box) -> None:
    host = _hostname(fork_box)
    result = fork_box.run_python(SIGNAL_PID1)
    assert result.ok and result.stdout == "sent\n", result
    assert fork_box.run_python("print('next')").stdout == "next\n"
    assert _hostname(fork_box) == host


@pytest.mark.docker
def test_the_shared_suite_runs_python_through_the_fork_path(docker_sandbox) -> None:
    # So the conformance and hostile suites (timeouts, memory and fork bombs, floods,
    # orphans, signals) exercise the fork path for every run_python attack.
    assert docker_sandbox.run_python(PRELOADED).stdout == "True\n"
