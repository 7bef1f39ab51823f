"""The build cache: what the last build produced, each file with what its page read.

It lives in the instance folder, one SQLite file per output folder, and is written only after
a build was swapped into place. A page is reused only if its recorded reads (``deps``) answer
the same and the file in ``build/`` is still the very file that build wrote (inode, size,
mtime), so editing or replacing ``build/`` by hand makes the next build render those pages
again. Beside the records: the digest of the code and settings (``common``) and of every
post's row, which tell the next build what changed.

A build loads every record's key and file but neither the pages' references nor their
reads: references are read one page at a time when a link check asks, reads only for the
pages that may need them. A page's reads are kept in two parts: the templates, files and
settings it read (``part``: the same for most pages of a kind, stored once and checked once
per build) and the rest (its read-model calls and the fields it read of which posts). An
index from each post to the pages that read a field of it (``Manifest.touched``) tells a
build which pages an edit of a post may change, so an edit reads the reads of those alone
(unless the read model's own answers may have changed: then every page's calls are asked
again). A save writes only the records, post rows and settings that changed.

Why one module: the records and the cache file are one format; ``load`` and ``_save`` must
agree column for column, and a record reads its lazy columns back from the same tables.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from typing import Any

import orjson

from app.build.cachefile import BATCH, BUSY, FORMAT, CacheFile, cache_file
from app.build.deps import read_posts
from app.build.links import PageLinks
from app.build.postrows import PostRows, save_rows
from app.build.stamps import build_dir_cache

_UPSERT = (
    "INSERT INTO files (rel, key, ino, size, mtime, note, links, part, deps) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (rel) DO UPDATE SET key = excluded.key, ino = excluded.ino, "
    "size = excluded.size, mtime = excluded.mtime, note = excluded.note, "
    "links = excluded.links, part = excluded.part, deps = excluded.deps"
)


class _Unloaded:
    """A record's reads not read from its cache file yet."""


_UNLOADED = _Unloaded()


class FileRecord:
    """One built file: its page's key and recorded reads, which file it is, its references.

    The references are kept packed (a JSON text) and read only when a link check needs
    them, each time anew; a record loaded from the cache file reads them from there, so a
    build of 12 000 pages neither loads nor holds them. ``note`` is what the page's view
    noted for the next build about the file (``search.json``: where each post's document is
    in it).
    """

    __slots__ = ("_deps", "_packed", "identity", "key", "note", "part", "stored")

    def __init__(
        self,
        key: str | None,
        identity: tuple[int, int, int],
        links: PageLinks | None = None,
        *,
        packed: str | None = None,
        note: str | None = None,
        part: str | None = None,
        deps: str | None = None,
    ) -> None:
        self.key = key
        self.identity = identity
        self._packed = packed if links is None else pack_links(links)
        self.note = note
        #: What the page read (``deps.Reads.pack_page``): the templates, files and settings
        #: (``part``, shared by many pages) and the rest; None: render it on the next build.
        self.part = part
        self._deps: str | _Unloaded | None = deps
        #: The cache file holding this very record, and whether it has references there.
        self.stored: tuple[CacheFile, str, bool] | None = None

    def _store(
        self, cache: CacheFile, rel: str, has_links: bool, *, loaded: bool = True
    ) -> FileRecord:
        self.stored = (cache, rel, has_links)
        self._packed = None
        if not loaded:
            self._deps = _UNLOADED
        return self

    @property
    def deps(self) -> str | None:
        """The page's read-model calls and the fields it read (read from the cache file
        when first asked, or by ``Manifest.preload``)."""
        found = self._deps
        if isinstance(found, _Unloaded):
            assert self.stored is not None
            cache, rel, _ = self.stored
            found = self._deps = cache.column(rel, "deps")
        return found

    @property
    def packed(self) -> str | None:
        if self._packed is not None or self.stored is None:
            return self._packed
        cache, rel, has_links = self.stored
        return cache.column(rel, "links") if has_links else None

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


