"""A warm pool of hardened sandbox containers, for throughput.

Starting a hardened container costs a few hundred milliseconds; a ``docker exec`` into a
running one costs a few tens. The pool keeps ``size`` containers running and hands one to
each run. Nothing carries over between runs: the supervisor gives every run a fresh work dir,
kills every process of the run's uid afterwards and empties the scratch dirs, and the pool
replaces a container after a timeout, an OOM kill, an unclean run, or every
``recycle_after`` runs. Replacements start in a background thread so callers rarely wait.

Starting a pool first removes sandbox containers left by dead discolab processes.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from discolab.errors import SandboxUnavailable
from discolab.sandbox.base import Limits
from discolab.sandbox.containers import (
    Container,
    close_container,
    reap_orphans,
    start_container,
)

log = logging.getLogger(__name__)


class ContainerPool:
    """``size`` warm containers of ``image``, each replaced after ``recycle_after`` runs."""

    def __init__(
        self, client: Any, image: str, limits: Limits, size: int, recycle_after: int
    ) -> None:
        if size < 1 or recycle_after < 1:
            raise ValueError("a pool needs size >= 1 and recycle_after >= 1")
        self.client = client
        self.image = image
        self.limits = limits
        self.size = size
        self.recycle_after = recycle_after
        self._idle: queue.Queue[Container] = queue.Queue()
        self._live: dict[str, Container] = {}
        self._pending = 0
        self._lock = threading.Lock()
        self._closed = False
        self._starter = ThreadPoolExecutor(max_workers=size, thread_name_prefix="sandbox-pool")
        self._last_error: Exception | None = None

    def start(self) -> None:
        """Reap orphans, then start every container (in parallel); raise if none starts."""
        reap_orphans(self.client)
        futures = [self._starter.submit(self._start_one) for _ in range(self.size)]
        errors = [exc for f in futures if (exc := f.exception()) is not None]
        if len(errors) == self.size:
            self.close()
            raise errors[0]

    def _start_one(self) -> None:
        container = start_container(self.client, self.image, self.limits)
        with self._lock:
            if self._closed:
                close_container(self.client, container)
                return
            self._live[container.id] = container
        self._idle.put(container)

    def _replace(self) -> None:
        try:
            self._start_one()
        except Exception as exc:  # the engine went away; acquire() reports it
            log.error("could not start a replacement sandbox container: %s", exc)
            self._last_error = exc
        finally:
            with self._lock:
                self._pending -= 1

    def acquire(self) -> Container:
        """Wait for an idle container; raise :class:`SandboxUnavailable` if none can come."""
        while True:
            try:
                return self._idle.get(timeout=0.5)
            except queue.Empty:
                with self._lock:
                    hopeless = self._closed or (not self._live and self._pending == 0)
                if hopeless:
                    raise SandboxUnavailable(
                        f"no sandbox container is running (last error: {self._last_error}); "
                        "run `discolab sandbox check`"
                    ) from self._last_error

    def release(self, container: Container, recycle: bool) -> None:
        """Return a container after a run; replace it when ``recycle`` or it is worn out."""
        container.runs += 1
        if not recycle and container.runs < self.recycle_after and not self._closed:
            self._idle.put(container)
            return
        with self._lock:
            self._live.pop(container.id, None)
            replace = not self._closed
            if replace:
                self._pending += 1
        if not replace:
            close_container(self.client, container)
            return
        try:
            self._starter.submit(self._retire, container)
        except RuntimeError:  # closed meanwhile
            close_container(self.client, container)
            with self._lock:
                self._pending -= 1

    def _retire(self, container: Container) -> None:
        close_container(self.client, container)
        self._replace()

    def close(self) -> None:
        """Stop and remove every container of the pool. Safe to call twice."""
        with self._lock:
            self._closed = True
            live = list(self._live.values())
            self._live.clear()
        self._starter.shutdown(wait=True, cancel_futures=True)
        for container in live:
            close_container(self.client, container)
