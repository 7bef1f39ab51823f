"""The build cache: what the last build produced, each file with what its page read.

It lives in the instance folder, one SQLite file per output folder, and is written only after
a build was swapped into place. A page is reused only if its recorded reads (``deps``) answer
the same and the file in ``build/`` is still the very file that build wrote (inode, size,
mtime), so editing or replacing ``build/`` by hand makes the next build render those pages
again. Beside the records: the digest of the code and settings (``common``) and of every
post's row, which tell the next build what changed.

A build loads every record but not the pages' references (most of the file), which are read
one page at a time when a link check asks; a save writes only the records that changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG

import orjson

from app.build.links import PageLinks

FORMAT = 7
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    rel TEXT PRIMARY KEY, key TEXT, ino INTEGER NOT NULL, size INTEGER NOT NULL,
    mtime INTEGER NOT NULL, note TEXT, links TEXT, deps TEXT
);
"""
_UPSERT = (
    "INSERT INTO files (rel, key, ino, size, mtime, note, links, deps) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (rel) DO UPDATE SET key = excluded.key, ino = excluded.ino, "
    "size = excluded.size, mtime = excluded.mtime, note = excluded.note, "
    "links = excluded.links, deps = excluded.deps"
)


class CacheFile:
    """One build cache file, opened when first asked; records read their references here."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.with_suffix(".json").unlink(missing_ok=True)  # earlier versions' cache
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            # The rollback journal (not WAL) writes the file itself: its mtime tells a watch
            # that another process saved a build in between (see ``warm.BuildMemory``).
            db.execute("PRAGMA synchronous = NORMAL")
            db.executescript(_SCHEMA)
            self._db = db
        return self._db

    def packed(self, rel: str) -> str | None:
        with self.lock:
            row = self.db.execute("SELECT links FROM files WHERE rel = ?", (rel,)).fetchone()
        if row is None:
            raise LookupError(f"{self.path}: no record of {rel} (the build cache changed)")
        links: str | None = row[0]
        return links

    def close(self) -> None:
        """Close the connection (it opens again if a record loaded from here asks)."""
        if self._db is not None:
            self._db.close()
            self._db = None


#: Open cache files by path; few, as a process builds into one or two folders.
_open: dict[Path, CacheFile] = {}
_MAX_OPEN = 8
#: Errors of a cache another build is writing, not of a damaged one.
_BUSY = {"SQLITE_BUSY", "SQLITE_LOCKED"}


def _cache_file(path: Path, *, fresh: bool = False) -> CacheFile:
    """The cache at ``path`` (records loaded from it read their links through it)."""
    found = _open.pop(path, None)
    if found is not None and (fresh or not path.exists()):
        found.close()
        found = None
    if found is None:
        if fresh:
            for name in (path.name, f"{path.name}-journal"):
                (path.parent / name).unlink(missing_ok=True)
        found = CacheFile(path)
    _open[path] = found  # the most recent last
    while len(_open) > _MAX_OPEN:
        _open.pop(next(iter(_open))).close()
    return found


class FileRecord:
    """One built file: its page's key and recorded reads, which file it is, its references.

    The references are kept packed (a JSON text) and read only when a link check needs
    them, each time anew; a record loaded from the cache file reads them from there, so a
    build of 12 000 pages neither loads nor holds them. ``note`` is what the page's view
    noted for the next build about the file (``search.json``: where each post's document is
    in it).
    """

    __slots__ = ("_packed", "deps", "identity", "key", "note", "stored")

    def __init__(
        self,
        key: str | None,
        identity: tuple[int, int, int],
        links: PageLinks | None = None,
        *,
        packed: str | None = None,
        note: str | None = None,
        deps: str | None = None,
    ) -> None:
        self.key = key
        self.identity = identity
        self._packed = packed if links is None else pack_links(links)
        self.note = note
        #: What the page read (``deps.Reads.pack``); None: render it on the next build.
        self.deps = deps
        #: The cache file holding this very record, and whether it has references there.
        self.stored: tuple[CacheFile, str, bool] | None = None

    def _store(self, cache: CacheFile, rel: str, has_links: bool) -> FileRecord:
        self.stored = (cache, rel, has_links)
        self._packed = None
        return self

    @property
    def packed(self) -> str | None:
        if self._packed is not None or self.stored is None:
            return self._packed
        cache, rel, has_links = self.stored
        return cache.packed(rel) if has_links else None

    @property
    def has_links(self) -> bool:
        return self._packed is not None or (self.stored is not None and self.stored[2])

    @property
    def links(self) -> PageLinks | None:
        """The references, unpacked (a new object each time)."""
        packed = self.packed
        if packed is None:
            return None
        refs, ids, *broken = orjson.loads(packed)
        return PageLinks(
            refs=[tuple(ref) for ref in refs],
            ids=set(ids),
            broken=[tuple(found) for found in broken[0]] if broken else [],
        )


def pack_links(links: PageLinks) -> str:
    """References as the build cache keeps them (made where the page is rendered); broken
    ones only until the build's check fails on them."""
    packed = [links.refs, sorted(links.ids)]
    return orjson.dumps([*packed, links.broken] if links.broken else packed).decode()


def identity(path: str | Path) -> tuple[int, int, int] | None:
    """(inode, size, mtime) of a regular file, or None."""
    try:
        stat = os.lstat(path)
    except OSError:
        return None
    if not S_ISREG(stat.st_mode):
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def manifest_path(instance_dir: Path, build_dir: Path) -> Path:
    name = hashlib.blake2b(str(build_dir.resolve()).encode(), digest_size=8).hexdigest()
    return instance_dir / "build-cache" / f"{name}.sqlite"


