"""The build cache's file: one SQLite database per output folder (see ``manifest``), opened
once per process and read by the records loaded from it."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

FORMAT = 9
_SCHEMA = f"""
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (
    rel TEXT PRIMARY KEY, key TEXT, ino INTEGER NOT NULL, size INTEGER NOT NULL,
    mtime INTEGER NOT NULL, note TEXT, links TEXT, part TEXT, deps TEXT
);
-- What a build loads of every record, read from this index alone (``manifest.load``): the
-- table's rows hold each page's references and reads too, ten times the bytes.
CREATE INDEX files_loaded ON files (
    rel, key, ino, size, mtime, part, note IS NOT NULL, links IS NOT NULL
);
CREATE TABLE parts (id TEXT PRIMARY KEY, packed TEXT NOT NULL);
CREATE TABLE reads (post INTEGER NOT NULL, rel TEXT NOT NULL);
CREATE INDEX reads_post ON reads (post);
CREATE INDEX reads_rel ON reads (rel);
CREATE TABLE posts (id INTEGER PRIMARY KEY, digest BLOB NOT NULL, row TEXT NOT NULL);
PRAGMA user_version = {FORMAT};
"""
_TABLES = ("meta", "files", "parts", "reads", "posts")
#: Most values bound to one statement (SQLite's limit is 32 766 since 3.32, 999 before).
BATCH = 900


#: The columns of a page's record that are read when first asked.
_RECORD_COLUMNS = frozenset({"links", "deps"})


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
            if db.execute("PRAGMA user_version").fetchone()[0] != FORMAT:  # new, or older
                db.executescript(
                    "BEGIN;"
                    + "".join(f"DROP TABLE IF EXISTS {name};" for name in _TABLES)
                    + _SCHEMA
                    + "COMMIT;"
                )
            self._db = db
        return self._db

    def select(self, query: str, keys: Iterable[Any]) -> list[Any]:
        """``query`` (with one ``{}`` for the placeholders) for ``keys``, in batches."""
        keys, found = list(keys), []
        with self.lock:
            for start in range(0, len(keys), BATCH):
                batch = keys[start : start + BATCH]
                marks = ",".join("?" * len(batch))
                found.extend(self.db.execute(query.format(marks), batch).fetchall())
        return found

    def column(self, rel: str, name: str) -> str | None:
        """Column ``name`` (``links`` or ``deps``) of the record of ``rel``, loaded late."""
        if name not in _RECORD_COLUMNS:
            raise ValueError(f"not a column of a page's record: {name}")
        with self.lock:
            row = self.db.execute(f"SELECT {name} FROM files WHERE rel = ?", (rel,)).fetchone()
        if row is None:
            raise LookupError(f"{self.path}: no record of {rel} (the build cache changed)")
        value: str | None = row[0]
        return value

    def close(self) -> None:
        """Close the connection (it opens again if a record loaded from here asks)."""
        if self._db is not None:
            self._db.close()
            self._db = None


#: Open cache files by path; few, as a process builds into one or two folders.
_open: dict[Path, CacheFile] = {}
_MAX_OPEN = 8
#: Errors of a cache another build is writing, not of a damaged one.
BUSY = {"SQLITE_BUSY", "SQLITE_LOCKED"}


def cache_file(path: Path, *, fresh: bool = False) -> CacheFile:
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
