"""Builds the sandbox image, online (``docker build``) or offline (debootstrap + import).

Offline is for machines whose Docker cannot pull: ``debootstrap`` installs a minimal Debian
with Python, numpy, scipy, sympy, mpmath and pytest from a Debian mirror (by default the one
apt already uses here), the same setup as the Dockerfile is applied to that root file system
(a non-root ``sandbox`` user with uid 10001, ``/work`` and ``/tmp`` mode 1777), and the tree is
turned into an image with ``docker import``. Nothing is pulled from a registry.

An existing image is reused unless ``force`` is set, so running the build again is cheap.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from discolab.errors import SandboxUnavailable

log = logging.getLogger(__name__)

IMAGE = "discolab-sandbox:1"
SUITE = "bookworm"
PACKAGES = ("python3", "python3-numpy", "python3-scipy", "python3-sympy", "python3-mpmath")
EXTRA_PACKAGES = ("python3-pytest",)
DEFAULT_MIRROR = "http://deb.debian.org/debian"
SANDBOX_UID = 10001
DOCKERFILE_DIR = Path(__file__).resolve().parent
IMAGE_CHANGES = (
    f"USER {SANDBOX_UID}",
    "WORKDIR /work",
    "ENV PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1",
    'LABEL discolab.sandbox.version="1"',
    'CMD ["python3"]',
)


def find_mirror(paths: Iterable[Path] | None = None) -> str:
    """The Debian mirror apt uses on this machine, or ``deb.debian.org``.

    Reads ``/etc/apt/sources.list`` and ``sources.list.d`` (both one-line and deb822
    formats) and returns the first ``.../debian`` URI that is not a security mirror.
    """
    if paths is None:
        apt = Path("/etc/apt")
        paths = [apt / "sources.list", *sorted((apt / "sources.list.d").glob("*"))]
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for line in text.splitlines():
            words = line.split("#", 1)[0].split()
            uris = []
            if words[:1] == ["deb"]:
                uris = [w for w in words[1:] if "://" in w][:1]
            elif words[:1] == ["URIs:"]:
                uris = words[1:]
            for uri in uris:
                if uri.rstrip("/").endswith("/debian"):
                    return uri.rstrip("/")
    return DEFAULT_MIRROR


def image_exists(client: object, name: str = IMAGE) -> bool:
    """True when the Docker engine behind ``client`` has the image ``name``."""
    import docker.errors

    try:
        client.images.get(name)  # type: ignore[attr-defined]
    except docker.errors.ImageNotFound:
        return False
    return True


def build_image(
    client: object,
    *,
    name: str = IMAGE,
    offline: bool = False,
    mirror: str | None = None,
    force: bool = False,
) -> str:
    """Build the sandbox image unless it exists; returns ``"cached"`` or ``"built"``."""
    if not force and image_exists(client, name):
        log.debug("image %s already exists; use --force to rebuild", name)
        return "cached"
    if offline:
        _build_offline(client, name, mirror or find_mirror())
    else:
        log.info("building %s from %s", name, DOCKERFILE_DIR / "Dockerfile")
        try:
            client.images.build(path=str(DOCKERFILE_DIR), tag=name, rm=True)  # type: ignore[attr-defined]
        except Exception as exc:
            raise SandboxUnavailable(
                f"docker build of {name} failed ({exc}); if this machine cannot pull images, "
                "run `discolab sandbox build --offline`"
            ) from exc
    return "built"


def _build_offline(client: object, name: str, mirror: str) -> None:
    if os.geteuid() != 0:
        raise SandboxUnavailable("the offline image build needs root (debootstrap); run with sudo")
    if shutil.which("debootstrap") is None:
        raise SandboxUnavailable(
            "the offline image build needs debootstrap: apt-get install -y debootstrap"
        )
    scratch = Path(tempfile.mkdtemp(prefix="discolab-image-", dir=_scratch_parent()))
    rootfs = scratch / "rootfs"
    try:
        log.info("debootstrap %s from %s (about a minute)", SUITE, mirror)
        include = ",".join(PACKAGES + EXTRA_PACKAGES)
        cmd = ["debootstrap", "--variant=minbase", f"--include={include}", SUITE, str(rootfs)]
        _run([*cmd, mirror], "debootstrap")
        configure_rootfs(rootfs)
        tarball = scratch / "rootfs.tar"
        _run(["tar", "-C", str(rootfs), "--numeric-owner", "-cf", str(tarball), "."], "tar")
        log.info("docker import -> %s", name)
        repo, _, tag = name.partition(":")
        client.api.import_image_from_file(  # type: ignore[attr-defined]
            str(tarball), repository=repo, tag=tag or "latest", changes=list(IMAGE_CHANGES)
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def configure_rootfs(rootfs: Path) -> None:
    """The Dockerfile's setup applied to a root file system: user, dirs, trimmed caches."""
    etc = rootfs / "etc"
    entries = {
        "passwd": f"sandbox:x:{SANDBOX_UID}:{SANDBOX_UID}::/work:/usr/sbin/nologin\n",
        "group": f"sandbox:x:{SANDBOX_UID}:\n",
        "shadow": "sandbox:!:19000::::::\n",
    }
    for file, line in entries.items():
        path = etc / file
        if not any(x.startswith("sandbox:") for x in path.read_text().splitlines()):
            with path.open("a") as fh:
                fh.write(line)
    (rootfs / "work").mkdir(exist_ok=True)
    for d in ("work", "tmp"):
        os.chmod(rootfs / d, 0o1777)
    for junk in ("var/cache/apt/archives", "var/lib/apt/lists", "usr/share/doc", "usr/share/man"):
        target = rootfs / junk
        if target.is_dir():
            for child in target.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)


def _scratch_parent() -> str | None:
    """A roomy place for the root file system (``/var/tmp`` is on disk, ``/tmp`` may not be)."""
    return "/var/tmp" if os.path.isdir("/var/tmp") else None


def _run(cmd: list[str], what: str) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise SandboxUnavailable(
            f"{what} failed with status {proc.returncode}:\n{tail}\n"
            "check the mirror (--mirror URL) and the network to it"
        )
