"""The in-sandbox supervisor: runs one candidate, caps its output, kills what it leaves.

This file is plain standard-library Python so that it can run inside the sandbox image as
it is: the Docker backend sends its source (behind ``workdirs.py`` and ``forkpath.py``, as
one program) through the container's stdin, so a change needs no image rebuild. The process
backend imports :func:`pump` from it, so both backends cap output the same way.

It is the container's main process, pid 1, and splits in two at start (:func:`serve`):

* the *handler* (a fork made before anything else is read) reads the key and the jobs from
  the container's stdin, writes each run's files, starts the run, pumps its output, collects
  its files, kills every process of the uid with ``kill(-1, SIGKILL)`` (which spares the
  caller and pid 1) and wipes the scratch dirs, then writes the answer;
* the *zygote* (pid 1 itself) imports numpy once (``forkpath.preload``), reaps orphans, and
  forks a candidate whenever the handler asks for a ``python_fork`` job, passing it the run's
  pipes (``forkpath.zygote``). It never reads a job, an output or the key, so a forked
  candidate inherits nothing of earlier runs; everything it changes dies with it.

Any other job is a fork+exec of its argv from the handler. Both kinds get the same rlimits,
new session, minimal env, fresh work dir, output caps, timeout and clean-up. The candidate
shares the uid but both supervisor processes are non-dumpable (it cannot read their memory
or fds), and pid 1 ignores signals sent from inside the container.

Protocol (see :func:`handle`): every message is 10 ASCII digits giving its length, then its
bytes; the first is an HMAC key, each later one a job as JSON ``{"nonce", "argv", "env",
"files": {path: base64}, "stdin": base64, "limits": {...}, "python_fork": bool}``. Each
answer is a length, a JSON result and the hex HMAC of nonce + result.
"""

import base64
import contextlib
import hashlib
import hmac
import json
import os
import selectors
import signal
import socket
import subprocess
import time
from collections.abc import Callable

with contextlib.suppress(ImportError):  # in the container these files' sources come first
    from discolab.sandbox.forkpath import (
        FORK_ARGV,
        Forked,
        _set_dumpable,
        apply_rlimits,
        preload,
        spawn,
        zygote,
    )
    from discolab.sandbox.workdirs import collect_files, wipe, write_files

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
    proc: "subprocess.Popen[bytes] | Forked",
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
    assert proc.stdout is not None and proc.stderr is not None
    out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
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
    return bytes(bufs[out_fd]), bytes(bufs[err_fd]), truncated, timed_out


def _close_quietly(stream: object) -> None:
    with contextlib.suppress(OSError):
        stream.close()  # type: ignore[attr-defined]


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


def run_job(job: dict, zygote: socket.socket) -> dict:  # type: ignore[type-arg]
    """Run one job in a fresh work dir under ``/work`` and describe what happened.

    A ``python_fork`` job becomes a fork of the zygote (when it preloaded numpy), any other
    a fork+exec of its argv from here; either way under the same limits and clean-up.
    """
    limits = job["limits"]
    started = time.monotonic()
    os.makedirs("/work", exist_ok=True)
    workdir = os.path.join("/work", "run-" + os.urandom(6).hex())
    os.mkdir(workdir, 0o700)
    write_files(workdir, {k: base64.b64decode(v) for k, v in job["files"].items()})
    env = {**BASE_ENV, "HOME": workdir, "TMPDIR": "/tmp", **job["env"]}
    oom_before = _oom_kills()
    result: dict = {"returncode": 0, "error": None}  # type: ignore[type-arg]
    fork = bool(job.get("python_fork")) and job["argv"][: len(FORK_ARGV)] == FORK_ARGV
    fork = fork and not job["env"] and _preloaded(zygote)

    def kill_all() -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(-1, signal.SIGKILL)  # every process of our uid but ourselves and pid 1

    try:
        if fork:
            run = {"argv": job["argv"], "workdir": workdir, "env": env, "limits": limits}
            proc = spawn(zygote, run)
        else:
            proc = subprocess.Popen(
                job["argv"],
                cwd=workdir,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
                preexec_fn=lambda: apply_rlimits(limits),
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
        forked=fork,
        duration=time.monotonic() - started,
    )
    return result


_ZYGOTE: dict[str, bool] = {}


def _preloaded(zygote: socket.socket) -> bool:
    """Whether the zygote imported numpy (its first message, read once)."""
    if "ready" not in _ZYGOTE:
        _ZYGOTE["ready"] = zygote.recv(16) == b"R1"
    return _ZYGOTE["ready"]


def serve() -> None:
    """Fork the job handler, then preload numpy and serve as its zygote until it ends.

    The supervisor is pid 1 of the container: ``kill(-1)`` spares it, and signals from
    inside cannot stop it. It never reads past its own source on stdin: the handler reads
    the key and every job, so no job data, output or key ever enters the zygote's memory.
    """
    _set_dumpable(False)
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    handler = os.fork()
    if handler == 0:
        ours.close()
        status = 1
        try:
            handle(theirs)
            status = 0
        finally:
            os._exit(status)
    theirs.close()
    zygote(ours, handler, preload())


def handle(zygote: socket.socket) -> None:
    """Answer jobs from stdin until it closes (when the owner goes away).

    The first message is a key; each answer carries an HMAC of the job's nonce and the
    result under that key, so a candidate that writes into the container's output stream
    cannot forge an answer. Runs in the handler, which is non-dumpable like the zygote.
    """
    key = _read_message(0) or b""
    while (message := _read_message(0)) is not None:
        job = json.loads(message)
        try:
            result = run_job(job, zygote)
        except Exception as exc:  # report, and let the host recycle this container
            result = {"crash": f"{type(exc).__name__}: {exc}", "clean": False}
        body = json.dumps(result).encode()
        mac = hmac.new(key, job["nonce"].encode() + body, hashlib.sha256).hexdigest()
        _write_all(b"%010d" % len(body) + body + mac.encode())


def _write_all(data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(1, view) :]


def _read_message(fd: int) -> bytes | None:
    """One length-prefixed message from ``fd``, or ``None`` at end of input."""
    head = _read_exact(fd, 10)
    return None if head is None else _read_exact(fd, int(head))


def _read_exact(fd: int, n: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        chunk = os.read(fd, min(n - len(buf), 1 << 20))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


if __name__ == "__main__":
    serve()
