"""SQLite's write-ahead log around a large import: checkpointed beside the page renderers.

A commit checkpoints the log once it passes 1 000 pages: it copies every page of the
transaction into the database file and waits for the disk (``synchronous=NORMAL`` syncs at
checkpoints). After a cold import of 10 000 posts that took 0.7-1 s of the build, with both
cores idle. A large import (``deferred_checkpoint``) commits without it; the build then
checkpoints in a thread (``BackgroundCheckpoint``) while the forked page renderers work,
which read the committed pages from the log meanwhile, as every WAL reader does.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import sqlalchemy as sa

from app.extensions import db

#: SQLite's default ``wal_autocheckpoint`` (pages), set again after an import.
AUTOCHECKPOINT_PAGES = 1000


def _is_sqlite(engine: sa.Engine) -> bool:
    return engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:")


@contextmanager
def deferred_checkpoint(enabled: bool = True) -> Iterator[bool]:
    """Within: the session's connection commits without checkpointing (SQLite files only).

    Yields whether it did: the caller's process should then checkpoint later (a build does,
    with ``BackgroundCheckpoint``; otherwise the next commit or the last connection to close
    does).
    """
    if not enabled or not _is_sqlite(db.engine):
        yield False
        return
    connection = db.session.connection()
    connection.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
    raw = connection.connection.dbapi_connection  # still open in the pool after the commit
    try:
        yield True
    finally:
        if raw is not None:
            with suppress(Exception):  # closed or broken: a new one has the default anyway
                raw.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")


class BackgroundCheckpoint:
    """Checkpoint the log of ``engine``'s database in a thread, on a connection of its own.

    Start it only once no process will be forked from this one before ``join``: forking a
    process that runs threads is unsafe.
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)

    def start(self) -> BackgroundCheckpoint:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception as exc:  # the next commit checkpoints instead: nothing is lost
            self.error = exc

    def join(self) -> None:
        self._thread.join()
