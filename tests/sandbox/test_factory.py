"""Choosing a backend, and failing fast with a fix when Docker is not usable."""

from __future__ import annotations

import logging

import pytest

from discolab.errors import ConfigError, SandboxUnavailable
from discolab.sandbox import SandboxConfig, make_sandbox
from discolab.sandbox.image.builder import find_mirror
from discolab.sandbox.process import ProcessSandbox


def test_unknown_kind_suggests_the_closest() -> None:
    with pytest.raises(ConfigError, match="did you mean 'docker'"):
        make_sandbox("dokcer")


def test_process_kind_builds_the_process_backend() -> None:
    with make_sandbox("process") as box:
        assert isinstance(box, ProcessSandbox)
        assert "timeout" in box.contains


def test_docker_without_engine_fails_fast_with_a_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with pytest.raises(SandboxUnavailable, match="start the Docker engine"):
        make_sandbox("docker", SandboxConfig(docker_timeout=2))


def test_auto_falls_back_to_process_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with caplog.at_level(logging.WARNING), make_sandbox("auto") as box:
        assert isinstance(box, ProcessSandbox)
    assert any("using 'process' instead" in r.getMessage() for r in caplog.records)


@pytest.mark.docker
def test_docker_without_image_says_how_to_build_it() -> None:
    config = SandboxConfig(image="discolab-sandbox:does-not-exist")
    with pytest.raises(SandboxUnavailable, match="discolab sandbox build --offline"):
        make_sandbox("docker", config)


def test_mirror_is_read_from_apt_sources(tmp_path) -> None:
    deb822 = tmp_path / "debian.sources"
    deb822.write_text(
        "Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n\n"
        "Types: deb\nURIs: http://mirror.example/debian/\nSuites: bookworm\n"
    )
    one_line = tmp_path / "sources.list"
    one_line.write_text("deb [arch=amd64] http://old.example/debian bookworm main\n")
    assert find_mirror([deb822, one_line]) == "http://mirror.example/debian"
    assert find_mirror([one_line]) == "http://old.example/debian"
    assert find_mirror([tmp_path / "missing"]) == "http://deb.debian.org/debian"