@dataclass(frozen=True)
class Spare:
    """The spare build (see ``output.spare_dir``) as the last build left it.

    It is that build's predecessor: the same files, but for those the build ``written``
    (other inodes; None: not recorded, each file is compared) and ``removed``. A spare left
    by a failed build is another folder (``folder``, its device and inode, differs) and is
    brought up to date by listing it instead.
    """

    folder: tuple[int, int]
    removed: list[str]
    written: list[str] | None = None

    @classmethod
    def of(cls, spare: Path, removed: list[str], written: list[str] | None) -> Spare | None:
        folder = _folder_id(spare)
        return None if folder is None else cls(folder, removed, written)

    def describes(self, folder: Path) -> bool:
        return _folder_id(folder) == self.folder


def _folder_id(path: Path) -> tuple[int, int] | None:
    """(device, inode) of ``path``, or None if it is not there."""
    try:
        stat = os.lstat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


@dataclass
class Manifest:
    """The records of the build in a folder, what its spare is, and what it was made from:
    the code and settings (``deps.common_digest``) and each post's row (``Reads.rows``)."""

    records: dict[str, FileRecord] = field(default_factory=dict)
    spare: Spare | None = None
    common: str | None = None
    rows: dict[int, str] | None = None
    #: The fields the read model read of posts, in every build since the last clean one.
    model: list[str] | None = None
    #: The list of the site's pages and what it read (``pagelist.PageList.saved``).
    pages: str | None = None


def load(path: Path, build_dir: Path) -> Manifest:
    """The records of the build now in ``build_dir``; empty when unknown or unreadable."""
    if not path.is_file():
        return Manifest()
    try:
        cache = _cache_file(path)
        with cache.lock:
            meta = dict(cache.db.execute("SELECT name, value FROM meta").fetchall())
            rows = cache.db.execute(
                "SELECT rel, key, ino, size, mtime, note, links IS NOT NULL, deps FROM files"
            ).fetchall()
        if meta.get("format") != str(FORMAT) or meta.get("build_dir") != str(build_dir.resolve()):
            return Manifest()
        records = {
            rel: FileRecord(key, (ino, size, mtime), note=note, deps=deps)._store(
                cache, rel, bool(linked)
            )
            for rel, key, ino, size, mtime, note, linked, deps in rows
        }
        found = orjson.loads(meta.get("spare", "null"))
        spare = None if found is None else Spare((found[0], found[1]), found[2], found[3])
        post_rows = orjson.loads(meta.get("rows", "null"))
        if post_rows is not None:
            post_rows = {int(post_id): value for post_id, value in post_rows.items()}
        model = orjson.loads(meta.get("model", "null"))
        pages = meta.get("pages") or None
        return Manifest(records, spare, meta.get("common"), post_rows, model, pages)
    except sqlite3.Error as exc:
        if getattr(exc, "sqlite_errorname", "") not in _BUSY:  # damaged: start a new file
            with contextlib.suppress(sqlite3.Error, OSError):
                _cache_file(path, fresh=True)
        return Manifest()
    except (OSError, ValueError, TypeError):
        return Manifest()  # no cache, or one we cannot trust: render everything


def save(path: Path, build_dir: Path, manifest: Manifest) -> None:
    """Record a build: rows for the records that changed, none for the files gone.

    Raises OSError when the records cannot be written (then the file is removed: the next
    build renders everything).
    """
    try:
        _save(_cache_file(path), build_dir, manifest)
    except sqlite3.Error as exc:
        # Records loaded from a broken file cannot be written again: start afresh.
        with contextlib.suppress(sqlite3.Error, OSError):
            _cache_file(path, fresh=True)
        raise OSError(f"{path}: {exc}") from exc


def _save(cache: CacheFile, build_dir: Path, manifest: Manifest) -> None:
    records, spare = manifest.records, manifest.spare
    changed = [
        (rel, record)
        for rel, record in records.items()
        if record.stored is None or record.stored[0] is not cache or record.stored[1] != rel
    ]
    rows = [(rel, r.key, *r.identity, r.note, r.packed, r.deps) for rel, r in changed]
    meta = {
        "format": str(FORMAT),
        "build_dir": str(build_dir.resolve()),
        "spare": orjson.dumps(
            [*spare.folder, spare.removed, spare.written] if spare is not None else None
        ).decode(),
        "common": manifest.common or "",
        "rows": orjson.dumps(manifest.rows, option=orjson.OPT_NON_STR_KEYS).decode(),
        "model": orjson.dumps(manifest.model).decode(),
        "pages": manifest.pages or "",
    }
    with cache.lock:
        cache.db.execute("BEGIN IMMEDIATE")
        try:  # the rows as they are now: another process may have saved since this one loaded
            present = {rel for (rel,) in cache.db.execute("SELECT rel FROM files")}
            gone = [(rel,) for rel in present - records.keys()]
            cache.db.executemany("DELETE FROM files WHERE rel = ?", gone)
            cache.db.executemany(_UPSERT, rows)
            cache.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())
            cache.db.execute("COMMIT")
        except BaseException:
            # SQLite itself ends the transaction on some errors (a full disk) and a Ctrl+C
            # may come after the COMMIT: a failed ROLLBACK must not hide what happened.
            if cache.db.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    cache.db.execute("ROLLBACK")
            raise
    for (rel, record), row in zip(changed, rows, strict=True):
        record._store(cache, rel, row[-2] is not None)