def files_in_place(root: Path, records: Mapping[str, FileRecord]) -> dict[str, FileRecord]:
    """The records whose file under ``root`` is still the very file they describe (the same
    inode, size and modification time: one ``lstat`` each, relative to the open folder)."""
    try:
        folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return {}
    found = {}
    try:
        for rel, record in records.items():
            try:
                stat = os.lstat(rel, dir_fd=folder)
            except OSError:
                continue
            if (stat.st_ino, stat.st_size, stat.st_mtime_ns) == record.identity and S_ISREG(
                stat.st_mode
            ):
                found[rel] = record
    finally:
        os.close(folder)
    return found


def manifest_path(instance_dir: Path, build_dir: Path) -> Path:
    return build_dir_cache(instance_dir, build_dir)


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
    the code and settings (``deps.common_digest``) and each post's row (``postrows.rows_of``)."""

    records: dict[str, FileRecord] = field(default_factory=dict)
    spare: Spare | None = None
    common: str | None = None
    rows: PostRows | None = None
    #: The fields the read model read of posts, in every build since the last clean one.
    model: list[str] | None = None
    #: The list of the site's pages and what it read (``pagelist.PageList.saved``).
    pages: str | None = None
    #: The file it was loaded from or saved to, and its meta values and posts' row digests
    #: there (None: not known).
    cache: CacheFile | None = None
    saved_meta: dict[str, str] = field(default_factory=dict)
    saved_rows: dict[int, bytes] | None = None

    def preload(self, rels: Iterable[str] | None = None) -> None:
        """Read the reads of these records (of all: None) from the cache file at once."""
        cache = self.cache
        if cache is None:
            return
        wanted = self.records.keys() if rels is None else rels
        lazy = [rel for rel in wanted if _unloaded_here(self.records.get(rel), cache, rel)]
        if not lazy:
            return
        if rels is None or len(lazy) > BATCH * 4:
            with cache.lock:
                found = cache.db.execute("SELECT rel, deps FROM files").fetchall()
        else:
            found = cache.select("SELECT rel, deps FROM files WHERE rel IN ({})", lazy)
        for rel, deps in found:
            record = self.records.get(rel)
            if _unloaded_here(record, cache, rel):
                assert record is not None
                record._deps = deps

    def readers(self, changed: Mapping[int, object] | None, answers_same: bool) -> set[str]:
        """The records whose reads a build must look at (``deps.Reads.keeps``), with their
        reads loaded: those that read a field of a post that changed, or, when the read
        model's own answers may have changed (not ``answers_same``), all of them."""
        if changed is None:
            return set()
        if not answers_same:
            self.preload()
            return set(self.records)
        found = self.touched(changed.keys())
        self.preload(found)
        return found

    def touched(self, post_ids: Iterable[int]) -> set[str]:
        """The records that read a field of any of these posts: from the cache file's index
        for the records stored there, from the records themselves for the others."""
        post_ids = list(post_ids)
        if not post_ids:
            return set()
        cache, found = self.cache, set()
        if cache is not None:
            query = "SELECT DISTINCT rel FROM reads WHERE post IN ({})"
            found = {rel for (rel,) in cache.select(query, post_ids)}
        wanted = set(post_ids)
        for rel, record in self.records.items():
            stored = record.stored
            if stored is None or stored[0] is not cache or stored[1] != rel:
                deps = record.deps
                if deps is not None and not wanted.isdisjoint(read_posts(deps)):
                    found.add(rel)
        return found


def _unloaded_here(record: FileRecord | None, cache: CacheFile, rel: str) -> bool:
    return (
        record is not None
        and isinstance(record._deps, _Unloaded)
        and record.stored is not None
        and record.stored[0] is cache
        and record.stored[1] == rel
    )


