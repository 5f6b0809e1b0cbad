"""Choosing a sandbox: ``make_sandbox("auto" | "docker" | "process", config)``.

``auto`` picks Docker when an engine answers and the image exists, otherwise the weaker
``process`` backend with a one-line warning. ``docker`` never falls back: it fails fast with
:class:`~discolab.errors.SandboxUnavailable` saying how to fix the setup.
"""

from __future__ import annotations

import logging

from discolab.errors import ConfigError, SandboxUnavailable
from discolab.registry import suggest
from discolab.sandbox.base import Sandbox, SandboxConfig

log = logging.getLogger(__name__)

KINDS = ("auto", "docker", "process")


def make_sandbox(kind: str, config: SandboxConfig | None = None) -> Sandbox:
    """Build the sandbox named ``kind``; unknown kinds raise :class:`ConfigError`."""
    config = config or SandboxConfig()
    if kind not in KINDS:
        raise ConfigError(
            f"unknown sandbox {kind!r}{suggest(kind, list(KINDS))}; "
            f"choose one of {', '.join(KINDS)}"
        )
    if kind == "process":
        return _process(config)
    from discolab.sandbox.docker import DockerSandbox

    if kind == "docker":
        return DockerSandbox(config)
    try:
        return DockerSandbox(config)
    except SandboxUnavailable as exc:
        log.warning("sandbox 'auto': Docker is not usable, using 'process' instead (%s)", exc)
        return _process(config)


def _process(config: SandboxConfig) -> Sandbox:
    from discolab.sandbox.process import ProcessSandbox

    return ProcessSandbox(config.limits, python=config.python)
