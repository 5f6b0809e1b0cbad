"""The ``docker`` backend: the real isolation for untrusted candidates.

Each run happens in a hardened container (see :mod:`discolab.sandbox.containers`): no
network, capped memory/CPU/pids/files/output, a read-only root, no capabilities, a non-root
user. With ``pool_size > 0`` runs go to a warm pool (:mod:`discolab.sandbox.pool`); with 0
every run gets a container of its own that is removed afterwards ("cold").

Per-run :class:`Limits` that only the container can enforce (memory, CPU, pids, work-dir
size) are fixed when a container starts; a run asking for different ones gets a cold
container made for it.

:meth:`Sandbox.run_python` jobs take the preloaded fork path (see
:mod:`discolab.sandbox.forkpath`) when :func:`fork_eligible` says a forked interpreter
behaves exactly like the fresh one the argv asks for.
"""

from __future__ import annotations

import logging
from typing import Any

from discolab.errors import SandboxUnavailable
from discolab.sandbox.base import ExecResult, Limits, Sandbox, SandboxConfig
from discolab.sandbox.containers import close_container, run_job, start_container
from discolab.sandbox.pool import ContainerPool

log = logging.getLogger(__name__)

FIX_ENGINE = (
    "start the Docker engine (`sudo dockerd &` or `sudo systemctl start docker`) and make "
    "sure this user may use it (`docker info` must work), or use sandbox = 'process'"
)
FIX_IMAGE = "build it with `discolab sandbox build --offline` (or without --offline to pull)"


def connect(timeout: float = 30.0) -> Any:
    """A Docker client for the engine in the environment; raise with the fix if none runs."""
    try:
        import docker

        client = docker.from_env(timeout=int(timeout))
        client.ping()
    except Exception as exc:
        raise SandboxUnavailable(f"no Docker engine answers ({exc}); {FIX_ENGINE}") from exc
    return client


def require_image(client: Any, image: str) -> None:
    """Raise :class:`SandboxUnavailable` saying how to build ``image`` when it is missing."""
    from discolab.sandbox.image.builder import image_exists

    if not image_exists(client, image):
        raise SandboxUnavailable(f"the sandbox image {image!r} is missing; {FIX_IMAGE}")


IMPORTABLE = (".py", ".pyc", ".so")


def fork_eligible(argv: list[str], env: dict[str, str], files: dict[str, bytes]) -> bool:
    """True when ``argv`` is ``python3 -E -s main.py ...`` with no extra environment and no
    Python file but ``main.py``: then a fork of the preloaded supervisor runs it as a fresh
    interpreter would (an extra ``json.py`` could shadow a module the supervisor has loaded,
    and extra variables could be meant for numpy's import)."""
    from discolab.sandbox.forkpath import FORK_ARGV

    if argv[: len(FORK_ARGV)] != FORK_ARGV or env:
        return False
    return not any(path != "main.py" and path.endswith(IMPORTABLE) for path in files)


def _container_limits(limits: Limits) -> tuple[int, float, int, int]:
    return (limits.memory_mb, limits.cpus, limits.pids, limits.workdir_mb)


class DockerSandbox(Sandbox):
    """Runs commands in hardened Docker containers, warm-pooled or one per run."""

    name = "docker"

    def __init__(self, config: SandboxConfig | None = None, client: Any = None) -> None:
        config = config or SandboxConfig()
        super().__init__(config.limits)
        self.config = config
        self.client = client or connect(config.docker_timeout)
        require_image(self.client, config.image)
        self.pool: ContainerPool | None = None
        if config.pool_size > 0:
            self.pool = ContainerPool(
                self.client, config.image, config.limits, config.pool_size, config.recycle_after
            )
            self.pool.start()

    def _run(
        self,
        argv: list[str],
        *,
        stdin: bytes,
        files: dict[str, bytes],
        limits: Limits,
        env: dict[str, str],
    ) -> ExecResult:
        fork = self.config.fork_python and fork_eligible(argv, env, files)
        job = {"stdin": stdin, "files": files, "limits": limits, "env": env, "python_fork": fork}
        same_box = _container_limits(limits) == _container_limits(self.config.limits)
        if self.pool is not None and same_box:
            container = self.pool.acquire()
            recycle = True
            try:
                result, recycle = run_job(container, argv, **job)
            finally:
                self.pool.release(container, recycle)
            return result
        container = start_container(self.client, self.config.image, limits)
        try:
            result, _ = run_job(container, argv, **job)
        finally:
            close_container(self.client, container)
        return result

    def close(self) -> None:
        """Remove the pool's containers."""
        if self.pool is not None:
            self.pool.close()
            self.pool = None
