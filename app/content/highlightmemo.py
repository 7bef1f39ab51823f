"""Highlighted code blocks remembered between syncs (the ``highlight-memo`` trick).

An edit's sync renders the edited post again, code blocks included, in a process that has
compiled no lexer yet: Pygments compiles every rule of a language's lexer on first use
(Python's: ~70 ms), for blocks that have not changed. Highlighting is a pure function of the
block's code, its fence (language, options) and the renderer (our code and the libraries'
versions, ``render.renderer_id``), so its result is kept under a digest of all of them in
``instance/render-cache/highlight.sqlite``; an unchanged block is read back, never lexed.

A sync makes the memo active (``active``) for its renders, here or in its forked workers
(which read it with connections of their own and hand what they highlighted back to the
sync, ``drain``); the sync saves the new blocks at its end (``save``). Outside a sync (the
admin's preview, a save) nothing is remembered. A damaged file is started afresh: the memo
only ever costs a highlight. Its HTML goes into pages as Pygments wrote it, unsanitized, as
the rows' ``body_html`` does: the instance folder is trusted as the database is.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

#: Blocks kept; past this the oldest written go first.
MOST_KEPT = 100_000
_SCHEMA = "CREATE TABLE IF NOT EXISTS blocks (key BLOB PRIMARY KEY, html TEXT NOT NULL)"


class HighlightMemo:
    """One memo file, read with a connection per process; new blocks wait in ``pending``."""

    def __init__(self, path: Path, salt: str) -> None:
        self.path = path
        self.salt = salt.encode()
        self.pending: dict[bytes, str] = {}
        self._db: sqlite3.Connection | None = None
        self._pid = 0

    def key(self, code: str, fence: object) -> bytes:
        h = hashlib.blake2b(self.salt, digest_size=20)
        h.update(repr(fence).encode())
        h.update(b"\0")
        h.update(code.encode("utf-8", "surrogatepass"))
        return h.digest()

    def get(self, key: bytes) -> str | None:
        found = self.pending.get(key)
        if found is None:
            db = self._connection()
            if db is not None:
                try:
                    row = db.execute("SELECT html FROM blocks WHERE key = ?", (key,)).fetchone()
                except sqlite3.Error:
                    row = None
                found = row[0] if row is not None else None
        return found

    def put(self, key: bytes, html: str) -> None:
        self.pending[key] = html

    def drain(self) -> dict[bytes, str]:
        """The blocks highlighted since the last drain (a worker's, for the sync)."""
        found, self.pending = self.pending, {}
        return found

    def save(self) -> None:
        """Write the pending blocks (and drop the oldest past ``MOST_KEPT``); a cache that
        cannot be written is started afresh next time, nothing else."""
        pending = self.drain()
        if not pending:
            return
        db = self._connection(create=True)
        if db is None:
            return
        try:
            with db:
                db.executemany("INSERT OR IGNORE INTO blocks VALUES (?, ?)", pending.items())
                db.execute(
                    "DELETE FROM blocks WHERE rowid <= (SELECT max(rowid) FROM blocks) - ?",
                    (MOST_KEPT,),
                )
        except sqlite3.Error:
            self._reset()

    def close(self) -> None:
        if self._db is not None and self._pid == os.getpid():
            self._db.close()
        self._db = None

    def _connection(self, *, create: bool = False) -> sqlite3.Connection | None:
        if self._db is not None and self._pid == os.getpid():
            return self._db
        self._db = None  # a forked worker opens its own
        if not create and not self.path.exists():
            return None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=5)
            db.execute("PRAGMA synchronous = OFF")  # a cache: a torn write costs a highlight
            db.execute(_SCHEMA)
        except (sqlite3.Error, OSError):
            self._reset()
            return None
        self._db, self._pid = db, os.getpid()
        return db

    def _reset(self) -> None:
        self.close()
        with contextlib.suppress(OSError):
            self.path.unlink()


_active: HighlightMemo | None = None


def current() -> HighlightMemo | None:
    """The memo of the sync running in this process (or in the one that forked it)."""
    return _active


@contextlib.contextmanager
def active(memo: HighlightMemo | None) -> Iterator[HighlightMemo | None]:
    """Use ``memo`` for the renders inside; save what they highlighted at the end."""
    global _active
    previous, _active = _active, memo
    try:
        yield memo
    finally:
        _active = previous
        if memo is not None:
            memo.save()
            memo.close()


def memo_path(instance_dir: Path) -> Path:
    return instance_dir / "render-cache" / "highlight.sqlite"
