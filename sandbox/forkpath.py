"""The preloaded fork path: ``main.py`` runs in a fork of an interpreter that imported numpy.

A fresh ``python3 -E -s main.py`` spends most of a numpy candidate's run importing numpy.
The supervisor's pid-1 half, the *zygote* (:func:`zygote`), imports the scientific stack
once (:func:`preload`) and, when the job handler asks (:func:`spawn`), forks a child that
turns itself into what a fresh interpreter would be (:func:`run_main`): a new session, only
its three pipes open (the container's stdin/stdout and the socket closed), the run's
rlimits, the work dir as cwd, the minimal environment, ``sys.argv``, ``sys.path``, fresh
standard streams, a reseeded numpy generator and a new ``__main__``; then it executes
``main.py`` and exits with the status CPython would give (traceback and 1 for an uncaught
exception, ``SystemExit`` codes, atexit handlers, threads joined, stdio flushed).

The zygote never reads the protocol: the HMAC key, the jobs and the outputs live only in the
handler, so there is no key in a candidate's memory to zero (a test scans for it) and no
earlier run's data either. The run's argv, env and limits reach the child through a control
pipe that the zygote only passes on.

Plain standard-library Python, like ``supervisor.py``: the Docker backend sends this source
in front of the supervisor's as one program (``containers.supervisor_source``), so neither
file may use ``from __future__`` imports.

Known differences from a fresh interpreter: modules the supervisor and the preload imported
are already in ``sys.modules`` (so the host uses this path only when ``main.py`` is the one
Python file of the run, see ``docker.fork_eligible``); ``sys.flags.safe_path`` is set (the
supervisor runs with ``-P``); every run in one container shares the string hash seed.
"""

import contextlib
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys

FORK_ARGV = ["python3", "-E", "-s", "main.py"]
PRELOAD = ("numpy", "scipy")
THREAD_CAPS = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# What ``python3 -E -s`` builds for its standard streams under a C.UTF-8 locale.
_STDIO = (
    (0, "<stdin>", "rb", "surrogateescape", False),
    (1, "<stdout>", "wb", "surrogateescape", False),
    (2, "<stderr>", "wb", "backslashreplace", True),
)


def preload() -> list[str] | None:
    """Import :data:`PRELOAD` once; the ``sys.path`` a fresh run gets after its script dir.

    Returns ``None`` (jobs then take the fork+exec path) when numpy cannot be imported or
    the import left extra threads behind, since forking a threaded process is unsafe.
    """
    base = list(sys.path)
    os.environ.update(THREAD_CAPS)  # read by OpenBLAS at import: no worker threads
    try:
        for name in PRELOAD:
            __import__(name)
    except Exception:
        if "numpy" not in sys.modules:
            return None
    return base if _threads() == 1 else None


def _threads() -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return -1


def zygote(sock: socket.socket, handler: int, base_path: list[str] | None) -> None:
    """The supervisor's loop as pid 1: fork a candidate whenever the handler asks.

    Each request carries four fds (the run's stdin, stdout and stderr pipe ends and a
    control pipe the child reads its argv, work dir, env and limits from), so the job's
    data never passes through this process. Answers: ``R1``/``R0`` once (numpy preloaded or
    not), ``P`` + pid per fork, ``X`` + exit status when that child ends. Every other
    orphan that ends is reaped here (we are its init); when the handler ends, so do we.
    """
    current = [0]

    def reap(*_: object) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid == handler:
                os._exit(0)
            if pid == current[0]:
                current[0] = 0
                sock.send(b"X" + struct.pack("!i", os.waitstatus_to_exitcode(status)))

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # pid 1: nothing inside may stop us
    signal.signal(signal.SIGCHLD, reap)
    reap()  # the handler may have ended (and orphans died) while numpy was importing
    sock.send(b"R1" if base_path is not None else b"R0")
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(sock, 16, 4)
        except OSError:
            os._exit(1)
        if not message:  # the handler is gone
            os._exit(0)
        if len(fds) != 4 or base_path is None:
            for fd in fds:
                os.close(fd)
            sock.send(b"E" + struct.pack("!i", 22))
            continue
        signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGCHLD])
        try:
            pid = os.fork()
        except OSError as exc:
            pid, error = -1, exc.errno or 11
        if pid == 0:  # the candidate; never returns into the supervisor's code
            _become_candidate(fds, base_path)
        current[0] = max(pid, 0)
        for fd in fds:
            os.close(fd)
        sock.send(b"P" + struct.pack("!i", pid) if pid > 0 else b"E" + struct.pack("!i", error))
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGCHLD])


