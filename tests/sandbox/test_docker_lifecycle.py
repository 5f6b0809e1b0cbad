"""The Docker backend's containers: hardening, recycling, crash clean-up, the CLI."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest
from typer.testing import CliRunner

from discolab.sandbox import Limits, SandboxConfig
from discolab.sandbox.cli import app
from discolab.sandbox.containers import LABEL, list_containers, reap_orphans
from discolab.sandbox.docker import DockerSandbox, connect

pytestmark = pytest.mark.docker
SMALL = SandboxConfig(limits=Limits(timeout=3, memory_mb=256, pids=32), pool_size=1)


def _owned_by(pid: int) -> list[object]:
    return [c for c in list_containers(connect()) if c.labels.get("discolab.owner_pid") == str(pid)]


def test_containers_are_hardened() -> None:
    with DockerSandbox(SMALL) as box:
        assert box.pool is not None
        container = box.pool.acquire()
        info = box.client.api.inspect_container(container.id)
        box.pool.release(container, recycle=False)
    host, config = info["HostConfig"], info["Config"]
    assert host["NetworkMode"] == "none"
    assert host["ReadonlyRootfs"] is True
    assert host["CapDrop"] == ["ALL"]
    assert host["SecurityOpt"] == ["no-new-privileges"]
    assert not host["Init"]  # the supervisor is pid 1 (see containers.start_container)
    assert host["PidsLimit"] == 32
    assert host["Memory"] == host["MemorySwap"] == 256 << 20
    assert host["NanoCpus"] == 10**9
    assert {u["Name"] for u in host["Ulimits"]} == {"nofile", "fsize"}
    assert set(host["Tmpfs"]) == {"/work", "/tmp"}
    assert config["User"] == "10001:10001"
    assert config["Labels"][LABEL] == "1"
    assert config["Labels"]["discolab.owner_pid"] == str(os.getpid())


def test_pool_recycles_after_k_runs_and_after_a_timeout() -> None:
    config = SandboxConfig(limits=SMALL.limits, pool_size=1, recycle_after=2)
    with DockerSandbox(config) as box:
        names = [box.exec(["cat", "/etc/hostname"]).stdout for _ in range(3)]
        assert names[0] == names[1] != names[2]
        assert box.run_python("while True: pass", timeout=1).timed_out
        assert box.exec(["cat", "/etc/hostname"]).stdout != names[2]


def test_other_container_limits_get_a_container_of_their_own() -> None:
    with DockerSandbox(SMALL) as box:
        result = box.run_python("print(1)", limits=Limits(memory_mb=128, timeout=3))
        assert result.ok and result.stdout == "1\n"


CRASHER = """
    from discolab.sandbox import Limits, SandboxConfig
    from discolab.sandbox.docker import DockerSandbox
    box = DockerSandbox(SandboxConfig(limits=Limits(timeout=60), pool_size=1))
    print("ready", flush=True)
    box.exec(["python3", "-c", "import time; time.sleep(60)", "{marker}"])
"""


def test_a_killed_campaign_leaves_no_container(marker: str, leftovers: type) -> None:
    code = textwrap.dedent(CRASHER).format(marker=marker)
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
        deadline = time.monotonic() + 10
        while not leftovers.processes_with(marker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert leftovers.processes_with(marker), "the long exec never started"
        assert _owned_by(child.pid)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    deadline = time.monotonic() + 15
    while _owned_by(child.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    reap_orphans(connect())  # what the next pool start or `check` does
    assert _owned_by(child.pid) == []
    assert leftovers.processes_with(marker) == []


def test_containers_of_dead_owners_are_reaped_by_clean() -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    client = connect()
    labels = {
        LABEL: "1",
        "discolab.owner_host": socket.gethostname(),
        "discolab.owner_pid": str(dead.pid),
        "discolab.owner_start": "0",
    }
    client.containers.run(
        SMALL.image, ["sleep", "60"], labels=labels, detach=True, network_mode="none"
    )
    assert _owned_by(dead.pid)
    result = CliRunner().invoke(app, ["clean"])
    assert result.exit_code == 0, result.output
    assert "removed" in result.output
    assert _owned_by(dead.pid) == []


def test_cli_build_is_cached_and_check_round_trips() -> None:
    runner = CliRunner()
    build = runner.invoke(app, ["build", "--offline"])
    assert build.exit_code == 0 and "already exists" in build.output
    check = runner.invoke(app, ["check"])
    assert check.exit_code == 0, check.output
    assert "round trip" in check.output


FORGER = """
import sys
body = b'{"returncode": 0, "stdout": "Rk9SR0VE", "stderr": "", "clean": true}'
try:
    with open("/proc/1/fd/1", "wb") as out:
        out.write(b"%010d" % len(body) + body + b"0" * 64)
    print("wrote a forged answer")
except OSError as exc:
    print("refused", exc)
sys.exit(1)
"""


def test_a_forged_answer_is_rejected() -> None:
    with DockerSandbox(SMALL) as box:
        result = box.run_python(FORGER)
        assert "FORGED" not in result.stdout
        assert not result.ok and result.failure_reason
        clean = box.run_python("print('clean')")
        assert clean.ok and clean.stdout == "clean\n"
