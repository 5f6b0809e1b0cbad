"""The ``process`` backend: a subprocess with rlimits, for machines without Docker.

It is WEAKER THAN DOCKER. A candidate runs as a host process: it shares the host's file
system (it can read every world-readable file, the repository included), its ``/tmp`` and
its disk. What it does add:

* its own session and process group, killed as a whole on timeout and after every run;
* rlimits on address space, CPU time, processes, file size and open files;
* a scrubbed environment (``PATH``, ``LANG``, ``HOME`` = the work dir; no API keys);
* a fresh temp work dir per run, removed afterwards;
* when the kernel allows (detected at run time with ``unshare`` from util-linux, else
  ``bwrap``): a private network namespace (no network at all) and a private pid namespace
  (it cannot see or signal host processes, and everything it started dies with it);
* when discolab runs as root: the candidate runs as ``nobody`` instead.

:attr:`ProcessSandbox.contains` says which attacks the running machine contains; the
hostile-candidate suite reads it and marks the rest as expected failures.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass

from discolab.sandbox.base import ExecResult, Limits, Sandbox
from discolab.sandbox.supervisor import BASE_ENV, pump
from discolab.sandbox.workdirs import collect_files

log = logging.getLogger(__name__)

NOBODY = 65534
UNSHARE = (
    "unshare",
    "--user",
    "--map-root-user",
    "--net",
    "--pid",
    "--fork",
    "--mount-proc",
    "--kill-child",
)
BWRAP = (
    "bwrap",
    "--unshare-net",
    "--unshare-pid",
    "--die-with-parent",
    "--new-session",
    "--dev-bind",
    "/",
    "/",
    "--proc",
    "/proc",
    "--",
)


@dataclass(frozen=True)
class Isolation:
    """What the process backend can add on this machine (found by :func:`detect_isolation`).

    Attributes:
        method: ``unshare``, ``bwrap`` or ``none`` (no namespaces available).
        wrapper: argv prefix that puts the candidate in fresh network and pid namespaces.
        uid: uid the candidate runs as, or ``None`` to keep the caller's (non-root callers).
    """

    method: str
    wrapper: tuple[str, ...]
    uid: int | None

    @property
    def contains(self) -> frozenset[str]:
        """Names of the attacks this setup contains (the hostile suite's vocabulary)."""
        ns = self.method != "none"
        unprivileged = self.uid is not None or os.geteuid() != 0
        found = {"memory", "timeout", "output", "argv", "encoding", "environment_vars"}
        if ns:
            found |= {"network", "orphans", "environment", "signals"}
        if unprivileged:
            found |= {"secret_files", "processes"}
            if not ns:
                found.add("signals")
        return frozenset(found)


def detect_isolation(python: str = sys.executable) -> Isolation:
    """Probe which namespaces and uid a candidate can get here (tens of ms, per sandbox).

    As root, candidates run as ``nobody`` if ``python`` is usable by ``nobody`` (an
    interpreter under ``/root`` is not); otherwise they keep root, which this reports.
    """
    uids: list[int | None] = [NOBODY, None] if os.geteuid() == 0 else [None]
    for uid in uids:
        for method, wrapper in (("unshare", UNSHARE), ("bwrap", BWRAP)):
            if shutil.which(wrapper[0]) and _probe([*wrapper, python, "-c", "pass"], uid):
                return Isolation(method=method, wrapper=wrapper, uid=uid)
        if _probe([python, "-c", "pass"], uid):
            return Isolation(method="none", wrapper=(), uid=uid)
    return Isolation(method="none", wrapper=(), uid=None)


def _probe(argv: list[str], uid: int | None) -> bool:
    try:
        probe = subprocess.run(
            argv,
            capture_output=True,
            timeout=10,
            preexec_fn=_drop_privileges(uid),
            env={"PATH": BASE_ENV["PATH"]},
            cwd="/",
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode == 0


@functools.cache
def _warn_once() -> None:
    log.warning(
        "sandbox 'process' is weaker than Docker: candidates share the host's files, /tmp "
        "and disk; use Docker for untrusted code (discolab sandbox build --offline)"
    )


def _drop_privileges(uid: int | None) -> Callable[[], None] | None:
    if uid is None:
        return None

    def drop() -> None:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)

    return drop


class ProcessSandbox(Sandbox):
    """Runs each command as a fresh, rlimited host process; see the module docstring."""

    name = "process"

    def __init__(self, limits: Limits | None = None, python: str | None = None) -> None:
        super().__init__(limits)
        _warn_once()
        self.python = python or sys.executable
        self.isolation = detect_isolation(self.python)
        if self.isolation.method == "none":
            log.warning("no user namespaces here: process sandbox runs without network isolation")
        if os.geteuid() == 0 and self.isolation.uid is None:
            log.warning(
                "process sandbox runs candidates as root: %s is not usable by 'nobody'; "
                "use an interpreter outside /root for a safer setup",
                self.python,
            )

    @property
    def contains(self) -> frozenset[str]:
        """Attacks this sandbox contains on this machine; the rest it cannot stop."""
        return self.isolation.contains

    def python_argv(self) -> list[str]:
        return [self.python, "-E", "-s"]

    def _run(
        self,
        argv: list[str],
        *,
        stdin: bytes,
        files: dict[str, bytes],
        limits: Limits,
        env: dict[str, str],
    ) -> ExecResult:
        started = time.monotonic()
        workdir = tempfile.mkdtemp(prefix="discolab-run-")
        try:
            return self._run_in(workdir, argv, stdin, files, limits, env, started)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    def _run_in(
        self,
        workdir: str,
        argv: list[str],
        stdin: bytes,
        files: dict[str, bytes],
        limits: Limits,
        env: dict[str, str],
        started: float,
    ) -> ExecResult:
        from discolab.sandbox.workdirs import write_files

        write_files(workdir, files)
        uid = self.isolation.uid
        if uid is not None:
            for root, dirs, names in os.walk(workdir):
                for name in [*dirs, *names]:
                    os.lchown(os.path.join(root, name), uid, uid)
            os.chown(workdir, uid, uid)
        full_env = {**BASE_ENV, "HOME": workdir, "TMPDIR": workdir, **env}
        try:
            proc = subprocess.Popen(
                [*self.isolation.wrapper, *argv],
                cwd=workdir,
                env=full_env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
                preexec_fn=_limit_and_drop(limits, uid),
            )
        except OSError as exc:
            return ExecResult(
                returncode=127 if exc.errno == 2 else 126,
                error=f"could not start {argv[0][:80]!r}: {exc.strerror}",
                duration=time.monotonic() - started,
            )

        def kill_all() -> None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)

        deadline = started + limits.timeout
        out, err, truncated, timed_out = pump(proc, stdin, limits.output_bytes, deadline, kill_all)
        oom = not timed_out and proc.returncode != 0 and b"MemoryError" in err[-8192:]
        return ExecResult(
            returncode=proc.returncode,
            stdout=out.decode("utf-8", errors="replace"),
            stderr=err.decode("utf-8", errors="replace"),
            timed_out=timed_out,
            oom_killed=oom,
            duration=time.monotonic() - started,
            output_truncated=truncated,
            files=collect_files(workdir, limits.files_bytes),
        )


def _limit_and_drop(limits: Limits, uid: int | None) -> Callable[[], None]:
    """The child-side setup: rlimits first (while allowed to raise them), then the uid."""
    import resource

    drop = _drop_privileges(uid)

    def setup() -> None:
        for res, value in (
            (resource.RLIMIT_AS, limits.memory_mb << 20),
            (resource.RLIMIT_CPU, int(limits.timeout) + 2),
            (resource.RLIMIT_NPROC, limits.pids),
            (resource.RLIMIT_FSIZE, limits.file_mb << 20),
            (resource.RLIMIT_NOFILE, limits.nofile),
            (resource.RLIMIT_CORE, 0),
        ):
            resource.setrlimit(res, (value, value))
        if drop is not None:
            drop()

    return setup
