"""The one sandbox contract: :class:`Sandbox`, :class:`ExecResult`, :class:`Limits`.

Every backend (``docker``, ``process``) implements :class:`Sandbox` and passes the same
conformance suite (``tests/sandbox/test_conformance.py``). Two kinds of trouble are kept apart:

* a candidate that fails (crashes, times out, runs out of memory, floods its output) is a
  *result*: :meth:`Sandbox.exec` returns an :class:`ExecResult` that says what happened;
* a sandbox that cannot run anything (no engine, no image, broken setup) raises
  :class:`~discolab.errors.SandboxUnavailable` with a message that says how to fix it.

Each run gets a fresh work dir that holds the files given to it; nothing from one run is
visible to the next.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Self

Command = str | Sequence[str]
"""A command: an argv list, or a string run by ``/bin/sh -c``."""

FileData = bytes | str
"""File contents; ``str`` is written as UTF-8."""


@dataclass(frozen=True)
class Limits:
    """Resource caps for one run. Every backend enforces them as well as it can.

    Attributes:
        timeout: wall-clock seconds before every process of the run is killed.
        memory_mb: memory cap in MiB (Docker: cgroup memory = memory+swap; process:
            address-space rlimit, which numpy's thread pools make coarser).
        cpus: CPU share (Docker: CPU quota; process: not enforced beyond the timeout).
        pids: most processes/threads a run may have alive at once (Docker: pids cgroup;
            process: ``RLIMIT_NPROC``).
        output_bytes: cap on each of stdout and stderr; the rest is drained and dropped and
            :attr:`ExecResult.output_truncated` is set.
        file_mb: largest file a run may write (``RLIMIT_FSIZE``).
        workdir_mb: size of the run's scratch space (Docker: tmpfs size of ``/work`` and
            ``/tmp``; process: not enforced beyond ``file_mb`` per file).
        nofile: most open file descriptors (``RLIMIT_NOFILE``).
        files_bytes: cap on the total size of work-dir files returned after a run.
    """

    timeout: float = 10.0
    memory_mb: int = 512
    cpus: float = 1.0
    pids: int = 64
    output_bytes: int = 1 << 20
    file_mb: int = 16
    workdir_mb: int = 64
    nofile: int = 256
    files_bytes: int = 4 << 20

    def with_timeout(self, timeout: float | None) -> Limits:
        """These limits with ``timeout`` replaced when it is given."""
        return self if timeout is None else replace(self, timeout=float(timeout))


@dataclass(frozen=True)
class SandboxConfig:
    """How sandboxes are built; one frozen value shared by every backend.

    Attributes:
        image: Docker image (versioned) that runs candidates; build it with
            ``discolab sandbox build --offline``.
        limits: default :class:`Limits` for every run (a call may pass its own).
        pool_size: warm containers kept by the Docker backend; 0 starts a fresh container
            for every run ("cold", slow but simplest).
        recycle_after: a warm container is replaced after this many runs (it is also
            replaced at once after a timeout, an OOM kill, or an unclean run).
        python: interpreter for :meth:`Sandbox.run_python` in the ``process`` backend;
            ``None`` uses the interpreter running discolab.
        docker_timeout: seconds to wait for the Docker engine on API calls.
        fork_python: Docker only: run :meth:`Sandbox.run_python` jobs as forks of a
            supervisor that imported numpy once (the preloaded fork path, several times
            faster for numpy candidates); ``False`` starts a fresh interpreter every run.
    """

    image: str = "discolab-sandbox:1"
    limits: Limits = field(default_factory=Limits)
    pool_size: int = 2
    recycle_after: int = 50
    python: str | None = None
    docker_timeout: float = 30.0
    fork_python: bool = True


@dataclass(frozen=True)
class ExecResult:
    """What happened to one run. A failing candidate is a result, never an exception.

    Attributes:
        returncode: exit status; negative for death by signal (``-9`` for a kill).
        stdout: standard output, decoded as UTF-8 with invalid bytes replaced.
        stderr: standard error, decoded the same way.
        timed_out: the wall-clock timeout expired and the run was killed.
        oom_killed: the run hit its memory cap.
        duration: wall-clock seconds of the run as seen by the caller.
        output_truncated: stdout or stderr exceeded ``Limits.output_bytes``.
        error: why the sandbox could not run the command as asked (bad argv, the
            supervisor was killed by the candidate, ...), else ``None``.
        files: the run's work-dir files after it ended (path relative to the work dir),
            up to ``Limits.files_bytes`` in total.
    """

    returncode: int
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False
    oom_killed: bool = False
    duration: float = 0.0
    output_truncated: bool = False
    error: str | None = None
    files: Mapping[str, bytes] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        """True when the run exited with status 0 and hit no limit."""
        return self.failure_reason is None

    @property
    def failure_reason(self) -> str | None:
        """One line saying why the run failed, or ``None`` when it succeeded."""
        if self.error:
            return self.error
        if self.timed_out:
            return "timed out (wall-clock limit) and was killed"
        if self.oom_killed:
            return "ran out of memory (memory limit) and was killed"
        if self.returncode < 0:
            return f"killed by signal {-self.returncode}"
        if self.returncode != 0:
            return f"exited with status {self.returncode}"
        if self.output_truncated:
            return "output exceeded the limit and was truncated"
        return None


class Sandbox(ABC):
    """Runs untrusted commands in isolation; see the module docstring for the contract.

    ``write_file`` stages an input file that is copied into the work dir of every later
    run (until :meth:`clear_files`); ``read_file`` reads a file the most recent run left in
    its work dir. For concurrent use prefer ``exec(files=...)`` and ``ExecResult.files``.
    Sandboxes are context managers; :meth:`close` releases containers and temp dirs.
    """

    name: str = "abstract"

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._staged: dict[str, bytes] = {}
        self._last_files: Mapping[str, bytes] = {}
        self._files_lock = threading.Lock()

    @abstractmethod
    def _run(
        self,
        argv: list[str],
        *,
        stdin: bytes,
        files: dict[str, bytes],
        limits: Limits,
        env: dict[str, str],
    ) -> ExecResult:
        """Run ``argv`` in a fresh work dir holding ``files``; the backend's one job."""

    def exec(
        self,
        cmd: Command,
        *,
        stdin: FileData | None = None,
        files: Mapping[str, FileData] | None = None,
        timeout: float | None = None,
        limits: Limits | None = None,
        env: Mapping[str, str] | None = None,
    ) -> ExecResult:
        """Run ``cmd`` (argv list, or a shell string) in a fresh work dir and report.

        ``files`` (paths relative to the work dir) are written before the run, on top of
        the files staged by :meth:`write_file`. ``env`` adds variables to the minimal
        environment (``PATH``, ``LANG``, ``HOME`` = the work dir); nothing of the caller's
        environment is passed on. ``timeout`` overrides ``limits.timeout``.
        """
        argv = ["/bin/sh", "-c", cmd] if isinstance(cmd, str) else [str(a) for a in cmd]
        if not argv:
            raise ValueError("exec needs a non-empty command")
        run_limits = (limits or self.limits).with_timeout(timeout)
        with self._files_lock:
            all_files = dict(self._staged)
        for path, data in (files or {}).items():
            all_files[_check_relative(path)] = _to_bytes(data)
        result = self._run(
            argv,
            stdin=_to_bytes(stdin or b""),
            files=all_files,
            limits=run_limits,
            env=dict(env or {}),
        )
        with self._files_lock:
            self._last_files = result.files
        return result

    def run_python(
        self,
        code: str,
        *,
        stdin: FileData | None = None,
        files: Mapping[str, FileData] | None = None,
        timeout: float | None = None,
        limits: Limits | None = None,
        args: Sequence[str] = (),
    ) -> ExecResult:
        """Run Python source ``code`` as ``main.py`` in a fresh work dir.

        It runs as ``python_argv() + ["main.py", *args]`` would. The Docker backend may
        run it as a fork of an interpreter that imported numpy once (the preloaded fork
        path, :mod:`discolab.sandbox.forkpath`), which behaves as that fresh interpreter.
        """
        all_files = dict(files or {})
        all_files["main.py"] = code
        cmd = [*self.python_argv(), "main.py", *args]
        return self.exec(cmd, stdin=stdin, files=all_files, timeout=timeout, limits=limits)

    def python_argv(self) -> list[str]:
        """The interpreter command the backend uses for :meth:`run_python`."""
        return ["python3", "-E", "-s"]

    def write_file(self, path: str, data: FileData) -> None:
        """Stage a file for the work dir of every later run."""
        with self._files_lock:
            self._staged[_check_relative(path)] = _to_bytes(data)

    def clear_files(self) -> None:
        """Forget every file staged with :meth:`write_file`."""
        with self._files_lock:
            self._staged.clear()

    def read_file(self, path: str) -> bytes:
        """A file the most recent run left in its work dir; ``FileNotFoundError`` if none."""
        with self._files_lock:
            try:
                return self._last_files[_check_relative(path)]
            except KeyError:
                raise FileNotFoundError(f"the last run left no file {path!r}") from None

    def close(self) -> None:  # noqa: B027 - optional hook, most backends need it
        """Release what the sandbox holds (containers, temp dirs). Safe to call twice."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _to_bytes(data: FileData) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def _check_relative(path: str) -> str:
    """Normalise a work-dir path; refuse absolute paths and ``..`` that would escape."""
    parts = [p for p in str(path).replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts or str(path).startswith("/") or ".." in parts:
        raise ValueError(f"file path {path!r} must be relative to the work dir, without '..'")
    return "/".join(parts)
