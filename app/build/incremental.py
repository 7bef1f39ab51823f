"""Incremental output: start from a hard-link copy of the last build, rewrite only what changed.

The staging folder begins as a hard-link copy of ``build/``, so unchanged pages cost nothing.
A changed page is written to a new file and renamed over its link: the inode that ``build/``
still uses is never modified in place, so the previous build stays intact until the swap.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path
from stat import S_ISDIR, S_ISREG

#: Permissions of written files: readable by the web server, like a plain ``cp`` would give.
FILE_MODE = 0o644
_NO_LINK = (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EACCES)


def link_tree(source: Path, destination: Path) -> int:
    """Fill ``destination`` with hard links to every file of ``source``; returns the file count."""
    count = 0
    for folder, dirs, files in os.walk(source):
        rel = Path(folder).relative_to(source)
        (destination / rel).mkdir(parents=True, exist_ok=True)
        dirs.sort()
        for name in sorted(files):
            src, dst = Path(folder) / name, destination / rel / name
            if src.is_symlink():
                continue  # never produced by a build; the stale sweep would drop it anyway
            _link_or_copy(src, dst)
            count += 1
    return count


def refresh_tree(source: Path, destination: Path) -> int:
    """Make ``destination`` (an older build) hold the files of ``source``, as hard links.

    Only files that are not already the same inode are linked again; files ``source`` does
    not have are left for ``StagedOutput.remove_stale``. Returns how many files were linked.
    """
    linked = 0
    for folder, _dirs, files in os.walk(source):
        rel = os.path.relpath(folder, source)
        target_dir = destination / rel if rel != "." else destination
        try:
            if not S_ISDIR(os.lstat(target_dir).st_mode):
                target_dir.unlink()
                target_dir.mkdir()
        except FileNotFoundError:
            target_dir.mkdir()
        for name in files:
            src, dst = os.path.join(folder, name), target_dir / name
            src_stat = os.lstat(src)
            if not S_ISREG(src_stat.st_mode):
                continue
            try:
                dst_stat = os.lstat(dst)
            except FileNotFoundError:
                pass
            else:
                if dst_stat.st_ino == src_stat.st_ino and dst_stat.st_dev == src_stat.st_dev:
                    continue
                if S_ISDIR(dst_stat.st_mode):
                    shutil.rmtree(dst)
                else:
                    dst.unlink()
            _link_or_copy(Path(src), dst)
            linked += 1
    return linked


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError as exc:
        if exc.errno not in _NO_LINK:
            raise
        shutil.copy2(src, dst)  # a filesystem without hard links: copy instead


def write_if_changed(root: Path, rel: str, data: bytes) -> bool:
    """Store ``data`` at ``root/rel`` unless the file already holds exactly these bytes.

    A changed file is unlinked and written as a new file: the inode the previous build
    still uses (a hard link) is never modified in place.
    """
    path = root / rel
    try:
        stat = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):  # a file of the last build is a folder now
        _make_parent(root, path)
    else:
        if S_ISREG(stat.st_mode) and stat.st_size == len(data) and path.read_bytes() == data:
            return False
        if S_ISDIR(stat.st_mode):
            shutil.rmtree(path)  # a folder in the last build is a file now
        else:
            path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    os.fchmod(fd, FILE_MODE)  # whatever the umask: the web server must read it
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return True


def _make_parent(root: Path, path: Path) -> None:
    """Create ``path``'s folders, dropping files of the last build that stand in the way."""
    if path.parent.is_dir() and not path.parent.is_symlink():
        return
    for parent in reversed(path.relative_to(root).parents[:-1]):
        folder = root / parent
        if folder.is_symlink() or folder.is_file():
            folder.unlink()
        folder.mkdir(exist_ok=True)


class StagedOutput:
    """The staging folder of one build; counts what it wrote, kept and removed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.produced: set[str] = set()
        self.written = 0
        self.unchanged = 0
        self.removed = 0
        #: Files kept from the last build without rendering them again.
        self.kept = 0
        #: Processes that rendered this build's pages.
        self.workers = 1

    @property
    def pages(self) -> int:
        return len(self.produced)

    def _produce(self, rel: str) -> None:
        if rel in self.produced:
            raise ValueError(f"{rel} was produced twice in one build")
        self.produced.add(rel)

    def record(self, rel: str, written: bool) -> None:
        """Count a file a renderer wrote (or found identical) at ``rel``."""
        self._produce(rel)
        if written:
            self.written += 1
        else:
            self.unchanged += 1

    def keep(self, rel: str) -> None:
        """Count a file of the last build kept without rendering it again."""
        self.record(rel, written=False)
        self.kept += 1

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

    def remove_stale(self) -> int:
        """Delete what the last build had and this one did not produce, and emptied folders."""
        for folder, dirs, files in os.walk(self.root, topdown=False):
            base = Path(folder)
            for name in files:
                rel = (base / name).relative_to(self.root).as_posix()
                if rel not in self.produced:
                    (base / name).unlink()
                    self.removed += 1
            for name in dirs:
                sub = base / name
                if sub.is_symlink():
                    sub.unlink()
                elif not any(sub.iterdir()):
                    sub.rmdir()
        return self.removed
