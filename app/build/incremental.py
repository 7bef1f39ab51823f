"""Incremental output: start from a hard-link copy of the last build, rewrite only what changed.

The staging folder begins as a hard-link copy of ``build/``, so unchanged pages cost nothing.
A changed page is written to a new file and renamed over its link: the inode that ``build/``
still uses is never modified in place, so the previous build stays intact until the swap.
"""

from __future__ import annotations

import errno
import mmap
import os
import shutil
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import BinaryIO

from app.mapped import FileSpan, copy_range, file_identity, release
from app.workers import die_with_parent

#: Permissions of written files: readable by the web server, like a plain ``cp`` would give.
FILE_MODE = 0o644
_NO_LINK = (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EACCES)


def refresh_tree(source: Path, destination: Path) -> set[str]:
    """Make ``destination`` (an older build) hold exactly the files of ``source``, as hard links.

    Directory listings give each entry's inode without a ``stat``, so files that already are
    the same inode cost nothing; only changed files are linked again and only files
    ``source`` does not have are removed. Returns the relative paths of ``source``'s files.
    """
    files: set[str] = set()
    _refresh_folder(source, destination, "", files)
    return files


class BackgroundCopy:
    """``refresh_tree(source, destination)`` in a forked process while this one goes on.

    A build that finds no spare next to ``build/`` starts one as it begins, so the links
    are made while it syncs and plans. Linking is kernel work that another process
    does on another core; a thread would wait for the GIL. ``files()`` waits for it and
    gives what ``refresh_tree`` returns; if the copy failed, it is made again here. With
    ``fork=False`` the copy is made at once, in this process.
    """

    def __init__(self, source: Path, destination: Path, *, fork: bool = True) -> None:
        self.source, self.destination = source, destination
        self._files: set[str] | None = None
        self._read: int | None = None
        if not fork:  # a process that runs threads must not fork: link here, now
            self._files = refresh_tree(source, destination)
            return
        read, write = os.pipe()
        parent = os.getpid()
        self.pid = os.fork()
        if self.pid == 0:  # the child: link, send the file list, never return
            code = 1
            try:
                die_with_parent(parent)
                os.close(read)
                files = refresh_tree(source, destination)
                with os.fdopen(write, "wb") as out:
                    out.write("\0".join(files).encode("utf-8", "surrogateescape"))
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._read = read

    def _wait(self) -> bool:
        """Reap the child; whether it made the copy (and sent its file list)."""
        if self._read is None:
            return self._files is not None
        with os.fdopen(self._read, "rb") as pipe:
            self._read = None
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            return False
        self._files = set(data.decode("utf-8", "surrogateescape").split("\0")) if data else set()
        return True

    def files(self) -> set[str]:
        """The relative paths of ``source``'s files, once ``destination`` holds them all."""
        if not self._wait() or self._files is None:
            self._files = refresh_tree(self.source, self.destination)
        return self._files

    def close(self) -> None:
        """Wait for the child, if nobody did (a build that failed before it rendered)."""
        self._wait()


def relink_changed(
    source: Path,
    destination: Path,
    inodes: Mapping[str, int],
    removed: Iterable[str],
    written: Iterable[str] | None = None,
) -> set[str]:
    """What ``refresh_tree`` does, for a ``destination`` known to be ``source`` one build ago.

    ``inodes`` are the files of ``source`` (relative path to inode) and ``removed`` the files
    the last build took away: one ``lstat`` per file instead of a listing of every folder,
    or only for the files the last build ``written``, when they are known. Returns the files
    ``destination`` holds of them: not one deleted from ``source`` by hand since (the build's
    plan finds it missing too, and makes it again if it is still a page).
    """
    for rel in removed:
        if rel not in inodes:
            remove_file(destination, destination / rel)
    check = inodes if written is None else {r: inodes[r] for r in written if r in inodes}
    gone = set()
    for rel, inode in check.items():
        path = destination / rel
        stat = _existing(destination, path)
        if stat and S_ISREG(stat.st_mode) and stat.st_ino == inode:
            continue
        _clear(path, stat)
        try:
            _link_or_copy(source / rel, path)
        except FileNotFoundError:
            gone.add(rel)
            _remove_empty_folders(destination, path)
    return set(inodes) - gone