def _become_candidate(fds: list[int], base_path: list[str]) -> None:
    """In the fresh fork: read the run's control data, take its pipes and limits, run."""
    status = 127
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGCHLD])
        stdin, stdout, stderr, control = fds
        data = bytearray()
        while chunk := os.read(control, 1 << 16):
            data += chunk
        run = json.loads(data)
        os.setsid()
        for fd, target in ((stdin, 0), (stdout, 1), (stderr, 2)):
            os.dup2(fd, target)
        os.closerange(3, _fd_ceiling())  # the protocol streams, the socket, everything else
        apply_rlimits(run["limits"])
        status = run_main(run["argv"], run["workdir"], run["env"], base_path)
    except BaseException as exc:  # the setup failed: say so on the run's stderr
        with contextlib.suppress(OSError):
            os.write(2, f"sandbox: could not start main.py: {exc!r}\n".encode())
    finally:
        os._exit(status)


def apply_rlimits(limits: dict[str, float]) -> None:
    """The per-run rlimits, in the child before it runs anything of the candidate's."""
    import resource

    for res, value in (
        (resource.RLIMIT_FSIZE, int(limits["file_mb"]) << 20),
        (resource.RLIMIT_NOFILE, int(limits["nofile"])),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_CPU, int(limits["timeout"]) + 2),
    ):
        resource.setrlimit(res, (value, value))


class Forked:
    """The handler's ``Popen``-shaped view of a candidate the zygote forked.

    The candidate is the zygote's child, so its exit status arrives as an ``X`` message.
    """

    def __init__(self, sock: socket.socket, pid: int, pipes: tuple[int, int, int]) -> None:
        self.sock, self.pid = sock, pid
        self.stdin = os.fdopen(pipes[0], "wb", 0)
        self.stdout, self.stderr = os.fdopen(pipes[1], "rb", 0), os.fdopen(pipes[2], "rb", 0)
        self.returncode: int | None = None

    def poll(self) -> int | None:
        """The exit status (negative for a signal) once the child is gone, else ``None``."""
        return self.wait(0.0, raise_timeout=False)

    def wait(self, timeout: float | None = None, raise_timeout: bool = True) -> int | None:
        """Wait for the child; ``subprocess.TimeoutExpired`` after ``timeout`` seconds."""
        if self.returncode is None:
            ready, _, _ = select.select([self.sock], [], [], timeout)
            if ready:
                message = self.sock.recv(16)
                if message[:1] != b"X":
                    raise ConnectionError(f"the zygote sent {message!r}")
                self.returncode = struct.unpack("!i", message[1:5])[0]
            elif raise_timeout:
                raise subprocess.TimeoutExpired(FORK_ARGV, timeout or 0.0)
        return self.returncode


def spawn(sock: socket.socket, run: dict) -> Forked:  # type: ignore[type-arg]
    """In the handler: have the zygote fork a candidate for ``run`` (argv, workdir, env,
    limits); raises ``OSError`` when it cannot."""
    stdin, stdout, stderr, control = os.pipe(), os.pipe(), os.pipe(), os.pipe()
    theirs = [stdin[0], stdout[1], stderr[1], control[0]]
    try:
        socket.send_fds(sock, [b"F"], theirs)
    finally:
        for fd in theirs:
            os.close(fd)
    answer = sock.recv(16)
    if answer[:1] != b"P":
        for fd in (stdin[1], stdout[0], stderr[0], control[1]):
            os.close(fd)
        errno = struct.unpack("!i", answer[1:5])[0] if answer[:1] == b"E" else 5
        raise OSError(errno, os.strerror(errno))
    with os.fdopen(control[1], "wb") as fh:
        fh.write(json.dumps(run).encode())
    return Forked(sock, struct.unpack("!i", answer[1:5])[0], (stdin[1], stdout[0], stderr[0]))


