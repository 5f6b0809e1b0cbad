"""Work dirs inside the sandbox: write a run's files, collect what it left, wipe scratch.

Plain standard-library Python, sent into the container in front of ``supervisor.py`` (see
``containers.supervisor_source``); the process backend imports it too, so both backends
read work dirs the same way.
"""

import os

SCRATCH_DIRS = ("/work", "/tmp", "/dev/shm", "/dev/mqueue")


def write_files(workdir: str, files: dict[str, bytes]) -> None:
    """Write ``files`` (relative paths, already checked by the host) under ``workdir``."""
    for rel, data in files.items():
        path = os.path.join(workdir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)


def collect_files(workdir: str, cap: int) -> dict[str, bytes]:
    """Regular files under ``workdir`` up to ``cap`` bytes in total.

    Symlinks and hard-linked files are skipped and nothing is followed, so a candidate
    cannot make the reader (possibly a more privileged host process) fetch other files.
    """
    found: dict[str, bytes] = {}
    total = 0
    for root, dirs, names in os.walk(workdir, followlinks=False):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(root, name)
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            except OSError:
                continue
            with os.fdopen(fd, "rb") as fh:
                st = os.fstat(fh.fileno())
                if not _is_plain_file(st.st_mode, st.st_nlink) or total + st.st_size > cap:
                    continue
                data = fh.read(st.st_size)
            total += len(data)
            found[os.path.relpath(path, workdir)] = data
    return found


def _is_plain_file(mode: int, nlink: int) -> bool:
    import stat

    return stat.S_ISREG(mode) and nlink == 1


def wipe(dirs: tuple[str, ...] = SCRATCH_DIRS) -> bool:
    """Empty the scratch dirs; True when nothing is left behind."""
    import shutil

    def fix(func: object, path: str, _exc: object) -> None:
        try:
            os.chmod(os.path.dirname(path), 0o700)
            os.chmod(path, 0o700)
        except OSError:
            pass

    clean = True
    for top in dirs:
        try:
            entries = os.listdir(top)
        except OSError:
            continue
        for name in entries:
            path = os.path.join(top, name)
            try:
                if os.path.isdir(path) and not os.path.islink(path):
                    os.chmod(path, 0o700)
                    shutil.rmtree(path, onerror=fix)
                    if os.path.exists(path):
                        shutil.rmtree(path)
                else:
                    os.unlink(path)
            except OSError:
                clean = False
    return clean