def link_into(source: Path, destination: Path, rel: str) -> None:
    """Hard-link the file ``source/rel`` at ``destination/rel``, making its folders."""
    target = destination / rel
    _make_parent(destination, target)  # one mkdir for a new page's folder
    _link_or_copy(source / rel, target)


def remove_file(root: Path, path: Path) -> bool:
    """Delete a file and the folders it leaves empty below ``root``; False if it was not there."""
    try:
        if S_ISDIR(os.lstat(path).st_mode):
            return False  # a folder now (it holds what was produced in it)
        path.unlink()
    except (FileNotFoundError, NotADirectoryError):
        return False
    _remove_empty_folders(root, path)
    return True


def _remove_empty_folders(root: Path, path: Path) -> None:
    """Remove the folders of ``path`` below ``root`` that are empty, from the innermost."""
    for folder in path.parents:
        if folder == root or root not in folder.parents:
            break
        try:
            folder.rmdir()
        except OSError:  # not empty
            break


def _refresh_folder(source: Path, destination: Path, rel: str, files: set[str]) -> None:
    with os.scandir(source) as it:
        wanted = {entry.name: entry for entry in it}
    with os.scandir(destination) as it:
        present = {entry.name: entry for entry in it}
    for name, existing in list(present.items()):
        if name not in wanted or existing.is_symlink():
            _remove(existing)
            del present[name]
    for name, entry in wanted.items():
        path, target, old = f"{rel}{name}", destination / name, present.get(name)
        if entry.is_dir(follow_symlinks=False):
            if old is not None and not old.is_dir(follow_symlinks=False):
                _remove(old)
                old = None
            if old is None:
                target.mkdir()
            _refresh_folder(Path(entry.path), target, f"{path}/", files)
        elif entry.is_file(follow_symlinks=False):
            files.add(path)
            if old is not None:
                if old.inode() == entry.inode() and old.is_file(follow_symlinks=False):
                    continue
                _remove(old)
            _link_or_copy(Path(entry.path), target)


def _remove(entry: os.DirEntry[str]) -> None:
    if entry.is_dir(follow_symlinks=False):
        shutil.rmtree(entry.path)
    else:
        os.unlink(entry.path)


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
    return store_if_changed(root, rel, data)[0]


def store_if_changed(root: Path, rel: str, data: bytes) -> tuple[bool, os.stat_result]:
    """``write_if_changed``, and the file's status once stored (from the open file or the
    comparison: the build cache records it without looking the path up again)."""
    path = root / rel
    stat = None if _made_folder(root, path) else _existing(root, path)
    if stat and S_ISREG(stat.st_mode) and stat.st_size == len(data) and path.read_bytes() == data:
        return False, stat
    _clear(path, stat)
    with _new_file(path) as out:
        out.write(data)
        out.flush()
        return True, os.fstat(out.fileno())


