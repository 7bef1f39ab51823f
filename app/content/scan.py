"""Finding content files and hashing them, re-reading in one process only what may have changed."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import NamedTuple

import orjson

from app.content.confine import leads_outside, link_error, not_a_file_error, real_root
from app.content.errors import ContentError
from app.content.files import atomic_write, check_size, content_hash
from app.content.kinds import KIND_DIRS, MARKDOWN_SUFFIXES


class SourceFile(NamedTuple):
    """A Markdown file under the content directory, as found by one scan."""

    path: str
    #: Path relative to the content directory, with '/' (what ``Post.source_path`` keeps).
    rel: str
    kind: str
    stat: os.stat_result
    #: Why the file must not be read (a link out of the content folder, a pipe): the sync
    #: reports it with the other errors. For a linked documents folder, ``rel`` is the folder.
    problem: ContentError | None = None

    @property
    def display(self) -> str:
        """How errors name the file."""
        return f"content/{self.rel}"


def iter_content_files(content_dir: Path, warnings: list[str]) -> Iterator[SourceFile]:
    """Every Markdown file of every kind, sorted by name within its folder; one that must
    not be read (see ``confine``) comes with its ``problem``."""
    root = real_root(content_dir)
    for kind, folder in KIND_DIRS.items():
        try:
            entries = sorted(os.scandir(content_dir / folder), key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            continue
        linked = _linked_folder(root, content_dir, folder, kind)
        if linked is not None:
            yield linked
            continue
        for entry in entries:
            rel = f"{folder}/{entry.name}"
            if entry.is_dir():  # a folder, or a link to one
                _sub_folder(entry.name, folder, warnings)
                continue
            if not _is_document(entry.name, rel, warnings):
                continue
            try:
                stat = entry.stat()
            except FileNotFoundError:
                continue  # deleted (or a dangling link) since the folder was listed
            problem = _problem(root, entry.path, rel, stat, entry.is_symlink())
            yield SourceFile(entry.path, rel, kind, stat, problem)


def named_content_files(
    content_dir: Path, rels: Iterable[str], warnings: list[str]
) -> Iterator[SourceFile]:
    """The files among ``rels`` (paths like ``posts/a.md``) that exist and are content, as
    ``iter_content_files`` would find them."""
    kinds = {folder: kind for kind, folder in KIND_DIRS.items()}
    root = real_root(content_dir)
    for rel in sorted(rels):
        folder, _, name = rel.partition("/")
        kind = kinds.get(folder)
        if kind is None:
            continue
        if "/" in name:  # a file in a sub-folder
            _sub_folder(name.partition("/")[0], folder, warnings)
            continue
        path = content_dir / folder / name
        try:
            stat = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            continue
        if S_ISDIR(stat.st_mode):
            _sub_folder(name, folder, warnings)
            continue
        if not _is_document(name, rel, warnings):
            continue
        linked = _linked_folder(root, content_dir, folder, kind)
        if linked is not None:
            yield linked._replace(rel=rel)  # reported at the file the watcher saw
            continue
        yield SourceFile(str(path), rel, kind, stat, _problem(root, path, rel, stat))


def _linked_folder(root: str, content_dir: Path, folder: str, kind: str) -> SourceFile | None:
    """A documents folder that is a link out of the content folder, as one bad file."""
    path = content_dir / folder
    outside = leads_outside(root, path)
    if outside is None:
        return None
    return SourceFile(
        str(path), folder, kind, os.lstat(path), link_error(f"content/{folder}", outside)
    )


def _problem(
    root: str, path: str | Path, rel: str, stat: os.stat_result, is_link: bool | None = None
) -> ContentError | None:
    """Why a document must not be read: a link out of the content folder, not a file."""
    if is_link is None:
        is_link = os.path.islink(path)
    if is_link and (outside := leads_outside(root, path)) is not None:
        return link_error(f"content/{rel}", outside)
    if not S_ISREG(stat.st_mode):
        return not_a_file_error(f"content/{rel}")
    return None


def _sub_folder(name: str, folder: str, warnings: list[str]) -> None:
    """Documents are read from the kind's folder only: a visible sub-folder gets a warning,
    so that its files are not left out without a word."""
    warning = (
        f"content/{folder}/{name}/: sub-folders are not read: move its files up into "
        f"content/{folder}/"
    )
    if not name.startswith(".") and warning not in warnings:
        warnings.append(warning)


def _is_document(name: str, rel: str, warnings: list[str]) -> bool:
    """Whether a file in a documents folder is one: hidden files, editor backups and temp
    files are passed over, other files with a warning."""
    if name.startswith(".") or name.endswith("~"):
        return False
    if not name.lower().endswith(MARKDOWN_SUFFIXES):
        warnings.append(f"content/{rel}: ignored, only .md files are content")
        return False
    return True


def _signature(stat: os.stat_result) -> tuple[int, ...]:
    return (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino, stat.st_dev)


class StatCache:
    """Hashes of files this process has read, trusted while the file's stat is unchanged.

    Kept in memory by long-lived processes (``freeze.py --watch``, the authoring app), and
    saved in ``instance/`` by command-line builds for the next one (``load``, ``save``), as
    git's index does. A file is remembered only if it last changed ``settle_seconds`` before
    it was read: a change within the file system's timestamp granularity could keep the same
    size and times (git calls such files "racily clean"), so those are hashed again next
    time. The inode
    change time is part of the signature because no tool can set it back, unlike ``mtime``.
    """

    def __init__(self, settle_seconds: float = 2.0) -> None:
        self.settle_ns = int(settle_seconds * 1e9)
        self._entries: dict[str, tuple[tuple[int, ...], str]] = {}
        self._lock = threading.Lock()

    def digest(self, file: SourceFile) -> str | None:
        """The file's hash if it was read before and has not changed since."""
        entry = self._entries.get(file.path)
        return entry[1] if entry is not None and entry[0] == _signature(file.stat) else None

    def remember(self, file: SourceFile, digest: str, scanned_at_ns: int) -> None:
        """Keep ``digest`` for ``file`` (stat taken after ``scanned_at_ns``) if it is settled."""
        settled = max(file.stat.st_mtime_ns, file.stat.st_ctime_ns) < scanned_at_ns - self.settle_ns
        with self._lock:
            if settled:
                self._entries[file.path] = (_signature(file.stat), digest)
            else:
                self._entries.pop(file.path, None)

    def retain(self, paths: set[str]) -> None:
        """Forget files that are gone."""
        with self._lock:
            self._entries = {p: e for p, e in self._entries.items() if p in paths}

    def __len__(self) -> int:
        return len(self._entries)

    def load(self, path: Path, content_dir: Path) -> None:
        """Take in what a process that synced ``content_dir`` before saved (see ``save``).

        Entries are trusted only while a file's stat signature is the same, as in memory; an
        unreadable or foreign cache file is ignored (every file is hashed).
        """
        try:
            data = orjson.loads(path.read_bytes())
            if data.get("format") != _CACHE_FORMAT or data.get("dir") != str(content_dir):
                return
            entries = {name: (tuple(sig), digest) for name, (sig, digest) in data["files"].items()}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return
        with self._lock:
            self._entries = {**entries, **self._entries}

    def save(self, path: Path, content_dir: Path) -> None:
        """Keep the entries for the next process (a command-line build after an edit)."""
        with self._lock:
            files = {name: [list(sig), digest] for name, (sig, digest) in self._entries.items()}
        data = {"format": _CACHE_FORMAT, "dir": str(content_dir), "files": files}
        atomic_write(path, orjson.dumps(data))


