"""The in-sandbox supervisor: runs one candidate, caps its output, kills what it leaves.

This file is plain standard-library Python so that it can run inside the sandbox image as
it is: the Docker backend sends its source through ``docker exec`` stdin (no bind mount, no
image rebuild when it changes), followed by one job. The process backend imports
:func:`pump` and :func:`collect_files` from it, so both backends cap output and read work
dirs the same way.

Inside a container the supervisor and the candidate share one non-root uid and hold no
capabilities, so after the run ``kill(-1, SIGKILL)`` reaches every process the candidate
started (double forks and ``setsid`` included) and nothing else; the supervisor makes itself
non-dumpable first so a candidate cannot read or write its file descriptors.

It runs as the main process of a warm container (under ``docker-init``) and serves jobs
from the container's stdin, so a run costs one fork+exec instead of a ``docker exec``.
Protocol (see :func:`serve`): every message is 10 ASCII digits giving its length, then its
bytes; the first is an HMAC key, each later one a job as JSON ``{"nonce", "argv", "env",
"files": {path: base64}, "stdin": base64, "limits": {...}}``. Each answer is a length, a
JSON result and the hex HMAC of nonce + result.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable

SCRATCH_DIRS = ("/work", "/tmp", "/dev/shm", "/dev/mqueue")
BASE_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONUNBUFFERED": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
_CHUNK = 1 << 16


def pump(
    proc: subprocess.Popen[bytes],
    stdin: bytes,
    cap: int,
    deadline: float,
    kill_all: Callable[[], None],
) -> tuple[bytes, bytes, bool, bool]:
    """Feed ``stdin``, read stdout/stderr up to ``cap`` bytes each, enforce ``deadline``.

    Output past the cap is drained and dropped, so a flood neither blocks the candidate
    nor fills memory. When the main process exits, ``kill_all`` removes what it left
    running (their pipes then close). Returns ``(stdout, stderr, truncated, timed_out)``.
    """
    sel = selectors.DefaultSelector()
    bufs: dict[int, bytearray] = {}
    for stream in (proc.stdout, proc.stderr):
        assert stream is not None
        os.set_blocking(stream.fileno(), False)
        sel.register(stream, selectors.EVENT_READ)
        bufs[stream.fileno()] = bytearray()
    pending = memoryview(stdin)
    assert proc.stdin is not None
    if pending:
        os.set_blocking(proc.stdin.fileno(), False)
        sel.register(proc.stdin, selectors.EVENT_WRITE)
    else:
        proc.stdin.close()
    truncated = timed_out = killed = False
    drain_until: float | None = None
    while sel.get_map():
        now = time.monotonic()
        if not killed and (proc.poll() is not None or now >= deadline):
            timed_out = proc.poll() is None
            kill_all()
            killed = True
            drain_until = now + 2.0
        if drain_until is not None and now >= drain_until:
            break
        wait = (drain_until if drain_until is not None else deadline) - now
        for key, _ in sel.select(max(0.0, min(wait, 0.05))):
            stream = key.fileobj
            if stream is proc.stdin:
                try:
                    sent = os.write(proc.stdin.fileno(), pending[:_CHUNK])
                except (BrokenPipeError, OSError):
                    sent = len(pending)
                pending = pending[sent:]
                if not pending:
                    sel.unregister(stream)
                    _close_quietly(proc.stdin)
                continue
            fd = stream.fileno()  # type: ignore[union-attr]
            try:
                chunk = os.read(fd, _CHUNK)
            except BlockingIOError:
                continue
            if not chunk:
                sel.unregister(stream)
                continue
            room = cap - len(bufs[fd])
            if len(chunk) > room:
                truncated = True
            if room > 0:
                bufs[fd] += chunk[:room]
    for key in list(sel.get_map().values()):
        _close_quietly(key.fileobj)  # type: ignore[arg-type]
    sel.close()
    if proc.poll() is None:
        try:
            proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            timed_out = True
    kill_all()
    proc.wait()
    assert proc.stdout is not None and proc.stderr is not None
    return (
        bytes(bufs[proc.stdout.fileno()]),
        bytes(bufs[proc.stderr.fileno()]),
        truncated,
        timed_out,
    )


def _close_quietly(stream: object) -> None:
    with contextlib.suppress(OSError):
        stream.close()  # type: ignore[attr-defined]


def write_files(workdir: str, files: dict[str, bytes]) -> None:
    """Write ``files`` (relative paths, already checked by the host) under ``workdir``."""
    for rel, data in files.items():
        path = os.path.join(workdir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)


def collect_files(workdir: str, cap: int) -> dict[str, bytes]:
    """Regular files under ``workdir`` up to ``cap`` bytes in total.

    Symlinks and hard-linked files are skipped and nothing is followed, so a candidate
    cannot make the reader (possibly a more privileged host process) fetch other files.
    """
    found: dict[str, bytes] = {}
    total = 0
    for root, dirs, names in os.walk(workdir, followlinks=False):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(root, name)
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            except OSError:
                continue
            with os.fdopen(fd, "rb") as fh:
                st = os.fstat(fh.fileno())
                if not _is_plain_file(st.st_mode, st.st_nlink) or total + st.st_size > cap:
                    continue
                data = fh.read(st.st_size)
            total += len(data)
            found[os.path.relpath(path, workdir)] = data
    return found


def _is_plain_file(mode: int, nlink: int) -> bool:
    import stat

    return stat.S_ISREG(mode) and nlink == 1


def wipe(dirs: tuple[str, ...] = SCRATCH_DIRS) -> bool:
    """Empty the scratch dirs; True when nothing is left behind."""
    import shutil

    def fix(func: object, path: str, _exc: object) -> None:
        try:
            os.chmod(os.path.dirname(path), 0o700)
            os.chmod(path, 0o700)
        except OSError:
            pass

    clean = True
    for top in dirs:
        try:
            entries = os.listdir(top)
        except OSError:
            continue
        for name in entries:
            path = os.path.join(top, name)
            try:
                if os.path.isdir(path) and not os.path.islink(path):
                    os.chmod(path, 0o700)
                    shutil.rmtree(path, onerror=fix)
                    if os.path.exists(path):
                        shutil.rmtree(path)
                else:
                    os.unlink(path)
            except OSError:
                clean = False
    return clean


def kill_uid(tries: int = 100) -> bool:
    """SIGKILL every process of our uid except ourselves and pid 1, until none is left.

    ``kill(-1, 0)`` fails with ``ESRCH`` once nothing is left to signal (zombies count until
    init reaps them). Returns False if something survived, so the host recycles the box.
    """
    for _ in range(tries):
        try:
            os.kill(-1, signal.SIGKILL)
            time.sleep(0.001)
            os.kill(-1, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        _reap()
    return False


def _reap() -> None:
    """Collect our own dead children (the candidate's orphans go to init)."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def _oom_kills() -> int:
    for path, key in (
        ("/sys/fs/cgroup/memory.events", "oom_kill"),
        ("/sys/fs/cgroup/memory/memory.oom_control", "oom_kill"),
    ):
        try:
            with open(path) as fh:
                for line in fh:
                    name, _, value = line.partition(" ")
                    if name == key:
                        return int(value)
        except (OSError, ValueError):
            continue
    return -1


def _make_undumpable() -> None:
    try:
        import ctypes

        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except (OSError, AttributeError):
        pass


def _set_rlimits(limits: dict[str, float]) -> Callable[[], None]:
    import resource

    def apply() -> None:
        for res, value in (
            (resource.RLIMIT_FSIZE, int(limits["file_mb"]) << 20),
            (resource.RLIMIT_NOFILE, int(limits["nofile"])),
            (resource.RLIMIT_CORE, 0),
            (resource.RLIMIT_CPU, int(limits["timeout"]) + 2),
        ):
            resource.setrlimit(res, (value, value))

    return apply


def run_job(job: dict) -> dict:  # type: ignore[type-arg]
    """Run one job in a fresh work dir under ``/work`` and describe what happened."""
    limits = job["limits"]
    started = time.monotonic()
    os.makedirs("/work", exist_ok=True)
    workdir = os.path.join("/work", "run-" + os.urandom(6).hex())
    os.mkdir(workdir, 0o700)
    write_files(workdir, {k: base64.b64decode(v) for k, v in job["files"].items()})
    env = {**BASE_ENV, "HOME": workdir, "TMPDIR": "/tmp", **job["env"]}
    oom_before = _oom_kills()
    result: dict = {"returncode": 0, "error": None}  # type: ignore[type-arg]

    def kill_all() -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(-1, signal.SIGKILL)  # every process of our uid but ourselves

    try:
        proc = subprocess.Popen(
            job["argv"],
            cwd=workdir,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=_set_rlimits(limits),
        )
    except OSError as exc:
        out, err, truncated, timed_out = b"", b"", False, False
        result.update(returncode=127 if exc.errno == 2 else 126)
        result["error"] = f"could not start {job['argv'][0][:80]!r}: {exc.strerror}"
    else:
        deadline = started + float(limits["timeout"])
        out, err, truncated, timed_out = pump(
            proc, base64.b64decode(job["stdin"]), int(limits["output_bytes"]), deadline, kill_all
        )
        result["returncode"] = proc.returncode
    oom_after = _oom_kills()
    oom = oom_after > oom_before if oom_before >= 0 else False
    if oom_before < 0 and result["returncode"] == -signal.SIGKILL and not timed_out:
        oom = True  # no cgroup counter: an unexplained SIGKILL is the OOM killer's
    files = collect_files(workdir, int(limits["files_bytes"]))
    result.update(
        stdout=base64.b64encode(out).decode(),
        stderr=base64.b64encode(err).decode(),
        output_truncated=truncated,
        timed_out=timed_out,
        oom_killed=oom,
        files={k: base64.b64encode(v).decode() for k, v in files.items()},
        clean=kill_uid() and wipe(),
        duration=time.monotonic() - started,
    )
    return result


def serve() -> None:
    """Answer jobs from stdin until it closes (when the owner goes away).

    The first message is a key; each answer carries an HMAC of the job's nonce and the
    result under that key, so a candidate that writes into the container's output stream
    cannot forge an answer.
    """
    import hashlib
    import hmac

    _make_undumpable()
    stdin = sys.stdin.buffer
    stdout = sys.stdout.buffer
    key = _read_message(stdin)
    while (message := _read_message(stdin)) is not None:
        job = json.loads(message)
        try:
            result = run_job(job)
        except Exception as exc:  # report, and let the host recycle this container
            result = {"crash": f"{type(exc).__name__}: {exc}", "clean": False}
        body = json.dumps(result).encode()
        mac = hmac.new(key or b"", job["nonce"].encode() + body, hashlib.sha256).hexdigest()
        stdout.write(b"%010d" % len(body) + body + mac.encode())
        stdout.flush()


def _read_message(stream: object) -> bytes | None:
    head = stream.read(10)  # type: ignore[attr-defined]
    if len(head) < 10:
        return None
    return stream.read(int(head))  # type: ignore[attr-defined]


if __name__ == "__main__":
    serve()
