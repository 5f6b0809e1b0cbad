"""Sandbox fixtures: one ``sandbox`` fixture parametrized over every backend.

Docker tests are marked ``docker``. Without an engine or the image they are skipped on a
developer machine, but in CI (``CI=true``) they FAIL instead: CI must never skip them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from discolab.errors import SandboxUnavailable
from discolab.sandbox import Limits, Sandbox, SandboxConfig
from discolab.sandbox.process import ProcessSandbox

TEST_LIMITS = Limits(
    timeout=3.0, memory_mb=512, pids=64, output_bytes=1 << 20, file_mb=16, workdir_mb=32
)
TEST_CONFIG = SandboxConfig(limits=TEST_LIMITS, pool_size=2, recycle_after=20)
REPO = Path(__file__).resolve().parents[2]


def _docker_problem() -> str | None:
    """Why Docker tests cannot run here, or ``None`` when they can."""
    from discolab.sandbox.docker import connect, require_image

    try:
        require_image(connect(10), TEST_CONFIG.image)
    except SandboxUnavailable as exc:
        return str(exc)
    return None


@pytest.fixture(scope="session")
def docker_ready() -> None:
    """Skip (locally) or fail (CI=true) when the engine or the image is missing."""
    problem = _docker_problem()
    if problem is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Docker tests must run in CI but cannot: {problem}")
    pytest.skip(f"Docker is not available: {problem}")


@pytest.fixture(autouse=True)
def _require_docker_for_marked(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("docker") is not None:
        request.getfixturevalue("docker_ready")


@pytest.fixture(scope="session")
def process_sandbox() -> Iterator[ProcessSandbox]:
    with ProcessSandbox(TEST_LIMITS) as box:
        yield box


@pytest.fixture(scope="session")
def docker_sandbox(docker_ready: None) -> Iterator[Sandbox]:
    from discolab.sandbox.docker import DockerSandbox

    with DockerSandbox(TEST_CONFIG) as box:
        yield box


@pytest.fixture(params=["process", pytest.param("docker", marks=pytest.mark.docker)])
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """Every backend in turn; staged files are cleared after each test."""
    box: Sandbox = request.getfixturevalue(f"{request.param}_sandbox")
    yield box
    box.clear_files()


@pytest.fixture
def marker() -> str:
    """A unique token; attacks carry it in their argv so leftovers can be found in /proc."""
    return "discolab-test-" + os.urandom(6).hex()


def processes_with(token: str) -> list[int]:
    """Host pids whose command line contains ``token`` (sandboxed processes included)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if token.encode() in cmdline:
            found.append(int(entry.name))
    return found


@pytest.fixture
def leftovers() -> type:
    """Access to :func:`processes_with` for tests (conftest helpers are not importable)."""

    class _Helpers:
        processes_with = staticmethod(processes_with)
        repo = REPO
        limits = TEST_LIMITS

    return _Helpers


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "attack(name): the hostile-candidate attack a test performs (see GAPS)"
    )
