"""Atomic output: build into a staging folder beside ``build/``, then swap it into place; what
one build wrote, kept and removed there (``StagedOutput``)."""

from __future__ import annotations

import ctypes
import errno
import fcntl
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

from app.build.errors import BuildError
from app.build.gitignore import exclude_from_git
from app.build.incremental import remove_file, write_if_changed
from app.build.stamps import spare_of, staging_prefix

log = logging.getLogger(__name__)
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def spare_dir(build_dir: Path) -> Path:
    """The build before the current one, kept to become the next staging folder.

    Most of its files are hard links shared with ``build/``: turning it into a copy of
    ``build/`` costs one link per file that changed, where a fresh copy costs one per file.
    """
    return spare_of(build_dir)


@contextmanager
def build_lock(build_dir: Path, timeout: float = 600.0) -> Iterator[None]:
    """One build at a time per output folder, across processes (``--watch`` and Publish).

    The lock is an ``flock`` on the parent folder itself, so no lock file is left behind;
    the kernel releases it when the process ends, even on SIGKILL (its workers die with it,
    see ``app.workers``). A build that finds it taken says by whom and waits at most
    ``timeout`` seconds, then fails with what to do.

    Taken before a build makes any folder: the folders it will make are kept out of git
    first (``gitignore.exclude_from_git``).
    """
    build_dir.parent.mkdir(parents=True, exist_ok=True)
    exclude_from_git(build_dir)
    fd = os.open(build_dir.parent, os.O_RDONLY)
    try:
        _acquire(fd, build_dir, timeout)
        yield
    finally:
        os.close(fd)  # closing the only descriptor releases the lock


def _acquire(fd: int, build_dir: Path, timeout: float) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    holders = lock_holders(build_dir.parent)
    who = ", ".join(f"process {pid} ({name})" for pid, name in holders) or "another process"
    log.warning("waiting for another build of %s to finish (held by %s)", build_dir, who)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.1)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            continue
    pids = " ".join(str(pid) for pid, _name in holders)
    raise BuildError(
        f"another build of {build_dir} has held its lock for {timeout:.0f} s "
        f"({who}); if no build is running, end it (kill {pids or 'PID'}) and build again"
    )


def lock_holders(folder: Path) -> list[tuple[int, str]]:
    """(pid, command name) of the processes that have ``folder`` open (Linux ``/proc``;
    empty elsewhere): who holds a build lock."""
    try:
        target = os.stat(folder)
    except OSError:
        return []
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        pid = int(entry.name)
        if pid == os.getpid():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                stat = os.stat(fd)
                if (stat.st_dev, stat.st_ino) == (target.st_dev, target.st_ino):
                    found.append((pid, (entry / "comm").read_text().strip()))
                    break
        except OSError:  # gone, or not ours to look at
            continue
    return found


def clear_stale_staging(build_dir: Path) -> None:
    """Remove staging folders left by builds that were killed (call under the build lock)."""
    build_dir.parent.mkdir(parents=True, exist_ok=True)
    for stale in build_dir.parent.glob(staging_prefix(build_dir) + "*"):
        shutil.rmtree(stale, ignore_errors=True)


def make_staging_dir(build_dir: Path, *, reuse_spare: bool = False) -> tuple[Path, bool]:
    """A staging folder on the same filesystem as ``build_dir`` (so renames are atomic), and
    whether it is the spare.

    It is empty, or with ``reuse_spare`` the spare build if there is one (then it holds an
    older build that the caller must bring up to date; see ``incremental.refresh_tree``).
    """
    clear_stale_staging(build_dir)
    staging = new_staging_dir(build_dir)
    spare = spare_dir(build_dir)
    if spare.is_dir() and not spare.is_symlink():
        if reuse_spare:
            staging.rmdir()
            spare.rename(staging)
            return staging, True
        shutil.rmtree(spare)
    return staging, False


def new_staging_dir(build_dir: Path) -> Path:
    """An empty, private folder beside ``build_dir``, removed by ``clear_stale_staging``."""
    return Path(tempfile.mkdtemp(prefix=staging_prefix(build_dir), dir=build_dir.parent))


def keep_as_spare(old_build: Path, build_dir: Path) -> None:
    """Keep ``old_build`` (a complete earlier build) for the next build to start from."""
    spare = spare_dir(build_dir)
    if spare.exists():
        shutil.rmtree(spare)
    old_build.rename(spare)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2); False where unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def swap_into_place(staging: Path, build_dir: Path) -> None:
    """Make ``staging`` the new ``build_dir``; at every instant one complete build is there."""
    staging.chmod(0o755)  # mkdtemp makes it private; a static host needs to read it
    if not build_dir.exists():
        staging.rename(build_dir)
        return
    if _exchange(staging, build_dir):
        keep_as_spare(staging, build_dir)  # ``staging`` now holds the previous build
        return
    old = new_staging_dir(build_dir)
    old.rmdir()
    build_dir.rename(old)
    staging.rename(build_dir)
    keep_as_spare(old, build_dir)


class StagedOutput:
    """The staging folder of one build; counts what it wrote, kept and removed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.produced: set[str] = set()
        self.written = 0
        self.unchanged = 0
        self.removed = 0
        #: Files this build wrote (new or changed bytes).
        self.written_files: list[str] = []
        #: Files of the last build that this one removed.
        self.removed_files: list[str] = []
        #: Files kept from the last build without rendering them again.
        self.kept = 0
        #: Processes that rendered this build's pages.
        self.workers = 1

    @property
    def pages(self) -> int:
        return len(self.produced)

    def _produce(self, rels: Collection[str]) -> None:
        """Note files as this build's; none of them may be twice (then none is noted)."""
        if not self.produced.isdisjoint(rels):
            twice = min(self.produced.intersection(rels))
            raise ValueError(f"{twice} was produced twice in one build")
        self.produced.update(rels)

    def record(self, rel: str, written: bool) -> None:
        """Count a file a renderer wrote (or found identical) at ``rel``."""
        self._produce((rel,))
        if written:
            self.written += 1
            self.written_files.append(rel)
        else:
            self.unchanged += 1

    def keep(self, rels: Collection[str]) -> None:
        """Count the files of the last build kept without rendering them again."""
        self._produce(rels)
        self.unchanged += len(rels)
        self.kept += len(rels)

    @property
    def rendered(self) -> int:
        return self.pages - self.kept

    def write(self, rel: str, data: bytes) -> bool:
        """Store ``data`` at ``rel`` unless the file already holds exactly these bytes."""
        if rel in self.produced:
            raise ValueError(f"{rel} was produced twice in one build")
        written = write_if_changed(self.root, rel, data)
        self.record(rel, written)
        return written

    def remove_stale(self, present: set[str]) -> int:
        """Delete what the last build had and this one did not produce, and emptied folders.

        ``present`` lists the files the staging folder started with (see ``refresh_tree``).
        """
        for rel in sorted(present - self.produced, reverse=True):  # a folder's files first
            if remove_file(self.root, self.root / rel):
                self.removed_files.append(rel)
        self.removed = len(self.removed_files)
        return self.removed