def _fd_ceiling() -> int:
    import resource

    return max(resource.getrlimit(resource.RLIMIT_NOFILE)[1], 256)


def run_main(argv: list[str], workdir: str, env: dict[str, str], base_path: list[str]) -> int:
    """In the forked child: become a fresh ``python3 -E -s main.py``, run it, return status."""
    import builtins
    import types
    from importlib.machinery import SourceFileLoader

    os.chdir(workdir)
    os.environ.clear()
    os.environ.update(env)
    _set_dumpable(True)  # as after execve; the supervisor itself stays non-dumpable
    _fresh_stdio()
    sys.argv = ["main.py", *argv[len(FORK_ARGV) :]]
    sys.orig_argv = list(argv)
    sys.path[:] = [workdir, *base_path]
    if "numpy.random" in sys.modules:  # its global generator was seeded once, in the parent
        sys.modules["numpy.random"].seed()
    path = os.path.join(workdir, "main.py")
    main = types.ModuleType("__main__")
    main.__dict__.update(
        __file__=path,
        __cached__=None,
        __builtins__=builtins,
        __loader__=SourceFileLoader("__main__", path),
        __annotations__={},
    )
    sys.modules["__main__"] = main
    interrupted = False
    try:
        with open(path, "rb") as fh:
            code = compile(fh.read(), path, "exec", dont_inherit=True)
        exec(code, main.__dict__)
        status = 0
    except SystemExit as exc:
        status = _exit_status(exc.code)
    except BaseException as exc:
        # As CPython: the hook prints the traceback, without this function's frame.
        exc = exc.with_traceback(exc.__traceback__.tb_next)  # type: ignore[union-attr]
        sys.excepthook(type(exc), exc, exc.__traceback__)
        interrupted, status = isinstance(exc, KeyboardInterrupt), 1
    return _finish(status, interrupted)


def _exit_status(code: object) -> int:
    """The process status of ``SystemExit(code)``: None is 0, an int itself, else print, 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code if -(2**31) <= code < 2**31 else -1
    with contextlib.suppress(Exception):
        print(code, file=sys.stderr)
    return 1


def _finish(status: int, interrupted: bool) -> int:
    """What interpreter shutdown does: join threads, run atexit, flush stdio (120 if lost)."""
    import atexit
    import signal

    threading = sys.modules.get("threading")
    for step in (getattr(threading, "_shutdown", None), atexit._run_exitfuncs):
        try:
            if step is not None:
                step()
        except BaseException:
            pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception as exc:  # as CPython's flush_std_files: report, status 120
            status = 120 if status == 0 else status
            with contextlib.suppress(Exception):
                sys.stderr.write(f"Exception ignored in: {stream!r}\n")
                sys.stderr.write(f"{type(exc).__name__}: {exc}\n")
                sys.stderr.flush()
    if interrupted:  # CPython re-raises SIGINT so the parent sees death by signal
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    return status & 0xFF


def _fresh_stdio() -> None:
    """New ``sys.std*`` objects on fds 0-2, configured as a fresh interpreter's are."""
    import io

    streams = []
    for fd, name, mode, errors, line_buffering in _STDIO:
        raw = io.FileIO(fd, mode, closefd=False)
        raw.name = name  # type: ignore[misc]
        buffered = io.BufferedReader(raw) if mode == "rb" else io.BufferedWriter(raw)
        text = io.TextIOWrapper(
            buffered, encoding="utf-8", errors=errors, line_buffering=line_buffering
        )
        text.mode = mode[0]  # type: ignore[misc]  # as io.open sets it (shows in its repr)
        streams.append(text)
    sys.stdin, sys.stdout, sys.stderr = streams
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = streams  # type: ignore[misc]


def _set_dumpable(on: bool) -> None:
    """``prctl(PR_SET_DUMPABLE)``: off keeps same-uid processes out of our memory and fds."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(4, int(on), 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except (OSError, AttributeError):
        pass