_CACHE_FORMAT = 1


def stat_cache_path(instance_dir: Path, content_dir: Path) -> Path:
    """Where ``StatCache.save`` keeps the cache of one content directory."""
    name = hashlib.blake2b(str(content_dir).encode(), digest_size=8).hexdigest()
    return instance_dir / "sync-cache" / f"{name}.json"


_caches: dict[str, StatCache] = {}
_caches_lock = threading.Lock()
#: Content directories whose stat caches one process keeps (tests make many).
MAX_CACHED_DIRS = 8


def stat_cache_for(content_dir: Path) -> StatCache:
    """This process's stat cache for a content directory."""
    key = os.path.realpath(content_dir)
    with _caches_lock:
        cache = _caches.pop(key, None) or StatCache()
        _caches[key] = cache  # most recently used last
        while len(_caches) > MAX_CACHED_DIRS:
            del _caches[next(iter(_caches))]
        return cache


@dataclass
class Fingerprint:
    """A file's hash, and its bytes when they had to be read to get it."""

    digest: str
    data: bytes | None


class Hasher:
    """Hashes the files of one scan: size limit first, then the stat cache, then the bytes."""

    def __init__(self, max_bytes: int, cache: StatCache | None) -> None:
        self.max_bytes = max_bytes
        self.cache = cache
        self.started_ns = time.time_ns()  # before any file of the scan is stat'ed
        #: Files read from disk (not answered by the stat cache).
        self.read = 0

    def vouched(self, file: SourceFile) -> str | None:
        """The file's hash if the stat cache vouches for it (None: it must be read); a
        content error if the file is too large."""
        check_size(file.stat.st_size, file.display, self.max_bytes)
        return self.cache.digest(file) if self.cache is not None else None

    def fingerprint(self, file: SourceFile) -> Fingerprint:
        """The file's hash, reading it only when the stat cache cannot vouch for it."""
        known = self.vouched(file)
        if known is not None:
            return Fingerprint(known, None)
        data = self.read_bytes(file)
        digest = content_hash(data)
        if self.cache is not None:
            self.cache.remember(file, digest, self.started_ns)
        return Fingerprint(digest, data)

    def read_bytes(self, file: SourceFile) -> bytes:
        """The file's bytes; a content error if it cannot be read."""
        self.read += 1
        try:
            fd = os.open(file.path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except OSError as exc:
            raise ContentError(file.display, f"cannot read the file: {exc.strerror}") from exc
        try:  # os.read: a third of the cost of open().read() for small files
            data = os.read(fd, file.stat.st_size + 1)
            if len(data) > file.stat.st_size:  # it grew since the scan: read the rest
                chunks = [data]
                while chunk := os.read(fd, 1 << 20):
                    chunks.append(chunk)
                data = b"".join(chunks)
        finally:
            os.close(fd)
        return data
