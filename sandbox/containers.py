"""Hardened sandbox containers: create, label, run one supervised job, find, reap.

Every container is created with no network, memory = memory+swap, a CPU quota, a pids
limit, a read-only root with tmpfs ``/work`` and ``/tmp``, no capabilities,
``no-new-privileges``, ``nofile``/``fsize`` ulimits and the non-root user 10001. Its main
process (pid 1, so it is also the init that reaps orphans) is the stdlib-only supervisor
(``supervisor.py``, behind ``workdirs.py`` and ``forkpath.py``), whose source the
owner sends through an attach socket it keeps open and then uses for jobs and answers. When
the owner dies, even by SIGKILL, the socket closes, the supervisor reads end-of-file and
exits, the container stops and Docker removes it (``auto_remove``). Labels record the owner
(host, pid, start time) so a later run removes containers whose owner is gone
(:func:`reap_orphans`).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import logging
import os
import socket
import struct
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from discolab.errors import SandboxUnavailable
from discolab.sandbox.base import ExecResult, Limits

log = logging.getLogger(__name__)

LABEL = "discolab.sandbox"
RUN_USER = "10001:10001"
# Reads exactly the source from fd 0, unbuffered: the key and the jobs behind it are left for
# the supervisor's job handler, and no buffer in the zygote (pid 1) ever holds them.
_BOOT = (
    "import os,sys\nn=int(sys.argv[1]);s=bytearray()\n"
    "while len(s)<n:\n c=os.read(0,n-len(s))\n if not c:break\n s+=c\n"
    "exec(compile(bytes(s),'supervisor','exec'),{'__name__':'__main__'})"
)
# -E -s -P is -I without the isolated flag; site is imported, so the supervisor's sys.path is
# that of ``python3 -E -s`` and its forked candidates see the same (see forkpath.py).
_PYTHON = ["python3", "-E", "-s", "-P"]
SUPERVISOR_PARTS = ("workdirs.py", "forkpath.py", "supervisor.py")
_GRACE = 5.0


@cache
def supervisor_source() -> bytes:
    """The supervisor program sent into every container: its parts' sources, in order.

    The parts are plain standard-library modules; ``supervisor.py`` imports the others only
    on the host (a ``contextlib.suppress(ImportError)`` block), so one concatenation runs.
    """
    here = Path(__file__).parent
    return b"\n\n".join((here / part).read_bytes() for part in SUPERVISOR_PARTS)


@dataclass
class Container:
    """One running sandbox container and the attach socket that carries its jobs."""

    id: str
    sock: Any = field(repr=False)
    key: bytes = field(repr=False)
    runs: int = 0
    buffer: bytearray = field(default_factory=bytearray, repr=False)

    @property
    def raw(self) -> socket.socket:
        """The underlying socket of the attach stream."""
        return getattr(self.sock, "_sock", self.sock)


def owner_labels() -> dict[str, str]:
    """Labels naming this process as the owner, for :func:`reap_orphans`."""
    pid = os.getpid()
    return {
        LABEL: "1",
        "discolab.owner_host": socket.gethostname(),
        "discolab.owner_pid": str(pid),
        "discolab.owner_start": _start_time(pid) or "",
    }


def _start_time(pid: int) -> str | None:
    """The process start time (clock ticks since boot) that tells a pid's reuse apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def owner_alive(labels: dict[str, str]) -> bool:
    """True unless the labels name a process on this host that no longer exists."""
    if labels.get("discolab.owner_host") != socket.gethostname():
        return True  # another host's container; not ours to judge
    try:
        pid = int(labels.get("discolab.owner_pid", ""))
    except ValueError:
        return False
    start = _start_time(pid)
    return start is not None and start == labels.get("discolab.owner_start", start)


def list_containers(client: Any) -> list[Any]:
    """Every discolab sandbox container on the engine, running or not."""
    return client.containers.list(all=True, filters={"label": f"{LABEL}=1"})


def reap_orphans(client: Any, everything: bool = False) -> list[str]:
    """Remove discolab containers whose owner is dead (or all of them); returns their names."""
    removed = []
    for c in list_containers(client):
        if everything or not owner_alive(c.labels):
            remove_container(client, c.id)
            removed.append(c.name)
    if removed:
        log.info("removed %d leftover sandbox container(s): %s", len(removed), removed)
    return removed


