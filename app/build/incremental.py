"""Incremental output: start from a hard-link copy of the last build, rewrite only what changed.

The staging folder begins as a hard-link copy of ``build/``, so unchanged pages cost nothing.
A changed page is written to a new file and renamed over its link: the inode that ``build/``
still uses is never modified in place, so the previous build stays intact until the swap.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path

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
            try:
                os.link(src, dst)
            except OSError as exc:
                if exc.errno not in _NO_LINK:
                    raise
                shutil.copy2(src, dst)  # a filesystem without hard links: copy instead
            count += 1
    return count


class StagedOutput:
    """The staging folder of one build; counts what it wrote, kept and removed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.produced: set[str] = set()
        self.written = 0
        self.unchanged = 0
        self.removed = 0

    @property
    def pages(self) -> int:
        return len(self.produced)

    def write(self, rel: str, data: bytes) -> bool:
        """Store ``data`` at ``rel`` unless the file already holds exactly these bytes."""
        path = self.root / rel
        if rel in self.produced:
            raise ValueError(f"{rel} was produced twice in one build")
        self.produced.add(rel)
        if self._holds(path, data):
            self.unchanged += 1
            return False
        self._make_parent(path)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)  # a folder in the last build is a file now
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.chmod(tmp, FILE_MODE)
            os.replace(tmp, path)  # a new inode: the hard-linked old file is left as it was
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.written += 1
        return True

    @staticmethod
    def _holds(path: Path, data: bytes) -> bool:
        """Whether ``path`` is a regular file with exactly ``data`` (size checked first)."""
        if path.is_symlink() or not path.is_file() or path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data

    def _make_parent(self, path: Path) -> None:
        """Create ``path``'s folders, dropping files of the last build that stand in the way."""
        for parent in reversed(path.relative_to(self.root).parents[:-1]):
            folder = self.root / parent
            if folder.is_symlink() or folder.is_file():
                folder.unlink()
            folder.mkdir(exist_ok=True)

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