def write_chunks_if_changed(root: Path, rel: str, chunks: Iterable[bytes | FileSpan]) -> bool:
    """``write_if_changed`` for data made in chunks, never held whole (``search.json``).

    Each chunk is compared with the old file's bytes at its place as it comes (the old file
    is mapped, not read, and its pages let go as they are compared); nothing is written while
    they agree. From the first difference on, a new file beside the old one gets the old
    bytes before it and every chunk after. A chunk may be a ``FileSpan`` of another file's
    bytes: one of the old file at its very place is equal without a comparison, and spans
    are copied by the kernel (as is the old file's head).
    """
    path = root / rel
    stat = _existing(root, path)
    part = path.with_name(f".{path.name}.part")
    part.unlink(missing_ok=True)
    out: BinaryIO | None = None
    try:
        with _mapped(path, stat) as (old, old_fd):
            same_file = file_identity(stat) if stat is not None else None
            done = 0
            for chunk in chunks:
                if out is None:
                    if isinstance(chunk, FileSpan):
                        if chunk.file == same_file and chunk.start == done:
                            done += chunk.length  # the old file's own bytes, where they were
                            continue
                        chunk = chunk.read()
                    if old[done : done + len(chunk)] == chunk:
                        release(old, done, done + len(chunk))
                        done += len(chunk)
                        continue
                    out = _new_file(part)
                    _copy_head(out, old_fd, done)
                if isinstance(chunk, FileSpan):
                    out.flush()
                    if chunk.file == same_file and old_fd is not None:
                        copy_range(old_fd, out.fileno(), chunk.start, chunk.length)
                    else:
                        chunk.copy_to(out.fileno())
                else:
                    out.write(chunk)
            if out is None:
                if done == len(old) and stat is not None and S_ISREG(stat.st_mode):
                    return False  # the very same bytes
                out = _new_file(part)
                _copy_head(out, old_fd, done)
        out.close()
        _clear(path, stat)
        part.rename(path)
    except BaseException:
        if out is not None:
            out.close()
        part.unlink(missing_ok=True)
        raise
    return True


def _copy_head(out: BinaryIO, old_fd: int | None, end: int) -> None:
    """Write the old file's first ``end`` bytes (none without an old file), copied by the
    kernel: neither held nor mapped (``mapped.copy_range``)."""
    if old_fd is not None:
        out.flush()
        copy_range(old_fd, out.fileno(), 0, end)


@contextmanager
def _mapped(
    path: Path, stat: os.stat_result | None
) -> Iterator[tuple[bytes | mmap.mmap, int | None]]:
    """The bytes of the regular file ``path``, mapped (slices are bytes compared with
    ``memcmp``), and the open file; empty and None for anything else."""
    if stat is None or not S_ISREG(stat.st_mode) or stat.st_size == 0:
        yield b"", None
        return
    with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
        yield data, file.fileno()


def _existing(root: Path, path: Path) -> os.stat_result | None:
    """What is at ``path`` now; None after making its folders when nothing is."""
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):  # a file of the last build is a folder now
        _make_parent(root, path)
        return None


def _clear(path: Path, stat: os.stat_result | None) -> None:
    """Remove what ``stat`` says is at ``path``: a folder in the last build is a file now."""
    if stat is None:
        return
    if S_ISDIR(stat.st_mode):
        shutil.rmtree(path)
    else:
        path.unlink()


def _new_file(path: Path) -> BinaryIO:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    os.fchmod(fd, FILE_MODE)  # whatever the umask: the web server must read it
    return os.fdopen(fd, "wb")


#: Folders this process made or found to be real folders, below the staging folder (and
#: the spare) of the builds it made last. An entry made stale by a later build only costs
#: ``_made_folder`` its shortcut.
_checked: dict[Path, set[Path]] = {}


def _checked_folders(root: Path) -> set[Path]:
    found = _checked.get(root)
    if found is None:
        if len(_checked) >= 4:  # other builds' folders
            _checked.clear()
        found = _checked[root] = set()
    return found


def _made_folder(root: Path, path: Path) -> bool:
    """Whether ``path``'s folder was just made, in one ``mkdir`` (a new page's, mostly: its
    parent is the staging folder or one this process made or checked): then nothing can be
    at ``path``."""
    checked = _checked_folders(root)
    parent = path.parent
    if parent.parent != root and parent.parent not in checked:
        return False
    try:
        os.mkdir(parent)
    except OSError:
        return False  # there already, or in the way: the caller looks
    checked.add(parent)
    return True


def _make_parent(root: Path, path: Path) -> None:
    """Create ``path``'s folders, dropping files of the last build that stand in the way."""
    if _made_folder(root, path):
        return
    checked, parent = _checked_folders(root), path.parent
    if parent.is_dir() and not parent.is_symlink():
        return
    for rel in reversed(path.relative_to(root).parents[:-1]):
        folder = root / rel
        if folder.is_symlink() or folder.is_file():
            folder.unlink()
        folder.mkdir(exist_ok=True)
        checked.add(folder)