def load(path: Path, build_dir: Path) -> Manifest:
    """The records of the build now in ``build_dir``; empty when unknown or unreadable."""
    if not path.is_file():
        return Manifest()
    try:
        cache = cache_file(path)
        with cache.lock:
            db = cache.db
            meta = dict(db.execute("SELECT name, value FROM meta").fetchall())
            if meta.get("format") != str(FORMAT) or meta.get("build_dir") != str(
                build_dir.resolve()
            ):
                return Manifest()
            parts = dict(db.execute("SELECT id, packed FROM parts").fetchall())
            rows = db.execute(
                "SELECT rel, key, ino, size, mtime, part, note IS NOT NULL, links IS NOT NULL "
                "FROM files INDEXED BY files_loaded"
            ).fetchall()
            digests = dict(db.execute("SELECT id, digest FROM posts").fetchall())
        records = {
            rel: FileRecord(key, (ino, size, mtime), part=parts.get(part))._store(
                cache, rel, bool(linked), loaded=part is None
            )
            for rel, key, ino, size, mtime, part, _, linked in rows
        }
        noted = [row[0] for row in rows if row[6]]
        for rel, note in cache.select("SELECT rel, note FROM files WHERE rel IN ({})", noted):
            records[rel].note = note
        found = orjson.loads(meta.get("spare", "null"))
        spare = None if found is None else Spare((found[0], found[1]), found[2], found[3])
        post_rows = PostRows(digests, cache=cache) if meta.get("rows") == "table" else None
        model = orjson.loads(meta.get("model", "null"))
        pages = meta.get("pages") or None
        return Manifest(
            records, spare, meta.get("common"), post_rows, model, pages, cache, meta, digests
        )
    except sqlite3.Error as exc:
        if getattr(exc, "sqlite_errorname", "") not in BUSY:  # damaged: start a new file
            with contextlib.suppress(sqlite3.Error, OSError):
                cache_file(path, fresh=True)
        return Manifest()
    except (OSError, ValueError, TypeError):
        return Manifest()  # no cache, or one we cannot trust: render everything


def save(path: Path, build_dir: Path, manifest: Manifest) -> None:
    """Record a build: rows for the records that changed, none for the files gone.

    Raises OSError when the records cannot be written (then the file is removed: the next
    build renders everything).
    """
    try:
        _save(cache_file(path), build_dir, manifest)
    except sqlite3.Error as exc:
        # Records loaded from a broken file cannot be written again: start afresh.
        with contextlib.suppress(sqlite3.Error, OSError):
            cache_file(path, fresh=True)
        raise OSError(f"{path}: {exc}") from exc


def _part_id(part: str) -> str:
    return hashlib.blake2b(part.encode(), digest_size=12).hexdigest()


def _parts_of(db: sqlite3.Connection, rels: list[str]) -> set[str]:
    found = set()
    for rel in rels:
        row = db.execute("SELECT part FROM files WHERE rel = ?", (rel,)).fetchone()
        if row is not None and row[0] is not None:
            found.add(row[0])
    return found


def _save_reads(
    db: sqlite3.Connection, deps: list[tuple[str, str | None]], replaced: list[str]
) -> None:
    """The index from posts to the pages that read them, for the records written (their
    ``deps``): rows added and removed only (``search.json`` reads every post: 10 000 rows
    an edit). Made as they are written: a cold build at 100 000 posts writes 1.5 million;
    the rows of pages written over are compared ``READS_SLICE`` pages at a time (all of
    them at once held 1.5 million ids twice, +400 MB, when a theme change renders all)."""
    over = set(replaced)
    db.executemany(
        "INSERT INTO reads VALUES (?, ?)",
        (
            (post, rel)
            for rel, packed in deps
            if rel not in over
            for post in sorted(_read_posts(packed))
        ),
    )
    again = [(rel, packed) for rel, packed in deps if rel in over]
    for first in range(0, len(again), READS_SLICE):
        now = {rel: _read_posts(packed) for rel, packed in again[first : first + READS_SLICE]}
        before: dict[str, set[int]] = {}
        for rel in now:
            found = db.execute("SELECT post FROM reads WHERE rel = ?", (rel,))
            before[rel] = {post for (post,) in found}
        db.executemany(
            "DELETE FROM reads WHERE post = ? AND rel = ?",
            ((post, rel) for rel, read in now.items() for post in before[rel] - read),
        )
        db.executemany(
            "INSERT INTO reads VALUES (?, ?)",
            ((post, rel) for rel, read in now.items() for post in sorted(read - before[rel])),
        )