def start_container(client: Any, image: str, limits: Limits) -> Container:
    """Create, attach to and start one hardened container."""
    from docker.types import Ulimit

    api = client.api
    mb = limits.memory_mb
    tmpfs_opts = f"rw,nosuid,nodev,noexec,size={limits.workdir_mb}m,mode=1777"
    file_bytes = limits.file_mb << 20
    host_config = api.create_host_config(
        network_mode="none",
        mem_limit=f"{mb}m",
        memswap_limit=f"{mb}m",
        nano_cpus=int(limits.cpus * 1e9),
        pids_limit=limits.pids,
        read_only=True,
        tmpfs={"/work": tmpfs_opts, "/tmp": tmpfs_opts},
        shm_size="16m",
        cap_drop=["ALL"],
        security_opt=["no-new-privileges"],
        ulimits=[
            Ulimit(name="nofile", soft=limits.nofile, hard=limits.nofile),
            Ulimit(name="fsize", soft=file_bytes, hard=file_bytes),
        ],
        init=False,  # the supervisor is pid 1: it reaps orphans and kill(-1) spares it
        auto_remove=True,
        ipc_mode="private",
    )
    name = f"discolab-sb-{os.getpid()}-{os.urandom(4).hex()}"
    try:
        src = supervisor_source()
        created = api.create_container(
            image,
            command=[*_PYTHON, "-c", _BOOT, str(len(src))],
            user=RUN_USER,
            stdin_open=True,  # with detach=False this sets StdinOnce
            labels=owner_labels(),
            name=name,
            host_config=host_config,
            network_disabled=True,
            working_dir="/work",
        )
        cid = created["Id"]
        sock = api.attach_socket(cid, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
        api.start(cid)
        key = os.urandom(32)
        container = Container(id=cid, sock=sock, key=key)
        container.raw.sendall(src + _message(key))
    except Exception as exc:
        raise SandboxUnavailable(
            f"could not start a sandbox container from {image!r}: {exc}; "
            "run `discolab sandbox check` to diagnose"
        ) from exc
    return container


def remove_container(client: Any, cid: str) -> None:
    """Kill and remove a container; quiet when it is already gone."""
    import docker.errors

    try:
        client.api.remove_container(cid, force=True)
    except docker.errors.NotFound:
        pass
    except docker.errors.APIError as exc:
        if "already in progress" not in str(exc):
            log.warning("could not remove sandbox container %s: %s", cid[:12], exc)


def close_container(client: Any, container: Container) -> None:
    """Close the attach socket (the supervisor then exits) and remove the container."""
    with contextlib.suppress(OSError):
        container.sock.close()
    remove_container(client, container.id)


def _message(data: bytes) -> bytes:
    return b"%010d" % len(data) + data


def run_job(
    container: Container,
    argv: list[str],
    *,
    stdin: bytes,
    files: dict[str, bytes],
    limits: Limits,
    env: dict[str, str],
    python_fork: bool = False,
) -> tuple[ExecResult, bool]:
    """Run one job through the container's supervisor; returns the result and whether the
    container must be recycled (timeout, OOM, unclean, or a broken or forged answer).

    ``python_fork`` asks for the preloaded fork path (argv ``python3 -E -s main.py ...``);
    the supervisor falls back to fork+exec when it could not preload numpy."""
    started = time.monotonic()
    nonce = os.urandom(16).hex()
    job = {
        "nonce": nonce,
        "argv": argv,
        "env": env,
        "files": {k: base64.b64encode(v).decode() for k, v in files.items()},
        "stdin": base64.b64encode(stdin).decode(),
        "python_fork": python_fork,
        "limits": {
            "timeout": limits.timeout,
            "output_bytes": limits.output_bytes,
            "file_mb": limits.file_mb,
            "nofile": limits.nofile,
            "files_bytes": limits.files_bytes,
        },
    }
    deadline = started + limits.timeout + _GRACE
    try:
        container.raw.sendall(_message(json.dumps(job).encode()))
        body, mac = _read_answer(container, deadline)
    except (TimeoutError, OSError, ValueError) as exc:
        duration = time.monotonic() - started
        if isinstance(exc, TimeoutError):
            return ExecResult(returncode=-9, timed_out=True, duration=duration), True
        msg = (
            f"the sandbox supervisor ended without a result ({exc}); "
            "the candidate probably killed it"
        )
        return ExecResult(returncode=-9, duration=duration, error=msg), True
    expected = hmac.new(container.key, nonce.encode() + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), mac):
        msg = "the sandbox returned a forged or garbled answer; the container was replaced"
        return ExecResult(returncode=-9, duration=time.monotonic() - started, error=msg), True
    return _parse(json.loads(body), time.monotonic() - started)


def _parse(data: dict[str, Any], duration: float) -> tuple[ExecResult, bool]:
    if "crash" in data:
        msg = f"the sandbox supervisor failed: {data['crash']}"
        return ExecResult(returncode=-9, duration=duration, error=msg), True
    stdout = base64.b64decode(data["stdout"])
    stderr = base64.b64decode(data["stderr"])
    result = ExecResult(
        returncode=data["returncode"],
        stdout=stdout.decode("utf-8", errors="replace"),
        stderr=stderr.decode("utf-8", errors="replace"),
        timed_out=data["timed_out"],
        oom_killed=data["oom_killed"],
        duration=duration,
        output_truncated=data["output_truncated"],
        error=data["error"],
        files={k: base64.b64decode(v) for k, v in data["files"].items()},
    )
    recycle = result.timed_out or result.oom_killed or not data["clean"]
    return result, recycle


def _read_answer(container: Container, deadline: float) -> tuple[bytes, bytes]:
    """Read one answer (length, JSON, 64-hex MAC) from the supervisor's stdout frames."""
    out = bytearray()
    size = int(_read_stdout(container, out, 10, deadline))
    return _read_stdout(container, out, size, deadline), _read_stdout(container, out, 64, deadline)


def _read_stdout(container: Container, out: bytearray, n: int, deadline: float) -> bytes:
    """``n`` bytes of the supervisor's stdout, demultiplexing Docker's 8-byte frame headers."""
    while len(out) < n:
        header = _recv_exact(container, 8, deadline)
        kind, size = struct.unpack(">BxxxL", header)
        payload = _recv_exact(container, size, deadline)
        if kind == 1:
            out += payload
        else:
            log.debug("sandbox supervisor stderr: %r", payload[:2000])
    data = bytes(out[:n])
    del out[:n]
    return data


def _recv_exact(container: Container, n: int, deadline: float) -> bytes:
    buf = container.buffer
    while len(buf) < n:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the sandbox supervisor did not answer in time")
        container.raw.settimeout(remaining)
        chunk = container.raw.recv(1 << 16)
        if not chunk:
            raise ConnectionError("end of stream")
        buf += chunk
    data = bytes(buf[:n])
    del buf[:n]
    return data