#: Pages whose rows of the index are compared at a time (``_save_reads``).
READS_SLICE = 2000


def _read_posts(deps: str | None) -> set[int]:
    return read_posts(deps) if deps is not None else set()


def _save(cache: CacheFile, build_dir: Path, manifest: Manifest) -> None:
    records, spare = manifest.records, manifest.spare
    changed = [
        (rel, record)
        for rel, record in records.items()
        if record.stored is None or record.stored[0] is not cache or record.stored[1] != rel
    ]
    parts: dict[str, str] = {}
    rows: list[tuple[Any, ...]] = []
    for rel, r in changed:
        part_id = None
        if r.part is not None:
            part_id = parts.setdefault(r.part, _part_id(r.part))
        rows.append((rel, r.key, *r.identity, r.note, r.packed, part_id, r.deps))
    meta = {
        "format": str(FORMAT),
        "build_dir": str(build_dir.resolve()),
        "spare": orjson.dumps(
            [*spare.folder, spare.removed, spare.written] if spare is not None else None
        ).decode(),
        "common": manifest.common or "",
        "rows": "table" if manifest.rows is not None else "",
        "model": orjson.dumps(manifest.model).decode(),
        "pages": manifest.pages or "",
    }
    same_file = manifest.cache is cache
    meta_changed = [
        (name, value)
        for name, value in meta.items()
        if not same_file or manifest.saved_meta.get(name) != value
    ]
    with cache.lock:
        db = cache.db
        db.execute("BEGIN IMMEDIATE")
        try:  # the rows as they are now: another process may have saved since this one loaded
            present = {rel for (rel,) in db.execute("SELECT rel FROM files")}
            gone = [(rel,) for rel in present - records.keys()]
            replaced = [rel for rel, _ in changed if rel in present]
            # The parts the records written over or gone used: kept if another still does.
            unused = _parts_of(db, [rel for (rel,) in gone] + replaced) - set(parts.values())
            db.executemany("DELETE FROM files WHERE rel = ?", gone)
            db.executemany("DELETE FROM reads WHERE rel = ?", gone)
            _save_reads(db, [(rel, record.deps) for rel, record in changed], replaced)
            db.executemany(_UPSERT, rows)
            db.executemany(
                "INSERT OR IGNORE INTO parts VALUES (?, ?)",
                [(part_id, part) for part, part_id in parts.items()],
            )
            db.executemany(
                "DELETE FROM parts WHERE id = ? AND NOT EXISTS "
                "(SELECT 1 FROM files WHERE part = ?)",
                [(part_id, part_id) for part_id in unused],
            )
            if manifest.rows is not None:
                save_rows(db, manifest.rows, manifest.saved_rows if same_file else None)
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta_changed)
            db.execute("COMMIT")
        except BaseException:
            # SQLite itself ends the transaction on some errors (a full disk) and a Ctrl+C
            # may come after the COMMIT: a failed ROLLBACK must not hide what happened.
            if db.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
            raise
    for (rel, record), row in zip(changed, rows, strict=True):
        record._store(cache, rel, row[6] is not None)
    manifest.cache, manifest.saved_meta = cache, meta
    if manifest.rows is not None:
        manifest.rows.cache = cache
        manifest.saved_rows = manifest.rows.digests
    elif not same_file:
        manifest.saved_rows = None
